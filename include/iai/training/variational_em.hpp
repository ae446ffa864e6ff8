#pragma once
// Amortized variational EM (paper Sec. 3; docs/derivations.md §5). One step on a batch x:
//   E-step  standard model (Eq. 5):  λ = f_φ(x);
//           iterative model (Eq. 6): λ_0 = the prior (ElboFor<M>::initialLambda: N(0, I), or the
//           ancestral prior of a hierarchy); for t = 1…T: λ_t = f_φ(u_{t−1}) with
//           u built from x, λ_{t−1} and ∇_λ L_{t−1} (or the errors), all detached.
//   φ-loss  −(1/T) Σ_t mean_j L_t,j : each ∇_φ(−L_t) flows through step t only (one-step
//           truncation, no second-order terms); T = 1 for a standard model.
//   θ-loss  −mean_j L_T,j : the final estimate only.
//   M-step  one Adam step for θ and one for φ (separate optimizers), learning rates decayed by
//           γ per epoch; optional linear KL warm-up β = min(1, (epoch + 1)/warmup_epochs).
// A step whose ELBO or gradients are not finite changes no parameter: it is skipped and reported
// (StepStatistics::finite = false).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/elbo.hpp"
#include "iai/inference/hierarchical_elbo.hpp"
#include "iai/models/concepts.hpp"
#include "iai/optim/adam.hpp"
#include "iai/optim/clipping.hpp"
#include "iai/optim/schedule.hpp"
#include "iai/training/batch_source.hpp"
#include "iai/training/callbacks.hpp"
#include "iai/training/statistics.hpp"

namespace iai {

struct TrainingConfig {
  Index iterations = 5;  ///< T, inference iterations of an iterative model (standard: 1)
  ElboConfig elbo{.samples = 10};
  optim::AdamConfig theta_optimizer{.learning_rate = 2e-4};
  optim::AdamConfig phi_optimizer{.learning_rate = 2e-4};
  double lr_decay = 0.999;       ///< γ per epoch (the authors' ExponentialLR)
  int kl_warmup_epochs = 0;      ///< 0: off
  double max_grad_norm = 0.0;    ///< > 0: clip θ's and φ's gradients to this global norm each
  bool update_theta = true;      ///< false: θ stays fixed (fit only φ to a given model)
  int max_consecutive_faults = 10;  ///< fit() throws after this many non-finite steps in a row
  Index batch_size = 64;
  std::uint64_t seed = 0;
};

template <class M, class I>
class VariationalEM {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  static_assert(concepts::checkInferenceModel<I>());

 public:
  using Scalar = typename M::Scalar;
  using S = Scalar;
  static constexpr bool kIterative = concepts::IterativeInferenceModel<I>;

  VariationalEM(M& model, I& inference, TrainingConfig config = {})
      : model_(&model), inference_(&inference), config_(config),
        train_elbo_(config.elbo), eval_elbo_(evalConfig(config.elbo)),
        rng_(config.seed, 0), shuffle_rng_(config.seed, 1), data_rng_(config.seed, 2) {
    const char* fn = "VariationalEM";
    IAI_CHECK(config.iterations >= 1, fn, "config.iterations", config.iterations, "≥ 1");
    IAI_CHECK(config.batch_size >= 1, fn, "config.batch_size", config.batch_size, "≥ 1");
    IAI_CHECK(config.lr_decay > 0.0 && config.lr_decay <= 1.0, fn, "config.lr_decay",
              config.lr_decay, "in (0, 1]");
    IAI_CHECK(config.kl_warmup_epochs >= 0, fn, "config.kl_warmup_epochs", config.kl_warmup_epochs,
              "≥ 0");
    IAI_CHECK(config.max_grad_norm >= 0.0, fn, "config.max_grad_norm", config.max_grad_norm, "≥ 0");
    IAI_CHECK(config.max_consecutive_faults >= 1, fn, "config.max_consecutive_faults",
              config.max_consecutive_faults, "≥ 1");
    IAI_CHECK(model.latentDim() == inference.latentDim(), fn, "inference.latentDim()",
              inference.latentDim(), "the model's latentDim() = " + std::to_string(model.latentDim()));
    IAI_CHECK(model.observedDim() == inference.observedDim(), fn, "inference.observedDim()",
              inference.observedDim(),
              "the model's observedDim() = " + std::to_string(model.observedDim()));
    if constexpr (kIterative) {
      if (inference.signals().errors)
        IAI_CHECK(concepts::ErrorSignalModel<M>, fn, "inference.signals().errors", "true",
                  "false: the model provides no observationError() (see concepts::ErrorSignalModel)");
    }
    // a model without parameters (e.g. a fixed oracle) has no optimizer
    if (model.theta().size() > 0) theta_opt_.emplace(config.theta_optimizer, model.theta().size());
    if (inference.phi().size() > 0) phi_opt_.emplace(config.phi_optimizer, inference.phi().size());
    startEpoch(0);
  }

  M& model() { return *model_; }
  I& inference() { return *inference_; }
  const TrainingConfig& config() const { return config_; }
  int epoch() const { return epoch_; }
  std::int64_t steps() const { return step_; }
  /// Sets the global step counter; used when resuming (training/checkpoint.hpp).
  void setSteps(std::int64_t steps) {
    IAI_CHECK(steps >= 0, "VariationalEM::setSteps", "steps", steps, "≥ 0");
    step_ = steps;
  }
  Rng& rng() { return rng_; }
  Rng& shuffleRng() { return shuffle_rng_; }
  Rng& dataRng() { return data_rng_; }
  /// The optimizers (empty when the model has no parameters).
  std::optional<optim::Adam<S>>& thetaOptimizer() { return theta_opt_; }
  std::optional<optim::Adam<S>>& phiOptimizer() { return phi_opt_; }
  /// Inference iterations that are run (T for iterative models, 1 for standard ones).
  Index iterations() const { return kIterative ? config_.iterations : 1; }

  /// Sets the epoch counter (learning-rate decay, KL warm-up); used when resuming.
  void startEpoch(int epoch) {
    IAI_CHECK(epoch >= 0, "VariationalEM::startEpoch", "epoch", epoch, "≥ 0");
    epoch_ = epoch;
    const optim::ExponentialDecay decay{config_.lr_decay};
    if (theta_opt_) decay.apply(*theta_opt_, config_.theta_optimizer.learning_rate, epoch);
    if (phi_opt_) decay.apply(*phi_opt_, config_.phi_optimizer.learning_rate, epoch);
    const double beta = config_.kl_warmup_epochs > 0
                            ? std::min(1.0, static_cast<double>(epoch + 1) / config_.kl_warmup_epochs)
                            : 1.0;
    train_elbo_.setKlWeight(beta * config_.elbo.kl_weight);
  }

  /// One E-step + M-step on the batch x (D × B). Returns the step's statistics.
  const StepStatistics& step(const ConstMatrixRef<S>& x) {
    const auto t0 = std::chrono::steady_clock::now();
    M& model = *model_;
    I& inf = *inference_;
    const Index b = x.cols();
    IAI_CHECK(b >= 1, "VariationalEM::step", "x.cols()", b, "≥ 1 (a non-empty batch)");
    IAI_CHECK(x.rows() == model.observedDim(), "VariationalEM::step", "x.rows()", x.rows(),
              "the model's observedDim() = " + std::to_string(model.observedDim()));
    detail::scaleInPlace(model.gradTheta(), S(0));  // the passes over θ and φ use both cores
    detail::scaleInPlace(inf.gradPhi(), S(0));
    runEStep(x, train_elbo_, rng_, /*train=*/true, stats_.elbo_per_iteration);

    // loss gradients: θ from −mean_j L_T; φ from −(1/T) Σ_t mean_j L_t
    const S inv_b = S(1) / static_cast<S>(b);
    detail::scaleInPlace(model.gradTheta(), -inv_b);
    detail::scaleInPlace(inf.gradPhi(), -inv_b / static_cast<S>(iterations()));
    ++step_;
    stats_.step = step_;
    stats_.epoch = epoch_;
    stats_.elbo = train_elbo_.meanElbo();
    stats_.reconstruction = train_elbo_.meanReconstruction();
    stats_.kl = train_elbo_.meanKl();
    stats_.grad_norm_theta = detail::blockedNorm(model.gradTheta());
    stats_.grad_norm_phi = detail::blockedNorm(inf.gradPhi());
    stats_.finite = std::isfinite(stats_.elbo) && std::isfinite(stats_.grad_norm_theta) &&
                    std::isfinite(stats_.grad_norm_phi);
    for (double v : stats_.elbo_per_iteration) stats_.finite = stats_.finite && std::isfinite(v);
    if (stats_.finite) {
      if (config_.max_grad_norm > 0) {
        optim::clipGlobalNorm(model.gradTheta(), config_.max_grad_norm);
        optim::clipGlobalNorm(inf.gradPhi(), config_.max_grad_norm);
      }
      if (theta_opt_ && config_.update_theta) theta_opt_->step(model.theta(), model.gradTheta());
      if (phi_opt_) phi_opt_->step(inf.phi(), inf.gradPhi());
    }
    stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return stats_;
  }

  /// E-step only, with β = 1 and no parameter change: λ for x and, if `trace` is given, the
  /// batch-mean ELBO after each inference iteration (iterative: L_0 … L_T; standard: L). If
  /// `mean_trace` is given it receives the mean of every estimate (λ_0 … λ_T, for figures).
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var, Rng& rng,
             std::vector<double>* trace = nullptr, std::vector<Matrix<S>>* mean_trace = nullptr) {
    const char* fn = "VariationalEM::infer";
    const Index d = model_->latentDim(), b = x.cols();
    IAI_CHECK(b >= 1, fn, "x.cols()", b, "≥ 1 (a non-empty batch)");
    IAI_CHECK(x.rows() == model_->observedDim(), fn, "x.rows()", x.rows(),
              "the model's observedDim() = " + std::to_string(model_->observedDim()));
    IAI_CHECK(mean.rows() == d && mean.cols() == b, fn, "mean",
              std::to_string(mean.rows()) + "x" + std::to_string(mean.cols()),
              "latentDim() × x.cols() = " + std::to_string(d) + "x" + std::to_string(b));
    IAI_CHECK(log_var.rows() == d && log_var.cols() == b, fn, "log_var",
              std::to_string(log_var.rows()) + "x" + std::to_string(log_var.cols()),
              "latentDim() × x.cols() = " + std::to_string(d) + "x" + std::to_string(b));
    runEStep(x, eval_elbo_, rng, /*train=*/false, eval_trace_, mean_trace);
    mean = mean_;
    log_var = log_var_;
    if (trace) *trace = eval_trace_;
  }

  /// The per-example ELBO of the last infer() call (final estimate).
  const RowVector<S>& lastElbo() const { return eval_elbo_.elbo(); }

  /// Mean test ELBO per inference iteration over a whole data set, in batches of `batch` columns
  /// (the last batch may be smaller). One stream for both: `rng` feeds the source's transform
  /// (e.g. dynamic binarisation) *and* the inference noise, so two inference models that draw
  /// different amounts of noise see different data after the first batch. To compare models on
  /// the same inputs use the two-stream overload below (or a statically binarised source).
  template <concepts::BatchSource Source>
  std::vector<double> evaluate(Source& source, Index batch, Rng& rng) {
    return evaluate(source, batch, rng, rng);
  }

  /// As above with separate streams: `data_rng` only for source.gather, `noise_rng` only for the
  /// inference noise (ε of the ELBO, a hierarchy's ancestral λ_0). The batches are then a function
  /// of `data_rng` alone: every inference model evaluated from the same `data_rng` state sees
  /// bitwise the same inputs (paired evaluation).
  template <concepts::BatchSource Source>
  std::vector<double> evaluate(Source& source, Index batch, Rng& data_rng, Rng& noise_rng) {
    IAI_CHECK(batch >= 1, "VariationalEM::evaluate", "batch", batch, "≥ 1");
    IAI_CHECK(source.dim() == model_->observedDim(), "VariationalEM::evaluate", "source.dim()",
              source.dim(), "the model's observedDim() = " + std::to_string(model_->observedDim()));
    IAI_CHECK(source.size() >= 1, "VariationalEM::evaluate", "source.size()", source.size(),
              "≥ 1 (a non-empty data set)");
    std::vector<double> total(static_cast<std::size_t>(kIterative ? iterations() + 1 : 1), 0.0);
    std::vector<Index> idx;
    std::vector<double> trace;
    for (Index start = 0; start < source.size(); start += batch) {
      const Index n = std::min(batch, source.size() - start);
      idx.resize(static_cast<std::size_t>(n));
      std::iota(idx.begin(), idx.end(), start);
      eval_x_.resize(source.dim(), n);
      source.gather(idx, eval_x_, data_rng);
      eval_mean_.resize(model_->latentDim(), n);
      eval_log_var_.resize(model_->latentDim(), n);
      infer(eval_x_, eval_mean_, eval_log_var_, noise_rng, &trace);
      for (std::size_t t = 0; t < total.size(); ++t) total[t] += trace[t] * static_cast<double>(n);
    }
    for (double& v : total) v /= static_cast<double>(std::max<Index>(source.size(), 1));
    return total;
  }

  /// Trains for `epochs` epochs over the source in shuffled batches of config().batch_size (the
  /// last incomplete batch of an epoch is dropped). Callbacks (see callbacks.hpp) may stop early.
  /// @throws iai::domain_error after config().max_consecutive_faults non-finite steps in a row;
  ///         those steps changed no parameter, so the model keeps its last good values.
  template <concepts::BatchSource Source, class... Callbacks>
  EpochStatistics fit(Source& source, int epochs, Callbacks&&... callbacks) {
    IAI_CHECK(epochs >= 0, "VariationalEM::fit", "epochs", epochs, "≥ 0");
    IAI_CHECK(source.dim() == model_->observedDim(), "VariationalEM::fit", "source.dim()",
              source.dim(), "the model's observedDim() = " + std::to_string(model_->observedDim()));
    IAI_CHECK(source.size() >= config_.batch_size, "VariationalEM::fit", "source.size()",
              source.size(),
              "≥ config.batch_size = " + std::to_string(config_.batch_size) + " examples");
    const Index n_batches = source.size() / config_.batch_size;
    EpochStatistics epoch_stats;
    order_.resize(static_cast<std::size_t>(source.size()));
    batch_x_.resize(source.dim(), config_.batch_size);
    for (int e = 0; e < epochs; ++e) {
      const auto t0 = std::chrono::steady_clock::now();
      std::iota(order_.begin(), order_.end(), Index{0});
      shuffle(shuffle_rng_, order_);
      epoch_stats = EpochStatistics{};
      epoch_stats.epoch = epoch_;
      epoch_stats.elbo_per_iteration.assign(static_cast<std::size_t>(kIterative ? iterations() + 1 : 1), 0.0);
      bool stop = false;
      for (Index k = 0; k < n_batches && !stop; ++k) {
        source.gather(std::span<const Index>(order_).subspan(
                          static_cast<std::size_t>(k * config_.batch_size),
                          static_cast<std::size_t>(config_.batch_size)),
                      batch_x_, data_rng_);
        const StepStatistics& s = step(batch_x_);
        if (s.finite) {
          ++epoch_stats.steps;
          epoch_stats.train_elbo += s.elbo;
          for (std::size_t t = 0; t < s.elbo_per_iteration.size(); ++t)
            epoch_stats.elbo_per_iteration[t] += s.elbo_per_iteration[t];
          consecutive_faults_ = 0;
        } else {
          ++epoch_stats.skipped_steps;
          IAI_CHECK_DOMAIN(++consecutive_faults_ < config_.max_consecutive_faults,
                           "VariationalEM::fit", "the number of consecutive non-finite steps",
                           consecutive_faults_,
                           "below config.max_consecutive_faults = " +
                               std::to_string(config_.max_consecutive_faults) +
                               " (the parameters are those of the last finite step)");
        }
        stop = detail::notifyStep(s, n_batches, callbacks...);
      }
      if (epoch_stats.steps > 0) {
        epoch_stats.train_elbo /= static_cast<double>(epoch_stats.steps);
        for (double& v : epoch_stats.elbo_per_iteration) v /= static_cast<double>(epoch_stats.steps);
      }
      epoch_stats.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      startEpoch(epoch_ + 1);
      stop = detail::notifyEpoch(epoch_stats, callbacks...) || stop;
      if (stop) break;
    }
    return epoch_stats;
  }

 private:
  static ElboConfig evalConfig(ElboConfig c) {
    c.kl_weight = 1.0;
    return c;
  }

  // The E-step for a batch; with train = true it also accumulates Σ_t Σ_j ∂L_t,j/∂φ into
  // gradPhi() and Σ_j ∂L_T,j/∂θ into gradTheta() (ascent directions, scaled by the caller).
  void runEStep(const ConstMatrixRef<S>& x, ElboFor<M>& elbo, Rng& rng, bool train,
                std::vector<double>& trace, std::vector<Matrix<S>>* mean_trace = nullptr) {
    if (mean_trace) mean_trace->clear();
    M& model = *model_;
    I& inf = *inference_;
    const Index d = model.latentDim(), b = x.cols();
    mean_.resize(d, b);
    log_var_.resize(d, b);
    if constexpr (kIterative) {
      const SignalRequest want = inf.signals();
      const Index t_max = config_.iterations;
      trace.resize(static_cast<std::size_t>(t_max + 1));
      elbo.initialLambda(model, rng, mean_, log_var_);  // λ_0 = the prior
      next_mean_.resize(d, b);
      next_log_var_.resize(d, b);
      x_.resize(x.rows(), b);
      x_ = x;
      for (Index t = 0; t <= t_max; ++t) {
        const bool last = (t == t_max);
        ElboRequest request;
        // ∂L_t/∂λ_t is the next update's input and, in training, φ's upstream gradient
        request.grad_lambda = (!last && want.gradients) || (train && t > 0);
        request.grad_theta = last && train;
        request.errors = want.errors && !last;
        request.error_weighting = want.error_weighting;
        elbo.evaluate(model, x_, mean_, log_var_, rng, request);
        trace[static_cast<std::size_t>(t)] = elbo.meanElbo();
        if (mean_trace) mean_trace->push_back(mean_);
        if (train && t > 0) inf.backward(elbo.gradMean(), elbo.gradLogVar());
        if (last) break;
        InferenceSignals<S> u;
        u.x = &x_;
        u.mean = &mean_;
        u.log_var = &log_var_;
        if (want.gradients) {
          u.grad_mean = &elbo.gradMean();
          u.grad_log_var = &elbo.gradLogVar();
        }
        if (want.errors) {
          u.error_x = &elbo.errorX();
          u.error_z = &elbo.errorZ();
        }
        inf.update(u, next_mean_, next_log_var_);
        mean_.swap(next_mean_);
        log_var_.swap(next_log_var_);
      }
    } else {
      trace.resize(1);
      if constexpr (requires { inf.infer(x, mean_, log_var_, rng); }) {
        inf.infer(x, mean_, log_var_, rng);  // e.g. a bottom-up encoder that reads samples
      } else {
        inf.infer(x, mean_, log_var_);
      }
      elbo.evaluate(model, x, mean_, log_var_, rng,
                    {.grad_lambda = train, .grad_theta = train});
      trace[0] = elbo.meanElbo();
      if (mean_trace) mean_trace->push_back(mean_);
      if (train) inf.backward(elbo.gradMean(), elbo.gradLogVar());
    }
  }

  M* model_;
  I* inference_;
  TrainingConfig config_;
  ElboFor<M> train_elbo_, eval_elbo_;
  std::optional<optim::Adam<S>> theta_opt_, phi_opt_;
  Rng rng_, shuffle_rng_, data_rng_;
  int epoch_ = 0;
  std::int64_t step_ = 0;
  int consecutive_faults_ = 0;
  StepStatistics stats_;
  std::vector<double> eval_trace_;
  std::vector<Index> order_;
  Matrix<S> x_, mean_, log_var_, next_mean_, next_log_var_, batch_x_;
  Matrix<S> eval_x_, eval_mean_, eval_log_var_;
};

}  // namespace iai
