#pragma once
// Test problems with known minimisers and a small driver, shared by the optimizer tests.
#include <iai/core/types.hpp>
#include <iai/optim/schedule.hpp>

#include <Eigen/Cholesky>

namespace iai_test {

/// f(x) = ½ xᵀAx − bᵀx in 10-D with A = tridiag(−1, 3, −1) (SPD, eigenvalues 3 − 2cos(kπ/11) in
/// (1.03, 4.97)) and b_i = i/10; ∇f = Ax − b, minimiser x* = A⁻¹b (solved by LDLᵀ in double).
template <class S>
struct Quadratic {
  static constexpr iai::Index n = 10;
  iai::Matrix<S> a = iai::Matrix<S>::Zero(n, n);
  iai::Vector<S> b = iai::Vector<S>(n);
  Eigen::VectorXd minimiser;

  Quadratic() {
    for (iai::Index i = 0; i < n; ++i) {
      a(i, i) = S(3);
      if (i + 1 < n) a(i, i + 1) = a(i + 1, i) = S(-1);
      b(i) = static_cast<S>(i + 1) / S(10);
    }
    minimiser = a.template cast<double>().ldlt().solve(b.template cast<double>());
  }
  void gradient(const iai::Vector<S>& x, iai::Vector<S>& g) const {
    g.noalias() = a * x;
    g -= b;
  }
};

/// Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimiser (1, 1);
/// ∇f = (−2(1 − x) − 400 x (y − x²), 200 (y − x²)).
template <class S>
void rosenbrockGradient(const iai::Vector<S>& p, iai::Vector<S>& g) {
  const S x = p(0), y = p(1);
  g(0) = S(-2) * (S(1) - x) - S(400) * x * (y - x * x);
  g(1) = S(200) * (y - x * x);
}

/// `iterations` steps of `opt` from x0, with lr_t = lr₀·γ^⌊t/every⌋ (γ = 1: constant lr).
template <class O, class Grad>
iai::Vector<typename O::Scalar> minimise(O& opt, Grad&& gradient,
                                         iai::Vector<typename O::Scalar> x, int iterations,
                                         double gamma = 1.0, int every = 1) {
  const double lr0 = opt.learningRate();
  const iai::optim::ExponentialDecay decay{gamma};
  iai::Vector<typename O::Scalar> g(x.size());
  for (int t = 0; t < iterations; ++t) {
    decay.apply(opt, lr0, t / every);
    gradient(x, g);
    opt.step(x, g);
  }
  return x;
}

/// Distance of x (any scalar) to a double-precision target.
template <class V>
double distance(const V& x, const Eigen::VectorXd& target) {
  return (x.template cast<double>() - target).norm();
}

/// Tolerances of the convergence tests: ‖x − x*‖ below these (float is limited by rounding).
template <class S>
constexpr double quadraticTolerance() {
  return sizeof(S) == 4 ? 1e-4 : 1e-6;
}
template <class S>
constexpr double rosenbrockTolerance() {
  return sizeof(S) == 4 ? 1e-3 : 1e-5;
}

}  // namespace iai_test
