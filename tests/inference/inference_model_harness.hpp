#pragma once
// The φ-gradient contract of every inference model (concepts::InferenceModel and
// concepts::IterativeInferenceModel: standard, bottom-up, iterative, hierarchical iterative, and
// any new one), checked once here: after a forward pass that writes λ = (mean, log_var),
// backward(r_mean, r_log_var) adds ∂/∂φ Σ_j ⟨r_mean_j, mean_j⟩ + ⟨r_log_var_j, log_var_j⟩ to
// gradPhi() — equal to central finite differences in φ — and a second call adds it again.
// Also the stacked signals (x, λ, ∇_λ L, ε_x, ε_z) that the iterative models' tests feed.
#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/inference/concepts.hpp>
#include <iai/testing/gradient_check.hpp>

namespace iai_test {

/// Random signals for an iterative update of D = dx observed and d = dz latent rows, B columns.
template <class S>
struct Signals {
  iai::Matrix<S> x, mean, log_var, grad_mean, grad_log_var, error_x, error_z;
  Signals(iai::Index dx, iai::Index dz, iai::Index b, iai::Rng& rng)
      : x(dx, b), mean(dz, b), log_var(dz, b), grad_mean(dz, b), grad_log_var(dz, b),
        error_x(dx, b), error_z(dz, b) {
    for (auto* m : {&x, &mean, &log_var, &grad_mean, &grad_log_var, &error_x, &error_z})
      iai::fillNormal(rng, *m);
  }
  iai::InferenceSignals<S> view() const {
    return {x, mean, log_var, grad_mean, grad_log_var, error_x, error_z};
  }
};

/// Σ r_mean ⊙ mean + r_log_var ⊙ log_var, in double.
template <class S>
double functional(const iai::Matrix<S>& r_mean, const iai::Matrix<S>& r_log_var,
                  const iai::Matrix<S>& mean, const iai::Matrix<S>& log_var) {
  return (r_mean.array() * mean.array() + r_log_var.array() * log_var.array())
      .template cast<double>()
      .sum();
}

/// Checks the contract for `model` whose forward pass is `forward()` (it must write `mean` and
/// `log_var` and use the same noise every call). Returns the analytic gradient.
template <class I, class Forward>
iai::Vector<typename I::Scalar> checkPhiGradient(I& model, Forward&& forward,
                                                 const iai::Matrix<typename I::Scalar>& mean,
                                                 const iai::Matrix<typename I::Scalar>& log_var,
                                                 const iai::Matrix<typename I::Scalar>& r_mean,
                                                 const iai::Matrix<typename I::Scalar>& r_log_var,
                                                 double float_tolerance = 3e-3) {
  using S = typename I::Scalar;
  const double tol = sizeof(S) == 4 ? float_tolerance : 1e-6;
  auto f = [&] {
    forward();
    return functional(r_mean, r_log_var, mean, log_var);
  };
  f();
  model.gradPhi().setZero();
  model.backward(r_mean, r_log_var);
  const iai::Vector<S> analytic = model.gradPhi();
  CHECK(analytic.cwiseAbs().maxCoeff() > 0);
  CHECK(iai::testing::relativeError(analytic, iai::testing::numericalGradient(f, model.phi())) <
        tol);
  f();  // backward accumulates
  model.backward(r_mean, r_log_var);
  CHECK(iai::testing::relativeError(model.gradPhi(), (S(2) * analytic).eval()) <
        (sizeof(S) == 4 ? 1e-5 : 1e-12));
  return analytic;
}

}  // namespace iai_test
