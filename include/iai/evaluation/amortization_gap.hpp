#pragma once
// Amortization gap (Cremer et al. 2018; the paper's comparison of amortized and optimized
// inference), per example j:
//   gap_j = L(x_j; λ*_j) − L(x_j; λ_j),
// λ_j the amortized estimate (e.g. an encoder's output or an iterative model's λ_T) and λ*_j the
// optimum of the ELBO over a diagonal q. λ* is approximated by N steps of GradientInference (Eq. 4)
// started from λ_j, so the estimate is a lower estimate of the gap: N steps fall short of λ*.
// Both ELBOs are Monte Carlo estimates with the same ElboConfig and the same noise ε (common random
// numbers), so the noise largely cancels in the difference and N = 0 gives a gap of exactly 0;
// an entry can still be slightly negative when λ_j is already near the optimum. For the true
// bound use kl_weight = 1.
// amortizationGapToConvergence runs the refinement until N more steps (inspected at N, 2N, 4N, …)
// change the batch-mean refined ELBO by less than a tolerance: λ* approximated to that tolerance.
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/objectives/elbo_for.hpp"
#include "iai/inference/gradient_inference.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// Per-example ELBOs of the amortized estimate and of the estimate after gradient inference.
template <class M>
struct AmortizationGap {
  /// The model's element type (float or double).
  using Scalar = typename M::Scalar;
  RowVector<Scalar> elbo_amortized;  ///< L(x_j; λ_j)
  RowVector<Scalar> elbo_optimized;  ///< L(x_j; λ_j after N steps)

  /// elbo_optimized − elbo_amortized per example.
  RowVector<Scalar> gap() const { return elbo_optimized - elbo_amortized; }
  /// Batch mean of gap(), in double.
  double meanGap() const { return gap().template cast<double>().mean(); }
};

/// The amortization gap of (mean, log_var) (d × B) for x (D × B): evaluates the ELBO of the given
/// estimate, runs `optimizer` (GradientInferenceConfig: optimizer, learning rate, N = steps) from
/// it with the ELBO `elbo`, and evaluates the ELBO of the result with the same noise. rng gives the
/// common noise first, then the optimization's noise. The inputs are not modified.
/// @throws iai::invalid_argument on a shape mismatch or an invalid configuration.
template <class M>
AmortizationGap<M> amortizationGap(M& model, const ConstMatrixRef<typename M::Scalar>& x,
                                   const ConstMatrixRef<typename M::Scalar>& mean,
                                   const ConstMatrixRef<typename M::Scalar>& log_var,
                                   const GradientInferenceConfig& optimizer, ElboConfig elbo,
                                   Rng& rng) {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  using S = typename M::Scalar;
  const char* fn = "amortizationGap";
  const Index d = model.latentDim(), b = x.cols();
  detail::checkPosteriorBatch(fn, model, x, mean, log_var);
  ElboFor<M> evaluator(elbo);
  GradientInference<M> inference(optimizer, elbo);
  Matrix<S> eps(d, elbo.samples * b);
  fillNormal(rng, eps);

  AmortizationGap<M> result;
  evaluator.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = false});
  result.elbo_amortized = evaluator.elbo();
  Matrix<S> mean_opt = mean, log_var_opt = log_var;
  inference.run(model, x, mean_opt, log_var_opt, rng);
  evaluator.evaluateWithNoise(model, x, mean_opt, log_var_opt, eps, {.grad_lambda = false});
  result.elbo_optimized = evaluator.elbo();
  return result;
}

/// An amortization gap whose refinement ran to a convergence criterion.
template <class M>
struct ConvergedAmortizationGap : AmortizationGap<M> {
  Index steps = 0;         ///< N of the reported elbo_optimized
  bool converged = false;  ///< the last doubling changed the batch-mean refined ELBO < tolerance
  double last_change = std::numeric_limits<double>::quiet_NaN();  ///< that change (nats)
  /// Batch-mean refined ELBO after N, 2N, 4N, … steps (one entry per refinement run).
  std::vector<double> refined_means;
};

/// The amortization gap with the refinement run to convergence: one GradientInference run from
/// λ, inspected after N = optimizer.steps, 2N, 4N, … ≤ max_steps steps; at each of these the
/// ELBO of the current estimate is evaluated with the common noise ε. It stops when the batch
/// mean changed by less than `tolerance` nats since the previous inspection (N more steps:
/// converged = true) or at the last inspection ≤ max_steps. The result at N steps is bitwise what
/// amortizationGap(…, steps = N, …) returns for the same rng state (ε drawn first, then the
/// optimization's noise). rng ends where the run stopped.
/// @throws iai::invalid_argument if optimizer.steps < 1, tolerance ≤ 0, max_steps < steps, or
///         as amortizationGap.
template <class M>
ConvergedAmortizationGap<M> amortizationGapToConvergence(
    M& model, const ConstMatrixRef<typename M::Scalar>& x,
    const ConstMatrixRef<typename M::Scalar>& mean, const ConstMatrixRef<typename M::Scalar>& log_var,
    GradientInferenceConfig optimizer, ElboConfig elbo, double tolerance, Index max_steps, Rng& rng) {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  using S = typename M::Scalar;
  const char* fn = "amortizationGapToConvergence";
  IAI_CHECK(optimizer.steps >= 1, fn, "optimizer.steps", optimizer.steps, "≥ 1 (the first N)");
  IAI_CHECK(tolerance > 0.0 && std::isfinite(tolerance), fn, "tolerance", tolerance,
            "> 0 and finite (nats)");
  IAI_CHECK(max_steps >= optimizer.steps, fn, "max_steps", max_steps,
            "≥ optimizer.steps = " + std::to_string(optimizer.steps));
  const Index d = model.latentDim(), b = x.cols();
  detail::checkPosteriorBatch(fn, model, x, mean, log_var);
  Index last = optimizer.steps;  // the last inspection point ≤ max_steps
  while (2 * last <= max_steps) last *= 2;
  ElboFor<M> evaluator(elbo);
  Matrix<S> eps(d, elbo.samples * b);
  fillNormal(rng, eps);  // the common noise, drawn first as in amortizationGap

  ConvergedAmortizationGap<M> result;
  evaluator.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = false});
  result.elbo_amortized = evaluator.elbo();
  Matrix<S> mean_opt = mean, log_var_opt = log_var;
  const Index first = optimizer.steps;
  optimizer.steps = last;
  GradientInference<M> inference(optimizer, elbo);
  Index next = first;
  double previous = std::numeric_limits<double>::quiet_NaN();
  inference.runObserved(model, x, mean_opt, log_var_opt, rng,
                        [&](Index n, const ConstMatrixRef<S>& m, const ConstMatrixRef<S>& lv) {
                          if (n != next) return false;
                          evaluator.evaluateWithNoise(model, x, m, lv, eps, {.grad_lambda = false});
                          result.elbo_optimized = evaluator.elbo();
                          result.steps = n;
                          const double value = result.elbo_optimized.template cast<double>().mean();
                          result.refined_means.push_back(value);
                          if (std::isfinite(previous)) {
                            result.last_change = value - previous;
                            if (std::abs(result.last_change) < tolerance) {
                              result.converged = true;
                              return true;
                            }
                          }
                          previous = value;
                          next *= 2;
                          return false;
                        });
  return result;
}

}  // namespace iai
