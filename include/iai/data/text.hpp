#pragma once
// Shared by the text formats (CSV, sparse lines): the whole file read through iai::InputFile
// after its size is checked against a cap, line splitting (LF or CRLF) with line numbers for
// messages, and strict number parsing (std::from_chars; no locale, no NaN/inf, no trailing junk).
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"

namespace iai {

/// The largest text file (CSV, sparse lines) iai reads: 4 GiB, held in memory while parsed.
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{1} << 32;

namespace detail {

/// The file's bytes, refusing a file larger than `max_bytes` before allocating.
inline std::string readText(InputFile& file, std::uint64_t max_bytes) {
  if (file.size() > max_bytes ||
      file.size() > static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()))
    raiseFile(file.function(), "the size", file.path(), std::to_string(file.size()) + " bytes",
              "at most " + std::to_string(max_bytes) + " bytes (text formats are read whole)");
  std::string text(static_cast<std::size_t>(file.size()), '\0');
  file.readExact(text.data(), text.size());
  return text;
}

/// Iterates the lines of `text` (LF or CRLF; a last line without newline counts), 1-based
/// numbers. A NUL byte anywhere is an error: the file is not text.
class LineReader {
 public:
  LineReader(std::string_view text, const InputFile& file) : text_(text), file_(file) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    if (line.find('\0') != std::string_view::npos) fail("a NUL byte", "text (is it a binary file?)");
    return true;
  }
  std::size_t number() const { return number_; }
  /// io_error "<function>: line N of '<path>' is <value>, but must be <expected>".
  [[noreturn]] void fail(const std::string& value, std::string_view expected) const {
    raiseFile(file_.function(), "line " + std::to_string(number_), file_.path(), value, expected);
  }

 private:
  std::string_view text_;
  const InputFile& file_;
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
};

inline bool isBlank(char c) { return c == ' ' || c == '\t'; }
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (isBlank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (isBlank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// A finite decimal number (optional sign, digits, '.', exponent) and nothing else.
inline bool parseFinite(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '-' ||
                     s.front() == '.'))
    return false;  // rejects "inf", "nan" and a second sign
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

/// Decimal digits only (no sign), value ≤ max.
inline bool parseUnsigned(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && out <= max;
}

/// At most 40 characters of `s`, quoted, for messages.
inline std::string quoteShort(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  return out + (s.size() > 40 ? "...\"" : "\"");
}

}  // namespace detail
}  // namespace iai
