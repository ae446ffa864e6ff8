// Command-line parsing for the example programs: --name value and --flag, with typed getters that
// turn bad values into iai::invalid_argument (the programs print one line and exit with code 2).
#pragma once
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <iai/core/errors.hpp>

namespace examples {

class Args {
 public:
  /// `flags` are options without a value (e.g. "resume"); everything else takes one value.
  Args(int argc, char** argv, std::set<std::string> flags = {}) : flags_(std::move(flags)) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      IAI_CHECK(a.rfind("--", 0) == 0, "arguments", "'" + a + "'", a, "an option such as --epochs 5");
      a = a.substr(2);
      if (const auto eq = a.find('='); eq != std::string::npos) {
        values_[a.substr(0, eq)] = a.substr(eq + 1);
      } else if (flags_.count(a) != 0) {
        values_[a] = "1";
      } else {
        IAI_CHECK(i + 1 < argc, "arguments", "--" + a, "missing", "followed by a value");
        values_[a] = argv[++i];
      }
    }
  }

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  bool flag(const std::string& name) { return get(name, "0") == "1"; }

  std::string get(const std::string& name, const std::string& fallback) {
    used_.insert(name);
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  long getInt(const std::string& name, long fallback, long min_value = 0) {
    const std::string s = get(name, std::to_string(fallback));
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    IAI_CHECK(end != s.c_str() && *end == '\0', "arguments", "--" + name, s, "an integer");
    IAI_CHECK(v >= min_value, "arguments", "--" + name, v, "≥ " + std::to_string(min_value));
    return v;
  }
  double getDouble(const std::string& name, double fallback, bool positive = true) {
    const std::string s = get(name, std::to_string(fallback));
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    IAI_CHECK(end != s.c_str() && *end == '\0' && v == v, "arguments", "--" + name, s, "a number");
    if (positive) IAI_CHECK(v > 0, "arguments", "--" + name, v, "> 0");
    return v;
  }
  std::vector<long> getIntList(const std::string& name, const std::string& fallback) {
    const std::string s = get(name, fallback);
    std::vector<long> out;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t comma = std::min(s.find(',', start), s.size());
      const std::string item = s.substr(start, comma - start);
      char* end = nullptr;
      const long v = std::strtol(item.c_str(), &end, 10);
      IAI_CHECK(!item.empty() && *end == '\0' && v > 0, "arguments", "--" + name, s,
                "a comma-separated list of positive integers");
      out.push_back(v);
      start = comma + 1;
    }
    return out;
  }
  /// Call after reading every option: unknown options are an error, not silently ignored.
  void rejectUnknown() const {
    for (const auto& [k, v] : values_)
      IAI_CHECK(used_.count(k) != 0, "arguments", "--" + k, v, "a known option (see --help)");
  }

 private:
  std::set<std::string> flags_;
  std::map<std::string, std::string> values_;
  std::set<std::string> used_;
};

}  // namespace examples
