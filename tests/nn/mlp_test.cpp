#include "support/catch.hpp"

#include <iai/nn/mlp.hpp>
#include <iai/nn/parameters.hpp>

#include <cmath>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_mlp_test {

using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;
using namespace iai::nn;

namespace {

Matrix<double> elu(const Matrix<double>& z) {
  return z.unaryExpr([](double v) { return v > 0 ? v : std::expm1(v); });
}
Matrix<double> sigmoid(const Matrix<double>& z) {
  return z.unaryExpr([](double v) { return 1 / (1 + std::exp(-v)); });
}

/// The PyTorch peer's Highway.forward in double: h_in = u, h_prev = proj(u); for each layer
/// g = σ(gate(h_in)), h = g h_prev + (1 − g) elu(lin(h_in)), h_in = h_prev = h.
template <class S>
Matrix<double> referenceHighwayMlp(const HighwayMlp<S>& net, const Matrix<S>& u) {
  const Index hidden = net.outputSize();
  Matrix<double> h_in = u.template cast<double>();
  Matrix<double> h_prev;
  for (std::size_t k = 0; k < net.layerCount(); ++k) {
    const Matrix<double> w = net.layer(k).weight().template cast<double>();
    const Vector<double> b = net.layer(k).bias().template cast<double>();
    auto affine = [&](Index block) {
      Matrix<double> z = w.middleRows(block * hidden, hidden) * h_in;
      z.colwise() += b.segment(block * hidden, hidden);
      return z;
    };
    if (k == 0) h_prev = affine(2);  // self.proj(u)
    const Matrix<double> g = sigmoid(affine(1));
    const Matrix<double> h =
        (g.array() * h_prev.array() + (1 - g.array()) * elu(affine(0)).array()).matrix();
    h_in = h;
    h_prev = h;
  }
  return h_prev;
}

template <class N>
void bindAndInitialize(N& net, Vector<typename N::Scalar>& params,
                       Vector<typename N::Scalar>& grads, std::uint64_t seed) {
  iai::Rng rng(seed);
  bindParameters(params, grads, net);
  net.initialize(rng);
  for (Index i = 0; i < params.size(); ++i)
    params(i) += static_cast<typename N::Scalar>(0.1 * rng.normal());
}

}  // namespace

TEMPLATE_TEST_CASE("Mlp: Linear + activation after every layer but the last", "[nn][mlp]", float,
                   double) {
  using S = TestType;
  const Mlp<S> decoder({64, 512, 512, 784});
  CHECK(decoder.linearCount() == 3);
  CHECK(decoder.inputSize() == 64);
  CHECK(decoder.outputSize() == 784);
  CHECK(decoder.parameterCount() == 64 * 512 + 512 + 512 * 512 + 512 + 512 * 784 + 784);

  const bool activate_output = GENERATE(false, true);
  CAPTURE(activate_output);
  Mlp<S, Tanh> net({3, 5, 4, 2}, activate_output);
  CHECK(net.activatesOutput() == activate_output);
  Vector<S> params, grads;
  bindAndInitialize(net, params, grads, 1);
  CHECK(net.linear(0).weight().data() == params.data());
  CHECK(net.linear(2).bias().data() == params.data() + params.size() - 2);
  iai::Rng rng(2);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 3, 4);
  Matrix<double> expected = x.template cast<double>();
  for (std::size_t k = 0; k < 3; ++k) {
    Matrix<double> z = net.linear(k).weight().template cast<double>() * expected;
    z.colwise() += net.linear(k).bias().template cast<double>();
    expected = (k < 2 || activate_output) ? Matrix<double>(z.array().tanh().matrix()) : z;
  }
  CHECK(iai::testing::relativeError(net.forward(x), expected) <
        (sizeof(S) == 4 ? 1e-5 : 1e-13));
}

TEMPLATE_TEST_CASE("Mlp: gradients match central differences", "[nn][mlp]", float, double) {
  using S = TestType;
  const Index batch = GENERATE(1, 4);
  CAPTURE(batch);
  iai::Rng rng(400 + static_cast<std::uint64_t>(batch));
  auto errors = nn_test::gradientErrors([]<class T>() { return Mlp<T>({4, 6, 5, 3}); },
                                        nn_test::randomMatrix<S>(rng, 4, batch), 51);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());

  errors = nn_test::gradientErrors([]<class T>() { return Mlp<T, Softplus>({4, 5, 2}, true); },
                                   nn_test::randomMatrix<S>(rng, 4, batch), 52);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());
}

TEMPLATE_TEST_CASE("HighwayMlp: projecting first layer, then hidden → hidden", "[nn][mlp]", float,
                   double) {
  using S = TestType;
  const HighwayMlp<S> inference(784, 512, 2);
  CHECK(inference.layerCount() == 2);
  CHECK(inference.layer(0).projects());
  CHECK_FALSE(inference.layer(1).projects());
  CHECK(inference.parameterCount() == 3 * 512 * 785 + 2 * 512 * 513);

  HighwayMlp<S> net(4, 3, 3);
  Vector<S> params, grads;
  bindAndInitialize(net, params, grads, 3);
  CHECK(net.layer(1).weight().data() == params.data() + net.layer(0).parameterCount());
  iai::Rng rng(4);
  const Matrix<S> u = nn_test::randomMatrix<S>(rng, 4, 5);
  CHECK(iai::testing::relativeError(net.forward(u), referenceHighwayMlp(net, u)) <
        (sizeof(S) == 4 ? 1e-5 : 1e-13));
}

TEMPLATE_TEST_CASE("HighwayMlp: gradients match central differences", "[nn][mlp]", float,
                   double) {
  using S = TestType;
  const Index batch = GENERATE(1, 3);
  CAPTURE(batch);
  iai::Rng rng(500 + static_cast<std::uint64_t>(batch));
  const auto errors = nn_test::gradientErrors([]<class T>() { return HighwayMlp<T>(4, 5, 3); },
                                              nn_test::randomMatrix<S>(rng, 4, batch), 61);
  CHECK(errors.input < nn_test::gradientTolerance<S>());
  CHECK(errors.params < nn_test::gradientTolerance<S>());
}

TEMPLATE_TEST_CASE("Mlp and HighwayMlp: accumulation, Skip and the no-dx backward",
                   "[nn][mlp]", float, double) {
  using S = TestType;
  auto check = [](auto& net, std::uint64_t seed) {
    Vector<S> params, grads;
    bindAndInitialize(net, params, grads, seed);
    iai::Rng rng(seed + 1);
    const Matrix<S> x = nn_test::randomMatrix<S>(rng, net.inputSize(), 3);
    const Matrix<S> dy = nn_test::randomMatrix<S>(rng, net.outputSize(), 3);
    Matrix<S> dx(net.inputSize(), 3);
    net.forward(x);
    net.backward(x, dy, dx, ParamGrad::Skip);
    net.backward(x, dy, ParamGrad::Skip);
    CHECK(grads.isZero(0));
    net.backward(x, dy, dx, ParamGrad::Accumulate);
    const Vector<S> once = grads;
    CHECK(!once.isZero(0));
    net.backward(x, dy, dx, ParamGrad::Accumulate);
    CHECK(nn_test::close<S>(grads, S(2) * once));
    grads.setZero();
    net.backward(x, dy, ParamGrad::Accumulate);
    CHECK(nn_test::close<S>(grads, once));
  };
  Mlp<S> mlp({3, 6, 2});
  check(mlp, 5);
  HighwayMlp<S> highway(3, 4, 2);
  check(highway, 6);
}

TEMPLATE_TEST_CASE("Mlp and HighwayMlp: column j of a batch equals the forward of column j",
                   "[nn][mlp]", float, double) {
  using S = TestType;
  auto check = [](auto& net, std::uint64_t seed) {
    Vector<S> params, grads;
    bindAndInitialize(net, params, grads, seed);
    iai::Rng rng(seed + 1);
    const Matrix<S> x = nn_test::randomMatrix<S>(rng, net.inputSize(), 5);
    const Matrix<S> y = net.forward(x);
    for (Index j = 0; j < x.cols(); ++j)
      CHECK(iai::testing::relativeError(net.forward(x.col(j)), y.col(j)) <
            nn_test::roundingTolerance<S>());
  };
  Mlp<S> mlp({6, 8, 4});
  check(mlp, 7);
  HighwayMlp<S> highway(6, 5, 2);
  check(highway, 8);
}

TEMPLATE_TEST_CASE("Mlp and HighwayMlp: bad arguments throw", "[nn][mlp]", float, double) {
  using S = TestType;
  CHECK_THROWS_WITH(Mlp<S>({5}), "Mlp::Mlp: sizes.size() is 1, but must be at least 2");
  CHECK_THROWS_WITH(Mlp<S>({5, 0, 3}), "Mlp::Mlp: sizes[1] is 0, but must be positive");
  CHECK_THROWS_AS(HighwayMlp<S>(4, 3, 0), iai::invalid_argument);
  CHECK_THROWS_AS(HighwayMlp<S>(4, -3, 2), iai::invalid_argument);
  Mlp<S> mlp({3, 4, 2});
  CHECK_THROWS_AS(mlp.linear(2), iai::invalid_argument);
  HighwayMlp<S> highway(3, 4, 2);
  CHECK_THROWS_AS(highway.layer(2), iai::invalid_argument);
  CHECK_THROWS_WITH(highway.forward(Matrix<S>::Ones(4, 1)),
                    "HighwayMlp::forward: x.rows() is 4, but must be equal to inputSize() = 3");
  CHECK_THROWS_WITH(highway.forward(Matrix<S>::Ones(3, 1)), Catch::Contains("unbound"));
}

}  // namespace iai_test_mlp_test
