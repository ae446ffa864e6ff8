// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/), small valid and
// damaged inputs:  build-fuzz/tests/fuzz/iai_fuzz_make_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <zlib.h>

#include "checkpoint_setup.hpp"

namespace {
using Bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

void put(const fs::path& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
Bytes idx(std::uint32_t magic, const std::vector<std::uint32_t>& dims, std::size_t n) {
  Bytes b;
  auto be = [&b](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  };
  be(magic);
  for (std::uint32_t d : dims) be(d);
  for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i * 37));
  return b;
}
Bytes gzip(const Bytes& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
Bytes head(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + n); }
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* t : {"idx_plain", "idx_gz", "checkpoint"}) fs::create_directories(root / t);

  const Bytes images = idx(0x803, {3, 4, 5}, 60), labels = idx(0x801, {3}, 3);
  const Bytes one = idx(0x803, {1, 1, 1}, 1);
  put(root / "idx_plain/images-3x4x5", images);
  put(root / "idx_plain/labels-3", labels);
  put(root / "idx_plain/images-1x1x1", one);
  put(root / "idx_plain/images-truncated", head(images, images.size() - 7));
  put(root / "idx_plain/header-only", head(images, 10));
  put(root / "idx_gz/images-3x4x5.gz", gzip(images));
  put(root / "idx_gz/labels-3.gz", gzip(labels));
  put(root / "idx_gz/two-members.gz", [&] {
    Bytes b = gzip(head(images, 30));
    const Bytes rest = gzip(Bytes(images.begin() + 30, images.end()));
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
  }());
  const Bytes gz = gzip(images);
  put(root / "idx_gz/images-truncated.gz", head(gz, gz.size() - 5));
  // uncompressed seeds: the gz fuzzer compresses inputs that are not gzip
  put(root / "idx_gz/labels-3-raw", labels);

  iai_fuzz::CheckpointRun run;
  const fs::path ckpt = root / "checkpoint/valid-epoch0";
  iai::saveCheckpoint(ckpt.string(), run.em, iai_fuzz::kArchitecture);
  iai::Matrix<float> x = iai::Matrix<float>::Zero(6, 4);
  run.em.step(x);
  run.em.startEpoch(2);
  iai::saveCheckpoint((root / "checkpoint/valid-epoch2").string(), run.em, iai_fuzz::kArchitecture);
  std::ifstream f(ckpt, std::ios::binary);
  const Bytes valid{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  put(root / "checkpoint/truncated-half", head(valid, valid.size() / 2));
  put(root / "checkpoint/header-only", head(valid, 16));
  return 0;
}
