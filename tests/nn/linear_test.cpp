#include "support/catch.hpp"

#include <iai/nn/linear.hpp>
#include <iai/nn/parameters.hpp>

#include <cmath>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_linear_test {

using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;
using iai::nn::Linear;

TEMPLATE_TEST_CASE("Linear: y = W x + b with W then b in the flat buffer", "[nn][linear]", float,
                   double) {
  using S = TestType;
  Linear<S> layer(3, 2);
  CHECK(layer.inputSize() == 3);
  CHECK(layer.outputSize() == 2);
  CHECK(layer.parameterCount() == 8);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  params << 1, 2, 3, 4, 5, 6, 7, 8;  // W = [1 3 5; 2 4 6] (column-major), b = (7, 8)
  CHECK(layer.weight()(1, 2) == S(6));
  CHECK(layer.bias()(0) == S(7));
  CHECK(layer.weight().data() == params.data());
  CHECK(layer.bias().data() == params.data() + 6);
  CHECK(layer.gradWeight().data() == grads.data());
  CHECK(layer.gradBias().data() == grads.data() + 6);

  Matrix<S> x(3, 2);
  x << 1, 0, -1, 2, 0.5, 1;
  Matrix<S> y(2, 2);
  layer.forward(x, y);
  // column 0: x = (1, -1, 0.5): W x = (1 - 3 + 2.5, 2 - 4 + 3) = (0.5, 1)
  CHECK(y(0, 0) == Approx(7.5));
  CHECK(y(1, 0) == Approx(9.0));
  // column 1: x = (0, 2, 1): W x = (6 + 5, 8 + 6) = (11, 14)
  CHECK(y(0, 1) == Approx(18.0));
  CHECK(y(1, 1) == Approx(22.0));
}

TEMPLATE_TEST_CASE("Linear: gradients match central differences", "[nn][linear]", float, double) {
  using S = TestType;
  const Index batch = GENERATE(1, 3, 8);
  CAPTURE(batch);
  iai::Rng rng(100 + static_cast<std::uint64_t>(batch));
  const auto errors =
      nn_test::gradientErrors([]<class T>() { return Linear<T>(5, 4); },
                              nn_test::randomMatrix<S>(rng, 5, batch), 21);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());
}

TEMPLATE_TEST_CASE("Linear: parameter gradients accumulate, Skip leaves them untouched",
                   "[nn][linear]", float, double) {
  using S = TestType;
  iai::Rng rng(7);
  Linear<S> layer(4, 3);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  layer.initialize(rng);
  layer.bias().setConstant(S(0.3));
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 4, 5);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, 3, 5);
  Matrix<S> y(3, 5), dx(4, 5), dx_skip(4, 5);
  layer.forward(x, y);

  layer.backward(x, y, dy, dx, ParamGrad::Skip);
  CHECK(grads.isZero(0));
  layer.backward(x, y, dy, ParamGrad::Skip);
  CHECK(grads.isZero(0));

  layer.backward(x, y, dy, dx, ParamGrad::Accumulate);
  const Vector<S> once = grads;
  CHECK(!once.isZero(0));
  // dx = Wᵀ dy, dW = dy xᵀ, db = row sums of dy
  CHECK(nn_test::close<S>(dx, layer.weight().transpose() * dy));
  CHECK(nn_test::close<S>(layer.gradWeight(), dy * x.transpose()));
  CHECK(nn_test::close<S>(layer.gradBias(), dy.rowwise().sum()));

  // dx is assigned, not accumulated
  layer.backward(x, y, dy, dx_skip, ParamGrad::Accumulate);
  CHECK(dx_skip == dx);
  CHECK(nn_test::close<S>(grads, S(2) * once));

  // the overload without dx adds the same parameter gradient
  grads.setZero();
  layer.backward(x, y, dy, ParamGrad::Accumulate);
  CHECK(nn_test::close<S>(grads, once));
}

TEMPLATE_TEST_CASE("Linear: column j of a batch equals the forward of column j alone",
                   "[nn][linear]", float, double) {
  using S = TestType;
  iai::Rng rng(9);
  Linear<S> layer(6, 5);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  layer.initialize(rng);
  layer.bias().setConstant(S(-0.2));
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 6, 5);
  Matrix<S> y(5, 5), y1(5, 1);
  layer.forward(x, y);
  for (Index j = 0; j < x.cols(); ++j) {
    layer.forward(x.col(j), y1);
    CHECK(iai::testing::relativeError(y1, y.col(j)) < nn_test::roundingTolerance<S>());
  }
}

TEMPLATE_TEST_CASE("Linear: inputs and outputs may be blocks and maps (no copies)",
                   "[nn][linear]", float, double) {
  using S = TestType;
  iai::Rng rng(10);
  Linear<S> layer(3, 2);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  layer.initialize(rng);
  const Matrix<S> big = nn_test::randomMatrix<S>(rng, 3, 6);
  Matrix<S> expected(2, 6);
  layer.forward(big, expected);
  // a column block as input, a column block of a larger matrix as output
  Matrix<S> out = Matrix<S>::Zero(2, 10);
  layer.forward(big.middleCols(2, 3), out.middleCols(4, 3));
  CHECK(out.middleCols(4, 3) == expected.middleCols(2, 3));
  CHECK(out.leftCols(4).isZero(0));
  // a Map over raw storage
  const iai::ConstMatrixMap<S> mapped(big.data(), 3, 6);
  Matrix<S> y(2, 6);
  layer.forward(mapped, y);
  CHECK(y == expected);
}

TEMPLATE_TEST_CASE("Linear: Glorot uniform initialization", "[nn][linear]", float, double) {
  using S = TestType;
  Linear<S> layer(300, 200);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  params.setConstant(S(5));
  iai::Rng rng(42);
  layer.initialize(rng);
  const double a = std::sqrt(6.0 / 500.0);
  CHECK(layer.weight().cwiseAbs().maxCoeff() <= S(a));
  CHECK(layer.bias().isZero(0));
  // U(−a, a): mean 0, variance a² / 3 (60000 draws)
  const auto w = layer.weight().template cast<double>().array();
  const double mean = w.mean();
  CHECK(mean == Approx(0.0).margin(0.005 * a));
  CHECK((w - mean).square().mean() == Approx(a * a / 3).epsilon(0.02));

  const Vector<S> first = params;
  iai::Rng same(42);
  layer.initialize(same);
  CHECK(params == first);
  iai::Rng other(43);
  layer.initialize(other);
  CHECK(params != first);
}

TEMPLATE_TEST_CASE("Linear: bad shapes and unbound parameters throw", "[nn][linear]", float,
                   double) {
  using S = TestType;
  CHECK_THROWS_AS(Linear<S>(0, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Linear<S>(3, -1), iai::invalid_argument);

  Linear<S> layer(3, 2);
  Matrix<S> x = Matrix<S>::Ones(3, 4), y(2, 4), dy = Matrix<S>::Ones(2, 4), dx(3, 4);
  iai::Rng rng(1);
  CHECK_FALSE(layer.bound());
  CHECK_THROWS_WITH(layer.forward(x, y), Catch::Contains("Linear::forward") &&
                                             Catch::Contains("unbound"));
  CHECK_THROWS_AS(layer.backward(x, y, dy, dx, ParamGrad::Skip), iai::invalid_argument);
  CHECK_THROWS_AS(layer.initialize(rng), iai::invalid_argument);
  CHECK_THROWS_AS(layer.weight(), iai::invalid_argument);
  CHECK_THROWS_AS(layer.bind(nullptr, nullptr), iai::invalid_argument);

  // parameters without a gradient buffer: fine until gradients are accumulated
  Vector<S> params = Vector<S>::Zero(layer.parameterCount());
  layer.bind(params.data(), nullptr);
  layer.initialize(rng);
  layer.forward(x, y);
  layer.backward(x, y, dy, dx, ParamGrad::Skip);
  CHECK_THROWS_WITH(layer.backward(x, y, dy, dx, ParamGrad::Accumulate),
                    Catch::Contains("gradient buffer"));
  CHECK_THROWS_AS(layer.gradWeight(), iai::invalid_argument);

  Vector<S> grads;
  iai::nn::bindParameters(params, grads, layer);
  Matrix<S> x_bad(4, 4), y_bad(3, 4), y_cols(2, 5), dy_bad(2, 5), dx_bad(2, 4);
  CHECK_THROWS_WITH(layer.forward(x_bad, y),
                    "Linear::forward: x.rows() is 4, but must be equal to inputSize() = 3");
  CHECK_THROWS_AS(layer.forward(x, y_bad), iai::invalid_argument);
  CHECK_THROWS_AS(layer.forward(x, y_cols), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x, y, dy_bad, dx, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x, y, dy, dx_bad, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x_bad, y, dy, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK(grads.isZero(0));  // nothing was written by the failed calls
}

}  // namespace iai_test_linear_test
