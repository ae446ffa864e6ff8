#pragma once
// The contract every concepts::ObservationModel satisfies (distributions/observation_concepts.hpp),
// checked once here and instantiated by every observation model's test (Bernoulli, Gaussian in
// each log-variance mode, Multinomial, and any new one):
//   1. backward(x, η, w, grad, Accumulate) equals w · ∂(Σ_j log p(x_j | η_j))/∂η by central
//      differences, and so does the parameter gradient of a model with parameters;
//      Accumulate adds into the parameter gradient, Skip leaves it alone;
//   2. logDensity, backward, error (both weightings) and mean give finite values;
//   3. a wrong shape of η, log_px or an output is an iai::invalid_argument naming the member;
//   4. a NaN in x is an iai::domain_error.
// The caller passes a valid batch (x, η) and, for a model with parameters, binds them first.
#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/distributions/observation_concepts.hpp>
#include <iai/testing/gradient_check.hpp>

#include <limits>
#include <string>

namespace iai_test {

template <class S>
double fdTolerance() {
  return sizeof(S) == 4 ? 1e-3 : 1e-6;
}
template <class S>
double valueTolerance() {
  return sizeof(S) == 4 ? 1e-5 : 1e-12;
}

template <iai::concepts::ObservationModel O>
void checkObservationModelContract(O& model, const std::string& name,
                                   const iai::Matrix<typename O::Scalar>& x,
                                   iai::Matrix<typename O::Scalar> eta,
                                   iai::Vector<typename O::Scalar>* params = nullptr,
                                   iai::Vector<typename O::Scalar>* grads = nullptr) {
  using S = typename O::Scalar;
  using Mat = iai::Matrix<S>;
  const iai::Index d = x.rows(), b = x.cols();
  REQUIRE(eta.rows() == model.parameterRows(d));
  REQUIRE(eta.cols() == b);
  REQUIRE((params == nullptr) == (model.parameterCount() == 0));
  const S weight = S(-1.3);
  iai::RowVector<S> log_px(b);
  auto objective = [&] {
    model.logDensity(x, eta, log_px);
    return weight * log_px.sum();
  };

  // 1. derivatives
  Mat grad(eta.rows(), b);
  if (grads) grads->setZero();
  model.backward(x, eta, weight, grad, iai::ParamGrad::Accumulate);
  {
    INFO(name << ": ∂/∂η");
    CHECK(iai::testing::relativeError(grad, iai::testing::numericalGradient(objective, eta)) <
          fdTolerance<S>());
  }
  if (params) {
    INFO(name << ": ∂/∂(the model's parameters)");
    const iai::Vector<S> once = *grads;
    CHECK(iai::testing::relativeError(once, iai::testing::numericalGradient(objective, *params)) <
          fdTolerance<S>());
    model.backward(x, eta, weight, grad, iai::ParamGrad::Accumulate);
    CHECK(iai::testing::relativeError(*grads, S(2) * once) < valueTolerance<S>());
    model.backward(x, eta, weight, grad, iai::ParamGrad::Skip);
    CHECK(iai::testing::relativeError(*grads, S(2) * once) < valueTolerance<S>());
  }

  // 2. finite values
  Mat error(d, b), mean(d, b);
  model.logDensity(x, eta, log_px);
  CHECK(log_px.allFinite());
  CHECK(grad.allFinite());
  for (const auto weighting : {iai::ErrorWeighting::Raw, iai::ErrorWeighting::Precision}) {
    model.error(x, eta, weighting, error);
    CHECK(error.allFinite());
  }
  model.mean(eta, mean);
  CHECK(mean.allFinite());

  // 3. shapes: invalid_argument naming the member
  auto rejects = [&](auto&& call, const std::string& member) {
    INFO(name << "::" << member);
    CHECK_THROWS_AS(call(), iai::invalid_argument);
    CHECK_THROWS_WITH(call(), Catch::Contains(member));
  };
  const Mat eta_tall(eta.rows() + 1, b), out_wide(d, b + 1), grad_wide(eta.rows(), b + 1);
  iai::RowVector<S> log_px_long(b + 1);
  iai::Rng rng(1);
  rejects([&] { model.logDensity(x, eta_tall, log_px); }, "logDensity");
  rejects([&] { model.logDensity(x, eta, log_px_long); }, "logDensity");
  rejects([&] { Mat g = grad_wide; model.backward(x, eta, S(1), g, iai::ParamGrad::Skip); },
          "backward");
  rejects([&] { Mat o = out_wide; model.error(x, eta, iai::ErrorWeighting::Raw, o); }, "error");
  rejects([&] { Mat o = out_wide; model.mean(eta, o); }, "mean");
  rejects([&] { Mat o = out_wide; model.sample(eta, rng, o); }, "sample");

  // 4. non-finite data: domain_error
  Mat x_nan = x;
  x_nan(d - 1, b - 1) = std::numeric_limits<S>::quiet_NaN();
  INFO(name << ": NaN data");
  CHECK_THROWS_AS(model.logDensity(x_nan, eta, log_px), iai::domain_error);
  CHECK_THROWS_AS(model.backward(x_nan, eta, S(1), grad, iai::ParamGrad::Skip), iai::domain_error);
  CHECK_THROWS_AS(model.error(x_nan, eta, iai::ErrorWeighting::Raw, error), iai::domain_error);
}

}  // namespace iai_test
