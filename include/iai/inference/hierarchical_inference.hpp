#pragma once
// Inference models for hierarchical latent Gaussian models (Marino et al. 2018, Sec. 4.1), with
// L levels z_1 … z_L (level ℓ = 0 … L − 1, ℓ = 0 next to x) and λ stacked level by level: level ℓ
// in rows [o_ℓ, o_ℓ + d_ℓ), o_ℓ = Σ_{k<ℓ} d_k (see models/concepts.hpp).
//
//   HierarchicalIterativeInferenceModel  one iterative update (Eq. 6) per level. Level ℓ reads
//     x − offset (ℓ = 0 only), its λ_ℓ, its slice of ∇_λ L and, with errors, the bottom-up error
//     below it (ε_x for ℓ = 0, ε_z^{ℓ−1} above) and its own top-down error ε_z^ℓ: the two terms
//     of ∇_{μ_ℓ} L = J^ℓᵀ ε_z^{ℓ−1} − ε_z^ℓ (Sec. 4.1), J^ℓ the Jacobian of level ℓ−1's prior
//     mean. With one level it is IterativeInferenceModel.
//   BottomUpInferenceModel  the standard hierarchical encoder (the paper's baseline): level 0 maps
//     x − offset to λ_0; level ℓ > 0 maps the sample z_{ℓ−1} = μ_{ℓ−1} + σ_{ℓ−1} ⊙ ε to λ_ℓ.
//     backward() follows the samples down (reparameterisation). With one level it is
//     StandardInferenceModel.
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
#include "iai/inference/iterative_inference_model.hpp"
#include "iai/inference/standard_inference_model.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

namespace detail {

/// Checks level_dims / per-level hidden widths and returns the hidden width of every level.
inline std::vector<Index> levelHidden(const char* fn, const std::vector<Index>& level_dims,
                                      const std::vector<Index>& hidden, Index default_hidden) {
  IAI_CHECK(!level_dims.empty(), fn, "level_dims.size()", level_dims.size(), "≥ 1");
  for (std::size_t l = 0; l < level_dims.size(); ++l)
    IAI_CHECK(level_dims[l] >= 1, fn, "level_dims[" + std::to_string(l) + "]", level_dims[l],
              "≥ 1");
  if (hidden.empty()) return std::vector<Index>(level_dims.size(), default_hidden);
  IAI_CHECK(hidden.size() == level_dims.size(), fn, "config.hidden.size()", hidden.size(),
            "0 or the number of levels " + std::to_string(level_dims.size()));
  for (std::size_t l = 0; l < hidden.size(); ++l)
    IAI_CHECK(hidden[l] >= 1, fn, "config.hidden[" + std::to_string(l) + "]", hidden[l], "≥ 1");
  return hidden;
}

/// o_ℓ = Σ_{k<ℓ} d_k for ℓ = 0 … L (o_L = Σ d).
inline std::vector<Index> levelOffsets(const std::vector<Index>& level_dims) {
  std::vector<Index> offsets(level_dims.size() + 1, 0);
  for (std::size_t l = 0; l < level_dims.size(); ++l) offsets[l + 1] = offsets[l] + level_dims[l];
  return offsets;
}

inline void checkMatrixShape(const char* fn, const char* arg, Index rows, Index cols, Index r,
                             Index c) {
  IAI_CHECK(rows == r && cols == c, fn, arg, std::to_string(rows) + "x" + std::to_string(cols),
            "of shape " + std::to_string(r) + "x" + std::to_string(c));
}
template <class S>
void checkSignal(const char* fn, const char* arg, const Matrix<S>* m, Index r, Index c) {
  IAI_CHECK(m != nullptr, fn, arg, "null", "set (the model's configuration reads it)");
  checkMatrixShape(fn, arg, m->rows(), m->cols(), r, c);
}

}  // namespace detail

/// Per-level configuration of HierarchicalIterativeInferenceModel.
struct HierarchicalIterativeConfig {
  IterativeInferenceConfig level{};  ///< every level (data is read by level 0 only)
  /// Hidden width per level; empty = level.network.hidden for all (authors' MNIST: {512, 256}).
  std::vector<Index> hidden{};
};

template <class S>
class HierarchicalIterativeInferenceModel {
 public:
  using Scalar = S;

  HierarchicalIterativeInferenceModel(Index observed_dim, std::vector<Index> level_dims,
                                      HierarchicalIterativeConfig config = {},
                                      std::uint64_t seed = 0)
      : observed_(observed_dim),
        dims_(std::move(level_dims)),
        config_(std::move(config)),
        phi_(makeLevels(observed_dim, dims_, config_)),
        offsets_(detail::levelOffsets(dims_)),
        buffers_(dims_.size()) {
    Rng rng(seed);
    levelList().initialize(rng);  // level 0 first; each network, then its heads
  }

  Index latentDim() const { return offsets_.back(); }
  Index observedDim() const { return observed_; }
  Index levels() const { return static_cast<Index>(dims_.size()); }
  Index levelDim(Index l) const { return dims_.at(checkLevel("levelDim", l)); }
  /// o_ℓ: the first row of level ℓ in every stacked matrix.
  Index levelOffset(Index l) const { return offsets_.at(checkLevel("levelOffset", l)); }
  /// The update of level ℓ (its inputSize(), config(), ...).
  const IterativeUpdate<S>& level(Index l) const { return levelList()[checkLevel("level", l)]; }
  const HierarchicalIterativeConfig& config() const { return config_; }
  Vector<S>& phi() { return phi_.values(); }
  const Vector<S>& phi() const { return phi_.values(); }
  Vector<S>& gradPhi() { return phi_.gradient(); }

  SignalRequest signals() const { return levelList()[0].signals(); }

  /// λ_{t+1} level by level from the stacked signals of λ_t; caches what backward() needs.
  void update(const InferenceSignals<S>& u, MatrixRef<S> mean_next, MatrixRef<S> log_var_next) {
    const char* fn = "HierarchicalIterativeInferenceModel::update";
    const IterativeInferenceConfig& c = config_.level;
    IAI_CHECK(u.mean != nullptr && u.log_var != nullptr, fn, "signals.mean/log_var", "null",
              "set (λ_t is always needed)");
    const Index b = u.mean->cols(), d = latentDim();
    IAI_CHECK(b >= 1, fn, "batch", b, "≥ 1");
    detail::checkSignal(fn, "signals.mean", u.mean, d, b);
    detail::checkSignal(fn, "signals.log_var", u.log_var, d, b);
    detail::checkMatrixShape(fn, "mean_next", mean_next.rows(), mean_next.cols(), d, b);
    detail::checkMatrixShape(fn, "log_var_next", log_var_next.rows(), log_var_next.cols(), d, b);
    if (c.data) detail::checkSignal(fn, "signals.x", u.x, observed_, b);
    const bool gradients = c.gradient != GradientEncoding::None;
    if (gradients) {
      detail::checkSignal(fn, "signals.grad_mean", u.grad_mean, d, b);
      detail::checkSignal(fn, "signals.grad_log_var", u.grad_log_var, d, b);
    }
    if (c.errors) {
      detail::checkSignal(fn, "signals.error_x", u.error_x, observed_, b);
      detail::checkSignal(fn, "signals.error_z", u.error_z, d, b);
    }

    for (std::size_t l = 0; l < dims_.size(); ++l) {
      const Index o = offsets_[l], dl = dims_[l];
      LevelBuffers& buf = buffers_[l];
      InferenceSignals<S> v;
      v.x = (l == 0) ? u.x : nullptr;
      buf.mean = u.mean->middleRows(o, dl);
      buf.log_var = u.log_var->middleRows(o, dl);
      v.mean = &buf.mean;
      v.log_var = &buf.log_var;
      if (gradients) {
        buf.grad_mean = u.grad_mean->middleRows(o, dl);
        buf.grad_log_var = u.grad_log_var->middleRows(o, dl);
        v.grad_mean = &buf.grad_mean;
        v.grad_log_var = &buf.grad_log_var;
      }
      if (c.errors) {
        if (l == 0) {
          v.error_x = u.error_x;  // bottom-up error ε_x
        } else {
          buf.error_below = u.error_z->middleRows(offsets_[l - 1], dims_[l - 1]);  // ε_z^{ℓ−1}
          v.error_x = &buf.error_below;
        }
        buf.error_z = u.error_z->middleRows(o, dl);  // top-down error ε_z^ℓ
        v.error_z = &buf.error_z;
      }
      levelList()[l].update(v, mean_next.middleRows(o, dl), log_var_next.middleRows(o, dl));
    }
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean'_j⟩ + ⟨grad_log_var_j, log_var'_j⟩ (stacked) through
  /// this step only (λ_t and the signals are constants). Follows update().
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index d = latentDim();
    const Index b = buffers_[0].mean.cols();
    IAI_CHECK(b >= 1, "HierarchicalIterativeInferenceModel::backward", "the cached batch", "empty",
              "filled by update() first");
    IAI_CHECK(grad_mean.rows() == d && grad_mean.cols() == b && grad_log_var.rows() == d &&
                  grad_log_var.cols() == b,
              "HierarchicalIterativeInferenceModel::backward", "grad_mean/grad_log_var shape",
              std::to_string(grad_mean.rows()) + "x" + std::to_string(grad_mean.cols()),
              "latentDim() × the batch of the preceding update()");
    for (std::size_t l = 0; l < dims_.size(); ++l)
      levelList()[l].backward(grad_mean.middleRows(offsets_[l], dims_[l]),
                              grad_log_var.middleRows(offsets_[l], dims_[l]));
  }

 private:
  using Levels = nn::ComponentList<IterativeUpdate<S>>;
  struct LevelBuffers {
    Matrix<S> mean, log_var, grad_mean, grad_log_var, error_below, error_z;
  };

  static Levels makeLevels(Index observed, const std::vector<Index>& dims,
                           const HierarchicalIterativeConfig& config) {
    const char* fn = "HierarchicalIterativeInferenceModel";
    IAI_CHECK(observed >= 1, fn, "observed_dim", observed, "≥ 1");
    const std::vector<Index> hidden =
        detail::levelHidden(fn, dims, config.hidden, config.level.network.hidden);
    std::vector<IterativeUpdate<S>> levels;
    levels.reserve(dims.size());
    for (std::size_t l = 0; l < dims.size(); ++l) {
      IterativeInferenceConfig c = config.level;
      c.network.hidden = hidden[l];
      c.data = (l == 0) && config.level.data;
      levels.emplace_back(l == 0 ? observed : dims[l - 1], dims[l], c, fn);
    }
    return Levels(std::move(levels));
  }
  std::size_t checkLevel(const char* member, Index l) const {
    IAI_CHECK(l >= 0 && l < levels(), std::string("HierarchicalIterativeInferenceModel::") + member,
              "level", l, "in [0, levels() = " + std::to_string(levels()) + ")");
    return static_cast<std::size_t>(l);
  }
  Levels& levelList() { return phi_.template get<0>(); }
  const Levels& levelList() const { return phi_.template get<0>(); }

  Index observed_;
  std::vector<Index> dims_;
  HierarchicalIterativeConfig config_;
  nn::BoundParameters<S, Levels> phi_;  // φ = [level 0 | level 1 | …], one flat vector
  std::vector<Index> offsets_;
  std::vector<LevelBuffers> buffers_;
};

/// Configuration of BottomUpInferenceModel.
struct BottomUpConfig {
  InferenceNetworkConfig network{};  ///< every level (input_offset applies to x at level 0)
  std::vector<Index> hidden{};       ///< hidden width per level; empty = network.hidden for all
};

namespace detail {

/// One level of the bottom-up encoder: highway MLP and heads [mean; log_var] (a component).
template <class S>
struct BottomUpLevel {
  BottomUpLevel(Index in, Index hidden, Index layers, Index latent)
      : net(in, hidden, layers), heads(hidden, 2 * latent) {}
  Index parameterCount() const { return net.parameterCount() + heads.parameterCount(); }
  void bind(S* params, S* grads) {
    const Index n = net.parameterCount();
    net.bind(params, grads);
    heads.bind(params + n, grads != nullptr ? grads + n : nullptr);
  }
  void initialize(Rng& rng) {
    net.initialize(rng);
    heads.initialize(rng);
  }

  nn::HighwayMlp<S> net;
  nn::Linear<S> heads;
  // input (x − offset at level 0, the sample z_{ℓ−1} above), heads' output, noise ε_ℓ used for
  // the sample fed upwards, backward workspaces
  Matrix<S> input, out, eps, d_out, dh, d_input, grad_mean, grad_log_var, tmp_mean, tmp_log_var;
};

}  // namespace detail

template <class S>
class BottomUpInferenceModel {
 public:
  using Scalar = S;

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

  Index latentDim() const { return offsets_.back(); }
  Index observedDim() const { return observed_; }
  Index levels() const { return static_cast<Index>(dims_.size()); }
  Index levelDim(Index l) const { return dims_.at(checkLevel("levelDim", l)); }
  Index levelOffset(Index l) const { return offsets_.at(checkLevel("levelOffset", l)); }
  const BottomUpConfig& config() const { return config_; }
  Vector<S>& phi() { return phi_.values(); }
  const Vector<S>& phi() const { return phi_.values(); }
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
    const Index b = levelList()[0].out.cols();
    IAI_CHECK(b >= 1, "BottomUpInferenceModel::backward", "the cached batch", "empty",
              "filled by infer() first");
    IAI_CHECK(grad_mean.rows() == d && grad_mean.cols() == b && grad_log_var.rows() == d &&
                  grad_log_var.cols() == b,
              "BottomUpInferenceModel::backward", "grad_mean/grad_log_var shape",
              std::to_string(grad_mean.rows()) + "x" + std::to_string(grad_mean.cols()),
              "latentDim() × the batch of the preceding infer()");
    for (std::size_t l = 0; l < dims_.size(); ++l) {
      detail::BottomUpLevel<S>& lv = levelList()[l];
      lv.grad_mean = grad_mean.middleRows(offsets_[l], dims_[l]);
      lv.grad_log_var = grad_log_var.middleRows(offsets_[l], dims_[l]);
    }
    for (std::size_t l = dims_.size(); l-- > 0;) {
      detail::BottomUpLevel<S>& lv = levelList()[l];
      const Index dl = dims_[l];
      lv.d_out.resize(2 * dl, b);
      lv.d_out.topRows(dl) = lv.grad_mean;
      lv.d_out.bottomRows(dl).array() =
          lv.grad_log_var.array() * DiagonalGaussian<S>::clampMask(lv.out.bottomRows(dl));
      lv.dh.resize(lv.net.outputSize(), b);
      lv.heads.backward(lv.net.output(), lv.out, lv.d_out, lv.dh, ParamGrad::Accumulate);
      if (l == 0) {
        lv.net.backward(lv.input, lv.dh, ParamGrad::Accumulate);
        break;
      }
      // into z_{ℓ−1} and through the reparameterisation into λ_{ℓ−1} (the clamp of log_var is
      // part of sampleBackward's mask, reading the heads' raw output)
      detail::BottomUpLevel<S>& below = levelList()[l - 1];
      const Index dk = dims_[l - 1];
      lv.d_input.resize(dk, b);
      lv.net.backward(lv.input, lv.dh, lv.d_input, ParamGrad::Accumulate);
      lv.tmp_mean.resize(dk, b);
      lv.tmp_log_var.resize(dk, b);
      DiagonalGaussian<S>::sampleBackward(below.out.bottomRows(dk), below.eps, lv.d_input,
                                          lv.tmp_mean, lv.tmp_log_var);
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
    detail::checkMatrixShape(fn, "mean", mean.rows(), mean.cols(), d, b);
    detail::checkMatrixShape(fn, "log_var", log_var.rows(), log_var.cols(), d, b);
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
      const Matrix<S>& h = lv.net.forward(lv.input);
      lv.out.resize(2 * dl, b);
      lv.heads.forward(h, lv.out);
      mean.middleRows(offsets_[l], dl) = lv.out.topRows(dl);
      log_var.middleRows(offsets_[l], dl) =
          DiagonalGaussian<S>::clamped(lv.out.bottomRows(dl)).matrix();
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

static_assert(concepts::IterativeInferenceModel<HierarchicalIterativeInferenceModel<float>>);
static_assert(concepts::InferenceModel<BottomUpInferenceModel<double>>);

}  // namespace iai
