#pragma once
// Typed errors and the always-on argument check (Stan's check_* style):
//   "<function>: <argument> is <value>, but must be <expected>".
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
