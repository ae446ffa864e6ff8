#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0):
//   "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0),
//   a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded with
//   spaces and ended by '\n', then the elements.
// iai reads dtypes '<f4' (float32), '<f8' (float64) and '|u1' (uint8), C order, 1-D (N,) or 2-D
// (N, D) shape with N, D ≥ 1. A row of the file is an example and becomes a column in memory
// (D × N; a 1-D array is N examples of dimension 1). fortran_order True, big-endian or other
// dtypes, object arrays and other ranks are rejected with an iai::io_error saying so.
// Bounds: the header length is at most 1 MiB (NumPy itself writes < 64 KiB), the element count
// N·D is checked for overflow, and the file size must equal the header + N·D·itemsize exactly,
// all before the data are allocated. Every fault is an iai::io_error naming readNpy, the file
// and the fault; nothing is returned from a bad file.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "iai/core/binary_io.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/types.hpp"

namespace iai {

/// The element type of an .npy file: float32, float64 or uint8.
enum class NpyType { Float32, Float64, UInt8 };

/// A 1-D or 2-D .npy array: its shape, element type and values (one example per column).
struct NpyArray {
  std::vector<std::uint64_t> shape;  ///< {N} or {N, D}
  /// The element type in the file.
  NpyType type = NpyType::Float64;
  Matrix<double> values;  ///< D × N (uint8 elements as 0 … 255)
};

namespace detail {

/// The three entries of an .npy header dict.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

/// Parses the header dict; `fail(value, expected)` raises.
template <class Fail>
NpyHeader parseNpyHeader(std::string_view h, Fail&& fail) {
  std::size_t p = 0;
  const auto skip = [&] {
    while (p < h.size() && (h[p] == ' ' || h[p] == '\t' || h[p] == '\n' || h[p] == '\r')) ++p;
  };
  const auto expect = [&](char c, std::string_view what) {
    skip();
    if (p >= h.size() || h[p] != c)
      fail("the header " + quoteBytes(h.substr(0, 80)), "a Python dict literal: " + std::string(what));
    ++p;
  };
  const auto string = [&]() {
    skip();
    if (p >= h.size() || (h[p] != '\'' && h[p] != '"'))
      fail("the header " + quoteBytes(h.substr(0, 80)), "quoted keys and dtype strings");
    const char q = h[p++];
    const std::size_t end = h.find(q, p);
    if (end == std::string_view::npos)
      fail("the header " + quoteBytes(h.substr(0, 80)), "closed quotes");
    std::string s(h.substr(p, end - p));
    p = end + 1;
    return s;
  };
  NpyHeader out;
  bool seen_descr = false, seen_order = false, seen_shape = false;
  expect('{', "'{'");
  for (;;) {
    skip();
    if (p < h.size() && h[p] == '}') {
      ++p;
      break;
    }
    const std::string key = string();
    expect(':', "':' after a key");
    skip();
    if (key == "descr" && !seen_descr) {
      out.descr = string();
      seen_descr = true;
    } else if (key == "fortran_order" && !seen_order) {
      if (h.substr(p, 4) == "True") {
        out.fortran_order = true;
        p += 4;
      } else if (h.substr(p, 5) == "False") {
        p += 5;
      } else {
        fail("fortran_order " + quoteBytes(h.substr(p, 8)), "True or False");
      }
      seen_order = true;
    } else if (key == "shape" && !seen_shape) {
      expect('(', "a shape tuple '(N,)' or '(N, D)'");
      for (;;) {
        skip();
        if (p < h.size() && h[p] == ')') {
          ++p;
          break;
        }
        std::uint64_t v = 0;
        std::size_t digits = 0;
        while (p < h.size() && h[p] >= '0' && h[p] <= '9') {
          if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10 || ++digits > 19)
            fail("a shape entry", "an integer below 10^19");
          v = v * 10 + static_cast<std::uint64_t>(h[p++] - '0');
        }
        if (digits == 0) fail("the shape " + quoteBytes(h.substr(p, 20)), "a tuple of integers");
        if (out.shape.size() >= 8) fail("the shape", "at most 2 dimensions");
        out.shape.push_back(v);
        skip();
        if (p < h.size() && h[p] == ',') ++p;
      }
      seen_shape = true;
    } else {
      fail("the key '" + key + "'", "one of 'descr', 'fortran_order', 'shape', each once");
    }
    skip();
    if (p < h.size() && h[p] == ',') ++p;
  }
  skip();
  if (p != h.size()) fail("the header's end " + quoteBytes(h.substr(p, 20)), "spaces and '\\n' after the dict");
  if (!seen_descr || !seen_order || !seen_shape)
    fail("a header without " + std::string(!seen_descr ? "'descr'" : !seen_order ? "'fortran_order'" : "'shape'"),
         "a dict with 'descr', 'fortran_order' and 'shape'");
  return out;
}

}  // namespace detail

/// Reads a .npy file (see the file comment).
/// @throws iai::io_error naming readNpy, the file and the fault.
inline NpyArray readNpy(const std::string& path) {
  constexpr std::string_view fn = "readNpy";
  InputFile file(path, fn, "a NumPy .npy file");
  const auto fail = [&](std::string_view what, const std::string& value, std::string_view expected) {
    detail::raiseFile(fn, what, path, value, expected);
  };
  unsigned char pre[12];
  const std::size_t got = file.read(pre, 10);
  if (got < 10 || std::memcmp(pre, "\x93NUMPY", 6) != 0)
    fail("the magic", detail::quoteBytes(std::string_view(reinterpret_cast<char*>(pre), got < 6 ? got : 6)),
         "\"\\x93NUMPY\" (not an .npy file)");
  const unsigned major = pre[6], minor = pre[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    fail("the format version", std::to_string(major) + "." + std::to_string(minor), "1.0, 2.0 or 3.0");
  std::uint64_t header_len = detail::loadLE<std::uint16_t>(pre + 8);
  std::uint64_t prefix = 10;
  if (major >= 2) {
    if (file.read(pre + 10, 2) != 2) fail("the header length", "truncated", "4 bytes for version 2.0/3.0");
    header_len = detail::loadLE<std::uint32_t>(pre + 8);
    prefix = 12;
  }
  constexpr std::uint64_t kMaxHeader = std::uint64_t{1} << 20;
  if (header_len > kMaxHeader || prefix + header_len > file.size())
    fail("the header length", std::to_string(header_len) + " bytes",
         "at most 1 MiB and within the file's " + std::to_string(file.size()) + " bytes");
  std::string header(static_cast<std::size_t>(header_len), '\0');
  file.readExact(header.data(), header.size());
  if (header.empty() || header.back() != '\n')
    fail("the header", detail::quoteBytes(std::string_view(header).substr(0, 80)), "ended by '\\n'");
  const detail::NpyHeader h = detail::parseNpyHeader(
      header, [&](const std::string& value, std::string_view expected) { fail("the header", value, expected); });

  NpyArray out;
  std::uint64_t item = 0;
  if (h.descr == "<f4") {
    out.type = NpyType::Float32, item = 4;
  } else if (h.descr == "<f8") {
    out.type = NpyType::Float64, item = 8;
  } else if (h.descr == "|u1") {
    out.type = NpyType::UInt8, item = 1;
  } else {
    fail("the dtype", "'" + h.descr + "'",
         "'<f4' (float32), '<f8' (float64) or '|u1' (uint8) (convert with "
         "a.astype('<f4'); big-endian and other types are not read)");
  }
  if (h.fortran_order)
    fail("fortran_order", "True", "False (C order; save np.ascontiguousarray(a))");
  if (h.shape.size() != 1 && h.shape.size() != 2)
    fail("the shape's rank", std::to_string(h.shape.size()), "1 (N,) or 2 (N, D)");
  std::uint64_t n = h.shape[0], d = h.shape.size() == 2 ? h.shape[1] : 1, count = 0, bytes = 0;
  if (n == 0 || d == 0) fail("the shape", std::to_string(n) + " x " + std::to_string(d), "at least 1 x 1");
  if (!detail::mulChecked(n, d, count) || !detail::mulChecked(count, item, bytes) ||
      bytes > static_cast<std::uint64_t>(std::numeric_limits<Index>::max()) / 8)
    fail("the element count", std::to_string(n) + " x " + std::to_string(d), "addressable (corrupted header)");
  const std::uint64_t expected = prefix + header_len + bytes;
  if (file.size() != expected)
    fail("the size", std::to_string(file.size()) + " bytes",
         std::to_string(expected) + " bytes as its header claims (" +
             (file.size() < expected ? "the file is truncated)" : "trailing bytes after the data)"));
  out.shape = h.shape;
  out.values.resize(static_cast<Index>(d), static_cast<Index>(n));
  double* dst = out.values.data();  // C order (N, D): element (j, i) is row i of column j
  std::vector<unsigned char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(bytes, 1 << 16)));
  std::uint64_t done = 0;
  while (done < count) {
    const std::uint64_t chunk = std::min<std::uint64_t>(count - done, buf.size() / item);
    file.readExact(buf.data(), static_cast<std::size_t>(chunk * item));
    for (std::uint64_t k = 0; k < chunk; ++k) {
      const unsigned char* b = buf.data() + k * item;
      double v;
      if (item == 1) {
        v = b[0];
      } else if (item == 4) {
        v = std::bit_cast<float>(detail::loadLE<std::uint32_t>(b));
      } else {
        v = std::bit_cast<double>(detail::loadLE<std::uint64_t>(b));
      }
      dst[done + k] = v;
    }
    done += chunk;
  }
  return out;
}

/// Writes a 2-D (N, D) '<f4' .npy file (format 1.0) from D × N `values` (column j → row j),
/// through iai::AtomicFileWriter. For tests and examples.
/// @throws iai::invalid_argument if values is empty; iai::io_error if the file cannot be written.
inline void writeNpy(const std::string& path, const Matrix<float>& values) {
  IAI_CHECK(values.size() > 0, "writeNpy", "values", "empty", "at least 1 x 1");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(values.cols()) + ", " + std::to_string(values.rows()) + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  unsigned char len[2];
  detail::storeLE<std::uint16_t>(len, static_cast<std::uint16_t>(header.size()));
  out.append(reinterpret_cast<char*>(len), 2);
  out += header;
  for (Index k = 0; k < values.size(); ++k) {
    unsigned char b[4];
    detail::storeLE<std::uint32_t>(b, std::bit_cast<std::uint32_t>(values.data()[k]));
    out.append(reinterpret_cast<char*>(b), 4);
  }
  writeFileAtomically(path, out, "writeNpy");
}

}  // namespace iai
