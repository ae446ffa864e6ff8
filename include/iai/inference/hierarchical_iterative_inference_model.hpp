#pragma once
// The iterative inference model of a hierarchical latent Gaussian model (paper Sec. 4.1): one
// iterative update (Eq. 6) per level, λ stacked level by level (inference/levels.hpp). Level ℓ
// reads x − offset (ℓ = 0 only), its λ_ℓ, its slice of ∇_λ L and, with errors, the bottom-up
// error below it (ε_x for ℓ = 0, ε_z^{ℓ−1} above) and its own top-down error ε_z^ℓ: the two
// terms of ∇_{μ_ℓ} L = J^ℓᵀ ε_z^{ℓ−1} − ε_z^ℓ (docs/derivations.md §4.5), J^ℓ the Jacobian of
// level ℓ−1's prior mean. Each level reads its rows of the stacked signals as views (no copies).
// With one level it is IterativeInferenceModel.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/iterative_inference_model.hpp"
#include "iai/inference/levels.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// Per-level configuration of HierarchicalIterativeInferenceModel.
struct HierarchicalIterativeConfig {
  IterativeInferenceConfig level{};  ///< every level (data is read by level 0 only)
  /// Hidden width per level; empty = level.network.hidden for all (authors' MNIST: {512, 256}).
  std::vector<Index> hidden{};
};

/// The iterative inference model of a hierarchical model (Sec. 4.1): one IterativeUpdate (Eq. 6)
/// per level, λ = (mean, log_var) stacked level by level; level ℓ reads its rows of the stacked
/// signals. With one level it is IterativeInferenceModel.
template <class S>
class HierarchicalIterativeInferenceModel {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// A model for D = observed_dim and level dimensions d_ℓ (bottom first), φ initialised from
  /// `seed`.
  /// @throws iai::invalid_argument if observed_dim < 1, level_dims is empty or has an entry < 1,
  ///         config.hidden is neither empty nor one width ≥ 1 per level, or a level has no inputs.
  HierarchicalIterativeInferenceModel(Index observed_dim, std::vector<Index> level_dims,
                                      HierarchicalIterativeConfig config = {},
                                      std::uint64_t seed = 0)
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
  /// o_ℓ: the first row of level ℓ in every stacked matrix.
  Index levelOffset(Index l) const { return offsets_.at(checkLevel("levelOffset", l)); }
  /// The update of level ℓ (its inputSize(), config(), ...).
  const IterativeUpdate<S>& level(Index l) const { return levelList()[checkLevel("level", l)]; }
  /// The configuration it was made with.
  const HierarchicalIterativeConfig& config() const { return config_; }
  /// φ: the parameters of every level in one flat vector.
  Vector<S>& phi() { return phi_.values(); }
  /// φ: the parameters of every level in one flat vector.
  const Vector<S>& phi() const { return phi_.values(); }
  /// The gradient buffer of φ (same layout), accumulated by backward().
  Vector<S>& gradPhi() { return phi_.gradient(); }

  /// The signals it reads (those of level 0's configuration, shared by every level).
  SignalRequest signals() const { return levelList()[0].signals(); }

  /// λ_{t+1} level by level from the stacked signals of λ_t; caches what backward() needs.
  void update(const InferenceSignals<S>& u, MatrixRef<S> mean_next, MatrixRef<S> log_var_next) {
    const char* fn = "HierarchicalIterativeInferenceModel::update";
    const IterativeInferenceConfig& c = config_.level;
    IAI_CHECK(u.mean && u.log_var, fn, "signals.mean/log_var", "empty",
              "set (λ_t is always needed)");
    const Index b = u.mean->cols(), d = latentDim();
    IAI_CHECK(b >= 1, fn, "batch", b, "≥ 1");
    detail::checkSignal<S>(fn, "signals.mean", u.mean, d, b);
    detail::checkSignal<S>(fn, "signals.log_var", u.log_var, d, b);
    detail::checkShape(fn, "mean_next", mean_next.rows(), mean_next.cols(), d, b);
    detail::checkShape(fn, "log_var_next", log_var_next.rows(), log_var_next.cols(), d, b);
    if (c.data) detail::checkSignal<S>(fn, "signals.x", u.x, observed_, b);
    const bool gradients = c.gradient != GradientEncoding::None;
    if (gradients) {
      detail::checkSignal<S>(fn, "signals.grad_mean", u.grad_mean, d, b);
      detail::checkSignal<S>(fn, "signals.grad_log_var", u.grad_log_var, d, b);
    }
    if (c.errors) {
      detail::checkSignal<S>(fn, "signals.error_x", u.error_x, observed_, b);
      detail::checkSignal<S>(fn, "signals.error_z", u.error_z, d, b);
    }

    // each level reads its rows of the stacked signals as views (no copies)
    for (std::size_t l = 0; l < dims_.size(); ++l) {
      const Index o = offsets_[l], dl = dims_[l];
      InferenceSignals<S> v;
      if (l == 0 && u.x) v.x.emplace(*u.x);
      v.mean.emplace(u.mean->middleRows(o, dl));
      v.log_var.emplace(u.log_var->middleRows(o, dl));
      if (gradients) {
        v.grad_mean.emplace(u.grad_mean->middleRows(o, dl));
        v.grad_log_var.emplace(u.grad_log_var->middleRows(o, dl));
      }
      if (c.errors) {
        if (l == 0) {
          v.error_x.emplace(*u.error_x);  // bottom-up error ε_x
        } else {
          v.error_x.emplace(u.error_z->middleRows(offsets_[l - 1], dims_[l - 1]));  // ε_z^{ℓ−1}
        }
        v.error_z.emplace(u.error_z->middleRows(o, dl));  // top-down error ε_z^ℓ
      }
      levelList()[l].update(v, mean_next.middleRows(o, dl), log_var_next.middleRows(o, dl));
    }
    batch_ = b;
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean'_j⟩ + ⟨grad_log_var_j, log_var'_j⟩ (stacked) through
  /// this step only (λ_t and the signals are constants). Follows update().
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index d = latentDim();
    const Index b = batch_;
    const char* fn = "HierarchicalIterativeInferenceModel::backward";
    IAI_CHECK(b >= 1, fn, "the cached batch", "empty", "filled by update() first");
    detail::checkShape(fn, "grad_mean", grad_mean.rows(), grad_mean.cols(), d, b,
                       "latentDim() × the batch of the preceding update()");
    detail::checkShape(fn, "grad_log_var", grad_log_var.rows(), grad_log_var.cols(), d, b,
                       "latentDim() × the batch of the preceding update()");
    for (std::size_t l = 0; l < dims_.size(); ++l)
      levelList()[l].backward(grad_mean.middleRows(offsets_[l], dims_[l]),
                              grad_log_var.middleRows(offsets_[l], dims_[l]));
  }

 private:
  using Levels = nn::ComponentList<IterativeUpdate<S>>;
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
  Index batch_ = 0;  // B of the last update()
};

static_assert(concepts::IterativeInferenceModel<HierarchicalIterativeInferenceModel<float>>);

}  // namespace iai
