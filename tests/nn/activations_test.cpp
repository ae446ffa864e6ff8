#include "support/catch.hpp"

#include <iai/nn/activations.hpp>

#include <cmath>
#include <limits>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_activations_test {

namespace {

using iai::Index;
using iai::Matrix;
using namespace iai::nn;
using namespace iai::concepts;

/// Reference values in long double, straight from the definitions.
long double reference(Elu, long double x) { return x > 0 ? x : std::expm1(x); }
long double reference(Relu, long double x) { return x > 0 ? x : 0; }
long double reference(Tanh, long double x) { return std::tanh(x); }
long double reference(Sigmoid, long double x) { return 1 / (1 + std::exp(-x)); }
long double reference(Softplus, long double x) { return std::log1p(std::exp(x)); }
long double reference(Identity, long double x) { return x; }

/// rows × cols entries with |x| in [0.2, 2.7], alternating sign (away from the kinks at 0).
template <class S>
Matrix<S> awayFromZero(iai::Rng& rng, Index rows, Index cols) {
  Matrix<S> x(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i)
      x(i, j) = static_cast<S>(((i + j) % 2 == 0 ? 1.0 : -1.0) * (0.2 + 2.5 * rng.uniform()));
  return x;
}

template <class F, class S>
void checkMatchesReference() {
  Matrix<S> x(2, 5);
  x << -6, -1.5, -0.3, -1e-3, 0, 1e-3, 0.25, 1.0, 3.5, 8;
  Matrix<S> y(2, 5);
  F::template apply<S>(x, y);
  for (Index j = 0; j < x.cols(); ++j) {
    for (Index i = 0; i < x.rows(); ++i) {
      const double expected = static_cast<double>(reference(F{}, x(i, j)));
      CHECK(static_cast<double>(y(i, j)) ==
            Approx(expected).epsilon(sizeof(S) == 4 ? 1e-6 : 1e-14).margin(1e-30));
    }
  }
}

template <class F, class S>
void checkGradient(Index batch) {
  iai::Rng rng(17);
  const auto errors = nn_test::gradientErrors(
      []<class T>() { return Activation<F, T>(4); }, awayFromZero<S>(rng, 4, batch), 3);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params == 0.0);
}

template <class F, class S>
void checkInPlace() {
  iai::Rng rng(5);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 3, 4, 2.0);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, 3, 4);
  Matrix<S> y(3, 4), dx(3, 4);
  F::template apply<S>(x, y);
  F::template backward<S>(x, y, dy, dx);
  Matrix<S> in_place = x;
  F::template apply<S>(in_place, in_place);
  CHECK(in_place == y);
  Matrix<S> dy_in_place = dy;
  F::template backward<S>(x, y, dy_in_place, dy_in_place);
  CHECK(dy_in_place == dx);
}

template <class F, class S>
void checkShapeErrors() {
  Matrix<S> x(3, 4), wrong_rows(2, 4), wrong_cols(3, 5);
  x.setOnes();
  CHECK_THROWS_AS(F::template apply<S>(x, wrong_rows), iai::invalid_argument);
  CHECK_THROWS_AS(F::template apply<S>(x, wrong_cols), iai::invalid_argument);
  Matrix<S> y(3, 4), dx(3, 4);
  F::template apply<S>(x, y);
  CHECK_THROWS_AS(F::template backward<S>(x, y, wrong_cols, dx), iai::invalid_argument);
  CHECK_THROWS_AS(F::template backward<S>(x, wrong_rows, y, dx), iai::invalid_argument);
  CHECK_THROWS_AS(F::template backward<S>(x, y, y, wrong_rows), iai::invalid_argument);
}

}  // namespace

TEMPLATE_TEST_CASE("activation functors match their definitions", "[nn][activations]", float,
                   double) {
  checkMatchesReference<Elu, TestType>();
  checkMatchesReference<Relu, TestType>();
  checkMatchesReference<Tanh, TestType>();
  checkMatchesReference<Sigmoid, TestType>();
  checkMatchesReference<Softplus, TestType>();
  checkMatchesReference<Identity, TestType>();
}

TEMPLATE_TEST_CASE("activation backward matches central differences at negative and positive "
                   "inputs",
                   "[nn][activations]", float, double) {
  const Index batch = GENERATE(1, 3, 7);
  CAPTURE(batch);
  checkGradient<Elu, TestType>(batch);
  checkGradient<Relu, TestType>(batch);
  checkGradient<Tanh, TestType>(batch);
  checkGradient<Sigmoid, TestType>(batch);
  checkGradient<Softplus, TestType>(batch);
  checkGradient<Identity, TestType>(batch);
}

TEMPLATE_TEST_CASE("activations work in place (y aliasing x, dx aliasing dy)",
                   "[nn][activations]", float, double) {
  checkInPlace<Elu, TestType>();
  checkInPlace<Relu, TestType>();
  checkInPlace<Tanh, TestType>();
  checkInPlace<Sigmoid, TestType>();
  checkInPlace<Softplus, TestType>();
  checkInPlace<Identity, TestType>();
}

TEMPLATE_TEST_CASE("activations stay finite at extreme inputs", "[nn][activations]", float,
                   double) {
  using S = TestType;
  Matrix<S> x(1, 7);
  x << -1e4, -100, -30, 0, 30, 100, 1e4;
  Matrix<S> y(1, 7), dx(1, 7);
  const Matrix<S> dy = Matrix<S>::Ones(1, 7);

  Sigmoid::apply<S>(x, y);
  CHECK(y.allFinite());
  CHECK((y.array() >= S(0)).all());
  CHECK((y.array() <= S(1)).all());
  CHECK(y(0, 0) == Approx(0.0).margin(1e-30));
  CHECK(y(0, 6) == S(1));
  // relative accuracy in the left tail: σ(−30) = 9.357622968840175e-14
  CHECK(static_cast<double>(y(0, 2)) == Approx(9.357622968840175e-14).epsilon(1e-5));
  Sigmoid::backward<S>(x, y, dy, dx);
  CHECK(dx.allFinite());
  CHECK((dx.array() >= S(0)).all());

  Softplus::apply<S>(x, y);
  CHECK(y.allFinite());
  CHECK(y(0, 0) == S(0));
  CHECK(y(0, 6) == S(1e4));
  CHECK(static_cast<double>(y(0, 3)) == Approx(std::log(2.0)));
  Softplus::backward<S>(x, y, dy, dx);
  CHECK(dx.allFinite());
  CHECK(dx(0, 0) == Approx(0.0).margin(1e-30));
  CHECK(dx(0, 6) == S(1));

  Elu::apply<S>(x, y);
  CHECK(y.allFinite());
  CHECK(y(0, 0) == S(-1));
  CHECK(y(0, 6) == S(1e4));
  Elu::backward<S>(x, y, dy, dx);
  CHECK(dx.allFinite());
  CHECK(dx(0, 0) == S(0));
  CHECK(dx(0, 6) == S(1));

  Tanh::apply<S>(x, y);
  CHECK(y.allFinite());
  CHECK(y(0, 0) == S(-1));
  CHECK(y(0, 6) == S(1));
  Tanh::backward<S>(x, y, dy, dx);
  CHECK(dx.allFinite());
}

TEMPLATE_TEST_CASE("activation functors reject mismatched shapes", "[nn][activations]", float,
                   double) {
  checkShapeErrors<Elu, TestType>();
  checkShapeErrors<Relu, TestType>();
  checkShapeErrors<Tanh, TestType>();
  checkShapeErrors<Sigmoid, TestType>();
  checkShapeErrors<Softplus, TestType>();
  checkShapeErrors<Identity, TestType>();
}

TEMPLATE_TEST_CASE("Activation layer: no parameters, sizes checked", "[nn][activations]", float,
                   double) {
  using S = TestType;
  static_assert(Layer<Activation<Softplus, S>>);
  Activation<Tanh, S> layer(3);
  CHECK(layer.inputSize() == 3);
  CHECK(layer.outputSize() == 3);
  CHECK(layer.parameterCount() == 0);
  Matrix<S> x = Matrix<S>::Constant(3, 2, S(0.5)), y(3, 2), dx(3, 2);
  layer.forward(x, y);
  CHECK(y(2, 1) == Approx(std::tanh(0.5)));
  layer.backward(x, y, x, dx, iai::ParamGrad::Accumulate);
  CHECK(dx(0, 0) == Approx(0.5 * (1 - std::tanh(0.5) * std::tanh(0.5))));
  layer.backward(x, y, x, iai::ParamGrad::Accumulate);

  Matrix<S> wrong(4, 2);
  CHECK_THROWS_AS(layer.forward(wrong, wrong), iai::invalid_argument);
  CHECK_THROWS_WITH(layer.forward(wrong, wrong),
                    "Activation::forward: x.rows() is 4, but must be equal to inputSize() = 3");
  CHECK_THROWS_AS(layer.backward(x, y, wrong, dx, iai::ParamGrad::Skip), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x, wrong, x, iai::ParamGrad::Skip), iai::invalid_argument);
  CHECK_THROWS_AS((Activation<Elu, S>(0)), iai::invalid_argument);
}

}  // namespace iai_test_activations_test
