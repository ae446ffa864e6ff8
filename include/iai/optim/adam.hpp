#pragma once
// Adam (Kingma & Ba 2015), PyTorch semantics (torch.optim.Adam, no weight decay/amsgrad),
// m₀ = v₀ = 0, t = number of steps taken including this one:
//   m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
//   p ← p − lr·m̂ / (√v̂ + ε),   m̂ = m / (1 − β1ᵗ),   v̂ = v / (1 − β2ᵗ)
// computed as p − (lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + ε), as PyTorch does.
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/types.hpp"
#include "iai/optim/concepts.hpp"
#include "iai/optim/detail.hpp"

namespace iai::optim {

/// Settings of Adam (the authors use lr 2e-4 for MNIST and 1e-4 for CIFAR-10/RCV1).
struct AdamConfig {
  double learning_rate = 1e-3;  ///< lr > 0
  double beta1 = 0.9;           ///< β1 in [0, 1)
  double beta2 = 0.999;         ///< β2 in [0, 1)
  double epsilon = 1e-8;        ///< ε > 0, added to √v̂
};

/// Adam over a flat parameter vector of parameterCount() entries (see the file comment).
/// State is allocated once, in the constructor; step() does not allocate.
template <class S>
class Adam : public detail::OptimizerBase<Adam<S>, S, AdamConfig> {
  using Base = detail::OptimizerBase<Adam<S>, S, AdamConfig>;
  using Base::config_;
  using Base::parameter_count_;
  using Base::steps_;

 public:
  using typename Base::Config;
  using typename Base::Scalar;
  using Base::step;
  /// The name in error messages.
  static constexpr const char* kName = "Adam";

  /// @throws iai::invalid_argument if a setting is out of range or parameter_count < 1.
  Adam(const AdamConfig& config, Index parameter_count)
      : Base(config, parameter_count) {
    detail::checkDecay("Adam::Adam", "config.beta1", config.beta1);
    detail::checkDecay("Adam::Adam", "config.beta2", config.beta2);
    detail::checkEpsilon("Adam::Adam", "config.epsilon", config.epsilon);
    m_.setZero(parameter_count);
    v_.setZero(parameter_count);
  }

  /// One update of any dense params with size() == parameterCount(); grad must have params'
  /// shape. Entries are matched to the state in column-major order.
  /// @throws iai::invalid_argument on a size or shape mismatch.
  template <class P, class G>
  void step(Eigen::DenseBase<P>& params, const Eigen::DenseBase<G>& grad) {
    detail::checkStep<S>("Adam::step", params, grad, parameter_count_);
    ++steps_;
    const double t = static_cast<double>(steps_);
    const double bias1 = 1.0 - std::pow(config_.beta1, t);
    const double bias2 = 1.0 - std::pow(config_.beta2, t);
    // 1 − β in double, then rounded once (as PyTorch): float(1) − float(0.999) is off by 1e-5.
    const S beta1 = static_cast<S>(config_.beta1);
    const S one_minus_beta1 = static_cast<S>(1.0 - config_.beta1);
    const S beta2 = static_cast<S>(config_.beta2);
    const S one_minus_beta2 = static_cast<S>(1.0 - config_.beta2);
    const S step_size = static_cast<S>(config_.learning_rate / bias1);
    const S sqrt_bias2 = static_cast<S>(std::sqrt(bias2));
    const S eps = static_cast<S>(config_.epsilon);
    auto p = params.reshaped();
    const auto g = grad.reshaped();
    // one fused pass per block (memory-bound), blocks fixed by the size (core/parallel.hpp)
    iai::detail::forEachBlock(m_.size(), 1, [&](Index begin, Index n) {
      auto m = m_.segment(begin, n).array();
      auto v = v_.segment(begin, n).array();
      const auto gb = g.segment(begin, n).array();
      m = beta1 * m + one_minus_beta1 * gb;
      v = beta2 * v + one_minus_beta2 * gb.square();
      p.segment(begin, n).array() -= step_size * m / (v.sqrt() / sqrt_bias2 + eps);
    });
  }

  /// Checkpoint state: {&m, &v}; steps() gives t.
  std::vector<Vector<S>*> stateBuffers() { return {&m_, &v_}; }

 private:
  Vector<S> m_;  // first moment
  Vector<S> v_;  // second moment
};

static_assert(concepts::Optimizer<Adam<float>>);
static_assert(concepts::Optimizer<Adam<double>>);

}  // namespace iai::optim
