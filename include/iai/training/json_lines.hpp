#pragma once
// Training you can watch: JSON lines (one JSON object per line, the format TensorBoard-style tools
// and `jq` read) and the callbacks that write them.
//   JsonLine          a flat JSON object builder with correct string escaping (quotes,
//                     backslashes and every control character as \uXXXX); non-finite numbers
//                     are written as null.
//   RunInfo           the first line of a log: configuration, seed, library version, compiler
//                     and flags.
//   JsonLinesLogger   a VariationalEM::fit callback: the run line at construction, then per epoch
//                     the ELBO, reconstruction term and KL (separately), the ELBO per inference
//                     iteration, gradient norms, learning rates, seconds and examples per second;
//                     optionally a line every `every_steps` steps. Lines are flushed as written.
// One schema ("type": "run" | "epoch" | "step") for every program that uses it; epochs count
// from 1 in the lines (the epoch a step belongs to, the epochs done after an epoch).
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/training/statistics.hpp"
#include "iai/version.hpp"

namespace iai {

/// A flat JSON object, built key by key.
class JsonLine {
 public:
  /// Adds `key` with a number (number(): null if not finite); returns *this for chaining.
  JsonLine& add(std::string_view key, double v) { return raw(key, number(v)); }
  /// Adds `key` with a number (number(): null if not finite); returns *this for chaining.
  JsonLine& add(std::string_view key, float v) { return raw(key, number(v)); }
  /// Adds `key` with an integer.
  template <class T>
    requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
  JsonLine& add(std::string_view key, T v) {
    return raw(key, std::to_string(v));
  }
  /// Adds `key` with true or false.
  JsonLine& add(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  /// Adds `key` with a string (quote()).
  JsonLine& add(std::string_view key, std::string_view v) { return raw(key, quote(v)); }
  /// Adds `key` with a string (quote()).
  JsonLine& add(std::string_view key, const std::string& v) { return raw(key, quote(v)); }
  /// Adds `key` with a string (quote()).
  JsonLine& add(std::string_view key, const char* v) { return raw(key, quote(v)); }
  /// Adds `key` with an array of numbers (non-finite entries as null).
  JsonLine& add(std::string_view key, const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) s += ',';
      s += number(v[i]);
    }
    return raw(key, s + "]");
  }
  /// A nested object.
  JsonLine& add(std::string_view key, const JsonLine& v) { return raw(key, v.str()); }
  /// A value that is already JSON (e.g. a nested array built elsewhere).
  JsonLine& addRaw(std::string_view key, std::string json) { return raw(key, std::move(json)); }

  /// The object as JSON text, without a newline.
  std::string str() const { return "{" + body_ + "}"; }
  /// Writes the object and a newline to `out` and flushes it (readers may follow the file).
  void print(std::FILE* out = stdout) const {
    std::fprintf(out, "%s\n", str().c_str());
    std::fflush(out);
  }

  /// A number as JSON: up to 10 significant digits, null for NaN and ±∞.
  static std::string number(double v) {
    if (!std::isfinite(v)) return "null";
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
  }
  /// A JSON string literal: ", \ and control characters (< 0x20, 0x7F) escaped.
  static std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
          } else {
            out += ch;
          }
      }
    }
    return out + "\"";
  }

 private:
  JsonLine& raw(std::string_view key, std::string v) {
    if (!body_.empty()) body_ += ",";
    body_ += quote(key) + ":" + v;
    return *this;
  }
  std::string body_;
};

/// What the first line of a log records. `configuration` holds the program's settings as a JSON
/// object (its own keys); compiler and flags default to what compiled this translation unit.
struct RunInfo {
  /// The program's name.
  std::string program;
  /// The program's settings as a JSON object.
  JsonLine configuration;
  /// The run's random seed.
  unsigned long long seed = 0;
  /// The compiler (default: the one that compiled this translation unit, or IAI_BUILD_COMPILER).
  std::string compiler = defaultCompiler();
  /// Build flags (default: IAI_BUILD_FLAGS, or NDEBUG / optimised / AVX2 / AVX-512 as detected).
  std::string flags = defaultFlags();

  /// The library version "major.minor.patch".
  static std::string version() {
    return std::to_string(IAI_VERSION_MAJOR) + "." + std::to_string(IAI_VERSION_MINOR) + "." +
           std::to_string(IAI_VERSION_PATCH);
  }
  /// The compiler that compiled this translation unit (IAI_BUILD_COMPILER if defined).
  static std::string defaultCompiler() {
#if defined(IAI_BUILD_COMPILER)
    return IAI_BUILD_COMPILER;
#elif defined(__clang__)
    return "Clang " __clang_version__;
#elif defined(__GNUC__)
    return "GNU " __VERSION__;
#elif defined(_MSC_VER)
    return "MSVC " + std::to_string(_MSC_VER);
#else
    return "unknown";
#endif
  }
  /// IAI_BUILD_FLAGS if defined, else the detected NDEBUG / optimised / AVX2 / AVX-512.
  static std::string defaultFlags() {
#if defined(IAI_BUILD_FLAGS)
    return IAI_BUILD_FLAGS;
#else
    std::string f;
#if defined(NDEBUG)
    f += "NDEBUG ";
#endif
#if defined(__OPTIMIZE__)
    f += "optimised ";
#endif
#if defined(__AVX512F__)
    f += "AVX-512 ";
#elif defined(__AVX2__)
    f += "AVX2 ";
#endif
    return f.empty() ? "unknown" : f.substr(0, f.size() - 1);
#endif
  }
  /// The "run" line: program, iai_version, compiler, flags, seed and configuration.
  JsonLine line() const {
    JsonLine l;
    l.add("type", "run")
        .add("program", program)
        .add("iai_version", version())
        .add("compiler", compiler)
        .add("flags", flags)
        .add("seed", static_cast<long long>(seed))
        .add("configuration", configuration);
    return l;
  }
};

/// A VariationalEM::fit callback that writes JSON lines (see the file comment) to `out`.
class JsonLinesLogger {
 public:
  /// Writes the run line. every_steps > 0 also writes a "step" line every that many steps.
  /// @throws iai::invalid_argument if out is null or every_steps < 0.
  explicit JsonLinesLogger(std::FILE* out, const RunInfo& run, long every_steps = 0)
      : out_(out), every_steps_(every_steps) {
    IAI_CHECK(out != nullptr, "JsonLinesLogger", "out", "null", "an open FILE*");
    IAI_CHECK(every_steps >= 0, "JsonLinesLogger", "every_steps", every_steps, "≥ 0");
    run.line().print(out_);
  }

  /// Writes a "step" line every every_steps steps (none if every_steps is 0).
  void onStep(const StepStatistics& s) {
    if (every_steps_ <= 0 || s.step % every_steps_ != 0) return;
    JsonLine()
        .add("type", "step")
        .add("step", static_cast<long long>(s.step))
        .add("epoch", s.epoch + 1)
        .add("elbo", s.elbo)
        .add("reconstruction", s.reconstruction)
        .add("kl", s.kl)
        .add("elbo_per_iteration", s.elbo_per_iteration)
        .add("grad_norm_theta", s.grad_norm_theta)
        .add("grad_norm_phi", s.grad_norm_phi)
        .add("finite", s.finite)
        .add("seconds", s.seconds)
        .print(out_);
  }
  /// Writes the "epoch" line (epochLine): ELBO, reconstruction, KL, ELBO per iteration, gradient
  /// norms, learning rates, seconds and examples per second.
  void onEpoch(const EpochStatistics& e) { epochLine(e).print(out_); }

  /// The "epoch" line onEpoch prints; programs add their own keys to it (e.g. a validation ELBO)
  /// and print it themselves. "epoch" counts from 1: it is the number of epochs done, as
  /// VariationalEM::epoch() after the epoch and a checkpoint saved then (EpochStatistics::epoch
  /// counts from 0).
  static JsonLine epochLine(const EpochStatistics& e) {
    JsonLine line;
    line.add("type", "epoch")
        .add("epoch", e.epoch + 1)
        .add("steps", static_cast<long long>(e.steps))
        .add("skipped_steps", static_cast<long long>(e.skipped_steps))
        .add("elbo", e.train_elbo)
        .add("reconstruction", e.reconstruction)
        .add("kl", e.kl)
        .add("elbo_per_iteration", e.elbo_per_iteration)
        .add("grad_norm_theta", e.grad_norm_theta)
        .add("grad_norm_phi", e.grad_norm_phi)
        .add("learning_rate_theta", e.theta_learning_rate)
        .add("learning_rate_phi", e.phi_learning_rate)
        .add("seconds", e.seconds)
        .add("examples_per_second",
             e.seconds > 0 ? static_cast<double>(e.examples) / e.seconds : 0.0);
    return line;
  }

 private:
  std::FILE* out_;
  long every_steps_;
};

}  // namespace iai
