#pragma once
// Standard (one-pass) inference model, the VAE encoder of Eq. 5: λ = f_φ(x), with the authors'
// architecture (paper Sec. 5): u = x − 0.5 → highway ELU MLP → linear heads for the mean
// and the log-variance, the latter clamped to [−15, 15]. φ is one flat vector.
#include <cstdint>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// Shape of an inference network: `layers` highway layers of `hidden` units (authors: 2 × 512).
struct InferenceNetworkConfig {
  Index hidden = 512;
  Index layers = 2;
  double input_offset = 0.5;  ///< u = x − input_offset (0.5 for data in [0, 1])
};

template <class S>
class StandardInferenceModel {
 public:
  using Scalar = S;

  StandardInferenceModel(Index observed_dim, Index latent_dim, InferenceNetworkConfig config = {},
                         std::uint64_t seed = 0)
      : observed_(observed_dim), latent_(checkedLatentDim(observed_dim, latent_dim)),
        config_(config),
        phi_(nn::HighwayMlp<S>(observed_dim, config.hidden, config.layers),
             nn::Linear<S>(config.hidden, 2 * latent_dim)) {
    Rng rng(seed);
    net().initialize(rng);
    heads().initialize(rng);
  }

  Index latentDim() const { return latent_; }
  Index observedDim() const { return observed_; }
  const InferenceNetworkConfig& config() const { return config_; }
  Vector<S>& phi() { return phi_.values(); }
  const Vector<S>& phi() const { return phi_.values(); }
  Vector<S>& gradPhi() { return phi_.gradient(); }

  /// λ = f_φ(x): mean and log_var (d × B); caches the activations for backward().
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var) {
    const char* fn = "StandardInferenceModel::infer";
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(x.cols() >= 1, fn, "x.cols()", x.cols(), "≥ 1 (a non-empty batch)");
    IAI_CHECK(mean.rows() == latent_ && log_var.rows() == latent_ && mean.cols() == x.cols() &&
                  log_var.cols() == x.cols(),
              fn, "mean/log_var shape", std::to_string(mean.rows()) + "x" + std::to_string(mean.cols()),
              "latentDim() × batch");
    u_.resize(observed_, x.cols());
    u_.array() = x.array() - static_cast<S>(config_.input_offset);
    const Matrix<S>& h = net().forward(u_);
    out_.resize(2 * latent_, x.cols());
    heads().forward(h, out_);
    mean = out_.topRows(latent_);
    log_var = DiagonalGaussian<S>::clamped(out_.bottomRows(latent_)).matrix();
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean_j⟩ + ⟨grad_log_var_j, log_var_j⟩ (follows infer()).
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    IAI_CHECK(grad_mean.rows() == latent_ && grad_mean.cols() == out_.cols() &&
                  grad_log_var.rows() == latent_ && grad_log_var.cols() == out_.cols(),
              "StandardInferenceModel::backward", "grad_mean/grad_log_var shape",
              std::to_string(grad_mean.rows()) + "x" + std::to_string(grad_mean.cols()),
              "latentDim() × the batch of the preceding infer()");
    d_out_.resize(2 * latent_, out_.cols());
    d_out_.topRows(latent_) = grad_mean;
    d_out_.bottomRows(latent_).array() =
        grad_log_var.array() * DiagonalGaussian<S>::clampMask(out_.bottomRows(latent_));
    dh_.resize(net().outputSize(), out_.cols());
    heads().backward(net().output(), out_, d_out_, dh_, ParamGrad::Accumulate);
    net().backward(u_, dh_, ParamGrad::Accumulate);
  }

 private:
  // before the networks are built, so that the message names this class
  static Index checkedLatentDim(Index observed_dim, Index latent_dim) {
    IAI_CHECK(observed_dim >= 1, "StandardInferenceModel", "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(latent_dim >= 1, "StandardInferenceModel", "latent_dim", latent_dim, "≥ 1");
    return latent_dim;
  }
  nn::HighwayMlp<S>& net() { return phi_.template get<0>(); }
  nn::Linear<S>& heads() { return phi_.template get<1>(); }

  Index observed_;
  Index latent_;
  InferenceNetworkConfig config_;
  // φ: the highway MLP and the heads [mean; log_var] stacked (one GEMM)
  nn::BoundParameters<S, nn::HighwayMlp<S>, nn::Linear<S>> phi_;
  Matrix<S> u_, out_, d_out_, dh_;
};

}  // namespace iai
