// libFuzzer target: readIdx with zlib on gzip input. An input that starts with the gzip magic
// (1f 8b) is read as it is (fuzzing the gzip framing); any other input is first gzip-compressed,
// so that the IDX parser behind the decompressor sees fuzzed contents too.
// Guarantee checked: as idx_plain_fuzz.cpp, for gzip files (the decompressed size is bounded by
// the header's claim, not trusted).
#include <iai/data/idx.hpp>

#include <vector>

#include <zlib.h>

#include "fuzz_input.hpp"

namespace {
std::vector<std::uint8_t> gzip(const std::uint8_t* data, std::size_t size) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(size)) + 32);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> packed;
  if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
    packed = gzip(data, size);
    data = packed.data();
    size = packed.size();
  }
  iai_fuzz::readIdxChecked(data, size);
  return 0;
}
