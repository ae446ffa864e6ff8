#include "support/catch.hpp"

#include <iai/nn/activations.hpp>
#include <iai/nn/highway.hpp>
#include <iai/nn/linear.hpp>
#include <iai/nn/mlp.hpp>
#include <iai/nn/parameters.hpp>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_parameters_test {

using iai::Matrix;
using iai::Vector;
using namespace iai::nn;

TEMPLATE_TEST_CASE("bindParameters: consecutive ranges, zeroed gradients", "[nn][parameters]",
                   float, double) {
  using S = TestType;
  Linear<S> first(3, 2);            // 8 parameters
  Activation<Relu, S> activation(2);  // none
  Highway<S> highway(2, 2, false);  // 2 · 2 · 3 = 12
  HighwayMlp<S> net(2, 3, 2);       // 3 · 3 · 3 + 2 · 3 · 4 = 51
  Vector<S> params, grads = Vector<S>::Constant(4, S(9));
  bindParameters(params, grads, first, activation, highway, net);
  REQUIRE(params.size() == 71);
  CHECK(grads.size() == 71);
  CHECK(grads.isZero(0));
  CHECK(params.isZero(0));  // resized: zero-filled until initialize()
  CHECK(first.weight().data() == params.data());
  CHECK(highway.weight().data() == params.data() + 8);
  CHECK(highway.gradWeight().data() == grads.data() + 8);
  CHECK(net.layer(0).weight().data() == params.data() + 20);
  CHECK(net.layer(1).bias().data() + net.layer(1).bias().size() == params.data() + 71);

  // same total size: the values are kept (e.g. restored from a checkpoint), grads re-zeroed
  params.setLinSpaced(71, S(0), S(70));
  grads.setOnes();
  bindParameters(params, grads, first, activation, highway, net);
  CHECK(params(70) == S(70));
  CHECK(grads.isZero(0));
  CHECK(first.bias()(1) == S(7));
}

TEMPLATE_TEST_CASE("bindParameters: re-binding after reallocation", "[nn][parameters]", float,
                   double) {
  using S = TestType;
  Linear<S> layer(2, 2);
  Vector<S> params, grads;
  bindParameters(params, grads, layer);
  iai::Rng rng(1);
  layer.initialize(rng);
  Vector<S> moved_params = std::move(params), moved_grads = std::move(grads);
  bindParameters(moved_params, moved_grads, layer);
  CHECK(layer.weight().data() == moved_params.data());
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 2, 3);
  Matrix<S> y(2, 3);
  layer.forward(x, y);
  CHECK(nn_test::close<S>(y, layer.weight() * x));  // b = 0 after initialize()
}

TEST_CASE("bindParameters: components without parameters", "[nn][parameters]") {
  Activation<Elu, double> activation(3);
  Vector<double> params, grads;
  bindParameters(params, grads, activation);
  CHECK(params.size() == 0);
  CHECK(grads.size() == 0);
}

}  // namespace iai_test_parameters_test
