// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/), small valid and
// damaged inputs:  build-fuzz/tests/fuzz/iai_fuzz_make_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <zlib.h>

#include <iai/data/cifar.hpp>

#include <iai/training/model_file.hpp>

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
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }
/// An .npy file (format `major`.0) with the given header dict and n payload bytes.
Bytes npy(const std::string& dict, std::size_t n, int major = 1) {
  std::string h = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  Bytes b{0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  for (std::size_t k = 0; k < (major == 1 ? 2u : 4u); ++k)
    b.push_back(static_cast<std::uint8_t>(h.size() >> (8 * k)));
  b.insert(b.end(), h.begin(), h.end());
  for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i % 7 == 0 ? 0x3f : i));
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* t :
       {"idx_plain", "idx_gz", "checkpoint", "model_file", "npy", "csv", "cifar", "sparse"})
    fs::create_directories(root / t);

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

  put(root / "npy/f4-2x3", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24));
  put(root / "npy/f8-3-v2", npy("{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}", 24, 2));
  put(root / "npy/u1-4x2-v3", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 2), }", 8, 3));
  put(root / "npy/fortran", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
  put(root / "npy/truncated", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 20));
  put(root / "csv/header", text("a,b,c\n1,2.5,-3\n4e2,5,6\n"));
  put(root / "csv/plain-crlf", text("1;2\r\n3;4\r\n"));
  put(root / "csv/ragged", text("1,2\n3\n"));
  put(root / "sparse/docs", text("3 1:2 4:1 # c\n0\n7\t2:5\n"));
  put(root / "sparse/bad-order", text("1 3:1 2:1\n"));
  put(root / "sparse/labels", text("-1 10:3 11:1 400:2\n+1 1:1\n"));
  {
    iai::CifarBatch c;
    for (std::size_t j = 0; j < 2; ++j) {
      c.labels.push_back(static_cast<std::uint8_t>(j + 3));
      for (std::size_t k = 0; k < iai::kCifarPixels; ++k)
        c.pixels.push_back(static_cast<std::uint8_t>((j * 31 + k) % 251));
    }
    iai::writeCifar10((root / "cifar/two-records").string(), c);
    std::ifstream in(root / "cifar/two-records", std::ios::binary);
    const Bytes two{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    put(root / "cifar/one-record-short", head(two, 3073 + 100));
  }

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

  iai::Matrix<float> w(2, 3);
  w.setConstant(0.5f);
  const fs::path model = root / "model_file/named-2x3";
  iai::saveModelFile<float>(model.string(), {{"w", w}, {"b", w.col(0)}}, "arch");
  iai::saveModelFile<float>((root / "model_file/empty-tensor").string(),
                            {{"e", iai::Matrix<float>(0, 4)}}, "");
  std::ifstream m(model, std::ios::binary);
  const Bytes valid_model{std::istreambuf_iterator<char>(m), std::istreambuf_iterator<char>()};
  put(root / "model_file/truncated-half", head(valid_model, valid_model.size() / 2));
  put(root / "model_file/header-only", head(valid_model, 24));
  return 0;
}
