#pragma once
// Amortized variational EM (paper Sec. 3; docs/derivations.md §5). One training step on a batch x
// (D × B), in this order:
//   computeGradients(x)  zero gradTheta() and gradPhi(); run the E-step (inference/e_step.hpp:
//                        Eq. 5 for a standard model, Eq. 6 for T iterations of an iterative one)
//                        in training mode, which accumulates the ascent-direction sums; scale
//                        them to the loss gradients (the one place this convention is applied):
//                          gradTheta() = −(1/B) Σ_j ∂L_T,j/∂θ               (θ-loss: the final
//                                                                          estimate only)
//                          gradPhi()   = −(1/(B·T)) Σ_t Σ_j ∂L_t,j/∂φ       (φ-loss, one-step
//                                                                          truncated; T = 1 for a
//                                                                          standard model)
//                        B is x.cols(), or the global batch of a data-parallel run.
//   (hook)               step(x, hook) calls hook(*this) here: e.g. an allreduce of the gradient
//                        buffers, clipping or logging.
//   applyUpdate()        statistics and finiteness; optional global-norm clipping; one optimizer
//                        step for θ and one for φ (separate optimizers, Adam by default, any
//                        concepts::Optimizer by template argument). A step whose ELBO or gradients
//                        are not finite changes no parameter: it is skipped and reported
//                        (StepStatistics::finite = false).
// Learning rates follow TrainingConfig::lr_schedule (default: decayed by γ per epoch); optional
// linear KL warm-up
// β = min(1, (epoch + 1)/warmup_epochs). state()/restore() give everything besides θ and φ that
// a checkpoint needs (training/checkpoint.hpp).
#include <algorithm>
#include <array>
#include <concepts>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
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
#include "iai/inference/e_step.hpp"
#include "iai/objectives/elbo_for.hpp"
#include "iai/models/concepts.hpp"
#include "iai/optim/adam.hpp"
#include "iai/optim/clipping.hpp"
#include "iai/optim/concepts.hpp"
#include "iai/optim/schedule.hpp"
#include "iai/training/batch_source.hpp"
#include "iai/training/callbacks.hpp"
#include "iai/training/statistics.hpp"

namespace iai {

/// Settings of VariationalEM.
struct TrainingConfig {
  Index iterations = 5;  ///< T, inference iterations of an iterative model (standard: 1)
  /// The training ELBO (S = 10 samples; β set by KL warm-up); evaluation uses the same with β = 1.
  ElboConfig elbo{.samples = 10};
  optim::AdamConfig theta_optimizer{.learning_rate = 2e-4};  ///< with the default Adam
  optim::AdamConfig phi_optimizer{.learning_rate = 2e-4};    ///< with the default Adam
  double lr_decay = 0.999;       ///< γ per epoch (the authors' ExponentialLR)
  /// Learning-rate schedule: the factor on the initial rates in epoch e. Empty: lr_decay^e. A
  /// function of the epoch only, so a resumed run continues it exactly (e.g. a step schedule
  /// [](int e) { return e < 50 ? 1.0 : 0.1; }, or warm restarts). Must be positive and finite.
  std::function<double(int)> lr_schedule{};
  int kl_warmup_epochs = 0;      ///< 0: off
  double max_grad_norm = 0.0;    ///< > 0: clip θ's and φ's gradients to this global norm each
  bool update_theta = true;      ///< false: θ stays fixed (fit only φ to a given model)
  int max_consecutive_faults = 10;  ///< fit() throws after this many non-finite steps in a row
  /// Examples per training step B.
  Index batch_size = 64;
  /// Seed of the three random streams: inference noise, shuffling, data transform.
  std::uint64_t seed = 0;
};

/// Everything of a VariationalEM run besides θ and φ that resuming needs: counters, the three
/// random streams and both optimizers' states (through the concepts::Optimizer concept).
template <class S>
struct TrainingState {
  /// One optimizer's saved state.
  struct Optimizer {
    bool present = false;               ///< false when there are no parameters to optimize
    std::int64_t steps = 0;             ///< optimizer.steps()
    std::vector<Vector<S>> buffers;     ///< copies of optimizer.stateBuffers()
  };
  /// The epoch counter (epochs completed).
  int epoch = 0;
  std::int64_t steps = 0;               ///< global step counter
  std::array<Rng::State, 3> rngs{};     ///< inference noise, shuffling, data transform
  std::array<Optimizer, 2> optimizers;  ///< θ, φ
};

/// Amortized variational EM (Sec. 3): every step runs the E-step (EStep, Eq. 5 or 6) on a batch,
/// turns its sums into the θ- and φ-loss gradients and applies one optimizer step to each;
/// fit() trains for epochs over a concepts::BatchSource. Holds references to the models.
template <class M, class I, class ThetaOptimizer = optim::Adam<typename M::Scalar>,
          class PhiOptimizer = ThetaOptimizer>
class VariationalEM {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  static_assert(concepts::checkInferenceModel<I>());
  static_assert(concepts::Optimizer<ThetaOptimizer> && concepts::Optimizer<PhiOptimizer>,
                "iai: VariationalEM's optimizers must model iai::concepts::Optimizer (see "
                "optim/concepts.hpp)");
  static_assert(std::same_as<typename ThetaOptimizer::Scalar, typename M::Scalar> &&
                    std::same_as<typename PhiOptimizer::Scalar, typename M::Scalar>,
                "iai: VariationalEM's optimizers must have the model's Scalar type");

 public:
  /// The models' element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;
  /// Whether I is an iterative inference model (Eq. 6) rather than a standard one (Eq. 5).
  static constexpr bool kIterative = concepts::IterativeInferenceModel<I>;

  /// θ and φ optimized by Adam with config.theta_optimizer and config.phi_optimizer.
  VariationalEM(M& model, I& inference, TrainingConfig config = {})
    requires std::constructible_from<ThetaOptimizer, const optim::AdamConfig&, Index> &&
             std::constructible_from<PhiOptimizer, const optim::AdamConfig&, Index>
      : VariationalEM(model, inference, config, config.theta_optimizer, config.phi_optimizer) {}

  /// θ and φ optimized by ThetaOptimizer(theta_config, |θ|) and PhiOptimizer(phi_config, |φ|);
  /// their learning rates at construction are the ones decayed per epoch.
  /// @throws iai::invalid_argument if a setting is out of range or the models' sizes disagree.
  VariationalEM(M& model, I& inference, TrainingConfig config,
                const typename ThetaOptimizer::Config& theta_config,
                const typename PhiOptimizer::Config& phi_config)
      : model_(&model), inference_(&inference), config_(config),
        train_elbo_(config.elbo), eval_elbo_(evalConfig(config.elbo)),
        e_step_(model, inference, checkedSetup(model, inference, config)),
        rng_(config.seed, 0), shuffle_rng_(config.seed, 1), data_rng_(config.seed, 2) {
    const char* fn = "VariationalEM";
    IAI_CHECK(config.batch_size >= 1, fn, "config.batch_size", config.batch_size, "≥ 1");
    IAI_CHECK(config.lr_decay > 0.0 && config.lr_decay <= 1.0, fn, "config.lr_decay",
              config.lr_decay, "in (0, 1]");
    IAI_CHECK(config.kl_warmup_epochs >= 0, fn, "config.kl_warmup_epochs", config.kl_warmup_epochs,
              "≥ 0");
    IAI_CHECK(config.max_grad_norm >= 0.0, fn, "config.max_grad_norm", config.max_grad_norm, "≥ 0");
    IAI_CHECK(config.max_consecutive_faults >= 1, fn, "config.max_consecutive_faults",
              config.max_consecutive_faults, "≥ 1");
    if constexpr (kIterative) {
      if (inference.signals().errors)
        IAI_CHECK(concepts::ErrorSignalModel<M>, fn, "inference.signals().errors", "true",
                  "false: the model provides no observationError() (see concepts::ErrorSignalModel)");
    }
    // a model without parameters (e.g. a fixed oracle) has no optimizer
    if (model.theta().size() > 0) {
      theta_opt_.emplace(theta_config, model.theta().size());
      theta_lr_ = theta_opt_->learningRate();
    }
    if (inference.phi().size() > 0) {
      phi_opt_.emplace(phi_config, inference.phi().size());
      phi_lr_ = phi_opt_->learningRate();
    }
    startEpoch(0);
  }

  /// The generative model p_θ.
  M& model() { return *model_; }
  /// The inference model q_φ.
  I& inference() { return *inference_; }
  /// The configuration it was made with.
  const TrainingConfig& config() const { return config_; }
  /// The epoch counter (epochs completed, or as set by startEpoch()).
  int epoch() const { return epoch_; }
  /// The global step counter (optimizer steps attempted, including skipped ones).
  std::int64_t steps() const { return step_; }
  /// The inference-noise stream.
  const Rng& rng() const { return rng_; }
  /// The shuffling stream.
  const Rng& shuffleRng() const { return shuffle_rng_; }
  /// The data-transform stream (e.g. dynamic binarisation in gather).
  const Rng& dataRng() const { return data_rng_; }
  /// The optimizers (empty when the model has no parameters).
  const std::optional<ThetaOptimizer>& thetaOptimizer() const { return theta_opt_; }
  /// The φ optimizer (empty when the inference model has no parameters).
  const std::optional<PhiOptimizer>& phiOptimizer() const { return phi_opt_; }
  /// The E-step this trainer runs (usable on its own, e.g. to infer with more iterations).
  EStep<M, I>& eStep() { return e_step_; }

  /// Counters, random streams and optimizer states (copies); with θ and φ, all a resume needs.
  TrainingState<S> state() {
    TrainingState<S> s;
    s.epoch = epoch_;
    s.steps = step_;
    s.rngs = {rng_.state(), shuffle_rng_.state(), data_rng_.state()};
    saveOptimizer(theta_opt_, s.optimizers[0]);
    saveOptimizer(phi_opt_, s.optimizers[1]);
    return s;
  }
  /// Restores a state() of a run with the same configuration and parameter sizes: the epoch (with
  /// its learning rates and KL weight), the step counter, the random streams and the optimizer
  /// states. Everything is checked first; on error nothing changes.
  /// @throws iai::invalid_argument if a counter is negative, an optimizer's presence, buffer count
  ///         or size differs from this run's, or the epoch's decayed learning rates are not positive.
  void restore(const TrainingState<S>& s) {
    const char* fn = "VariationalEM::restore";
    IAI_CHECK(s.epoch >= 0, fn, "state.epoch", s.epoch, "≥ 0");
    IAI_CHECK(s.steps >= 0, fn, "state.steps", s.steps, "≥ 0");
    checkOptimizer(fn, "state.optimizers[0] (theta)", theta_opt_, s.optimizers[0]);
    checkOptimizer(fn, "state.optimizers[1] (phi)", phi_opt_, s.optimizers[1]);
    auto usable = [&](double initial) {
      const double rate = learningRateAt(initial, s.epoch);
      return rate > 0 && std::isfinite(rate);
    };
    const bool rates_ok = (!theta_opt_ || usable(theta_lr_)) && (!phi_opt_ || usable(phi_lr_));
    IAI_CHECK(rates_ok, fn, "state.epoch", s.epoch,
              "an epoch whose learning rates (config().lr_schedule or lr_decay) are positive");
    // commit: nothing below throws
    startEpoch(s.epoch);
    step_ = s.steps;
    rng_.setState(s.rngs[0]);
    shuffle_rng_.setState(s.rngs[1]);
    data_rng_.setState(s.rngs[2]);
    loadOptimizer(s.optimizers[0], theta_opt_);
    loadOptimizer(s.optimizers[1], phi_opt_);
  }

  /// Inference iterations that are run (T for iterative models, 1 for standard ones).
  Index iterations() const { return e_step_.iterations(); }

  /// Sets the epoch counter (learning-rate decay, KL warm-up); used when resuming.
  void startEpoch(int epoch) {
    IAI_CHECK(epoch >= 0, "VariationalEM::startEpoch", "epoch", epoch, "≥ 0");
    if (theta_opt_) theta_opt_->setLearningRate(learningRateAt(theta_lr_, epoch));
    if (phi_opt_) phi_opt_->setLearningRate(learningRateAt(phi_lr_, epoch));
    epoch_ = epoch;
    const double beta = config_.kl_warmup_epochs > 0
                            ? std::min(1.0, static_cast<double>(epoch + 1) / config_.kl_warmup_epochs)
                            : 1.0;
    train_elbo_.setKlWeight(beta * config_.elbo.kl_weight);
  }

  /// One training step on the batch x (D × B): computeGradients(x), then applyUpdate().
  const StepStatistics& step(const ConstMatrixRef<S>& x) {
    computeGradients(x);
    return applyUpdate();
  }
  /// The same with hook(*this) between the two, e.g. an allreduce of gradTheta()/gradPhi().
  template <class Hook>
    requires std::invocable<Hook&, VariationalEM&>
  const StepStatistics& step(const ConstMatrixRef<S>& x, Hook&& hook) {
    computeGradients(x);
    hook(*this);
    return applyUpdate();
  }

  /// Zeroes the gradients, runs the training E-step on x and leaves the loss gradients in
  /// model().gradTheta() and inference().gradPhi() (the convention in the file comment), scaled
  /// by 1/global_batch (0: x.cols()) so that the sum over disjoint shards of a global batch is the
  /// global batch mean.
  void computeGradients(const ConstMatrixRef<S>& x, Index global_batch = 0) {
    computeGradients(x, global_batch, rng_);
  }
  /// The same with the inference noise drawn from `noise` instead of rng() (a data-parallel run
  /// gives every shard of a global batch its own stream: distributed/mpi.hpp).
  void computeGradients(const ConstMatrixRef<S>& x, Index global_batch, Rng& noise) {
    t0_ = std::chrono::steady_clock::now();
    M& model = *model_;
    I& inf = *inference_;
    const Index b = x.cols();
    IAI_CHECK(b >= 1, "VariationalEM::step", "x.cols()", b, "≥ 1 (a non-empty batch)");
    IAI_CHECK(x.rows() == model.observedDim(), "VariationalEM::step", "x.rows()", x.rows(),
              "the model's observedDim() = " + std::to_string(model.observedDim()));
    IAI_CHECK(global_batch >= 0, "VariationalEM::computeGradients", "global_batch", global_batch,
              "≥ 0 (0: x.cols())");
    detail::scaleInPlace(model.gradTheta(), S(0));  // the passes over θ and φ use both cores
    detail::scaleInPlace(inf.gradPhi(), S(0));
    e_step_.run(x, train_elbo_, noise, EStep<M, I>::Mode::Train);
    // ascent sums → loss gradients: θ from −mean_j L_T; φ from −(1/T) Σ_t mean_j L_t
    const S inv_b = S(1) / static_cast<S>(global_batch > 0 ? global_batch : b);
    detail::scaleInPlace(model.gradTheta(), -inv_b);
    detail::scaleInPlace(inf.gradPhi(), -inv_b / static_cast<S>(iterations()));
    stats_.batch = b;
    stats_.elbo_per_iteration = e_step_.trace();
    stats_.elbo = train_elbo_.meanElbo();
    stats_.reconstruction = train_elbo_.meanReconstruction();
    stats_.kl = train_elbo_.meanKl();
  }

  /// The batch part of the step's statistics that computeGradients() recorded (batch, elbo,
  /// reconstruction, kl, elbo_per_iteration: means over x's columns) and applyUpdate() completes.
  /// A hook may replace them with the global batch's, as the data-parallel layer does.
  StepStatistics& batchStatistics() { return stats_; }

  /// Statistics of the step whose gradients computeGradients() left (after any hook), then, if
  /// everything is finite, optional clipping and one optimizer step for θ and one for φ.
  const StepStatistics& applyUpdate() {
    M& model = *model_;
    I& inf = *inference_;
    ++step_;
    stats_.step = step_;
    stats_.epoch = epoch_;
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
    stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    return stats_;
  }

  /// E-step only, with β = 1 and no parameter change: λ for x and, if `trace` is given, the
  /// batch-mean ELBO after each inference iteration (iterative: L_0 … L_T; standard: L). If
  /// `mean_trace` is given it receives the mean of every estimate (λ_0 … λ_T, for figures).
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var, Rng& rng,
             std::vector<double>* trace = nullptr, std::vector<Matrix<S>>* mean_trace = nullptr) {
    const char* fn = "VariationalEM::infer";
    detail::checkPosteriorBatch(fn, *model_, x, mean, log_var);
    e_step_.run(x, eval_elbo_, rng, EStep<M, I>::Mode::Evaluate, mean_trace);
    mean = e_step_.mean();
    log_var = e_step_.logVar();
    if (trace) *trace = e_step_.trace();
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
    return fitWith([this](const Matrix<S>& x) -> const StepStatistics& { return step(x); }, source,
                   epochs, std::forward<Callbacks>(callbacks)...);
  }

  /// fit() with step_fn(x) in place of step(x) for each batch x: the same shuffling, data
  /// stream, epoch bookkeeping and callbacks around another step (e.g. mpi::DataParallel's).
  template <class StepFn, concepts::BatchSource Source, class... Callbacks>
    requires std::invocable<StepFn&, const Matrix<typename M::Scalar>&>
  EpochStatistics fitWith(StepFn&& step_fn, Source& source, int epochs, Callbacks&&... callbacks) {
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
      if (theta_opt_) epoch_stats.theta_learning_rate = theta_opt_->learningRate();
      if (phi_opt_) epoch_stats.phi_learning_rate = phi_opt_->learningRate();
      epoch_stats.elbo_per_iteration.assign(static_cast<std::size_t>(kIterative ? iterations() + 1 : 1), 0.0);
      bool stop = false;
      for (Index k = 0; k < n_batches && !stop; ++k) {
        source.gather(std::span<const Index>(order_).subspan(
                          static_cast<std::size_t>(k * config_.batch_size),
                          static_cast<std::size_t>(config_.batch_size)),
                      batch_x_, data_rng_);
        const StepStatistics& s = step_fn(std::as_const(batch_x_));
        if (s.finite) {
          ++epoch_stats.steps;
          epoch_stats.examples += config_.batch_size;
          epoch_stats.train_elbo += s.elbo;
          epoch_stats.reconstruction += s.reconstruction;
          epoch_stats.kl += s.kl;
          epoch_stats.grad_norm_theta += s.grad_norm_theta;
          epoch_stats.grad_norm_phi += s.grad_norm_phi;
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
        const double n = static_cast<double>(epoch_stats.steps);
        for (double* v : {&epoch_stats.train_elbo, &epoch_stats.reconstruction, &epoch_stats.kl,
                          &epoch_stats.grad_norm_theta, &epoch_stats.grad_norm_phi})
          *v /= n;
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

  /// The learning rate in `epoch` of an optimizer that started at `initial` (the file comment).
  double learningRateAt(double initial, int epoch) const {
    return config_.lr_schedule ? initial * config_.lr_schedule(epoch)
                               : optim::ExponentialDecay{config_.lr_decay}.rate(initial, epoch);
  }
  /// The checks that must precede the E-step's construction; returns T.
  static Index checkedSetup(const M& model, const I& inference, const TrainingConfig& config) {
    const char* fn = "VariationalEM";
    IAI_CHECK(config.iterations >= 1, fn, "config.iterations", config.iterations, "≥ 1");
    IAI_CHECK(model.latentDim() == inference.latentDim(), fn, "inference.latentDim()",
              inference.latentDim(), "the model's latentDim() = " + std::to_string(model.latentDim()));
    IAI_CHECK(model.observedDim() == inference.observedDim(), fn, "inference.observedDim()",
              inference.observedDim(),
              "the model's observedDim() = " + std::to_string(model.observedDim()));
    return config.iterations;
  }
  template <class O>
  static void saveOptimizer(std::optional<O>& opt, typename TrainingState<S>::Optimizer& out) {
    out.present = opt.has_value();
    if (!opt) return;
    out.steps = opt->steps();
    for (const Vector<S>* b : opt->stateBuffers()) out.buffers.push_back(*b);
  }
  template <class O>
  static void checkOptimizer(const char* fn, const std::string& what, std::optional<O>& opt,
                             const typename TrainingState<S>::Optimizer& in) {
    IAI_CHECK(in.present == opt.has_value(), fn, what, in.present ? "present" : "absent",
              opt ? "present, as in this run" : "absent, as in this run");
    if (!opt) return;
    IAI_CHECK(in.steps >= 0, fn, what + ".steps", in.steps, "≥ 0");
    const std::vector<Vector<S>*> buffers = opt->stateBuffers();
    IAI_CHECK(in.buffers.size() == buffers.size(), fn, what + ".buffers.size()",
              in.buffers.size(), std::to_string(buffers.size()) + ", as in this run's optimizer");
    for (std::size_t i = 0; i < buffers.size(); ++i)
      IAI_CHECK(in.buffers[i].size() == buffers[i]->size(), fn,
                what + ".buffers[" + std::to_string(i) + "].size()", in.buffers[i].size(),
                std::to_string(buffers[i]->size()) + ", as in this run's optimizer");
  }
  template <class O>
  static void loadOptimizer(const typename TrainingState<S>::Optimizer& in, std::optional<O>& opt) {
    if (!opt) return;
    const std::vector<Vector<S>*> buffers = opt->stateBuffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) *buffers[i] = in.buffers[i];
    opt->setSteps(in.steps);
  }

  M* model_;
  I* inference_;
  TrainingConfig config_;
  ElboFor<M> train_elbo_, eval_elbo_;
  EStep<M, I> e_step_;
  std::optional<ThetaOptimizer> theta_opt_;
  std::optional<PhiOptimizer> phi_opt_;
  double theta_lr_ = 0, phi_lr_ = 0;  // learning rates at epoch 0 (decayed per epoch)
  Rng rng_, shuffle_rng_, data_rng_;
  int epoch_ = 0;
  std::int64_t step_ = 0;
  int consecutive_faults_ = 0;
  StepStatistics stats_;
  std::chrono::steady_clock::time_point t0_;
  std::vector<Index> order_;
  Matrix<S> batch_x_;
  Matrix<S> eval_x_, eval_mean_, eval_log_var_;
};

}  // namespace iai
