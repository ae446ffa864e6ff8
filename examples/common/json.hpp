// Minimal JSON-lines output for the example programs (one object per line on stdout).
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

namespace examples {

class JsonLine {
 public:
  JsonLine& add(const std::string& key, double v) { return raw(key, number(v)); }
  JsonLine& add(const std::string& key, long v) { return raw(key, std::to_string(v)); }
  JsonLine& add(const std::string& key, int v) { return raw(key, std::to_string(v)); }
  JsonLine& add(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonLine& add(const std::string& key, const std::string& v) { return raw(key, quote(v)); }
  JsonLine& add(const std::string& key, const char* v) { return raw(key, quote(v)); }
  JsonLine& add(const std::string& key, const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) s += ',';
      s += number(v[i]);
    }
    return raw(key, s + "]");
  }
  std::string str() const { return "{" + body_ + "}"; }
  /// Prints the line to stdout and flushes (consumers may read it while the program runs).
  void print() const {
    std::printf("%s\n", str().c_str());
    std::fflush(stdout);
  }

  static std::string number(double v) {
    if (!std::isfinite(v)) return "null";
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
  }
  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') { out += "\\n"; continue; }
      out += c;
    }
    return out + "\"";
  }

 private:
  JsonLine& raw(const std::string& key, const std::string& v) {
    if (!body_.empty()) body_ += ",";
    body_ += quote(key) + ":" + v;
    return *this;
  }
  std::string body_;
};

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
