#include "support/catch.hpp"

#include <iai/nn/highway.hpp>
#include <iai/nn/parameters.hpp>

#include <cmath>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_highway_test {

using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;
using iai::nn::Highway;

namespace {

/// h = g c + (1 − g) ELU(W a + b), g = σ(W_g a + b_g), c = P a + p or a, coefficient by
/// coefficient in double from the stacked blocks (as the PyTorch peer's Highway).
template <class S>
Matrix<double> referenceForward(const Highway<S>& layer, const Matrix<S>& a) {
  const Index out = layer.outputSize();
  const Matrix<double> w = layer.weight().template cast<double>();
  const Vector<double> b = layer.bias().template cast<double>();
  const Matrix<double> ad = a.template cast<double>();
  Matrix<double> h(out, a.cols());
  for (Index j = 0; j < a.cols(); ++j) {
    for (Index i = 0; i < out; ++i) {
      const double z = b(i) + w.row(i).dot(ad.col(j));
      const double z_gate = b(out + i) + w.row(out + i).dot(ad.col(j));
      const double c =
          layer.projects() ? b(2 * out + i) + w.row(2 * out + i).dot(ad.col(j)) : ad(i, j);
      const double e = z > 0 ? z : std::expm1(z);
      const double g = 1 / (1 + std::exp(-z_gate));
      h(i, j) = g * c + (1 - g) * e;
    }
  }
  return h;
}

/// A bound, initialized layer with non-zero biases.
template <class S>
void setUp(Highway<S>& layer, Vector<S>& params, Vector<S>& grads, std::uint64_t seed) {
  iai::Rng rng(seed);
  iai::nn::bindParameters(params, grads, layer);
  layer.initialize(rng);
  for (Index i = 0; i < layer.bias().size(); ++i)
    layer.bias()(i) = static_cast<S>(0.3 * rng.normal());
}

}  // namespace

TEMPLATE_TEST_CASE("Highway: stacked layout and parameter count", "[nn][highway]", float,
                   double) {
  using S = TestType;
  const Highway<S> projecting(784, 512, true);
  CHECK(projecting.blockCount() == 3);
  CHECK(projecting.parameterCount() == 3 * 512 * 785);
  const Highway<S> plain(512, 512, false);
  CHECK(plain.blockCount() == 2);
  CHECK(plain.parameterCount() == 2 * 512 * 513);
  CHECK_FALSE(plain.projects());

  Highway<S> layer(4, 3, true);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  CHECK(layer.weight().rows() == 9);
  CHECK(layer.weight().cols() == 4);
  CHECK(layer.weight().data() == params.data());
  CHECK(layer.bias().data() == params.data() + 36);
  CHECK(layer.gradBias().data() == grads.data() + 36);
}

TEMPLATE_TEST_CASE("Highway: forward computes g c + (1 - g) ELU(W a + b)", "[nn][highway]", float,
                   double) {
  using S = TestType;
  const bool project = GENERATE(true, false);
  CAPTURE(project);
  Highway<S> layer(project ? 4 : 3, 3, project);
  Vector<S> params, grads;
  setUp(layer, params, grads, 11);
  iai::Rng rng(12);
  const Matrix<S> a = nn_test::randomMatrix<S>(rng, layer.inputSize(), 5, 1.5);
  Matrix<S> h(3, 5);
  layer.forward(a, h);
  CHECK(iai::testing::relativeError(h, referenceForward(layer, a)) <
        (sizeof(S) == 4 ? 1e-5 : 1e-13));
}

TEMPLATE_TEST_CASE("Highway: gradients match central differences (projecting or not)",
                   "[nn][highway]", float, double) {
  using S = TestType;
  const bool project = GENERATE(true, false);
  const Index batch = GENERATE(1, 2, 5);
  CAPTURE(project, batch);
  iai::Rng rng(200 + static_cast<std::uint64_t>(batch));
  const Index in = project ? 4 : 3;
  const auto errors =
      nn_test::gradientErrors([&]<class T>() { return Highway<T>(in, 3, project); },
                              nn_test::randomMatrix<S>(rng, in, batch), 31);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());
}

TEMPLATE_TEST_CASE("Highway: parameter gradients accumulate, Skip leaves them untouched",
                   "[nn][highway]", float, double) {
  using S = TestType;
  const bool project = GENERATE(true, false);
  CAPTURE(project);
  Highway<S> layer(project ? 5 : 4, 4, project);
  Vector<S> params, grads;
  setUp(layer, params, grads, 13);
  iai::Rng rng(14);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, layer.inputSize(), 3);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, 4, 3);
  Matrix<S> y(4, 3), dx(layer.inputSize(), 3), dx_again(layer.inputSize(), 3);
  layer.forward(x, y);

  layer.backward(x, y, dy, dx, ParamGrad::Skip);
  layer.backward(x, y, dy, ParamGrad::Skip);
  CHECK(grads.isZero(0));

  layer.backward(x, y, dy, dx, ParamGrad::Accumulate);
  const Vector<S> once = grads;
  CHECK(!once.isZero(0));
  layer.backward(x, y, dy, dx_again, ParamGrad::Accumulate);
  CHECK(dx_again == dx);  // assigned, not accumulated
  CHECK(nn_test::close<S>(grads, S(2) * once));

  grads.setZero();
  layer.backward(x, y, dy, ParamGrad::Accumulate);
  CHECK(nn_test::close<S>(grads, once));
}

TEMPLATE_TEST_CASE("Highway: column j of a batch equals the forward of column j alone",
                   "[nn][highway]", float, double) {
  using S = TestType;
  const bool project = GENERATE(true, false);
  CAPTURE(project);
  Highway<S> layer(project ? 6 : 5, 5, project);
  Vector<S> params, grads;
  setUp(layer, params, grads, 15);
  iai::Rng rng(16);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, layer.inputSize(), 5);
  Matrix<S> y(5, 5), y1(5, 1);
  layer.forward(x, y);
  for (Index j = 0; j < x.cols(); ++j) {
    layer.forward(x.col(j), y1);
    CHECK(iai::testing::relativeError(y1, y.col(j)) < nn_test::roundingTolerance<S>());
  }
}

TEMPLATE_TEST_CASE("Highway: Glorot uniform per block, zero biases, reproducible",
                   "[nn][highway]", float, double) {
  using S = TestType;
  Highway<S> layer(30, 20, true);
  Vector<S> params, grads;
  iai::nn::bindParameters(params, grads, layer);
  params.setConstant(S(7));
  iai::Rng rng(3);
  layer.initialize(rng);
  const double a = std::sqrt(6.0 / 50.0);
  for (Index k = 0; k < 3; ++k) {
    CAPTURE(k);
    const auto block = layer.weight().middleRows(k * 20, 20);
    CHECK(block.cwiseAbs().maxCoeff() <= S(a));
    CHECK(block.cwiseAbs().maxCoeff() > S(0.9 * a));
  }
  CHECK(layer.bias().isZero(0));
  // the first block is drawn exactly like a Linear(30, 20) from the same generator state
  iai::nn::Linear<S> linear(30, 20);
  Vector<S> lin_params, lin_grads;
  iai::nn::bindParameters(lin_params, lin_grads, linear);
  iai::Rng same(3);
  linear.initialize(same);
  CHECK(linear.weight() == layer.weight().topRows(20));

  const Vector<S> first = params;
  iai::Rng again(3);
  layer.initialize(again);
  CHECK(params == first);
}

TEMPLATE_TEST_CASE("Highway: bad shapes, backward before forward and unbound use throw",
                   "[nn][highway]", float, double) {
  using S = TestType;
  CHECK_THROWS_WITH((Highway<S>(4, 3, false)),
                    "Highway::Highway: in is 4, but must be equal to out = 3 for a "
                    "non-projecting layer (carry c = a)");
  CHECK_THROWS_AS((Highway<S>(0, 3, true)), iai::invalid_argument);

  Highway<S> layer(4, 3, true);
  Matrix<S> x = Matrix<S>::Ones(4, 2), y(3, 2), dy = Matrix<S>::Ones(3, 2), dx(4, 2);
  CHECK_THROWS_WITH(layer.forward(x, y), Catch::Contains("unbound"));
  Vector<S> params, grads;
  setUp(layer, params, grads, 17);
  // backward needs the caches of a forward with the same batch size
  CHECK_THROWS_WITH(layer.backward(x, y, dy, dx, ParamGrad::Accumulate),
                    "Highway::backward: the forward cache is empty, but must be filled by "
                    "forward() first");
  layer.forward(x, y);
  Matrix<S> x3 = Matrix<S>::Ones(4, 3), dy3 = Matrix<S>::Ones(3, 3), dx3(4, 3), y3(3, 3);
  CHECK_THROWS_WITH(layer.backward(x3, y3, dy3, dx3, ParamGrad::Accumulate),
                    "Highway::backward: x.cols() is 3, but must be equal to the batch size of the "
                    "last forward() = 2");
  Matrix<S> x_bad(3, 2), y_bad(4, 2), dx_bad(3, 2);
  CHECK_THROWS_AS(layer.forward(x_bad, y), iai::invalid_argument);
  CHECK_THROWS_AS(layer.forward(x, y_bad), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x, y, y_bad, dx, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK_THROWS_AS(layer.backward(x, y, dy, dx_bad, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK(grads.isZero(0));

  Highway<S> no_grads(3, 3, false);
  Vector<S> only_params = Vector<S>::Zero(no_grads.parameterCount());
  no_grads.bind(only_params.data(), nullptr);
  Matrix<S> a = Matrix<S>::Ones(3, 2), h(3, 2), da(3, 2);
  no_grads.forward(a, h);
  no_grads.backward(a, h, h, da, ParamGrad::Skip);
  CHECK_THROWS_AS(no_grads.backward(a, h, h, da, ParamGrad::Accumulate), iai::invalid_argument);
}

TEMPLATE_TEST_CASE("Highway: extreme pre-activations stay finite", "[nn][highway]", float,
                   double) {
  using S = TestType;
  const bool project = GENERATE(true, false);
  CAPTURE(project);
  Highway<S> layer(3, 3, project);
  Vector<S> params, grads;
  setUp(layer, params, grads, 18);
  Matrix<S> x(3, 4);
  x << 1e4, -1e4, 1e3, -1e3, -1e4, 1e4, 0, 50, 1e4, 1e4, -1e4, -50;
  x *= S(10);  // |W x| up to ~1e5: σ saturates to 0 or 1, ELU to −1
  Matrix<S> y(3, 4), dx(3, 4);
  layer.forward(x, y);
  CHECK(y.allFinite());
  layer.backward(x, y, Matrix<S>::Ones(3, 4), dx, ParamGrad::Accumulate);
  CHECK(dx.allFinite());
  CHECK(grads.allFinite());
}

}  // namespace iai_test_highway_test
