#pragma once
// The inference side q_φ(z | x) = N(mean, diag exp(log_var)), λ = (mean, log_var), as concepts.
//
//   InferenceModel (standard, Eq. 5)    λ = f_φ(x):
//     Scalar, latentDim(), observedDim(), phi(), gradPhi(),
//     infer(x, mean, log_var)                    forward pass (caches what backward needs),
//     backward(grad_mean, grad_log_var)          gradPhi() += ∂/∂φ of Σ ⟨upstream, λ⟩.
//   IterativeInferenceModel (Eq. 6)     λ_{t+1} = f_φ(u_t), u_t built from InferenceSignals:
//     Scalar, latentDim(), observedDim(), phi(), gradPhi(),
//     signals()                                  which signals it reads (gradients, errors),
//     update(signals, mean_next, log_var_next)   forward pass (caches),
//     backward(grad_mean_next, grad_log_var_next) gradPhi() += ∂/∂φ; λ_t and the signals are
//                                                inputs only (stop-gradient, as the authors).
// Upstream gradients are ∂(objective)/∂λ per column; parameter gradients accumulate.
#include <concepts>

#include "iai/core/types.hpp"

namespace iai {

/// What an iterative inference model reads besides x and λ_t; the ELBO computes only these.
struct SignalRequest {
  bool gradients = true;  ///< ∇_λ L (mean and log_var parts)
  bool errors = false;    ///< ε_x and ε_z (Sec. 4.1)
  ErrorWeighting error_weighting = ErrorWeighting::Raw;
};

/// Inputs of one iterative update for a batch of B examples (d latent, D observed dims).
/// Pointers to caller-owned storage; entries not requested in SignalRequest may be null.
template <class S>
struct InferenceSignals {
  const Matrix<S>* x = nullptr;             ///< D × B data
  const Matrix<S>* mean = nullptr;          ///< d × B, λ_t
  const Matrix<S>* log_var = nullptr;       ///< d × B, λ_t
  const Matrix<S>* grad_mean = nullptr;     ///< d × B, ∂L_j/∂mean_j
  const Matrix<S>* grad_log_var = nullptr;  ///< d × B, ∂L_j/∂log_var_j
  const Matrix<S>* error_x = nullptr;       ///< D × B, ε_x averaged over samples
  const Matrix<S>* error_z = nullptr;       ///< d × B, ε_z averaged over samples
};

namespace concepts {

template <class I>
concept InferenceModelBase = requires(I& m, const I& cm) {
  typename I::Scalar;
  { cm.latentDim() } -> std::convertible_to<Index>;
  { cm.observedDim() } -> std::convertible_to<Index>;
  { m.phi() } -> std::convertible_to<Vector<typename I::Scalar>&>;
  { m.gradPhi() } -> std::convertible_to<Vector<typename I::Scalar>&>;
};

template <class I>
concept InferenceModel =
    InferenceModelBase<I> &&
    requires(I& m, const Matrix<typename I::Scalar>& x, Matrix<typename I::Scalar>& out) {
      m.infer(x, out, out);
      m.backward(x, x);
    };

template <class I>
concept IterativeInferenceModel =
    InferenceModelBase<I> &&
    requires(I& m, const I& cm, const InferenceSignals<typename I::Scalar>& u,
             const Matrix<typename I::Scalar>& g, Matrix<typename I::Scalar>& out) {
      { cm.signals() } -> std::convertible_to<SignalRequest>;
      m.update(u, out, out);
      m.backward(g, g);
    };


/// Plain-words static checks for an inference model given to VariationalEM.
template <class I>
consteval bool checkInferenceModel() {
  static_assert(requires { typename I::Scalar; },
                "iai: the inference model must declare `using Scalar = float or double;`");
  if constexpr (requires { typename I::Scalar; }) {
    static_assert(InferenceModelBase<I>,
                  "iai: the inference model must provide latentDim(), observedDim(), phi() and "
                  "gradPhi() (flat Vector<Scalar>&; see docs/concepts.md)");
    static_assert(InferenceModel<I> || IterativeInferenceModel<I>,
                  "iai: the inference model must provide either infer(x, mean, log_var) and "
                  "backward(grad_mean, grad_log_var) (a standard InferenceModel) or signals(), "
                  "update(signals, mean, log_var) and backward(grad_mean, grad_log_var) (an "
                  "IterativeInferenceModel); see docs/concepts.md");
  }
  return true;
}

}  // namespace concepts
}  // namespace iai
