#pragma once
// The standard encoder of a hierarchical latent Gaussian model (the paper's baseline, Sec. 4.1):
// one GaussianEncoder per level, λ stacked level by level (inference/levels.hpp). Level 0 maps
// x − offset to λ_0; level ℓ > 0 maps the sample z_{ℓ−1} = μ_{ℓ−1} + σ_{ℓ−1} ⊙ ε to λ_ℓ.
// backward() follows the samples down (reparameterisation). With one level it is
// StandardInferenceModel.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/gaussian_encoder.hpp"
#include "iai/inference/levels.hpp"
#include "iai/inference/network_config.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// Configuration of BottomUpInferenceModel.
struct BottomUpConfig {
  InferenceNetworkConfig network{};  ///< every level (input_offset applies to x at level 0)
  std::vector<Index> hidden{};       ///< hidden width per level; empty = network.hidden for all
};

namespace detail {

/// One level of the bottom-up encoder: its GaussianEncoder (a component) and workspaces.
template <class S>
struct BottomUpLevel {
  BottomUpLevel(Index in, Index hidden, Index layers, Index latent)
      : encoder(in, hidden, layers, latent) {}
  Index parameterCount() const { return encoder.parameterCount(); }
  void bind(S* params, S* grads) { encoder.bind(params, grads); }
  void initialize(Rng& rng) { encoder.initialize(rng); }

  GaussianEncoder<S> encoder;
  // input (x − offset at level 0, the sample z_{ℓ−1} above), noise ε_ℓ used for the sample fed
  // upwards, backward workspaces
  Matrix<S> input, eps, d_input, grad_mean, grad_log_var, tmp_mean, tmp_log_var;
};

}  // namespace detail

/// The standard (single-pass) encoder of a hierarchical model, the paper's baseline (Sec. 4.1):
/// one GaussianEncoder per level, λ = (mean, log_var) stacked level by level. Level 0 reads
/// x − offset, level ℓ > 0 the sample z_{ℓ−1}. With one level it is StandardInferenceModel.
template <class S>
class BottomUpInferenceModel {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// An encoder for D = observed_dim and level dimensions d_ℓ (bottom first), φ initialised from
  /// `seed`.
  /// @throws iai::invalid_argument if observed_dim < 1, level_dims is empty or has an entry < 1,
  ///         or config.hidden is neither empty nor one width ≥ 1 per level.
  BottomUpInferenceModel(Index observed_dim, std::vector<Index> level_dims,
                         BottomUpConfig config = {}, std::uint64_t seed = 0)
      : observed_(observed_dim),
        dims_(std::move(level_dims)),
        config_(std::move(config)),
        phi_(makeLevels(observed_dim, dims_, config_)),
        offsets_(detail::levelOffsets(dims_)) {
    Rng rng(seed);
    levelList().initialize(rng);  // level 0 first; each network, then its heads
  }

  /// Rows of the stacked λ, Σ_ℓ d_ℓ.
  Index latentDim() const { return offsets_.back(); }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// The number of levels L.
  Index levels() const { return static_cast<Index>(dims_.size()); }
  /// Rows d_ℓ of level l (0 = next to x).
  /// @throws iai::invalid_argument unless 0 ≤ l < levels().
  Index levelDim(Index l) const { return dims_.at(checkLevel("levelDim", l)); }
  /// First row of level l in the stacked λ.
  /// @throws iai::invalid_argument unless 0 ≤ l < levels().
  Index levelOffset(Index l) const { return offsets_.at(checkLevel("levelOffset", l)); }
  /// The configuration it was made with.
  const BottomUpConfig& config() const { return config_; }
  /// φ: all encoder parameters in one flat vector.
  Vector<S>& phi() { return phi_.values(); }
  /// φ: all encoder parameters in one flat vector.
  const Vector<S>& phi() const { return phi_.values(); }
  /// The gradient buffer of φ (same layout), accumulated by backward().
  Vector<S>& gradPhi() { return phi_.gradient(); }

  /// λ (stacked) with ε ~ N(0, I) from rng for the samples fed upwards (level by level, bottom
  /// first; the top level draws none). Caches for backward().
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var, Rng& rng) {
    run(x, mean, log_var, &rng);
  }
  /// Deterministic: ε = 0, level ℓ + 1 reads the mean of level ℓ.
  void infer(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var) {
    run(x, mean, log_var, nullptr);
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean_j⟩ + ⟨grad_log_var_j, log_var_j⟩ (stacked), including
  /// the paths through the samples into the lower levels. Follows infer().
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index d = latentDim();
    const Index b = levelList()[0].encoder.batch();
    IAI_CHECK(b >= 1, "BottomUpInferenceModel::backward", "the cached batch", "empty",
              "filled by infer() first");
    detail::checkShape("BottomUpInferenceModel::backward", "grad_mean", grad_mean.rows(),
                       grad_mean.cols(), d, b, "latentDim() × the batch of the preceding infer()");
    detail::checkShape("BottomUpInferenceModel::backward", "grad_log_var", grad_log_var.rows(),
                       grad_log_var.cols(), d, b,
                       "latentDim() × the batch of the preceding infer()");
    for (std::size_t l = 0; l < dims_.size(); ++l) {
      detail::BottomUpLevel<S>& lv = levelList()[l];
      lv.grad_mean = grad_mean.middleRows(offsets_[l], dims_[l]);
      lv.grad_log_var = grad_log_var.middleRows(offsets_[l], dims_[l]);
    }
    for (std::size_t l = dims_.size(); l-- > 0;) {
      detail::BottomUpLevel<S>& lv = levelList()[l];
      if (l == 0) {
        lv.encoder.backward(lv.input, lv.grad_mean, lv.grad_log_var);
        break;
      }
      // into z_{ℓ−1} and through the reparameterisation into λ_{ℓ−1} (the clamp of log_var is
      // part of sampleBackward's mask, reading the heads' raw output)
      detail::BottomUpLevel<S>& below = levelList()[l - 1];
      const Index dk = dims_[l - 1];
      lv.d_input.resize(dk, b);
      lv.encoder.backward(lv.input, lv.grad_mean, lv.grad_log_var, lv.d_input);
      lv.tmp_mean.resize(dk, b);
      lv.tmp_log_var.resize(dk, b);
      DiagonalGaussian<S>::sampleBackward(below.encoder.output().bottomRows(dk), below.eps,
                                          lv.d_input, lv.tmp_mean, lv.tmp_log_var);
      below.grad_mean += lv.tmp_mean;
      below.grad_log_var += lv.tmp_log_var;
    }
  }

 private:
  using Levels = nn::ComponentList<detail::BottomUpLevel<S>>;

  static Levels makeLevels(Index observed, const std::vector<Index>& dims,
                           const BottomUpConfig& config) {
    const char* fn = "BottomUpInferenceModel";
    IAI_CHECK(observed >= 1, fn, "observed_dim", observed, "≥ 1");
    const std::vector<Index> hidden =
        detail::levelHidden(fn, dims, config.hidden, config.network.hidden);
    std::vector<detail::BottomUpLevel<S>> levels;
    levels.reserve(dims.size());
    for (std::size_t l = 0; l < dims.size(); ++l)
      levels.emplace_back(l == 0 ? observed : dims[l - 1], hidden[l], config.network.layers,
                          dims[l]);
    return Levels(std::move(levels));
  }

  void run(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> log_var, Rng* rng) {
    const char* fn = "BottomUpInferenceModel::infer";
    const Index b = x.cols(), d = latentDim();
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(b >= 1, fn, "x.cols()", b, "≥ 1 (a non-empty batch)");
    detail::checkShape(fn, "mean", mean.rows(), mean.cols(), d, b);
    detail::checkShape(fn, "log_var", log_var.rows(), log_var.cols(), d, b);
    for (std::size_t l = 0; l < dims_.size(); ++l) {
      detail::BottomUpLevel<S>& lv = levelList()[l];
      const Index dl = dims_[l];
      if (l == 0) {
        lv.input.resize(observed_, b);
        lv.input.array() = x.array() - static_cast<S>(config_.network.input_offset);
      } else {
        // z_{ℓ−1} = mean_{ℓ−1} + exp(½ log_var_{ℓ−1}) ⊙ ε_{ℓ−1}
        detail::BottomUpLevel<S>& below = levelList()[l - 1];
        const Index dk = dims_[l - 1];
        below.eps.resize(dk, b);
        if (rng != nullptr) {
          fillNormal(*rng, below.eps);
        } else {
          below.eps.setZero();
        }
        lv.input.resize(dk, b);
        DiagonalGaussian<S>::sample(mean.middleRows(offsets_[l - 1], dk),
                                    log_var.middleRows(offsets_[l - 1], dk), below.eps, lv.input);
      }
      lv.encoder.forward(lv.input, mean.middleRows(offsets_[l], dl),
                         log_var.middleRows(offsets_[l], dl));
    }
  }
  std::size_t checkLevel(const char* member, Index l) const {
    IAI_CHECK(l >= 0 && l < levels(), std::string("BottomUpInferenceModel::") + member, "level", l,
              "in [0, levels() = " + std::to_string(levels()) + ")");
    return static_cast<std::size_t>(l);
  }
  Levels& levelList() { return phi_.template get<0>(); }
  const Levels& levelList() const { return phi_.template get<0>(); }

  Index observed_;
  std::vector<Index> dims_;
  BottomUpConfig config_;
  nn::BoundParameters<S, Levels> phi_;  // φ = [level 0 | level 1 | …], one flat vector
  std::vector<Index> offsets_;
};

static_assert(concepts::InferenceModel<BottomUpInferenceModel<double>>);

}  // namespace iai
