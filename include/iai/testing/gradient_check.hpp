#pragma once
// Central finite differences and relative errors: the oracle for every hand-written derivative.
// Installed with the library so that users can check the gradients of their own models.
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "iai/core/types.hpp"

namespace iai::testing {

/// Default step for central differences: cbrt(machine epsilon), scaled by max(1, |x_i|).
template <class Scalar>
double defaultStep() {
  return std::cbrt(static_cast<double>(std::numeric_limits<Scalar>::epsilon()));
}

/// Central-difference gradient of the scalar function `f()` w.r.t. every entry of `x`.
/// `x` is perturbed in place and restored; `f` must read `x` (e.g. capture it by reference).
/// Returns a matrix of x's shape with (f(x + h e_i) − f(x − h e_i)) / (2h).
template <class F, class Derived>
Matrix<typename Derived::Scalar> numericalGradient(F&& f, Eigen::DenseBase<Derived>& x,
                                                   double step = -1.0) {
  using Scalar = typename Derived::Scalar;
  const double base = step > 0 ? step : defaultStep<Scalar>();
  Matrix<Scalar> grad(x.rows(), x.cols());
  for (Index j = 0; j < x.cols(); ++j) {
    for (Index i = 0; i < x.rows(); ++i) {
      const Scalar saved = x(i, j);
      const double h = base * std::max(1.0, std::abs(static_cast<double>(saved)));
      x(i, j) = static_cast<Scalar>(saved + h);
      const double h_plus = static_cast<double>(x(i, j)) - static_cast<double>(saved);
      const double f_plus = static_cast<double>(f());
      x(i, j) = static_cast<Scalar>(saved - h);
      const double h_minus = static_cast<double>(saved) - static_cast<double>(x(i, j));
      const double f_minus = static_cast<double>(f());
      x(i, j) = saved;
      grad(i, j) = static_cast<Scalar>((f_plus - f_minus) / (h_plus + h_minus));
    }
  }
  return grad;
}
template <class F, class Derived>
Matrix<typename Derived::Scalar> numericalGradient(F&& f, Eigen::DenseBase<Derived>&& x,
                                                   double step = -1.0) {
  return numericalGradient(std::forward<F>(f), x, step);
}

/// Relative error ‖a − b‖ / max(‖a‖, ‖b‖, floor) in double precision (Frobenius norms).
template <class DA, class DB>
double relativeError(const Eigen::DenseBase<DA>& a, const Eigen::DenseBase<DB>& b,
                     double floor = 1e-12) {
  const auto ad = a.derived().template cast<double>().eval();
  const auto bd = b.derived().template cast<double>().eval();
  const double denom = std::max({ad.matrix().norm(), bd.matrix().norm(), floor});
  return (ad - bd).matrix().norm() / denom;
}

}  // namespace iai::testing
