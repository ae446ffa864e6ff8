#pragma once
// The one-pass Gaussian encoder f_φ of Eq. 5 as a component: u → highway ELU MLP → linear heads
// [mean; log_var], log_var clamped to [−15, 15] (docs/derivations.md §2.1). It owns a range of a
// flat φ (concepts::HasParameters: parameterCount(), bind(), initialize()), network first, then heads.
// StandardInferenceModel is one encoder on x − offset; BottomUpInferenceModel stacks one per
// level, level ℓ > 0 reading a sample of level ℓ − 1.
#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"

namespace iai {

/// The one-pass Gaussian encoder f_φ of Eq. 5 as a component: u → highway ELU MLP → linear heads
/// λ = (mean, log_var), log_var clamped to [−15, 15] (docs/derivations.md §2.1). Owns a range of
/// a flat φ: network first, then heads.
template <class S>
class GaussianEncoder {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// An encoder from input_dim to latent_dim with `layers` highway layers of width `hidden`.
  /// @throws iai::invalid_argument if layers < 1.
  GaussianEncoder(Index input_dim, Index hidden, Index layers, Index latent_dim)
      : latent_(latent_dim), net_(input_dim, hidden, layers), heads_(hidden, 2 * latent_dim) {}

  // --- component ---
  /// Entries of φ it owns: network and heads.
  Index parameterCount() const { return net_.parameterCount() + heads_.parameterCount(); }
  /// Points the network at params[0, n) and the heads after it (grads likewise, may be null).
  void bind(S* params, S* grads) {
    const Index n = net_.parameterCount();
    net_.bind(params, grads);
    heads_.bind(params + n, grads != nullptr ? grads + n : nullptr);
  }
  /// Network first, then heads, from one generator.
  void initialize(Rng& rng) {
    net_.initialize(rng);
    heads_.initialize(rng);
  }

  /// Rows of u.
  Index inputSize() const { return net_.inputSize(); }
  /// Rows d of mean and log_var.
  Index latentDim() const { return latent_; }
  /// Columns of the last forward() (0 before the first).
  Index batch() const { return out_.cols(); }
  /// The heads' output of the last forward(), [mean; log_var] with log_var before its clamp.
  const Matrix<S>& output() const { return out_; }

  /// λ = f_φ(u): mean and clamped log_var (d × B) of u (inputSize() × B); caches for backward().
  void forward(const ConstMatrixRef<S>& u, MatrixRef<S> mean, MatrixRef<S> log_var) {
    const Matrix<S>& h = net_.forward(u);
    out_.resize(2 * latent_, u.cols());
    heads_.forward(h, out_);
    mean = out_.topRows(latent_);
    log_var = DiagonalGaussian<S>::clamped(out_.bottomRows(latent_)).matrix();
  }

  /// φ's gradient += ∂/∂φ Σ_j ⟨grad_mean_j, mean_j⟩ + ⟨grad_log_var_j, log_var_j⟩ for the u of the
  /// preceding forward() (zero through an active clamp). Shapes are the caller's to check.
  void backward(const ConstMatrixRef<S>& u, const ConstMatrixRef<S>& grad_mean,
                const ConstMatrixRef<S>& grad_log_var) {
    headsBackward(grad_mean, grad_log_var);
    net_.backward(u, dh_, ParamGrad::Accumulate);
  }
  /// The same, and assigns ∂/∂u of that sum to grad_u (inputSize() × B).
  void backward(const ConstMatrixRef<S>& u, const ConstMatrixRef<S>& grad_mean,
                const ConstMatrixRef<S>& grad_log_var, MatrixRef<S> grad_u) {
    headsBackward(grad_mean, grad_log_var);
    net_.backward(u, dh_, grad_u, ParamGrad::Accumulate);
  }

 private:
  void headsBackward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index b = out_.cols();
    d_out_.resize(2 * latent_, b);
    d_out_.topRows(latent_) = grad_mean;
    d_out_.bottomRows(latent_).array() =
        grad_log_var.array() * DiagonalGaussian<S>::clampMask(out_.bottomRows(latent_));
    dh_.resize(net_.outputSize(), b);
    heads_.backward(net_.output(), out_, d_out_, dh_, ParamGrad::Accumulate);
  }

  Index latent_;
  nn::HighwayMlp<S> net_;
  nn::Linear<S> heads_;  // [mean; log_var] stacked: one GEMM
  Matrix<S> out_, d_out_, dh_;
};

}  // namespace iai
