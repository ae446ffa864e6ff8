#pragma once
// Shared helpers for the data tests: scratch folders, raw IDX bytes, in-memory gzip (zlib).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef IAI_HAVE_ZLIB
#include <zlib.h>
#endif

#include "support/catch.hpp"
#include "support/temp_dir.hpp"

#include <iai/core/errors.hpp>

namespace iai_test {

using Bytes = std::vector<std::uint8_t>;

inline std::string fixtureDir() { return std::string(IAI_SOURCE_DIR) + "/tests/data/fixtures"; }


inline void writeBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("test helper: cannot write " + path);
}

inline Bytes readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("test helper: cannot read " + path);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void appendBe32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

/// Raw IDX bytes with any magic and dimensions (valid or not) followed by `payload`.
inline Bytes idxBytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                      const Bytes& payload) {
  Bytes b;
  appendBe32(b, magic);
  for (std::uint32_t d : dims) appendBe32(b, d);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// n bytes 0, 1, 2, … (mod 256).
inline Bytes ramp(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i % 256);
  return b;
}

/// The message of the iai::io_error thrown by f, or a description of what happened instead.
template <class F>
std::string ioErrorMessage(F&& f) {
  try {
    f();
  } catch (const iai::io_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an iai::io_error> ") + e.what();
  }
  return "<no exception>";
}

/// CHECKs that `message` contains each fragment (one CHECK per fragment, so a failure shows
/// which one is missing). Catch2 v2's `a && b` matchers must not outlive their operands.
inline void checkContains(const std::string& message,
                          std::initializer_list<std::string> fragments) {
  for (const std::string& fragment : fragments) CHECK_THAT(message, Catch::Contains(fragment));
}

#ifdef IAI_HAVE_ZLIB
/// One gzip member (RFC 1952) holding `in`, made with zlib's deflate.
inline Bytes gzipBytes(const Bytes& in) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("test helper: deflateInit2 failed");
  Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("test helper: deflate did not finish");
  return out;
}
#endif

}  // namespace iai_test
