#include "support/catch.hpp"

#include <iai/nn/parameters.hpp>
#include <iai/nn/sequential.hpp>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_sequential_test {

using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;
using namespace iai::nn;
using namespace iai::concepts;

namespace {

/// Highway (projecting 4 → 6) → tanh → Linear (6 → 3).
template <class S>
auto makeNet() {
  return Sequential(Highway<S>(4, 6, true), Activation<Tanh, S>(6), Linear<S>(6, 3));
}

}  // namespace

static_assert(Network<decltype(makeNet<float>())>);
static_assert(Network<decltype(makeNet<double>())>);
static_assert(!Layer<decltype(makeNet<double>())>);

TEMPLATE_TEST_CASE("Sequential: forward composes the layers", "[nn][sequential]", float, double) {
  using S = TestType;
  auto net = makeNet<S>();
  CHECK(net.size() == 3);
  CHECK(net.inputSize() == 4);
  CHECK(net.outputSize() == 3);
  CHECK(net.parameterCount() == 3 * 6 * 5 + 3 * 7);
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  iai::Rng rng(1);
  net.initialize(rng);
  params += nn_test::randomMatrix<S>(rng, params.size(), 1, 0.1);

  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 4, 5);
  Matrix<S> h(6, 5), t(6, 5), expected(3, 5);
  net.template layer<0>().forward(x, h);
  net.template layer<1>().forward(h, t);
  net.template layer<2>().forward(t, expected);
  const Matrix<S>& y = net.forward(x);
  CHECK(&y == &net.output());
  CHECK(y == expected);
}

TEMPLATE_TEST_CASE("Sequential: layers are bound to consecutive ranges", "[nn][sequential]",
                   float, double) {
  using S = TestType;
  auto net = makeNet<S>();
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  CHECK(params.size() == net.parameterCount());
  CHECK(net.template layer<0>().weight().data() == params.data());
  CHECK(net.template layer<2>().weight().data() == params.data() + 90);
  CHECK(net.template layer<2>().gradBias().data() == grads.data() + 90 + 18);
}

TEMPLATE_TEST_CASE("Sequential: gradients match central differences", "[nn][sequential]", float,
                   double) {
  using S = TestType;
  const Index batch = GENERATE(1, 3, 6);
  CAPTURE(batch);
  iai::Rng rng(300 + static_cast<std::uint64_t>(batch));
  const auto errors = nn_test::gradientErrors([]<class T>() { return makeNet<T>(); },
                                              nn_test::randomMatrix<S>(rng, 4, batch), 41);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());

  // Linear → ELU → Linear → sigmoid
  const auto make_mlp = []<class T>() {
    return Sequential(Linear<T>(3, 5), Activation<Elu, T>(5), Linear<T>(5, 2),
                      Activation<Sigmoid, T>(2));
  };
  const auto mlp_errors =
      nn_test::gradientErrors(make_mlp, nn_test::randomMatrix<S>(rng, 3, batch), 42);
  CHECK(mlp_errors.input < nn_test::gradientTolerance<S>());
  CHECK(mlp_errors.params < nn_test::gradientTolerance<S>());
}

TEMPLATE_TEST_CASE("Sequential: backward overloads, accumulation and Skip", "[nn][sequential]",
                   float, double) {
  using S = TestType;
  auto net = makeNet<S>();
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  iai::Rng rng(2);
  net.initialize(rng);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 4, 3);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, 3, 3);
  Matrix<S> dx(4, 3), dx_again(4, 3);
  net.forward(x);

  net.backward(x, dy, dx, ParamGrad::Skip);
  net.backward(x, dy, ParamGrad::Skip);
  CHECK(grads.isZero(0));

  net.backward(x, dy, dx, ParamGrad::Accumulate);
  const Vector<S> once = grads;
  CHECK(!once.isZero(0));
  net.backward(x, dy, dx_again, ParamGrad::Accumulate);
  CHECK(dx_again == dx);
  CHECK(nn_test::close<S>(grads, S(2) * once));

  // without an input gradient the parameter gradients are the same
  grads.setZero();
  net.backward(x, dy, ParamGrad::Accumulate);
  CHECK(nn_test::close<S>(grads, once));
}

TEMPLATE_TEST_CASE("Sequential: column j of a batch equals the forward of column j alone",
                   "[nn][sequential]", float, double) {
  using S = TestType;
  auto net = makeNet<S>();
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  iai::Rng rng(3);
  net.initialize(rng);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 4, 5);
  const Matrix<S> y = net.forward(x);
  for (Index j = 0; j < x.cols(); ++j)
    CHECK(iai::testing::relativeError(net.forward(x.col(j)), y.col(j)) <
          nn_test::roundingTolerance<S>());
}

TEMPLATE_TEST_CASE("Sequential: bad shapes throw", "[nn][sequential]", float, double) {
  using S = TestType;
  CHECK_THROWS_WITH(Sequential(Linear<S>(3, 4), Activation<Elu, S>(5)),
                    "Sequential::Sequential: layer 1 inputSize() is 5, but must be equal to "
                    "layer 0 outputSize() = 4");
  auto net = makeNet<S>();
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  Matrix<S> x = Matrix<S>::Ones(4, 2), dy = Matrix<S>::Ones(3, 2), dx(4, 2);
  CHECK_THROWS_WITH(net.backward(x, dy, dx, ParamGrad::Accumulate),
                    Catch::Contains("must be filled by forward() first"));
  CHECK_THROWS_WITH(net.forward(Matrix<S>::Ones(5, 2)),
                    "Sequential::forward: x.rows() is 5, but must be equal to inputSize() = 4");
  net.forward(x);
  CHECK_THROWS_AS(net.backward(x, Matrix<S>::Ones(2, 2), dx, ParamGrad::Accumulate),
                  iai::invalid_argument);
  Matrix<S> dx_bad(4, 3);
  CHECK_THROWS_AS(net.backward(x, dy, dx_bad, ParamGrad::Accumulate), iai::invalid_argument);
  CHECK_THROWS_AS(net.backward(Matrix<S>::Ones(4, 3), Matrix<S>::Ones(3, 3), ParamGrad::Accumulate),
                  iai::invalid_argument);
  CHECK(grads.isZero(0));

  auto unbound = makeNet<S>();
  CHECK_THROWS_WITH(unbound.forward(x), Catch::Contains("unbound"));
}

}  // namespace iai_test_sequential_test
