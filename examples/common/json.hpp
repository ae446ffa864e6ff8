// Minimal JSON-lines output for the example programs (one object per line on stdout).
#pragma once
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
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

}  // namespace examples
