#pragma once
// Training callbacks, ensmallen style: any object with (some of)
//   onStep(const StepStatistics&)   -> void or bool (true stops training)
//   onEpoch(const EpochStatistics&) -> void or bool
// passed as the variadic tail of VariationalEM::fit; the members are detected with `requires`.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#ifdef _WIN32
#include <io.h>  // _isatty, _fileno
#else
#include <unistd.h>  // isatty
#endif

#include "iai/training/statistics.hpp"

namespace iai {

/// Stops training at the first step whose ELBO or gradients are not finite (that step changed no
/// parameter) and remembers the step.
struct StopOnNonFinite {
  std::int64_t failed_step = -1;
  bool onStep(const StepStatistics& s) {
    if (!s.finite) failed_step = s.step;
    return !s.finite;
  }
};

/// Progress on stderr: a redrawn bar when stderr is a terminal, otherwise one plain line every
/// `every_seconds` seconds and at the end of every epoch.
class ProgressBar {
  static bool isTerminal(std::FILE* out) {
#ifdef _WIN32
    return _isatty(_fileno(out)) != 0;
#else
    return isatty(fileno(out)) != 0;
#endif
  }

 public:
  explicit ProgressBar(double every_seconds = 10.0, std::FILE* out = stderr)
      : every_(every_seconds), out_(out), tty_(isTerminal(out)) {}

  void onStep(const StepStatistics& s, Index steps_per_epoch) {
    steps_per_epoch_ = steps_per_epoch;
    ++in_epoch_;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    if (tty_) {
      const int width = 30;
      const int filled = steps_per_epoch_ > 0
                             ? static_cast<int>(width * in_epoch_ / steps_per_epoch_)
                             : 0;
      std::fprintf(out_, "\repoch %d [%s%s] %ld/%ld  elbo %.2f", s.epoch,
                   std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                   static_cast<long>(in_epoch_), static_cast<long>(steps_per_epoch_), s.elbo);
      std::fflush(out_);
    } else if (since >= every_) {
      std::fprintf(out_, "epoch %d step %ld/%ld elbo %.3f\n", s.epoch, static_cast<long>(in_epoch_),
                   static_cast<long>(steps_per_epoch_), s.elbo);
      last_ = now;
    }
  }
  void onEpoch(const EpochStatistics& e) {
    std::fprintf(out_, "%sepoch %d done: train elbo %.3f, %ld steps, %.1f s\n", tty_ ? "\r\n" : "",
                 e.epoch, e.train_elbo, static_cast<long>(e.steps), e.seconds);
    in_epoch_ = 0;
  }

 private:
  double every_;
  std::FILE* out_;
  bool tty_;
  Index steps_per_epoch_ = 0;
  Index in_epoch_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

namespace detail {

template <class C>
bool notifyOneStep(C& c, const StepStatistics& s, Index steps_per_epoch) {
  if constexpr (requires { c.onStep(s, steps_per_epoch); }) {
    if constexpr (std::is_convertible_v<decltype(c.onStep(s, steps_per_epoch)), bool>)
      return static_cast<bool>(c.onStep(s, steps_per_epoch));
    else
      c.onStep(s, steps_per_epoch);
  } else if constexpr (requires { c.onStep(s); }) {
    if constexpr (std::is_convertible_v<decltype(c.onStep(s)), bool>)
      return static_cast<bool>(c.onStep(s));
    else
      c.onStep(s);
  }
  return false;
}

template <class C>
bool notifyOneEpoch(C& c, const EpochStatistics& e) {
  if constexpr (requires { c.onEpoch(e); }) {
    if constexpr (std::is_convertible_v<decltype(c.onEpoch(e)), bool>)
      return static_cast<bool>(c.onEpoch(e));
    else
      c.onEpoch(e);
  }
  return false;
}

/// Every callback sees the statistics; true if any asks to stop.
template <class... Cs>
bool notifyStep(const StepStatistics& s, [[maybe_unused]] Index steps_per_epoch, Cs&... cs) {
  return (notifyOneStep(cs, s, steps_per_epoch) | ... | false);
}
template <class... Cs>
bool notifyEpoch([[maybe_unused]] const EpochStatistics& e, Cs&... cs) {
  return (notifyOneEpoch(cs, e) | ... | false);
}

}  // namespace detail
}  // namespace iai
