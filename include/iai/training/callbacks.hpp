#pragma once
// Training callbacks, ensmallen style: any object with (some of)
//   onStep(const StepStatistics&)   -> void or bool (true stops training)
//   onEpoch(const EpochStatistics&) -> void or bool
// passed as the variadic tail of VariationalEM::fit; the members are detected with `requires`.
// Here: StopOnNonFinite, ProgressBar (ETA and examples per second), EarlyStopping (on a
// validation ELBO). JsonLinesLogger is in training/json_lines.hpp, PeriodicCheckpoint in
// training/checkpoint.hpp; learning-rate schedules are TrainingConfig::lr_schedule.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef _WIN32
#include <io.h>  // _isatty, _fileno
#else
#include <unistd.h>  // isatty
#endif

#include "iai/core/errors.hpp"
#include "iai/training/statistics.hpp"

namespace iai {

/// Stops training at the first step whose ELBO or gradients are not finite (that step changed no
/// parameter) and remembers the step.
struct StopOnNonFinite {
  /// The first step whose ELBO or gradients were not finite, or −1.
  std::int64_t failed_step = -1;
  /// Records a non-finite step and returns true (stop) for it.
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
  /// Writes to `out` (nullptr: silent, e.g. on all but one rank of a distributed run).
  explicit ProgressBar(double every_seconds = 10.0, std::FILE* out = stderr)
      : every_(every_seconds), out_(out), tty_(out != nullptr && isTerminal(out)) {}

  /// Updates the bar (terminal) or prints a line every `every_seconds`: epoch, step, ELBO,
  /// examples per second and the epoch's ETA.
  void onStep(const StepStatistics& s, Index steps_per_epoch) {
    if (!out_) return;
    const auto now = std::chrono::steady_clock::now();
    if (in_epoch_ == 0)  // the epoch started when its first step did
      epoch_start_ = now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(s.seconds));
    steps_per_epoch_ = steps_per_epoch;
    ++in_epoch_;
    examples_ += s.batch;
    const double since = std::chrono::duration<double>(now - last_).count();
    const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
    const double per_second = elapsed > 0 ? static_cast<double>(examples_) / elapsed : 0.0;
    const double eta = in_epoch_ > 0 && steps_per_epoch_ > in_epoch_
                           ? elapsed / static_cast<double>(in_epoch_) *
                                 static_cast<double>(steps_per_epoch_ - in_epoch_)
                           : 0.0;
    if (tty_) {
      const int width = 30;
      const int filled = steps_per_epoch_ > 0
                             ? static_cast<int>(width * in_epoch_ / steps_per_epoch_)
                             : 0;
      std::fprintf(out_, "\repoch %d [%s%s] %ld/%ld  elbo %.2f  %.0f ex/s  eta %s ", s.epoch,
                   std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                   static_cast<long>(in_epoch_), static_cast<long>(steps_per_epoch_), s.elbo,
                   per_second, duration(eta).c_str());
      std::fflush(out_);
    } else if (since >= every_) {
      std::fprintf(out_, "epoch %d step %ld/%ld elbo %.3f %.0f ex/s eta %s\n", s.epoch,
                   static_cast<long>(in_epoch_), static_cast<long>(steps_per_epoch_), s.elbo,
                   per_second, duration(eta).c_str());
      last_ = now;
    }
  }
  /// Progress of a long evaluation (importance sampling, refinement): `done` of `total` units.
  void onProgress(const char* what, Index done, Index total) {
    if (!out_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done == 0) eval_start_ = now;
    const double elapsed = std::chrono::duration<double>(now - eval_start_).count();
    const double eta = done > 0 && total > done
                           ? elapsed / static_cast<double>(done) * static_cast<double>(total - done)
                           : 0.0;
    const bool last = done >= total;
    if (tty_) {
      std::fprintf(out_, "\r%s %ld/%ld  eta %s %s", what, static_cast<long>(done),
                   static_cast<long>(total), duration(eta).c_str(), last ? "\n" : "");
      std::fflush(out_);
    } else if (last || std::chrono::duration<double>(now - last_).count() >= every_) {
      std::fprintf(out_, "%s %ld/%ld eta %s\n", what, static_cast<long>(done),
                   static_cast<long>(total), duration(eta).c_str());
      last_ = now;
    }
  }
  /// "1h02m", "3m05s" or "12s".
  static std::string duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
      std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60)
      std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
      std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
  }
  /// Prints the epoch's summary: train ELBO, steps, seconds, examples per second.
  void onEpoch(const EpochStatistics& e) {
    if (!out_) return;
    std::fprintf(out_, "%sepoch %d done: train elbo %.3f, %ld steps, %.1f s, %.0f ex/s\n",
                 tty_ ? "\r\n" : "", e.epoch, e.train_elbo, static_cast<long>(e.steps), e.seconds,
                 e.seconds > 0 ? static_cast<double>(e.examples) / e.seconds : 0.0);
    in_epoch_ = 0;
    examples_ = 0;
  }

 private:
  double every_;
  std::FILE* out_;
  bool tty_;
  Index steps_per_epoch_ = 0;
  Index in_epoch_ = 0;
  Index examples_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point epoch_start_ = last_, eval_start_ = last_;
};

/// Early stopping on a validation ELBO: after every epoch calls `validation_elbo()` (e.g. a lambda
/// around VariationalEM::evaluate on a held-out split) and stops training once the best value of
/// the last `patience` epochs improves on the best before them by less than `min_gain` nats (the
/// default, 0.1 nats over 10 epochs, is docs/results.md's stopping rule). history() holds every
/// value; pass it back to the constructor to continue the rule after a resume.
template <class F>
class EarlyStopping {
 public:
  /// @throws iai::invalid_argument if patience < 1 or min_gain is negative or not finite.
  explicit EarlyStopping(F validation_elbo, int patience = 10, double min_gain = 0.1,
                         std::vector<double> history = {})
      : f_(std::move(validation_elbo)), patience_(patience), min_gain_(min_gain),
        history_(std::move(history)) {
    IAI_CHECK(patience >= 1, "EarlyStopping", "patience", patience, "≥ 1 epoch");
    IAI_CHECK(min_gain >= 0 && std::isfinite(min_gain), "EarlyStopping", "min_gain", min_gain,
              "≥ 0 and finite (nats)");
  }
  /// Appends validation_elbo() to history() and returns true (stop) once converged().
  bool onEpoch(const EpochStatistics&) {
    history_.push_back(static_cast<double>(f_()));
    stopped_ = converged();
    return stopped_;
  }
  /// Whether the rule holds for the values so far.
  bool converged() const {
    const auto n = static_cast<std::ptrdiff_t>(history_.size());
    if (n <= patience_) return false;
    const auto split = history_.begin() + (n - patience_);
    const double before = *std::max_element(history_.begin(), split);
    const double recent = *std::max_element(split, history_.end());
    return !(recent - before >= min_gain_);  // a NaN validation ELBO stops too
  }
  /// Whether the last onEpoch() stopped training.
  bool stopped() const { return stopped_; }
  /// The validation ELBO after every epoch (including those passed to the constructor).
  const std::vector<double>& history() const { return history_; }
  /// The best validation ELBO so far (−∞ before the first epoch).
  double best() const {
    return history_.empty() ? -std::numeric_limits<double>::infinity()
                            : *std::max_element(history_.begin(), history_.end());
  }

 private:
  F f_;
  int patience_;
  double min_gain_;
  std::vector<double> history_;
  bool stopped_ = false;
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

/// Every callback sees the statistics, in order (no short-circuit); true if any asks to stop.
template <class... Cs>
bool notifyStep(const StepStatistics& s, [[maybe_unused]] Index steps_per_epoch, Cs&... cs) {
  bool stop = false;
  ((stop = notifyOneStep(cs, s, steps_per_epoch) || stop), ...);
  return stop;
}
template <class... Cs>
bool notifyEpoch([[maybe_unused]] const EpochStatistics& e, Cs&... cs) {
  bool stop = false;
  ((stop = notifyOneEpoch(cs, e) || stop), ...);
  return stop;
}

}  // namespace detail
}  // namespace iai
