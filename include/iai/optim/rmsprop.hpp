#pragma once
// RMSProp, PyTorch semantics (torch.optim.RMSprop, not centred), v₀ = 0, b₀ = 0:
//   v ← α v + (1 − α) g²
//   p ← p − lr·g / (√v + ε)                          (momentum μ = 0)
//   b ← μ b + g / (√v + ε);   p ← p − lr·b            (μ > 0)
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"
#include "iai/optim/concepts.hpp"
#include "iai/optim/detail.hpp"

namespace iai::optim {

/// Settings of RmsProp.
struct RmsPropConfig {
  double learning_rate = 1e-3;  ///< lr > 0
  double alpha = 0.99;          ///< α in [0, 1): decay of the running mean of g²
  double epsilon = 1e-8;        ///< ε > 0, added to √v
  double momentum = 0.0;        ///< μ in [0, 1); 0 disables the momentum buffer
};

/// RMSProp over a flat parameter vector of parameterCount() entries (see the file comment).
/// State is allocated once, in the constructor; step() does not allocate.
template <class S>
class RmsProp : public detail::OptimizerBase<RmsProp<S>, S, RmsPropConfig> {
  using Base = detail::OptimizerBase<RmsProp<S>, S, RmsPropConfig>;
  using Base::config_;
  using Base::parameter_count_;
  using Base::steps_;

 public:
  using typename Base::Config;
  using typename Base::Scalar;
  using Base::step;
  /// The name in error messages.
  static constexpr const char* kName = "RmsProp";

  /// @throws iai::invalid_argument if a setting is out of range or parameter_count < 1.
  RmsProp(const RmsPropConfig& config, Index parameter_count)
      : Base(config, parameter_count) {
    detail::checkDecay("RmsProp::RmsProp", "config.alpha", config.alpha);
    detail::checkEpsilon("RmsProp::RmsProp", "config.epsilon", config.epsilon);
    detail::checkDecay("RmsProp::RmsProp", "config.momentum", config.momentum);
    square_avg_.setZero(parameter_count);
    if (config.momentum > 0.0) momentum_.setZero(parameter_count);
  }

  /// One update of any dense params with size() == parameterCount(); grad must have params'
  /// shape. Entries are matched to the state in column-major order.
  /// @throws iai::invalid_argument on a size or shape mismatch.
  template <class P, class G>
  void step(Eigen::DenseBase<P>& params, const Eigen::DenseBase<G>& grad) {
    detail::checkStep<S>("RmsProp::step", params, grad, parameter_count_);
    auto p = params.reshaped();
    const auto g = grad.reshaped();
    const S lr = static_cast<S>(config_.learning_rate);
    const S alpha = static_cast<S>(config_.alpha);
    const S one_minus_alpha = static_cast<S>(1.0 - config_.alpha);  // in double, rounded once
    const S eps = static_cast<S>(config_.epsilon);
    square_avg_.array() = alpha * square_avg_.array() + one_minus_alpha * g.array().square();
    if (momentum_.size() == 0) {
      p.array() -= lr * g.array() / (square_avg_.array().sqrt() + eps);
    } else {
      const S mu = static_cast<S>(config_.momentum);
      momentum_.array() = mu * momentum_.array() + g.array() / (square_avg_.array().sqrt() + eps);
      p.array() -= lr * momentum_.array();
    }
    ++steps_;
  }

  /// Checkpoint state: {&v} or, with momentum, {&v, &b}.
  std::vector<Vector<S>*> stateBuffers() {
    if (momentum_.size() == 0) return {&square_avg_};
    return {&square_avg_, &momentum_};
  }

 private:
  Vector<S> square_avg_;  // v
  Vector<S> momentum_;    // b, empty when config_.momentum == 0
};

static_assert(concepts::Optimizer<RmsProp<float>>);
static_assert(concepts::Optimizer<RmsProp<double>>);

}  // namespace iai::optim
