// Every nn class models its concept; near misses do not.
#include "support/catch.hpp"

#include <iai/nn.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_concepts_test {

using namespace iai::nn;
using namespace iai::concepts;

namespace {

/// A layer without the backward overload that skips the input gradient.
struct NoSkipBackward {
  using Scalar = double;
  iai::Index inputSize() const { return 1; }
  iai::Index outputSize() const { return 1; }
  iai::Index parameterCount() const { return 0; }
  void bind(double*, double*) {}
  void initialize(iai::Rng&) {}
  void forward(const iai::ConstMatrixRef<double>&, iai::MatrixRef<double>) {}
  void backward(const iai::ConstMatrixRef<double>&, const iai::ConstMatrixRef<double>&,
                const iai::ConstMatrixRef<double>&, iai::MatrixRef<double>, iai::ParamGrad) {}
};

/// The same plus the missing overload.
struct Complete : NoSkipBackward {
  using NoSkipBackward::backward;
  void backward(const iai::ConstMatrixRef<double>&, const iai::ConstMatrixRef<double>&,
                const iai::ConstMatrixRef<double>&, iai::ParamGrad) {}
};

struct NoScalar {};

}  // namespace

TEMPLATE_TEST_CASE("nn classes model Layer and Network", "[nn][concepts]", float, double) {
  using S = TestType;
  STATIC_REQUIRE(Layer<Linear<S>>);
  STATIC_REQUIRE(Layer<Highway<S>>);
  STATIC_REQUIRE(Layer<Activation<Elu, S>>);
  STATIC_REQUIRE(Layer<Activation<Relu, S>>);
  STATIC_REQUIRE(Layer<Activation<Tanh, S>>);
  STATIC_REQUIRE(Layer<Activation<Sigmoid, S>>);
  STATIC_REQUIRE(Layer<Activation<Softplus, S>>);
  STATIC_REQUIRE(Layer<Activation<Identity, S>>);
  STATIC_REQUIRE(Network<Sequential<Linear<S>>>);
  STATIC_REQUIRE(Network<Sequential<Highway<S>, Activation<Elu, S>, Linear<S>>>);
  STATIC_REQUIRE(Network<Mlp<S>>);
  STATIC_REQUIRE(Network<Mlp<S, Relu>>);
  STATIC_REQUIRE(Network<HighwayMlp<S>>);
  STATIC_REQUIRE(HasParameters<Mlp<S>, S>);
  STATIC_REQUIRE(HasParameters<Linear<S>, S>);
  // layers are not networks and vice versa
  STATIC_REQUIRE_FALSE(Network<Linear<S>>);
  STATIC_REQUIRE_FALSE(Layer<Mlp<S>>);
  STATIC_REQUIRE_FALSE(HasParameters<Linear<S>, long double>);
}

TEST_CASE("Layer rejects incomplete types", "[nn][concepts]") {
  STATIC_REQUIRE(Layer<Complete>);
  STATIC_REQUIRE_FALSE(Layer<NoSkipBackward>);
  STATIC_REQUIRE_FALSE(Layer<NoScalar>);
  STATIC_REQUIRE_FALSE(Network<NoScalar>);
}

}  // namespace iai_test_concepts_test
