#pragma once
// IDX files (LeCun & Cortes' MNIST format): a big-endian header, magic 0x00000800 | type << 8 |
// rank, then `rank` big-endian uint32 dimensions, then the elements in row-major order. We read
// unsigned bytes (type 0x08) of rank 1 (labels, N) or 3 (images, N × rows × cols), from plain
// files or gzip (detected by the magic bytes 1f 8b, not by the name). gzip needs zlib: define
// IAI_HAVE_ZLIB and link ZLIB::ZLIB; otherwise a gzip file gives an iai::io_error.
// Every header is validated before any allocation of its claimed size (see docs/data.md).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#ifdef IAI_HAVE_ZLIB
#include <zlib.h>
#endif

#include "iai/core/binary_io.hpp"
#include "iai/core/config.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"

namespace iai {

/// The contents of an IDX file: dims = {N} (labels) or {N, rows, cols} (images), and the
/// N·rows·cols bytes in file order (example-major, each image row-major).
struct IdxArray {
  /// {N} or {N, rows, cols}.
  std::vector<std::uint32_t> dims;
  /// The bytes in file order.
  std::vector<std::uint8_t> data;
};

// The reader differs with and without zlib: its own inline namespace keeps translation units
// compiled with different IAI_HAVE_ZLIB settings from sharing (ODR-violating) definitions.
#ifdef IAI_HAVE_ZLIB
#define IAI_IDX_ABI idx_zlib
#else
#define IAI_IDX_ABI idx_plain
#endif

namespace detail {

inline namespace IAI_IDX_ABI {

/// Sequential reader over a file's bytes, decompressing gzip (RFC 1952, also several
/// concatenated members) on the fly when the file starts with 1f 8b.
class IdxInput {
 public:
  IdxInput(std::string_view function, const std::string& path)
      : function_(function), path_(path), file_(path, function, "an IDX file (plain or gzip)") {
    unsigned char magic[2] = {0, 0};
    const std::size_t got = file_.read(magic, 2);
    file_.seek(0);
    gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip_) openGzip();
  }
  IdxInput(const IdxInput&) = delete;
  IdxInput& operator=(const IdxInput&) = delete;
  ~IdxInput() {
#ifdef IAI_HAVE_ZLIB
    if (gzip_) inflateEnd(&zs_);
#endif
  }

  bool gzip() const { return gzip_; }
  /// Size of the file on disk (compressed size for gzip).
  std::uint64_t fileSize() const { return file_.size(); }

  /// Reads up to n (decompressed) bytes; fewer only at the end of the data.
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    return gzip_ ? readGzip(dst, n) : file_.read(dst, n);
  }

 private:
#ifdef IAI_HAVE_ZLIB
  void openGzip() {
    in_.resize(std::size_t{1} << 16);
    // windowBits 15 + 16: gzip wrapper only (no raw deflate or zlib streams).
    if (inflateInit2(&zs_, 15 + 16) != Z_OK)
      fail("the gzip decoder", "not startable (zlib inflateInit2 failed)", "startable");
  }

  bool refill() {
    zs_.avail_in = static_cast<uInt>(file_.read(in_.data(), in_.size()));
    zs_.next_in = in_.data();
    return zs_.avail_in > 0;
  }

  std::size_t readGzip(std::uint8_t* dst, std::size_t n) {
    std::size_t total = 0;
    while (total < n && !end_) {
      const auto chunk = std::min<std::size_t>(n - total, std::size_t{1} << 30);
      zs_.next_out = dst + total;
      zs_.avail_out = static_cast<uInt>(chunk);
      while (zs_.avail_out > 0 && !end_) {
        if (zs_.avail_in == 0 && !refill())
          fail("the gzip stream", "one that ends early", "complete (the file is truncated)");
        const int rc = inflate(&zs_, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
          // End of a member: the file ends, another member follows, or it is garbage.
          if (zs_.avail_in == 0 && !refill()) {
            end_ = true;
          } else if (zs_.next_in[0] != 0x1f) {
            fail("the end", "trailing bytes after its gzip stream",
                 "the end of the file or another gzip member");
          } else if (inflateReset(&zs_) != Z_OK) {
            fail("the gzip decoder", "not restartable (zlib inflateReset failed)",
                 "restartable for the next member");
          }
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
          fail("the gzip stream", "not valid gzip (" +
                   (zs_.msg ? std::string(zs_.msg) : "zlib error " + std::to_string(rc)) + ")",
               "valid gzip (RFC 1952)");
        }
      }
      total += chunk - zs_.avail_out;
    }
    return total;
  }

  z_stream zs_{};
  std::vector<unsigned char> in_;
  bool end_ = false;
#else
  [[noreturn]] void openGzip() {
    fail("the format", "gzip, but iai was built without zlib",
         "readable: define IAI_HAVE_ZLIB and link ZLIB::ZLIB (or gunzip the file first)");
  }
  std::size_t readGzip(std::uint8_t*, std::size_t) { return 0; }
#endif

  /// The one error path of the reader: an io_error naming the function, the file and the fault.
  [[noreturn]] void fail(std::string_view what, const std::string& value,
                         std::string_view expected) const {
    detail::raiseFile(function_, what, path_, value, expected);
  }

  std::string_view function_;
  std::string path_;
  InputFile file_;
  bool gzip_ = false;
};

}  // namespace IAI_IDX_ABI
}  // namespace detail

inline namespace IAI_IDX_ABI {

/// Reads an IDX file of unsigned bytes, rank 1 or 3, plain or gzip. Throws iai::io_error naming
/// the file when it is missing, not IDX ubyte of rank 1/3, has a zero dimension, or its payload
/// length differs from N·rows·cols (truncated or trailing bytes).
inline IdxArray readIdx(const std::string& path) {
  constexpr std::string_view fn = "readIdx";
  detail::IdxInput in(fn, path);
  const std::string_view truncated = "(the file is truncated)";

  // Magic: two zero bytes, the type byte, the rank byte.
  std::uint8_t head[12];
  const std::size_t got_magic = in.read(head, 4);
  if (got_magic < 4)
    detail::raiseFile(fn, "the header length", path, std::to_string(got_magic) + " bytes",
                    "at least 4 bytes " + std::string(truncated));
  const std::uint32_t magic = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                              (std::uint32_t{head[2]} << 8) | std::uint32_t{head[3]};
  if ((magic >> 16) != 0)
    detail::raiseFile(fn, "the magic number", path, detail::hex(magic, 8),
                    "0x00000801 (labels) or 0x00000803 (images): not an IDX file");
  if (head[2] != 0x08)
    detail::raiseFile(fn, "the data type byte", path, detail::hex(head[2], 2),
                    "0x08 (unsigned byte)");
  const unsigned rank = head[3];
  if (rank != 1 && rank != 3)
    detail::raiseFile(fn, "the rank", path, std::to_string(rank),
                    "1 (labels, N) or 3 (images, N x rows x cols)");

  // Dimensions: big-endian uint32 each, all ≥ 1, product without overflow.
  const std::size_t dim_bytes = 4 * rank;
  const std::size_t got_dims = in.read(head, dim_bytes);
  if (got_dims < dim_bytes)
    detail::raiseFile(fn, "the header length", path, std::to_string(4 + got_dims) + " bytes",
                    std::to_string(4 + dim_bytes) + " bytes for rank " + std::to_string(rank) +
                        " " + std::string(truncated));
  IdxArray out;
  out.dims.resize(rank);
  std::uint64_t payload = 1;
  std::string product;
  for (unsigned k = 0; k < rank; ++k) {
    const std::uint8_t* b = head + 4 * k;
    const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    if (d == 0) detail::raiseFile(fn, "dimension " + std::to_string(k), path, "0", "at least 1");
    out.dims[k] = d;
    product += (k ? "·" : "") + std::to_string(d);
    if (!detail::mulChecked(payload, d, payload))
      detail::raiseFile(fn, "the element count " + product, path, "beyond 2^64",
                      "representable (corrupted header)");
  }
  const std::uint64_t header_bytes = 4 + dim_bytes;
  if (payload >
      static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()) - header_bytes)
    detail::raiseFile(fn, "the element count " + product, path, std::to_string(payload),
                    "addressable on this machine (corrupted header)");

  if (!in.gzip()) {
    // Plain: the file size must equal header + payload before we allocate anything.
    const std::uint64_t expected = header_bytes + payload;
    const std::uint64_t actual = in.fileSize();
    if (actual != expected)
      detail::raiseFile(fn, "the size", path, std::to_string(actual) + " bytes",
                      std::to_string(header_bytes) + " + " + product + " = " +
                          std::to_string(expected) + " bytes as its header claims " +
                          (actual < expected ? std::string(truncated)
                                             : std::string("(trailing bytes after the data)")));
    out.data.resize(static_cast<std::size_t>(payload));
    const std::size_t got = in.read(out.data.data(), out.data.size());
    if (got != out.data.size())
      detail::raiseFile(fn, "the payload read", path, std::to_string(got) + " bytes",
                      std::to_string(payload) + " bytes (the file changed while reading)");
    return out;
  }

  // gzip: the decompressed size is unknown up front. Grow geometrically up to a hard cap of the
  // claimed size + 1 byte, so a header claiming 2^31 images over a tiny body allocates little.
  const std::uint64_t cap = payload + 1;
  std::size_t have = 0;
  for (;;) {
    if (have == out.data.size()) {
      if (have >= cap) break;
      const std::uint64_t next =
          std::min<std::uint64_t>(cap, std::max<std::uint64_t>(2 * std::uint64_t{have}, 1 << 16));
      out.data.resize(static_cast<std::size_t>(next));
    }
    const std::size_t want = out.data.size() - have;
    const std::size_t got = in.read(out.data.data() + have, want);
    have += got;
    if (got < want) break;  // end of the decompressed data
  }
  if (have != payload)
    detail::raiseFile(
        fn, "the decompressed payload", path,
        (have > payload ? "more than " + std::to_string(payload) : std::to_string(have)) + " bytes",
        "exactly " + product + " = " + std::to_string(payload) + " bytes as its header claims " +
            (have < payload ? std::string(truncated)
                            : std::string("(trailing bytes after the data)")));
  out.data.resize(static_cast<std::size_t>(payload));
  out.data.shrink_to_fit();
  return out;
}

}  // namespace IAI_IDX_ABI

/// Writes a plain (uncompressed) IDX file of unsigned bytes: rank 1 {N} or 3 {N, rows, cols},
/// data.size() == product of dims, atomically (AtomicFileWriter, core/file.hpp).
inline void writeIdx(const std::string& path, const std::vector<std::uint32_t>& dims,
                     const std::vector<std::uint8_t>& data) {
  constexpr std::string_view fn = "writeIdx";
  IAI_CHECK(dims.size() == 1 || dims.size() == 3, fn, "dims.size()", dims.size(),
            "1 (labels) or 3 (images N x rows x cols)");
  std::uint64_t count = 1;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    IAI_CHECK(dims[k] >= 1, fn, "dims[" + std::to_string(k) + "]", dims[k], "at least 1");
    IAI_CHECK(detail::mulChecked(count, dims[k], count), fn, "the product of dims", "> 2^64",
              "representable");
  }
  IAI_CHECK(count == data.size(), fn, "data.size()", data.size(),
            "the product of dims = " + std::to_string(count));

  std::uint8_t head[16];
  const std::uint32_t magic = 0x00000800u | static_cast<std::uint32_t>(dims.size());
  const auto put = [&head](std::size_t at, std::uint32_t v) { detail::storeBE(head + at, v); };
  put(0, magic);
  for (std::size_t k = 0; k < dims.size(); ++k) put(4 + 4 * k, dims[k]);

  AtomicFileWriter file(path, fn);
  file.write(head, 4 + 4 * dims.size());
  file.write(data.data(), data.size());
  file.commit();
}

}  // namespace iai
