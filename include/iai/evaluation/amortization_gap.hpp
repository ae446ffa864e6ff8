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
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/elbo.hpp"
#include "iai/inference/hierarchical_elbo.hpp"
#include "iai/inference/gradient_inference.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// Per-example ELBOs of the amortized estimate and of the estimate after gradient inference.
template <class M>
struct AmortizationGap {
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
  IAI_CHECK(b >= 1, fn, "x.cols()", b, "≥ 1 (a non-empty batch)");
  IAI_CHECK(mean.rows() == d && mean.cols() == b, fn, "mean",
            std::to_string(mean.rows()) + "x" + std::to_string(mean.cols()),
            "latentDim() × batch = " + std::to_string(d) + "x" + std::to_string(b));
  IAI_CHECK(log_var.rows() == d && log_var.cols() == b, fn, "log_var",
            std::to_string(log_var.rows()) + "x" + std::to_string(log_var.cols()),
            "latentDim() × batch = " + std::to_string(d) + "x" + std::to_string(b));
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

}  // namespace iai
