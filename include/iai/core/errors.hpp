#pragma once
// Typed errors and the always-on argument check (Stan's check_* style):
//   "<function>: <argument> is <value>, but must be <expected>".
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "iai/core/config.hpp"

namespace iai {

/// A caller passed an argument with the wrong shape, size or setting.
class invalid_argument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A value lies outside the domain where the operation is defined (NaN, negative count, ...).
class domain_error : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

/// A file is missing, truncated, corrupted or of another format/architecture.
class io_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

template <class T>
std::string formatValue(const T& value) {
  std::ostringstream os;
  os.precision(9);
  os << value;
  return os.str();
}

inline std::string checkMessage(std::string_view function, std::string_view argument,
                                std::string_view value, std::string_view expected) {
  std::string msg;
  msg.reserve(function.size() + argument.size() + value.size() + expected.size() + 24);
  msg.append(function).append(": ").append(argument).append(" is ").append(value);
  msg.append(", but must be ").append(expected);
  return msg;
}

/// Cold, out-of-line throw so that checks cost one predictable branch on the hot path.
template <class Error, class T>
[[noreturn]] IAI_COLD void raise(std::string_view function, std::string_view argument,
                                 const T& value, std::string_view expected) {
  throw Error(checkMessage(function, argument, formatValue(value), expected));
}

/// "RxC", the one spelling of a matrix shape in messages.
inline std::string shapeString(std::ptrdiff_t rows, std::ptrdiff_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

/// Throws iai::invalid_argument "<function>: <argument> is RxC, but must be <what> = rxc" (or
/// "of shape rxc" when `what` is empty) unless the shape is (expected_rows, expected_cols).
inline void checkShape(std::string_view function, std::string_view argument, std::ptrdiff_t rows,
                       std::ptrdiff_t cols, std::ptrdiff_t expected_rows,
                       std::ptrdiff_t expected_cols, std::string_view what = {}) {
  if (rows == expected_rows && cols == expected_cols) [[likely]]
    return;
  raise<invalid_argument>(function, argument, shapeString(rows, cols),
                          (what.empty() ? std::string("of shape ") : std::string(what) + " = ") +
                              shapeString(expected_rows, expected_cols));
}

/// The posterior batch of a model: x has observedDim() rows and B ≥ 1 columns, mean and log_var
/// (λ) are latentDim() × B. Throws iai::invalid_argument naming `function` and the argument.
template <class Model, class X, class Mean, class LogVar>
void checkPosteriorBatch(std::string_view function, const Model& model, const X& x,
                         const Mean& mean, const LogVar& log_var) {
  const auto b = x.cols();
  if (b < 1) [[unlikely]]
    raise<invalid_argument>(function, "x.cols()", b, "≥ 1 (a non-empty batch)");
  if (x.rows() != model.observedDim()) [[unlikely]]
    raise<invalid_argument>(function, "x.rows()", x.rows(),
                            "the model's observedDim() = " + std::to_string(model.observedDim()));
  checkShape(function, "mean", mean.rows(), mean.cols(), model.latentDim(), b,
             "latentDim() × x.cols()");
  checkShape(function, "log_var", log_var.rows(), log_var.cols(), model.latentDim(), b,
             "latentDim() × x.cols()");
}

}  // namespace detail
}  // namespace iai

/// Always-on check of a public precondition. Throws iai::invalid_argument.
/// IAI_CHECK(n > 0, "Adam::Adam", "parameter_count", n, "positive");
#define IAI_CHECK(cond, function, argument, value, expected)                              \
  do {                                                                                    \
    if (!(cond)) [[unlikely]]                                                             \
      ::iai::detail::raise<::iai::invalid_argument>((function), (argument), (value),      \
                                                    (expected));                          \
  } while (false)

/// Always-on check of a value's domain. Throws iai::domain_error.
#define IAI_CHECK_DOMAIN(cond, function, argument, value, expected)                       \
  do {                                                                                    \
    if (!(cond)) [[unlikely]]                                                             \
      ::iai::detail::raise<::iai::domain_error>((function), (argument), (value),          \
                                                (expected));                              \
  } while (false)
