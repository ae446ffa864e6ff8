#pragma once
// What the optimizers share: argument checks (always on: they run once per setting or per step)
// and OptimizerBase, the members every optimizer has.
#include <cmath>
#include <cstdint>
#include <vector>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai::optim::detail {

/// Decay rates (momentum, β1, β2, α) lie in [0, 1).
inline void checkDecay(std::string_view function, std::string_view argument, double value) {
  IAI_CHECK(value >= 0.0 && value < 1.0, function, argument, value, "in [0, 1)");
}

inline void checkEpsilon(std::string_view function, std::string_view argument, double epsilon) {
  IAI_CHECK(epsilon > 0.0 && std::isfinite(epsilon), function, argument, epsilon,
            "positive and finite");
}

using ::iai::detail::shapeString;

/// step(params, grad): same Scalar as the optimizer, params.size() == parameterCount() and
/// grad of params' shape (a transposed gradient is refused, not silently reordered).
template <class S, class P, class G>
void checkStep(std::string_view function, const Eigen::DenseBase<P>& params,
               const Eigen::DenseBase<G>& grad, Index parameter_count) {
  static_assert(std::is_same_v<typename P::Scalar, S>,
                "optimizer step: params must have the optimizer's Scalar type");
  static_assert(std::is_same_v<typename G::Scalar, S>,
                "optimizer step: grad must have the optimizer's Scalar type (cast it first)");
  IAI_CHECK(params.size() == parameter_count, function, "params.size()", params.size(),
            "parameterCount() = " + std::to_string(parameter_count));
  IAI_CHECK(grad.rows() == params.rows() && grad.cols() == params.cols(), function,
            "grad's shape", shapeString(grad.rows(), grad.cols()),
            "params' shape " + shapeString(params.rows(), params.cols()));
}

/// What every optimizer shares (CRTP): its Config with the learning rate, the parameter count,
/// the step count, the rvalue step() overload for blocks and maps, and reset() over the state
/// buffers. Derived provides `static constexpr const char* kName`, step(params&, grad) and
/// stateBuffers(), and brings the rvalue step() in with `using OptimizerBase::step;`.
template <class Derived, class S, class ConfigT>
class OptimizerBase {
 public:
  using Scalar = S;
  using Config = ConfigT;

  double learningRate() const { return config_.learning_rate; }
  /// @throws iai::invalid_argument unless learning_rate is positive and finite.
  void setLearningRate(double learning_rate) {
    // the message is built only on failure (IAI_CHECK evaluates it in its failure branch)
    IAI_CHECK(learning_rate > 0.0 && std::isfinite(learning_rate),
              std::string(Derived::kName) + "::setLearningRate", "learning_rate", learning_rate,
              "positive and finite");
    config_.learning_rate = learning_rate;
  }
  const Config& config() const { return config_; }
  Index parameterCount() const { return parameter_count_; }

  /// Number of steps taken (Adam's bias correction); saved in checkpoints.
  std::int64_t steps() const { return steps_; }
  /// @throws iai::invalid_argument if steps < 0.
  void setSteps(std::int64_t steps) {
    IAI_CHECK(steps >= 0, std::string(Derived::kName) + "::setSteps", "steps", steps,
              "non-negative");
    steps_ = steps;
  }
  /// Zero every state buffer and the step count.
  void reset() {
    for (Vector<S>* b : static_cast<Derived&>(*this).stateBuffers()) b->setZero();
    steps_ = 0;
  }

  /// Overload for temporaries such as blocks and maps: opt.step(theta.segment(a, n), g).
  template <class P, class G>
  void step(Eigen::DenseBase<P>&& params, const Eigen::DenseBase<G>& grad) {
    static_cast<Derived&>(*this).step(params, grad);
  }

 protected:
  /// Checks the learning rate and the parameter count (the derived constructor checks the rest).
  OptimizerBase(const Config& config, Index parameter_count)
      : config_(config), parameter_count_(parameter_count) {
    IAI_CHECK(config.learning_rate > 0.0 && std::isfinite(config.learning_rate),
              std::string(Derived::kName) + "::" + Derived::kName, "config.learning_rate",
              config.learning_rate, "positive and finite");
    IAI_CHECK(parameter_count >= 1, std::string(Derived::kName) + "::" + Derived::kName,
              "parameter_count", parameter_count, "at least 1");
  }

  Config config_;
  Index parameter_count_;
  std::int64_t steps_ = 0;
};

}  // namespace iai::optim::detail
