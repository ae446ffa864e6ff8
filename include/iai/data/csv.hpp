#pragma once
// CSV of numbers: one example per line of the file, which becomes one column in memory (D × N,
// like every iai batch). Fields are separated by `delimiter` (',' by default), may be surrounded
// by spaces, and are finite decimal numbers (no NaN/inf, no quotes, no empty fields). Every line
// has the same number of fields. A header line of names is detected (Header::Auto: the first
// line is a header when any of its fields is not a number) or stated (Header::Yes / No). Blank
// lines are skipped. Line endings LF or CRLF. The file is read whole (at most kMaxTextFileBytes)
// through iai::InputFile; every fault is an iai::io_error naming readCsv, the file, the line and
// what was expected, and nothing is returned from a bad file.
#include <string>
#include <string_view>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/types.hpp"
#include "iai/data/text.hpp"

namespace iai {

/// How readCsv parses a file (see the file comment).
struct CsvOptions {
  /// Whether the first line is a header of names: detected (Auto) or stated (Yes / No).
  enum class Header { Auto, Yes, No };
  /// Header detection; Auto by default.
  Header header = Header::Auto;
  /// The field separator; not a digit, '.', '-', '+' or a line end (else readCsv throws).
  char delimiter = ',';
  /// The largest file readCsv accepts, in bytes.
  std::uint64_t max_bytes = kMaxTextFileBytes;
};

/// A CSV file read by readCsv: the header names and the D × N values (one line per column).
struct CsvTable {
  std::vector<std::string> names;  ///< the header's fields, or empty
  Matrix<double> values;           ///< D × N: column j is line j of the data
};

/// Reads a CSV file of numbers (see the file comment).
/// @throws iai::io_error (missing, not a regular file, too large, no data, ragged, not a number).
inline CsvTable readCsv(const std::string& path, const CsvOptions& options = {}) {
  constexpr std::string_view fn = "readCsv";
  IAI_CHECK(options.delimiter != '\n' && options.delimiter != '\r' && options.delimiter != '.' &&
                options.delimiter != '-' && options.delimiter != '+' &&
                !(options.delimiter >= '0' && options.delimiter <= '9'),
            fn, "options.delimiter", std::string(1, options.delimiter),
            "a separator that cannot be part of a number or a line end");
  InputFile file(path, fn, "a CSV file of numbers");
  const std::string text = detail::readText(file, options.max_bytes);
  detail::LineReader lines(text, file);

  CsvTable table;
  std::vector<double> data;  // row-major as read; grows with the file (bounded by its size)
  std::size_t fields = 0;
  bool first = true;
  std::string_view line;
  const auto split = [&](std::string_view l, auto&& onField) {
    std::size_t start = 0, k = 0;
    for (;;) {
      const std::size_t end = l.find(options.delimiter, start);
      onField(k++, detail::trim(l.substr(start, end == std::string_view::npos ? l.npos : end - start)));
      if (end == std::string_view::npos) return k;
      start = end + 1;
    }
  };
  while (lines.next(line)) {
    if (detail::trim(line).empty()) continue;
    if (first) {
      first = false;
      bool header = options.header == CsvOptions::Header::Yes;
      if (options.header == CsvOptions::Header::Auto)
        split(line, [&](std::size_t, std::string_view f) {
          double v;
          if (!detail::parseFinite(f, v)) header = true;
        });
      if (header) {
        fields = split(line, [&](std::size_t, std::string_view f) { table.names.emplace_back(f); });
        continue;
      }
    }
    const std::size_t row_start = data.size();
    const std::size_t n = split(line, [&](std::size_t k, std::string_view f) {
      double v;
      if (!detail::parseFinite(f, v))
        lines.fail("field " + std::to_string(k + 1) + " = " + detail::quoteShort(f),
                   "a finite decimal number");
      data.push_back(v);
    });
    if (fields == 0) fields = n;
    if (n != fields) {
      data.resize(row_start);
      lines.fail(std::to_string(n) + " fields",
                 std::to_string(fields) + " fields like the first line" +
                     (table.names.empty() ? "" : " (the header)"));
    }
  }
  if (data.empty())
    detail::raiseFile(fn, "", path, "without data lines", "a CSV file with at least one line of numbers");
  const auto d = static_cast<Index>(fields), n = static_cast<Index>(data.size() / fields);
  table.values = Eigen::Map<const Matrix<double>>(data.data(), d, n);  // row-major rows = columns
  return table;
}

}  // namespace iai
