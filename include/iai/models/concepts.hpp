#pragma once
// The generative side p_θ(x, z) = p_θ(x | z) p(z) as C++20 concepts.
//
// Minimum API a user writes (no inheritance from library classes):
//   GenerativeModel                 Scalar, latentDim(), observedDim(),
//                                   logLikelihood(x, z, log_px)  log p_θ(x_j | z_j) per column j,
//                                   sample(rng, z, x)            ancestral: z ~ p(z), x ~ p_θ(x|z).
//   DifferentiableGenerativeModel   + logLikelihoodBackward(x, z, scale, grad_z, ParamGrad):
//                                     grad_z = scale · ∂ log p_θ(x_j|z_j)/∂z_j (assigned) and, only
//                                     with ParamGrad::Accumulate, gradTheta() += scale · Σ_j ∂/∂θ;
//                                   + theta(), gradTheta(): θ and its gradient as flat vectors.
//   ErrorSignalModel (optional)     + observationError(x, z, weighting, eps_x): ε_x of Sec. 4.1.
// logLikelihoodBackward and observationError reuse the forward pass of the logLikelihood call that
// immediately precedes them with the same (x, z) (the decoder's activations are cached).
//
// x and z carry the same number of columns (the ELBO repeats each example once per sample).
// The prior of a single-level model is N(0, I).
//
//   HierarchicalGenerativeModel     + levels() = L ≥ 1, levelDim(ℓ) = d_ℓ for ℓ = 0 (z_1, next to x)
//                                     … L − 1 (the top, prior N(0, I)); latentDim() = Σ_ℓ d_ℓ and
//                                     every z, λ, gradient and ε_z is stacked level by level, level
//                                     ℓ in rows [Σ_{k<ℓ} d_k, Σ_{k≤ℓ} d_k). logLikelihood reads the
//                                     stacked z (a decoder from z_1 reads its top d_0 rows);
//                                   + prior(ℓ, z_above, mean_p, log_var_p)  for ℓ < L − 1: the
//                                     conditional prior p_θ(z_ℓ | z_{ℓ+1}) = N(mean_p, diag
//                                     exp(log_var_p)) with z_above = z_{ℓ+1} (d_{ℓ+1} × N);
//                                   + priorBackward(ℓ, z_above, grad_mean_p, grad_log_var_p,
//                                     grad_z_above, ParamGrad): grad_z_above = ∂/∂z_above of
//                                     Σ_j ⟨grad_mean_p, mean_p⟩ + ⟨grad_log_var_p, log_var_p⟩
//                                     (assigned), θ's gradient added with ParamGrad::Accumulate.
//                                     Follows prior(ℓ, z_above) (each level caches its own pass).
// Hierarchical models get their own ELBO (objectives/hierarchical_elbo.hpp; ElboFor<M> in objectives/elbo_for.hpp); the
// inference concepts do not change (λ is stacked).
#include <concepts>

#include "iai/core/random.hpp"
#include "iai/core/types.hpp"

namespace iai {

namespace concepts {

template <class M>
concept GenerativeModel =
    requires(M& m, const M& cm, const Matrix<typename M::Scalar>& x,
             const Matrix<typename M::Scalar>& z, Matrix<typename M::Scalar>& out,
             RowVector<typename M::Scalar>& log_px, Rng& rng) {
      typename M::Scalar;
      { cm.latentDim() } -> std::convertible_to<Index>;
      { cm.observedDim() } -> std::convertible_to<Index>;
      m.logLikelihood(x, z, log_px);
      m.sample(rng, out, out);
    };

template <class M>
concept DifferentiableGenerativeModel =
    GenerativeModel<M> &&
    requires(M& m, const Matrix<typename M::Scalar>& x, const Matrix<typename M::Scalar>& z,
             Matrix<typename M::Scalar>& grad_z, typename M::Scalar scale) {
      m.logLikelihoodBackward(x, z, scale, grad_z, ParamGrad::Skip);
      { m.theta() } -> std::convertible_to<Vector<typename M::Scalar>&>;
      { m.gradTheta() } -> std::convertible_to<Vector<typename M::Scalar>&>;
    };

template <class M>
concept ErrorSignalModel =
    DifferentiableGenerativeModel<M> &&
    requires(M& m, const Matrix<typename M::Scalar>& x, const Matrix<typename M::Scalar>& z,
             Matrix<typename M::Scalar>& eps_x) {
      m.observationError(x, z, ErrorWeighting::Raw, eps_x);
    };


template <class M>
concept HierarchicalGenerativeModel =
    DifferentiableGenerativeModel<M> &&
    requires(M& m, const M& cm, Index level, const Matrix<typename M::Scalar>& z,
             Matrix<typename M::Scalar>& out) {
      { cm.levels() } -> std::convertible_to<Index>;
      { cm.levelDim(level) } -> std::convertible_to<Index>;
      m.prior(level, z, out, out);
      m.priorBackward(level, z, z, z, out, ParamGrad::Skip);
    };

/// Static checks with plain-words messages, one per capability, used at the composition points
/// (Elbo, GradientInference, VariationalEM) so that a missing member is named in the error.
template <class M>
consteval bool checkDifferentiableGenerativeModel() {
  static_assert(requires { typename M::Scalar; },
                "iai: the generative model must declare `using Scalar = float or double;`");
  if constexpr (requires { typename M::Scalar; }) {
    using S = typename M::Scalar;
    static_assert(requires(const M& m) {
      { m.latentDim() } -> std::convertible_to<Index>;
      { m.observedDim() } -> std::convertible_to<Index>;
    }, "iai: the generative model must provide latentDim() and observedDim() (see docs/concepts.md)");
    static_assert(requires(M& m, const Matrix<S>& x, RowVector<S>& out) {
      m.logLikelihood(x, x, out);
    }, "iai: the generative model must provide logLikelihood(x, z, log_px) writing log p(x_j|z_j) "
       "per column (see docs/concepts.md)");
    static_assert(requires(M& m, const Matrix<S>& x, Matrix<S>& g, S scale) {
      m.logLikelihoodBackward(x, x, scale, g, ParamGrad::Skip);
    }, "iai: the generative model must provide logLikelihoodBackward(x, z, scale, grad_z, ParamGrad) "
       "(the gradient w.r.t. z, and w.r.t. theta when asked; see docs/concepts.md)");
    static_assert(requires(M& m) {
      { m.theta() } -> std::convertible_to<Vector<S>&>;
      { m.gradTheta() } -> std::convertible_to<Vector<S>&>;
    }, "iai: the generative model must expose its parameters theta() and their gradient gradTheta() "
       "as flat Vector<Scalar>& (see docs/concepts.md)");
    static_assert(requires(M& m, Rng& rng, Matrix<S>& out) { m.sample(rng, out, out); },
                  "iai: the generative model must provide sample(rng, z, x) for ancestral sampling "
                  "(see docs/concepts.md)");
  }
  return true;
}

}  // namespace concepts
}  // namespace iai
