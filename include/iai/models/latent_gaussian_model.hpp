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

/// Single-level latent Gaussian model p_θ(x, z) = p_θ(x | z) N(z; 0, I): a decoder network maps z
/// to the parameters η of the observation model. θ = [decoder | observation model] in one flat
/// vector.
template <class S, class Observation = Bernoulli<S>, concepts::Network Decoder = nn::Mlp<S, nn::Elu>>
class LatentGaussianModel {
 public:
  /// The element type (float or double).
  using Scalar = S;
  /// The observation model p(x | η).
  using ObservationModel = Observation;
  /// The network from z to η.
  using DecoderNetwork = Decoder;

  /// A model with the given decoder (input latentDim, output observation.parameterRows(D)),
  /// initialised from `seed` (Glorot-uniform weights, zero biases).
  LatentGaussianModel(Index observed_dim, Decoder decoder, Observation observation = {},
                      std::uint64_t seed = 0)
      : observed_(checkedObservedDim(observed_dim, decoder, observation)),
        theta_(std::move(decoder), std::move(observation)) {
    Rng rng(seed);
    this->decoder().initialize(rng);
    this->observation().initialize(rng);
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

  /// The latent dimension d (the decoder's input size).
  Index latentDim() const { return decoder().inputSize(); }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// θ: all generative parameters in one flat vector.
  Vector<S>& theta() { return theta_.values(); }
  /// θ: all generative parameters in one flat vector.
  const Vector<S>& theta() const { return theta_.values(); }
  /// The gradient buffer of θ (same layout), accumulated by logLikelihoodBackward().
  Vector<S>& gradTheta() { return theta_.gradient(); }
  /// The decoder network (a view into θ).
  Decoder& decoder() { return theta_.template get<0>(); }
  /// The decoder network (a view into θ).
  const Decoder& decoder() const { return theta_.template get<0>(); }
  /// The observation model (its own parameters, if any, are the end of θ).
  Observation& observation() { return theta_.template get<1>(); }
  /// The observation model (its own parameters, if any, are the end of θ).
  const Observation& observation() const { return theta_.template get<1>(); }

  /// log p_θ(x_j | z_j) per column; caches the decoder's activations for the backward pass.
  void logLikelihood(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, RowVectorRef<S> log_px) {
    checkBatch("LatentGaussianModel::logLikelihood", x, z);
    const Matrix<S>& eta = decoder().forward(z);
    observation().logDensity(x, eta, log_px);
  }

  /// grad_z = scale · ∂ log p(x_j|z_j)/∂z_j; with ParamGrad::Accumulate also
  /// gradTheta() += scale · Σ_j ∂ log p(x_j|z_j)/∂θ. Follows logLikelihood(x, z).
  void logLikelihoodBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, S scale,
                             MatrixRef<S> grad_z, ParamGrad pg) {
    checkBatch("LatentGaussianModel::logLikelihoodBackward", x, z);
    const Matrix<S>& eta = decoder().output();
    IAI_CHECK(eta.cols() == z.cols(), "LatentGaussianModel::logLikelihoodBackward", "z.cols()",
              z.cols(), "the batch of the preceding logLikelihood call");
    grad_eta_.resize(eta.rows(), eta.cols());
    observation().backward(x, eta, scale, grad_eta_, pg);
    decoder().backward(z, grad_eta_, grad_z, pg);
  }

  /// ε_x of Sec. 4.1 at the decoder output of the preceding logLikelihood call.
  void observationError(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z,
                        ErrorWeighting weighting, MatrixRef<S> eps_x) const {
    checkBatch("LatentGaussianModel::observationError", x, z);
    observation().error(x, decoder().output(), weighting, eps_x);
  }

  /// E[x | z] (e.g. Bernoulli probabilities) for a batch of latents.
  void decode(const ConstMatrixRef<S>& z, MatrixRef<S> mean_x) {
    observation().mean(decoder().forward(z), mean_x);
  }

  /// Ancestral sampling: z ~ N(0, I), x ~ p_θ(x | z).
  void sample(Rng& rng, MatrixRef<S> z, MatrixRef<S> x) {
    IAI_CHECK(z.rows() == latentDim() && x.rows() == observed_ && z.cols() == x.cols(),
              "LatentGaussianModel::sample", "z/x rows", std::to_string(z.rows()) + "/" +
                  std::to_string(x.rows()),
              "latentDim()/observedDim() with equal column counts");
    fillNormal(rng, z);
    observation().sample(decoder().forward(z), rng, x);
  }

 private:
  static Index checkedObservedDim(Index observed_dim, const Decoder& decoder,
                                  const Observation& observation) {
    IAI_CHECK(observed_dim >= 1, "LatentGaussianModel", "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(decoder.outputSize() == observation.parameterRows(observed_dim),
              "LatentGaussianModel", "decoder.outputSize()", decoder.outputSize(),
              "the observation model's parameterRows(" + std::to_string(observed_dim) +
                  ") = " + std::to_string(observation.parameterRows(observed_dim)));
    return observed_dim;
  }
  void checkBatch(const char* fn, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z) const {
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(z.rows() == latentDim(), fn, "z.rows()", z.rows(),
              "latentDim() = " + std::to_string(latentDim()));
    IAI_CHECK(x.cols() == z.cols(), fn, "z.cols()", z.cols(),
              "x.cols() = " + std::to_string(x.cols()));
  }

  Index observed_;
  nn::BoundParameters<S, Decoder, Observation> theta_;  // θ = [decoder | observation model]
  Matrix<S> grad_eta_;
};

}  // namespace iai
