#pragma once
// Argument checks shared by the optimizers (always on: they run once per setting or per step).
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai::optim::detail {

inline void checkLearningRate(std::string_view function, std::string_view argument,
                              double learning_rate) {
  IAI_CHECK(learning_rate > 0.0 && std::isfinite(learning_rate), function, argument,
            learning_rate, "positive and finite");
}

/// Decay rates (momentum, β1, β2, α) lie in [0, 1).
inline void checkDecay(std::string_view function, std::string_view argument, double value) {
  IAI_CHECK(value >= 0.0 && value < 1.0, function, argument, value, "in [0, 1)");
}

inline void checkEpsilon(std::string_view function, std::string_view argument, double epsilon) {
  IAI_CHECK(epsilon > 0.0 && std::isfinite(epsilon), function, argument, epsilon,
            "positive and finite");
}

inline void checkParameterCount(std::string_view function, Index parameter_count) {
  IAI_CHECK(parameter_count >= 1, function, "parameter_count", parameter_count, "at least 1");
}

inline void checkSteps(std::string_view function, std::int64_t steps) {
  IAI_CHECK(steps >= 0, function, "steps", steps, "non-negative");
}

inline std::string shapeString(Index rows, Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

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

}  // namespace iai::optim::detail
