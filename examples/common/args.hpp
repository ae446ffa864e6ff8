// Command-line options for the example programs and iai_reference: one table per program, from
// which --help is generated and by which every value is checked (a small equivalent of CLI11, so
// that the programs build with Eigen alone). Each option has a name, a value placeholder, a
// default (the bound variable's value when the option is added), a one-line description and its
// check (an integer ≥ min, a positive number, one of a list, an existing file or folder, ...):
//   examples::Cli cli("train", "Amortized variational EM on real data.");
//   cli.option("epochs", o.epochs, "N", "train for at most N epochs").min(0);
//   cli.option("inference", o.inference, "standard|iterative", "the inference model")
//       .oneOf({"standard", "iterative"});
//   cli.flag("resume", o.resume, "continue from --checkpoint");
//   if (!cli.parse(argc, argv)) return 0;  // --help or -h: the help is on stdout
// Options are `--name value` or `--name=value`; flags take no value. --help (-h) anywhere prints
// the usage, every option with its default and description, and nothing else runs. Unknown
// options, missing or malformed values, values that fail their check and missing input files are
// iai::invalid_argument "arguments: <argument> is <value>, but must be <expected>", which
// guardedMain (experiment.hpp) prints as one line "<program>: error: ..." with exit code 2.
#pragma once
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <iai/core/errors.hpp>
#include <iai/training/json_lines.hpp>

namespace examples {

/// One option of a Cli table; Cli::option and Cli::flag return it to attach its check.
class Option {
 public:
  /// Integers: the smallest value allowed (0 unless set).
  Option& min(long long v) {
    min_ = v;
    return *this;
  }
  /// Numbers: > 0.
  Option& positive() {
    low_ = 0;
    low_open_ = true;
    return *this;
  }
  /// Numbers: ≥ 0.
  Option& nonNegative() {
    low_ = 0;
    low_open_ = false;
    return *this;
  }
  /// Numbers: < v.
  Option& below(double v) {
    high_ = v;
    return *this;
  }
  /// Strings: one of `choices` (the placeholder shows them).
  Option& oneOf(std::vector<std::string> choices) {
    choices_ = std::move(choices);
    return *this;
  }
  /// Strings: an existing file (an input).
  Option& existingFile() {
    path_ = Path::File;
    return *this;
  }
  /// Strings: an existing folder (an input).
  Option& existingFolder() {
    path_ = Path::Folder;
    return *this;
  }
  /// Any value: a check of the value as given, which throws (e.g. with IAI_CHECK) when it fails.
  Option& check(std::function<void(const std::string&)> f) {
    custom_ = std::move(f);
    return *this;
  }
  /// Absent is an error: "--name is missing, but must be <what>".
  Option& required(std::string what) {
    required_ = std::move(what);
    return *this;
  }
  /// What --help shows as the default (e.g. "the --seed" when the program derives it).
  Option& defaultText(std::string text) {
    default_text_ = std::move(text);
    return *this;
  }

  const std::string& name() const { return name_; }
  bool given() const { return given_; }

 private:
  friend class Cli;
  enum class Path { None, File, Folder };

  std::string flagName() const { return "--" + name_; }
  [[noreturn]] void fail(const std::string& value, const std::string& expected) const {
    iai::detail::raise<iai::invalid_argument>("arguments", flagName(), value, expected);
  }
  long long parseInteger(const std::string& s) const {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE) fail(s, "an integer");
    if (v < min_) fail(s, "≥ " + std::to_string(min_));
    return v;
  }
  double parseNumber(const std::string& s) const {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v)) fail(s, "a number");
    const bool low_ok = !low_ || (low_open_ ? v > *low_ : v >= *low_);
    const bool high_ok = !high_ || v < *high_;
    if (!low_ok || !high_ok) fail(s, rangeWords());
    return v;
  }
  /// The numeric range in words: "> 0", "≥ 0", "< 1" or "in (0, 1)".
  std::string rangeWords() const {
    const auto num = [](double v) { return iai::JsonLine::number(v); };
    if (low_ && high_) return "in " + std::string(low_open_ ? "(" : "[") + num(*low_) + ", " + num(*high_) + ")";
    if (low_) return (low_open_ ? "> " : "≥ ") + num(*low_);
    if (high_) return "< " + num(*high_);
    return {};
  }
  void checkString(const std::string& s) const {
    if (!choices_.empty() && std::find(choices_.begin(), choices_.end(), s) == choices_.end())
      fail(s, words(choices_));
    std::error_code ec;
    if (path_ == Path::File && !std::filesystem::is_regular_file(s, ec)) fail(s, "an existing file");
    if (path_ == Path::Folder && !std::filesystem::is_directory(s, ec)) fail(s, "an existing folder");
  }
  /// "a, b or c".
  static std::string words(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i)
      out += (i == 0 ? "" : i + 1 == v.size() ? " or " : ", ") + v[i];
    return out;
  }
  /// The check in words for --help ("" when the placeholder says it all).
  std::string checkWords() const {
    if (path_ == Path::File) return "an existing file";
    if (path_ == Path::Folder) return "an existing folder";
    if (kind_ == Kind::Integer) return placeholder_ + " ≥ " + std::to_string(min_);
    if (kind_ == Kind::Number && !rangeWords().empty()) return placeholder_ + " " + rangeWords();
    return {};
  }

  enum class Kind { Flag, Integer, Number, String, IntegerList, NumberList };
  std::string name_, placeholder_, description_, default_text_, group_;
  Kind kind_ = Kind::String;
  long long min_ = 0;
  std::optional<double> low_, high_;
  bool low_open_ = false;
  std::vector<std::string> choices_;
  Path path_ = Path::None;
  std::function<void(const std::string&)> custom_;
  std::optional<std::string> required_;
  std::function<void(const std::string&)> store_;  // checks the value and stores it
  std::function<void(iai::JsonLine&)> json_;        // the current value, for the run line
  bool given_ = false;
};

/// A program's option table: --help is generated from it, and parse() checks and stores values.
class Cli {
 public:
  /// `summary`: what the program does (printed under the usage line); `footer`: notes after the
  /// options (e.g. the protocol behind them).
  explicit Cli(std::string program, std::string summary = {}, std::string footer = {})
      : program_(std::move(program)), summary_(std::move(summary)), footer_(std::move(footer)) {}

  const std::string& program() const { return program_; }
  void setFooter(std::string footer) { footer_ = std::move(footer); }

  /// Later options are listed under `heading` in --help.
  void group(std::string heading) { group_ = std::move(heading); }

  /// An option with a value, bound to `var` (its current value is the default).
  /// Integers: --name N with N ≥ min (0 unless set); floating point: a finite number (with
  /// positive(), nonNegative(), below()); strings (with oneOf(), existingFile(), ...); lists of
  /// integers or numbers: comma-separated, each positive.
  template <class T>
  Option& option(std::string name, T& var, std::string placeholder, std::string description) {
    Option& o = add(std::move(name), std::move(placeholder), std::move(description));
    if constexpr (std::is_same_v<T, bool>) {
      static_assert(!std::is_same_v<T, bool>, "use Cli::flag for bool options");
    } else if constexpr (std::is_integral_v<T>) {
      o.kind_ = Option::Kind::Integer;
      o.default_text_ = std::to_string(var);
      o.store_ = [&o, &var](const std::string& s) { var = static_cast<T>(o.parseInteger(s)); };
      o.json_ = [&o, &var](iai::JsonLine& l) { l.add(o.name_, static_cast<long long>(var)); };
    } else if constexpr (std::is_floating_point_v<T>) {
      o.kind_ = Option::Kind::Number;
      o.default_text_ = iai::JsonLine::number(var);
      o.store_ = [&o, &var](const std::string& s) { var = static_cast<T>(o.parseNumber(s)); };
      o.json_ = [&o, &var](iai::JsonLine& l) { l.add(o.name_, static_cast<double>(var)); };
    } else if constexpr (std::is_same_v<T, std::string>) {
      o.kind_ = Option::Kind::String;
      o.default_text_ = var.empty() ? "none" : var;
      o.store_ = [&o, &var](const std::string& s) {
        o.checkString(s);
        var = s;
      };
      o.json_ = [&o, &var](iai::JsonLine& l) { l.add(o.name_, var); };
    } else if constexpr (std::is_same_v<T, std::vector<long>> || std::is_same_v<T, std::vector<double>>) {
      constexpr bool integers = std::is_same_v<T, std::vector<long>>;
      o.kind_ = integers ? Option::Kind::IntegerList : Option::Kind::NumberList;
      o.default_text_ = joinList(var);
      o.store_ = [&o, &var](const std::string& s) { var = parseList<typename T::value_type>(o, s); };
      o.json_ = [&o, &var](iai::JsonLine& l) {
        l.add(o.name_, std::vector<double>(var.begin(), var.end()));
      };
    } else {
      static_assert(std::is_same_v<T, std::string>, "Cli::option: unsupported type");
    }
    return o;
  }

  /// A flag (no value; --name=true|false|1|0 also works), bound to `var`.
  Option& flag(std::string name, bool& var, std::string description) {
    Option& o = add(std::move(name), "", std::move(description));
    o.kind_ = Option::Kind::Flag;
    o.store_ = [&o, &var](const std::string& s) {
      if (s == "1" || s == "true") var = true;
      else if (s == "0" || s == "false") var = false;
      else o.fail(s, "true or false (a flag: --" + o.name_ + " alone sets it)");
    };
    o.json_ = [&o, &var](iai::JsonLine& l) { l.add(o.name_, var); };
    return o;
  }

  /// An option this program does not take, with the reason in the error: "--name is <value>, but
  /// must be <reason>" (not listed by --help).
  void forbid(std::string name, std::string reason) {
    forbidden_.emplace_back(std::move(name), std::move(reason));
  }

  /// Runs after every value is stored (cross-option checks), in the order added.
  void afterParse(std::function<void()> f) { after_.push_back(std::move(f)); }

  /// Parses argv. Returns false after printing the help for --help or -h (the program returns 0
  /// and runs nothing); throws iai::invalid_argument for bad input (see the file comment).
  bool parse(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    // --help wins over everything else on the line (as long as it is not an option's value)
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--help" || args[i] == "-h") {
        std::fputs(help().c_str(), stdout);
        std::fflush(stdout);
        return false;
      }
      const Option* o = args[i].rfind("--", 0) == 0 ? find(args[i].substr(2)) : nullptr;
      if (o && o->kind_ != Option::Kind::Flag) ++i;  // skip its value
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.rfind("--", 0) != 0 || a.size() == 2)
        iai::detail::raise<iai::invalid_argument>(
            "arguments", "argument " + std::to_string(i + 1), a,
            "an option such as --" + (options_.empty() ? std::string("name") : options_.front()->name_) +
                " (" + program_ + " --help lists them)");
      std::string name = a.substr(2), value;
      bool has_value = false;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1), name = name.substr(0, eq), has_value = true;
      }
      Option* o = find(name);
      if (o == nullptr) {
        const bool next = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
        unknown(name, has_value ? value : next ? args[i + 1] : "");
      }
      if (!has_value && o->kind_ == Option::Kind::Flag) {
        value = "1";
      } else if (!has_value) {
        if (i + 1 >= args.size() || (args[i + 1].rfind("--", 0) == 0 && args[i + 1].size() > 2))
          o->fail("missing", "followed by a value (" + o->placeholder_ + ")");
        value = args[++i];
      }
      o->store_(value);
      if (o->custom_) o->custom_(value);
      o->given_ = true;
    }
    for (const auto& o : options_)
      if (o->required_ && !o->given_) o->fail("missing", *o->required_);
    for (const auto& f : after_) f();
    return true;
  }

  /// Whether --name was on the command line.
  bool given(const std::string& name) const {
    const Option* o = find(name);
    return o != nullptr && o->given_;
  }

  /// Every option's current value as a JSON object (the run line's configuration).
  iai::JsonLine configuration() const {
    iai::JsonLine l;
    for (const auto& o : options_) o->json_(l);
    return l;
  }

  /// The run line (iai::RunInfo): program, configuration, seed, iai version, compiler, flags.
  iai::JsonLine runLine(std::uint64_t seed) const {
    iai::RunInfo info{.program = program_, .configuration = configuration(), .seed = seed};
    return info.line();
  }

  /// The usage, the summary, every option with its placeholder, description, default and check,
  /// then the footer.
  std::string help() const {
    std::string h = "Usage: " + program_ + " [options]\n";
    if (!summary_.empty()) h += summary_ + (summary_.back() == '\n' ? "" : "\n");
    std::string current = "\x01";
    h += "\nOptions:\n";
    line(h, "-h, --help", "print this help and exit");
    for (const auto& o : options_) {
      if (o->group_ != current) {
        current = o->group_;
        if (!current.empty()) h += "\n" + current + ":\n";
      }
      std::string notes;
      if (o->required_) notes = "required";
      else if (o->kind_ != Option::Kind::Flag) notes = "default: " + o->default_text_;
      if (const std::string c = o->checkWords(); !c.empty()) notes += (notes.empty() ? "" : "; ") + c;
      line(h, "--" + o->name_ + (o->placeholder_.empty() ? "" : " " + o->placeholder_),
           o->description_ + (notes.empty() ? "" : " [" + notes + "]"));
    }
    if (!footer_.empty()) h += "\n" + footer_ + (footer_.back() == '\n' ? "" : "\n");
    return h;
  }

  /// The value of --name on the command line before parsing (for a table that depends on it,
  /// such as train's --likelihood); nothing when absent.
  static std::optional<std::string> peek(int argc, char** argv, const std::string& name) {
    std::optional<std::string> out;
    const std::string tag = "--" + name;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == tag && i + 1 < argc) out = argv[++i];
      else if (a.rfind(tag + "=", 0) == 0) out = a.substr(tag.size() + 1);
    }
    return out;
  }

 private:
  Option& add(std::string name, std::string placeholder, std::string description) {
    IAI_CHECK(find(name) == nullptr, "Cli::option", "name", name, "new in this table");
    auto o = std::make_unique<Option>();
    o->name_ = std::move(name);
    o->placeholder_ = std::move(placeholder);
    o->description_ = std::move(description);
    o->group_ = group_;
    options_.push_back(std::move(o));
    return *options_.back();
  }
  Option* find(const std::string& name) const {
    for (const auto& o : options_)
      if (o->name_ == name) return o.get();
    return nullptr;
  }
  static void line(std::string& h, const std::string& left, const std::string& right) {
    constexpr std::size_t width = 30;
    h += "  " + left;
    // display width: count UTF-8 lead bytes only
    std::size_t shown = 0;
    for (unsigned char c : left) shown += (c & 0xC0) != 0x80;
    if (shown + 2 < width) h += std::string(width - shown, ' ');
    else h += "\n" + std::string(width + 2, ' ');
    h += right + "\n";
  }
  [[noreturn]] void unknown(const std::string& name, const std::string& value) const {
    for (const auto& [forbidden, reason] : forbidden_)
      if (forbidden == name)
        iai::detail::raise<iai::invalid_argument>("arguments", "--" + name,
                                                  value.empty() ? "set" : value, reason);
    std::string expected = "an option that " + program_ + " --help lists";
    if (const Option* guess = nearest(name)) expected += " (did you mean --" + guess->name_ + "?)";
    iai::detail::raise<iai::invalid_argument>("arguments", "--" + name, "unknown", expected);
  }
  /// The option whose name is within edit distance 2 of `name`, if one is.
  const Option* nearest(const std::string& name) const {
    const Option* best = nullptr;
    std::size_t best_d = 3;
    for (const auto& o : options_) {
      const std::string& b = o->name_;
      std::vector<std::size_t> row(b.size() + 1);
      for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
      for (std::size_t i = 1; i <= name.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
          const std::size_t up = row[j];
          row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (name[i - 1] != b[j - 1] ? 1u : 0u)});
          diag = up;
        }
      }
      if (row[b.size()] < best_d) best_d = row[b.size()], best = o.get();
    }
    return best;
  }
  template <class V>
  static std::string joinList(const std::vector<V>& values) {
    std::string out;
    for (const V& v : values) {
      if (!out.empty()) out += ',';
      if constexpr (std::is_integral_v<V>) out += std::to_string(v);
      else out += iai::JsonLine::number(static_cast<double>(v));
    }
    return out;
  }
  template <class V>
  static std::vector<V> parseList(const Option& o, const std::string& s) {
    constexpr bool integers = std::is_integral_v<V>;
    const char* expected = integers ? "a comma-separated list of positive integers"
                                    : "a comma-separated list of positive numbers";
    std::vector<V> out;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t comma = std::min(s.find(',', start), s.size());
      const std::string item = s.substr(start, comma - start);
      char* end = nullptr;
      if constexpr (integers) {
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v <= 0) o.fail(s, expected);
        out.push_back(v);
      } else {
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !std::isfinite(v) || v <= 0) o.fail(s, expected);
        out.push_back(v);
      }
      start = comma + 1;
    }
    return out;
  }

  std::string program_, summary_, footer_, group_;
  std::vector<std::unique_ptr<Option>> options_;
  std::vector<std::pair<std::string, std::string>> forbidden_;
  std::vector<std::function<void()>> after_;
};

}  // namespace examples
