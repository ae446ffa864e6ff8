#pragma once
// Helpers shared by the nn tests: tolerances, random batches and the central-difference check of a
// layer's or a network's gradients w.r.t. its input and its flat parameter vector, for the scalar
// objective L = sum(R ⊙ y) with a fixed random R (so that ∂L/∂y = R), evaluated in double.
#include <iai/nn.hpp>
#include <iai/testing/gradient_check.hpp>

#include <cstdint>

namespace nn_test {

/// Relative-error bound for hand-written gradients against central differences.
template <class S>
constexpr double gradientTolerance() {
  return sizeof(S) == sizeof(float) ? 1e-5 : 1e-6;
}

/// Bound for comparing two computations that differ only by rounding (e.g. GEMM vs GEMV).
template <class S>
constexpr double roundingTolerance() {
  return sizeof(S) == sizeof(float) ? 1e-5 : 1e-13;
}

/// a and b agree to rounding (relative error of the Frobenius norm).
template <class S, class DA, class DB>
bool close(const Eigen::DenseBase<DA>& a, const Eigen::DenseBase<DB>& b) {
  return iai::testing::relativeError(a, b) < roundingTolerance<S>();
}

/// rows × cols matrix of N(0, scale²) draws.
template <class S>
iai::Matrix<S> randomMatrix(iai::Rng& rng, iai::Index rows, iai::Index cols, double scale = 1.0) {
  iai::Matrix<S> m(rows, cols);
  iai::fillNormal(rng, m);
  m *= static_cast<S>(scale);
  return m;
}

/// L = sum(R ⊙ y) in double precision.
template <class S, class Derived>
double objective(const iai::Matrix<S>& r, const Eigen::MatrixBase<Derived>& y) {
  return (r.template cast<double>().array() * y.template cast<double>().array()).sum();
}

struct GradientErrors {
  double input;   // relative error of ∂L/∂x
  double params;  // relative error of ∂L/∂θ (0 without parameters)
};

/// y = forward(x) for a layer or a network.
template <class C, class T>
void forwardInto(C& component, const iai::Matrix<T>& x, iai::Matrix<T>& y) {
  if constexpr (iai::concepts::Network<C>) {
    y = component.forward(x);
  } else {
    component.forward(x, y);
  }
}

/// The hand-written gradient check of every layer and network. `make` is a generic lambda
/// []<class T>() { return Component<T>(...); }. The component in precision S is bound to fresh
/// vectors, initialized and perturbed (so that biases are non-zero); backward(dy = R) gives ∂L/∂x
/// and ∂L/∂θ. They are compared with central differences (iai::testing::numericalGradient) of L
/// computed by a double-precision twin holding the same values: for S = double that is the
/// component itself; for S = float it keeps the finite differences free of float rounding and of
/// ELU's second-derivative jump at 0 (a float step of cbrt(ε) ≈ 5e-3 may straddle it).
template <class S, class Make>
GradientErrors gradientErrors(const Make& make, const iai::Matrix<S>& x, std::uint64_t seed) {
  auto component = make.template operator()<S>();
  iai::Rng rng(seed);
  iai::Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, component);
  component.initialize(rng);
  for (iai::Index i = 0; i < params.size(); ++i) params(i) += static_cast<S>(0.2 * rng.normal());
  const iai::Matrix<S> r = randomMatrix<S>(rng, component.outputSize(), x.cols());
  iai::Matrix<S> y(component.outputSize(), x.cols()), dx(component.inputSize(), x.cols());
  forwardInto(component, x, y);
  if constexpr (iai::concepts::Network<decltype(component)>) {
    component.backward(x, r, dx, iai::ParamGrad::Accumulate);
  } else {
    component.backward(x, y, r, dx, iai::ParamGrad::Accumulate);
  }

  auto twin = make.template operator()<double>();
  iai::Vector<double> twin_params, twin_grads;
  iai::nn::bindParameters(twin_params, twin_grads, twin);
  twin_params = params.template cast<double>();  // same size: no reallocation, binding stays
  iai::Matrix<double> twin_x = x.template cast<double>();
  const iai::Matrix<double> twin_r = r.template cast<double>();
  iai::Matrix<double> twin_y(twin.outputSize(), x.cols());
  auto f = [&] {
    forwardInto(twin, twin_x, twin_y);
    return objective(twin_r, twin_y);
  };
  const iai::Matrix<double> numeric_x = iai::testing::numericalGradient(f, twin_x);
  const iai::Matrix<double> numeric_p = iai::testing::numericalGradient(f, twin_params);
  return {iai::testing::relativeError(dx, numeric_x),
          iai::testing::relativeError(grads, numeric_p)};
}

}  // namespace nn_test
