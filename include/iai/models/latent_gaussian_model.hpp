#pragma once
// Single-level latent Gaussian model p_θ(x, z) = p_θ(x | z) N(z; 0, I): a decoder network maps z
// to the natural parameters η of any observation model (Bernoulli logits, Gaussian mean and
// log-variance, multinomial logits). θ = [decoder parameters | observation-model parameters] in
// one flat vector.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/bernoulli.hpp"
#include "iai/models/concepts.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

template <class S, class Observation = Bernoulli<S>, nn::Network Decoder = nn::Mlp<S, nn::Elu>>
class LatentGaussianModel {
 public:
  using Scalar = S;
  using ObservationModel = Observation;
  using DecoderNetwork = Decoder;

  /// A model with the given decoder (input latentDim, output observation.parameterRows(D)),
  /// initialised from `seed` (Glorot-uniform weights, zero biases).
  LatentGaussianModel(Index observed_dim, Decoder decoder, Observation observation = {},
                      std::uint64_t seed = 0)
      : observed_(observed_dim), decoder_(std::move(decoder)), observation_(std::move(observation)) {
    IAI_CHECK(observed_dim >= 1, "LatentGaussianModel", "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(decoder_.outputSize() == observation_.parameterRows(observed_dim),
              "LatentGaussianModel", "decoder.outputSize()", decoder_.outputSize(),
              "the observation model's parameterRows(" + std::to_string(observed_dim) +
                  ") = " + std::to_string(observation_.parameterRows(observed_dim)));
    rebind();
    Rng rng(seed);
    decoder_.initialize(rng);
    observation_.initialize(rng);
  }

  /// The authors' decoder: an ELU MLP latent → hidden... → η (e.g. 64 → 512 → 512 → 784).
  static LatentGaussianModel mlp(Index latent_dim, Index observed_dim,
                                 const std::vector<Index>& hidden, Observation observation = {},
                                 std::uint64_t seed = 0)
    requires std::same_as<Decoder, nn::Mlp<S, nn::Elu>>
  {
    std::vector<Index> sizes{latent_dim};
    sizes.insert(sizes.end(), hidden.begin(), hidden.end());
    sizes.push_back(observation.parameterRows(observed_dim));
    return LatentGaussianModel(observed_dim, Decoder(sizes), std::move(observation), seed);
  }

  // Layers point into theta_: copies and moves re-bind them to their own buffer.
  LatentGaussianModel(const LatentGaussianModel& other)
      : observed_(other.observed_), decoder_(other.decoder_), observation_(other.observation_),
        theta_(other.theta_), grad_theta_(other.grad_theta_) {
    rebind();
  }
  LatentGaussianModel(LatentGaussianModel&& other) noexcept
      : observed_(other.observed_), decoder_(std::move(other.decoder_)),
        observation_(std::move(other.observation_)), theta_(std::move(other.theta_)),
        grad_theta_(std::move(other.grad_theta_)) {
    rebind();
  }
  LatentGaussianModel& operator=(LatentGaussianModel other) noexcept {
    observed_ = other.observed_;
    decoder_ = std::move(other.decoder_);
    observation_ = std::move(other.observation_);
    theta_ = std::move(other.theta_);
    grad_theta_ = std::move(other.grad_theta_);
    rebind();
    return *this;
  }
  ~LatentGaussianModel() = default;

  Index latentDim() const { return decoder_.inputSize(); }
  Index observedDim() const { return observed_; }
  Vector<S>& theta() { return theta_; }
  const Vector<S>& theta() const { return theta_; }
  Vector<S>& gradTheta() { return grad_theta_; }
  Decoder& decoder() { return decoder_; }
  Observation& observation() { return observation_; }
  const Observation& observation() const { return observation_; }

  /// log p_θ(x_j | z_j) per column; caches the decoder's activations for the backward pass.
  void logLikelihood(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, RowVectorRef<S> log_px) {
    checkBatch("LatentGaussianModel::logLikelihood", x, z);
    const Matrix<S>& eta = decoder_.forward(z);
    observation_.logDensity(x, eta, log_px);
  }

  /// grad_z = scale · ∂ log p(x_j|z_j)/∂z_j; with ParamGrad::Accumulate also
  /// gradTheta() += scale · Σ_j ∂ log p(x_j|z_j)/∂θ. Follows logLikelihood(x, z).
  void logLikelihoodBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, S scale,
                             MatrixRef<S> grad_z, ParamGrad pg) {
    checkBatch("LatentGaussianModel::logLikelihoodBackward", x, z);
    const Matrix<S>& eta = decoder_.output();
    IAI_CHECK(eta.cols() == z.cols(), "LatentGaussianModel::logLikelihoodBackward", "z.cols()",
              z.cols(), "the batch of the preceding logLikelihood call");
    grad_eta_.resize(eta.rows(), eta.cols());
    observation_.backward(x, eta, scale, grad_eta_, pg);
    decoder_.backward(z, grad_eta_, grad_z, pg);
  }

  /// ε_x of Sec. 4.1 at the decoder output of the preceding logLikelihood call.
  void observationError(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z,
                        ErrorWeighting weighting, MatrixRef<S> eps_x) const {
    checkBatch("LatentGaussianModel::observationError", x, z);
    observation_.error(x, decoder_.output(), weighting, eps_x);
  }

  /// E[x | z] (e.g. Bernoulli probabilities) for a batch of latents.
  void decode(const ConstMatrixRef<S>& z, MatrixRef<S> mean_x) {
    observation_.mean(decoder_.forward(z), mean_x);
  }

  /// Ancestral sampling: z ~ N(0, I), x ~ p_θ(x | z).
  void sample(Rng& rng, MatrixRef<S> z, MatrixRef<S> x) {
    IAI_CHECK(z.rows() == latentDim() && x.rows() == observed_ && z.cols() == x.cols(),
              "LatentGaussianModel::sample", "z/x rows", std::to_string(z.rows()) + "/" +
                  std::to_string(x.rows()),
              "latentDim()/observedDim() with equal column counts");
    fillNormal(rng, z);
    observation_.sample(decoder_.forward(z), rng, x);
  }

 private:
  void rebind() { nn::bindParameters(theta_, grad_theta_, decoder_, observation_); }
  void checkBatch(const char* fn, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z) const {
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(z.rows() == latentDim(), fn, "z.rows()", z.rows(),
              "latentDim() = " + std::to_string(latentDim()));
    IAI_CHECK(x.cols() == z.cols(), fn, "z.cols()", z.cols(),
              "x.cols() = " + std::to_string(x.cols()));
  }

  Index observed_;
  Decoder decoder_;
  Observation observation_;
  Vector<S> theta_;
  Vector<S> grad_theta_;
  Matrix<S> grad_eta_;
};

}  // namespace iai
