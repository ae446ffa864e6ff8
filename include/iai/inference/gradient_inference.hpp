#pragma once
// Non-amortized inference (Eq. 4): gradient ascent on each example's λ = (mean, log_var) with
// SGD, SGD + momentum, RMSProp or Adam for N steps, from the prior or from any estimate (e.g. a
// standard encoder's output: the hybrid of Krishnan et al. 2018). Every update is elementwise,
// so one optimizer over the d × B matrix equals B independent per-example optimizers.
#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/objectives/elbo_for.hpp"
#include "iai/models/concepts.hpp"
#include "iai/optim/adam.hpp"
#include "iai/optim/rmsprop.hpp"
#include "iai/optim/sgd.hpp"

namespace iai {

/// The optimizer that ascends λ in GradientInference.
enum class LambdaOptimizer { Sgd, Momentum, RmsProp, Adam };

inline const char* toString(LambdaOptimizer o) {
  switch (o) {
    case LambdaOptimizer::Sgd: return "sgd";
    case LambdaOptimizer::Momentum: return "momentum";
    case LambdaOptimizer::RmsProp: return "rmsprop";
    case LambdaOptimizer::Adam: return "adam";
  }
  return "?";
}

/// Settings of GradientInference.
struct GradientInferenceConfig {
  /// The optimizer of λ (Adam by default).
  LambdaOptimizer optimizer = LambdaOptimizer::Adam;
  /// Its step size.
  double learning_rate = 0.05;
  double momentum = 0.9;  ///< for LambdaOptimizer::Momentum
  Index steps = 100;      ///< N
};

/// Non-amortized inference (Eq. 4): gradient ascent on each example's λ = (mean, log_var) of
/// the ELBO of model M for `steps` steps, from the prior or from any estimate (e.g. an encoder's).
template <class M>
class GradientInference {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());

 public:
  /// The model's element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;

  /// @throws iai::invalid_argument if config.steps < 0 or config.learning_rate is not positive and
  ///         finite.
  explicit GradientInference(GradientInferenceConfig config = {}, ElboConfig elbo = {})
      : config_(config), elbo_(elbo) {
    IAI_CHECK(config.steps >= 0, "GradientInference", "config.steps", config.steps, "≥ 0");
    IAI_CHECK(config.learning_rate > 0.0 && std::isfinite(config.learning_rate),
              "GradientInference", "config.learning_rate", config.learning_rate, "> 0 and finite");
  }

  /// The settings it was made with.
  const GradientInferenceConfig& config() const { return config_; }
  /// The ELBO objective it ascends.
  ElboFor<M>& elbo() { return elbo_; }

  /// Sets λ to the prior (ElboFor<M>::initialLambda): N(0, I) for a single-level model, the
  /// ancestral prior of a hierarchical one (which draws from rng).
  void initializeFromPrior(M& model, Rng& rng, MatrixRef<S> mean, MatrixRef<S> log_var) {
    elbo_.initialLambda(model, rng, mean, log_var);
  }

  /// As run() without a trace, calling `observer(n, mean, log_var)` after step n = 1 … steps with
  /// the current estimate; when it returns true the run stops after that step. Returns the number
  /// of steps taken. The estimate after step n is the one run() with steps = n ends with (the same
  /// noise draws), so one run can be inspected at several step counts (amortizationGapToConvergence).
  template <class Observer>
  Index runObserved(M& model, const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var,
                    Rng& rng, Observer&& observer) {
    const Index d = mean.rows(), b = mean.cols();
    detail::checkPosteriorBatch("GradientInference::runObserved", model, x, mean, log_var);
    auto mean_opt = makeOptimizer(d * b);
    auto log_var_opt = makeOptimizer(d * b);
    neg_grad_.resize(d, b);
    for (Index n = 0; n < config_.steps; ++n) {
      elbo_.evaluate(model, x, mean, log_var, rng, {.grad_lambda = true});
      neg_grad_ = -elbo_.gradMean();
      std::visit([&](auto& o) { o.step(mean, neg_grad_); }, mean_opt);
      neg_grad_ = -elbo_.gradLogVar();
      std::visit([&](auto& o) { o.step(log_var, neg_grad_); }, log_var_opt);
      if (observer(n + 1, ConstMatrixRef<S>(mean), ConstMatrixRef<S>(log_var))) return n + 1;
    }
    return config_.steps;
  }

  /// Runs config().steps ascent steps on (mean, log_var) in place. If `trace` is given it receives
  /// the batch-mean ELBO at the start and after every step (steps + 1 values).
  void run(M& model, const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var, Rng& rng,
           std::vector<double>* trace = nullptr) {
    const Index d = mean.rows(), b = mean.cols();
    detail::checkPosteriorBatch("GradientInference::run", model, x, mean, log_var);
    auto mean_opt = makeOptimizer(d * b);
    auto log_var_opt = makeOptimizer(d * b);
    neg_grad_.resize(d, b);
    if (trace) trace->clear();
    for (Index n = 0; n <= config_.steps; ++n) {
      const bool last = (n == config_.steps);
      elbo_.evaluate(model, x, mean, log_var, rng, {.grad_lambda = !last});
      if (trace) trace->push_back(elbo_.meanElbo());
      if (last) break;
      // the optimizers minimise −L
      neg_grad_ = -elbo_.gradMean();
      std::visit([&](auto& o) { o.step(mean, neg_grad_); }, mean_opt);
      neg_grad_ = -elbo_.gradLogVar();
      std::visit([&](auto& o) { o.step(log_var, neg_grad_); }, log_var_opt);
    }
  }

 private:
  using AnyOptimizer = std::variant<optim::Sgd<S>, optim::RmsProp<S>, optim::Adam<S>>;
  AnyOptimizer makeOptimizer(Index n) const {
    switch (config_.optimizer) {
      case LambdaOptimizer::Sgd:
        return optim::Sgd<S>({.learning_rate = config_.learning_rate}, n);
      case LambdaOptimizer::Momentum:
        return optim::Sgd<S>({.learning_rate = config_.learning_rate, .momentum = config_.momentum}, n);
      case LambdaOptimizer::RmsProp:
        return optim::RmsProp<S>({.learning_rate = config_.learning_rate}, n);
      case LambdaOptimizer::Adam:
        break;
    }
    return optim::Adam<S>({.learning_rate = config_.learning_rate}, n);
  }

  GradientInferenceConfig config_;
  ElboFor<M> elbo_;
  Matrix<S> neg_grad_;
};

}  // namespace iai
