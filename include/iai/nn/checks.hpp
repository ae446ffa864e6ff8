#pragma once
// Always-on shape and binding checks shared by the nn classes. The message parts are built only
// when a check fails (IAI_CHECK evaluates them inside its failure branch), so a passing check
// costs one compare and branch.
#include <string>
#include <string_view>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai::nn::detail {

/// "equal to <what> = <n>", e.g. "equal to inputSize() = 3".
inline std::string equalTo(std::string_view what, Index n) {
  std::string s("equal to ");
  s.append(what).append(" = ").append(std::to_string(n));
  return s;
}

/// "<type>::<method>", e.g. "Mlp::forward".
inline std::string qualified(std::string_view type, std::string_view method) {
  std::string s(type);
  s.append("::").append(method);
  return s;
}

/// Throws iai::invalid_argument "<function>: <argument> is <actual>, but must be equal to
/// <what> = <expected>" unless actual == expected.
inline void checkDim(std::string_view function, std::string_view argument, Index actual,
                     std::string_view what, Index expected) {
  IAI_CHECK(actual == expected, function, argument, actual, equalTo(what, expected));
}

/// A layer with parameters must be bound before use.
inline void checkBound(std::string_view function, const void* params) {
  IAI_CHECK(params != nullptr, function, "the parameter buffer", "unbound",
            "bound (call bind() or bindParameters() first)");
}

/// Accumulating parameter gradients needs a bound gradient buffer.
inline void checkGradsBound(std::string_view function, const void* grads, ParamGrad pg) {
  IAI_CHECK(pg == ParamGrad::Skip || grads != nullptr, function, "the gradient buffer",
            "unbound", "bound (non-null grads in bind()) to accumulate parameter gradients");
}

}  // namespace iai::nn::detail
