// JSON lines for the example programs (one object per line on stdout): the library's writer and
// small readers for the runner and the tests.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <iai/training/json_lines.hpp>

namespace examples {

/// The library's JSON-lines writer (training/json_lines.hpp): one schema and one escaping for
/// every program.
using JsonLine = iai::JsonLine;

/// Reads back what JsonLine wrote (flat objects, no nesting): the value of `key` in `line` as a
/// number (null → NaN), or nothing when the key is absent or not a number.
inline std::optional<double> jsonNumber(const std::string& line, const std::string& key) {
  const std::string tag = JsonLine::quote(key) + ":";
  const std::size_t at = line.find(tag);
  if (at == std::string::npos) return std::nullopt;
  const char* p = line.c_str() + at + tag.size();
  if (std::string_view(p).substr(0, 4) == "null") return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(p, &end);
  if (end == p) return std::nullopt;
  return v;
}

/// The array of numbers of `key` (null entries → NaN); empty when absent.
inline std::vector<double> jsonNumbers(const std::string& line, const std::string& key) {
  std::vector<double> out;
  const std::string tag = JsonLine::quote(key) + ":[";
  std::size_t at = line.find(tag);
  if (at == std::string::npos) return out;
  at += tag.size();
  while (at < line.size() && line[at] != ']') {
    const char* p = line.c_str() + at;
    if (std::string_view(p).substr(0, 4) == "null") {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      at += 4;
    } else {
      char* end = nullptr;
      out.push_back(std::strtod(p, &end));
      if (end == p) return {};
      at += static_cast<std::size_t>(end - p);
    }
    if (at < line.size() && line[at] == ',') ++at;
  }
  return out;
}

/// The string value of `key` (no escapes inside), or nothing.
inline std::optional<std::string> jsonString(const std::string& line, const std::string& key) {
  const std::string tag = JsonLine::quote(key) + ":\"";
  const std::size_t at = line.find(tag);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t end = line.find('"', at + tag.size());
  if (end == std::string::npos) return std::nullopt;
  return line.substr(at + tag.size(), end - at - tag.size());
}

}  // namespace examples
