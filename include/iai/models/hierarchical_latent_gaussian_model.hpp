#pragma once
// Hierarchical latent Gaussian model (paper §4.1, docs/derivations.md §4.3) with L ≥ 1 levels:
//   p_θ(x, z_1, …, z_L) = p_θ(x | z_1) · Π_{ℓ<L} N(z_ℓ; μ_p^ℓ(z_{ℓ+1}), diag σ_p^{2,ℓ}(z_{ℓ+1}))
//                          · N(z_L; 0, I).
// In code levels are 0-based: level 0 is z_1 (next to x), level L − 1 the top. Every latent
// quantity is stacked level by level (concepts::HierarchicalGenerativeModel): rows
// [levelOffset(ℓ), levelOffset(ℓ) + levelDim(ℓ)). The decoder is an ELU MLP from z_1 (or, with
// `decoder_reads_all_levels`, from the whole stack) to the observation model's parameters;
// each lower level's prior is a ConditionalGaussianPrior. θ = [decoder | priors | observation].
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/bernoulli.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/models/concepts.hpp"
#include "iai/models/conditional_gaussian_prior.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// Architecture of a HierarchicalLatentGaussianModel. Defaults: the authors' MNIST hierarchy
/// (latent [64, 32], prior network 2 × 256), with a 2 × 512 ELU decoder.
struct HierarchicalModelConfig {
  std::vector<Index> latent{64, 32};            ///< d_ℓ, bottom level (z_1) first
  std::vector<Index> decoder_hidden{512, 512};  ///< decoder hidden widths
  std::vector<Index> prior_hidden{256, 256};    ///< hidden widths of every conditional prior
  bool constant_prior_log_var = false;    ///< learned per-unit constant σ_p² instead of a head
  bool decoder_reads_all_levels = false;  ///< decoder input = the whole stack, not only z_1
};

/// Hierarchical latent Gaussian model (Sec. 4.1) with L ≥ 1 levels: p_θ(x | z_1), conditional
/// priors p_θ(z_ℓ | z_{ℓ+1}) and N(z_L; 0, I). Latents are stacked level by level (level 0 = z_1);
/// θ = [decoder | priors | observation]. Models concepts::HierarchicalGenerativeModel.
template <class S, class Observation = Bernoulli<S>>
class HierarchicalLatentGaussianModel {
 public:
  /// The element type (float or double).
  using Scalar = S;
  /// The observation model p(x | η).
  using ObservationModel = Observation;
  /// The ELU MLP from z_1 (or the whole stack) to η.
  using Decoder = nn::Mlp<S, nn::Elu>;

  /// A model for D = observed_dim with the architecture `config`, initialised from `seed`
  /// (Glorot-uniform weights, zero biases).
  /// @throws iai::invalid_argument if observed_dim < 1, config.latent is empty or has a level < 1,
  ///         or there are several levels and config.prior_hidden is empty.
  HierarchicalLatentGaussianModel(Index observed_dim, HierarchicalModelConfig config,
                                  Observation observation = {}, std::uint64_t seed = 0)
      : observed_(observed_dim),
        config_(checkedConfig(observed_dim, std::move(config))),
        offsets_(offsets(config_.latent)),
        eta_rows_(observation.parameterRows(observed_dim)),
        theta_(Decoder(decoderSizes(config_, eta_rows_)), priors(config_), std::move(observation)) {
    Rng rng(seed);
    decoder().initialize(rng);
    theta_.template get<1>().initialize(rng);
    this->observation().initialize(rng);
  }

  /// The number of levels L.
  Index levels() const { return static_cast<Index>(config_.latent.size()); }
  /// Rows d_ℓ of level ℓ (0-based, 0 = z_1).
  /// @throws iai::invalid_argument unless 0 ≤ level < levels().
  Index levelDim(Index level) const {
    checkLevel("HierarchicalLatentGaussianModel::levelDim", level, levels());
    return config_.latent[static_cast<std::size_t>(level)];
  }
  /// First row of level ℓ in the stacked latent.
  Index levelOffset(Index level) const {
    checkLevel("HierarchicalLatentGaussianModel::levelOffset", level, levels());
    return offsets_[static_cast<std::size_t>(level)];
  }
  /// Rows of the stacked latent, Σ_ℓ d_ℓ.
  Index latentDim() const { return offsets_.back(); }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// The architecture it was made with.
  const HierarchicalModelConfig& config() const { return config_; }
  /// θ: all generative parameters in one flat vector.
  Vector<S>& theta() { return theta_.values(); }
  /// θ: all generative parameters in one flat vector.
  const Vector<S>& theta() const { return theta_.values(); }
  /// The gradient buffer of θ (same layout), accumulated by the backward passes.
  Vector<S>& gradTheta() { return theta_.gradient(); }
  /// The decoder network (a view into θ).
  Decoder& decoder() { return theta_.template get<0>(); }
  /// The decoder network (a view into θ).
  const Decoder& decoder() const { return theta_.template get<0>(); }
  /// The observation model (its own parameters, if any, are the end of θ).
  Observation& observation() { return theta_.template get<2>(); }
  /// The observation model (its own parameters, if any, are the end of θ).
  const Observation& observation() const { return theta_.template get<2>(); }
  /// The conditional prior p(z_ℓ | z_{ℓ+1}), ℓ < levels() − 1.
  ConditionalGaussianPrior<S>& priorNetwork(Index level) {
    checkLevel("HierarchicalLatentGaussianModel::priorNetwork", level, levels() - 1);
    return theta_.template get<1>()[static_cast<std::size_t>(level)];
  }

  /// log p_θ(x_j | z_j) per column (z stacked); caches the decoder's activations.
  void logLikelihood(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z,
                     RowVectorRef<S> log_px) {
    checkBatch("HierarchicalLatentGaussianModel::logLikelihood", x, z);
    observation().logDensity(x, decoder().forward(z.topRows(decoderInputDim())), log_px);
  }

  /// grad_z = scale · ∂ log p(x_j|z_j)/∂z_j (zero for levels the decoder does not read); with
  /// ParamGrad::Accumulate also gradTheta() += scale · Σ_j ∂/∂θ. Follows logLikelihood(x, z).
  void logLikelihoodBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, S scale,
                             MatrixRef<S> grad_z, ParamGrad pg) {
    const char* fn = "HierarchicalLatentGaussianModel::logLikelihoodBackward";
    checkBatch(fn, x, z);
    detail::checkShape(fn, "grad_z shape", grad_z.rows(), grad_z.cols(), latentDim(), z.cols(),
                       "the shape of z");
    const Matrix<S>& eta = decoder().output();
    IAI_CHECK(eta.cols() == z.cols(), fn, "z.cols()", z.cols(),
              "the batch of the preceding logLikelihood call");
    grad_eta_.resize(eta.rows(), eta.cols());
    observation().backward(x, eta, scale, grad_eta_, pg);
    const Index n_in = decoderInputDim();
    decoder().backward(z.topRows(n_in), grad_eta_, grad_z.topRows(n_in), pg);
    grad_z.bottomRows(latentDim() - n_in).setZero();
  }

  /// ε_x of Sec. 4.1 at the decoder output of the preceding logLikelihood call.
  void observationError(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z,
                        ErrorWeighting weighting, MatrixRef<S> eps_x) const {
    checkBatch("HierarchicalLatentGaussianModel::observationError", x, z);
    observation().error(x, decoder().output(), weighting, eps_x);
  }

  /// p(z_ℓ | z_{ℓ+1}): mean_p, log_var_p (d_ℓ × N) from z_above = z_{ℓ+1} (d_{ℓ+1} × N).
  void prior(Index level, const ConstMatrixRef<S>& z_above, MatrixRef<S> mean_p,
             MatrixRef<S> log_var_p) {
    priorNetwork(level).forward(z_above, mean_p, log_var_p);
  }
  /// Backward of prior(level, z_above) (see concepts::HierarchicalGenerativeModel).
  void priorBackward(Index level, const ConstMatrixRef<S>& z_above,
                     const ConstMatrixRef<S>& grad_mean_p, const ConstMatrixRef<S>& grad_log_var_p,
                     MatrixRef<S> grad_z_above, ParamGrad pg) {
    priorNetwork(level).backward(z_above, grad_mean_p, grad_log_var_p, grad_z_above, pg);
  }

  /// E[x | z] for a batch of stacked latents.
  void decode(const ConstMatrixRef<S>& z, MatrixRef<S> mean_x) {
    IAI_CHECK(z.rows() == latentDim(), "HierarchicalLatentGaussianModel::decode", "z.rows()",
              z.rows(), "latentDim() = " + std::to_string(latentDim()));
    observation().mean(decoder().forward(z.topRows(decoderInputDim())), mean_x);
  }

  /// Ancestral sampling from the top: z_L ~ N(0, I), z_ℓ ~ p(z_ℓ | z_{ℓ+1}), x ~ p(x | z).
  void sample(Rng& rng, MatrixRef<S> z, MatrixRef<S> x) {
    IAI_CHECK(z.rows() == latentDim() && x.rows() == observed_ && z.cols() == x.cols(),
              "HierarchicalLatentGaussianModel::sample", "z/x rows",
              std::to_string(z.rows()) + "/" + std::to_string(x.rows()),
              "latentDim()/observedDim() with equal column counts");
    const Index n = z.cols(), top = levels() - 1;
    auto z_top = z.middleRows(levelOffset(top), levelDim(top));
    fillNormal(rng, z_top);
    for (Index l = top - 1; l >= 0; --l) {
      const Index d = levelDim(l);
      sample_mean_.resize(d, n);
      sample_log_var_.resize(d, n);
      sample_eps_.resize(d, n);
      prior(l, z.middleRows(levelOffset(l + 1), levelDim(l + 1)), sample_mean_, sample_log_var_);
      fillNormal(rng, sample_eps_);
      DiagonalGaussian<S>::sample(sample_mean_, sample_log_var_, sample_eps_,
                                  z.middleRows(levelOffset(l), d));
    }
    observation().sample(decoder().forward(z.topRows(decoderInputDim())), rng, x);
  }

 private:
  Index decoderInputDim() const { return decoder().inputSize(); }

  static void checkLevel(const char* fn, Index level, Index count) {
    IAI_CHECK(level >= 0 && level < count, fn, "level", level,
              "in [0, " + std::to_string(count) + ")");
  }
  static HierarchicalModelConfig checkedConfig(Index observed_dim, HierarchicalModelConfig c) {
    const char* fn = "HierarchicalLatentGaussianModel";
    IAI_CHECK(observed_dim >= 1, fn, "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(!c.latent.empty(), fn, "config.latent", "empty",
              "one dimension per level (≥ 1 level)");
    for (std::size_t l = 0; l < c.latent.size(); ++l)
      IAI_CHECK(c.latent[l] >= 1, fn, "config.latent[" + std::to_string(l) + "]", c.latent[l],
                "≥ 1");
    IAI_CHECK(c.latent.size() == 1 || !c.prior_hidden.empty(), fn, "config.prior_hidden", "empty",
              "at least one hidden width (the conditional priors are MLPs)");
    return c;
  }
  static std::vector<Index> offsets(const std::vector<Index>& latent) {
    std::vector<Index> o(latent.size() + 1, 0);
    std::partial_sum(latent.begin(), latent.end(), o.begin() + 1);
    return o;
  }
  static std::vector<Index> decoderSizes(const HierarchicalModelConfig& c, Index eta_rows) {
    std::vector<Index> sizes{c.decoder_reads_all_levels
                                 ? std::accumulate(c.latent.begin(), c.latent.end(), Index{0})
                                 : c.latent.front()};
    sizes.insert(sizes.end(), c.decoder_hidden.begin(), c.decoder_hidden.end());
    sizes.push_back(eta_rows);
    return sizes;
  }
  static nn::ComponentList<ConditionalGaussianPrior<S>> priors(const HierarchicalModelConfig& c) {
    std::vector<ConditionalGaussianPrior<S>> p;
    for (std::size_t l = 0; l + 1 < c.latent.size(); ++l)
      p.emplace_back(c.latent[l], c.latent[l + 1], c.prior_hidden, c.constant_prior_log_var);
    return nn::ComponentList<ConditionalGaussianPrior<S>>(std::move(p));
  }
  void checkBatch(const char* fn, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z) const {
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(z.rows() == latentDim(), fn, "z.rows()", z.rows(),
              "latentDim() = " + std::to_string(latentDim()) + " (all levels stacked)");
    IAI_CHECK(x.cols() == z.cols(), fn, "z.cols()", z.cols(),
              "x.cols() = " + std::to_string(x.cols()));
  }

  Index observed_;
  HierarchicalModelConfig config_;
  std::vector<Index> offsets_;  // offsets_[ℓ] = Σ_{k<ℓ} d_k; offsets_[L] = latentDim()
  Index eta_rows_;              // decoder output rows (read before `observation` is moved)
  nn::BoundParameters<S, Decoder, nn::ComponentList<ConditionalGaussianPrior<S>>, Observation>
      theta_;
  Matrix<S> grad_eta_, sample_mean_, sample_log_var_, sample_eps_;
};

}  // namespace iai
