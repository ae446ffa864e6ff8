#pragma once
// Stochastic gradient descent with optional (Nesterov) momentum, PyTorch semantics
// (torch.optim.SGD without dampening or weight decay), buffer b₀ = 0:
//   b ← μ b + g;   p ← p − lr·b           (heavy ball)
//                  p ← p − lr·(g + μ b)   (Nesterov)
//   p ← p − lr·g                          (μ = 0: no buffer)
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"
#include "iai/optim/concepts.hpp"
#include "iai/optim/detail.hpp"

namespace iai::optim {

/// Settings of Sgd.
struct SgdConfig {
  double learning_rate = 1e-2;  ///< lr > 0
  double momentum = 0.0;        ///< μ in [0, 1); 0 disables the momentum buffer
  bool nesterov = false;        ///< Nesterov momentum; needs momentum > 0
};

/// SGD over a flat parameter vector of parameterCount() entries (see the file comment).
/// The momentum buffer is allocated once, in the constructor; step() does not allocate.
template <class S>
class Sgd : public detail::OptimizerBase<Sgd<S>, S, SgdConfig> {
  using Base = detail::OptimizerBase<Sgd<S>, S, SgdConfig>;
  using Base::config_;
  using Base::parameter_count_;
  using Base::steps_;

 public:
  using typename Base::Config;
  using typename Base::Scalar;
  using Base::step;
  /// The name in error messages.
  static constexpr const char* kName = "Sgd";

  /// @throws iai::invalid_argument if a setting is out of range or parameter_count < 1.
  Sgd(const SgdConfig& config, Index parameter_count)
      : Base(config, parameter_count) {
    detail::checkDecay("Sgd::Sgd", "config.momentum", config.momentum);
    IAI_CHECK(!config.nesterov || config.momentum > 0.0, "Sgd::Sgd", "config.momentum",
              config.momentum, "positive when config.nesterov is true");
    if (config.momentum > 0.0) momentum_.setZero(parameter_count);
  }

  /// One update params ← params − lr·(...) of any dense params (vector, matrix, block, map)
  /// with size() == parameterCount(); grad must have params' shape. Entries are matched to the
  /// state in column-major order.
  /// @throws iai::invalid_argument on a size or shape mismatch.
  template <class P, class G>
  void step(Eigen::DenseBase<P>& params, const Eigen::DenseBase<G>& grad) {
    detail::checkStep<S>("Sgd::step", params, grad, parameter_count_);
    auto p = params.reshaped();
    const auto g = grad.reshaped();
    const S lr = static_cast<S>(config_.learning_rate);
    if (momentum_.size() == 0) {
      p.array() -= lr * g.array();
    } else {
      const S mu = static_cast<S>(config_.momentum);
      momentum_.array() = mu * momentum_.array() + g.array();
      if (config_.nesterov)
        p.array() -= lr * (g.array() + mu * momentum_.array());
      else
        p.array() -= lr * momentum_.array();
    }
    ++steps_;
  }

  /// Checkpoint state: {&momentum} with momentum, empty without.
  std::vector<Vector<S>*> stateBuffers() {
    if (momentum_.size() == 0) return {};
    return {&momentum_};
  }

 private:
  Vector<S> momentum_;  // b, empty when config_.momentum == 0
};

static_assert(concepts::Optimizer<Sgd<float>>);
static_assert(concepts::Optimizer<Sgd<double>>);

}  // namespace iai::optim
