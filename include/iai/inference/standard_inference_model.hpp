#pragma once
// Standard (one-pass) inference model, the VAE encoder of Eq. 5: λ = f_φ(x), with the authors'
// architecture (paper Sec. 5): u = x − 0.5 → highway ELU MLP → linear heads for the mean
// and the log-variance, the latter clamped to [−15, 15]. φ is one flat vector.
#include <cstdint>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/gaussian_encoder.hpp"
#include "iai/inference/network_config.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// Standard (one-pass) inference model, the VAE encoder of Eq. 5: λ = f_φ(x) by a highway ELU MLP
/// on x − input_offset and linear heads for the mean and the clamped log-variance. φ is one flat
/// vector.
template <class S>
class StandardInferenceModel {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// A model for D = observed_dim and d = latent_dim, φ initialised from `seed`.
  /// @throws iai::invalid_argument if observed_dim or latent_dim < 1 (or config.layers < 1).
  StandardInferenceModel(Index observed_dim, Index latent_dim, InferenceNetworkConfig config = {},
                         std::uint64_t seed = 0)
      : observed_(observed_dim), latent_(checkedLatentDim(observed_dim, latent_dim)),
        config_(config),
        phi_(GaussianEncoder<S>(observed_dim, config.hidden, config.layers, latent_dim)) {
    Rng rng(seed);
    encoder().initialize(rng);  // network, then heads
  }

  /// The latent dimension d.
  Index latentDim() const { return latent_; }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// The network configuration it was made with.
  const InferenceNetworkConfig& config() const { return config_; }
  /// φ: all parameters in one flat vector.
  Vector<S>& phi() { return phi_.values(); }
  /// φ: all parameters in one flat vector.
  const Vector<S>& phi() const { return phi_.values(); }
  /// The gradient buffer of φ (same layout), accumulated by backward().
  Vector<S>& gradPhi() { return phi_.gradient(); }

  /// λ = f_φ(x): mean and log_var (d × B); caches the activations for backward().
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var) {
    const char* fn = "StandardInferenceModel::infer";
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(x.cols() >= 1, fn, "x.cols()", x.cols(), "≥ 1 (a non-empty batch)");
    detail::checkShape(fn, "mean", mean.rows(), mean.cols(), latent_, x.cols(),
                       "latentDim() × x.cols()");
    detail::checkShape(fn, "log_var", log_var.rows(), log_var.cols(), latent_, x.cols(),
                       "latentDim() × x.cols()");
    u_.resize(observed_, x.cols());
    u_.array() = x.array() - static_cast<S>(config_.input_offset);
    encoder().forward(u_, mean, log_var);
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean_j⟩ + ⟨grad_log_var_j, log_var_j⟩ (follows infer()).
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index b = encoder().batch();
    detail::checkShape("StandardInferenceModel::backward", "grad_mean", grad_mean.rows(),
                       grad_mean.cols(), latent_, b,
                       "latentDim() × the batch of the preceding infer()");
    detail::checkShape("StandardInferenceModel::backward", "grad_log_var", grad_log_var.rows(),
                       grad_log_var.cols(), latent_, b,
                       "latentDim() × the batch of the preceding infer()");
    encoder().backward(u_, grad_mean, grad_log_var);
  }

 private:
  // before the networks are built, so that the message names this class
  static Index checkedLatentDim(Index observed_dim, Index latent_dim) {
    IAI_CHECK(observed_dim >= 1, "StandardInferenceModel", "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(latent_dim >= 1, "StandardInferenceModel", "latent_dim", latent_dim, "≥ 1");
    return latent_dim;
  }
  GaussianEncoder<S>& encoder() { return phi_.template get<0>(); }

  Index observed_;
  Index latent_;
  InferenceNetworkConfig config_;
  nn::BoundParameters<S, GaussianEncoder<S>> phi_;  // φ: [network | heads]
  Matrix<S> u_;
};

}  // namespace iai
