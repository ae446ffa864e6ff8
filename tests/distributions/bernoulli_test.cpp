#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/distributions/bernoulli.hpp>
#include <iai/testing/gradient_check.hpp>

#include "observation_model_harness.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_bernoulli_test {

using iai::Bernoulli;
using iai::ErrorWeighting;
using iai::ParamGrad;

namespace {

using iai_test::valueTolerance;

/// 4×3 data: binary and fractional values in [0, 1], and logits of both signs.
template <class S>
void exampleBatch(iai::Matrix<S>& x, iai::Matrix<S>& eta) {
  x.resize(4, 3);
  eta.resize(4, 3);
  x << 1, 0, 0.3, 0, 1, 1, 1, 0.75, 0, 0.5, 0, 1;
  eta << 0.2, -1.5, 3.0, 2.5, 0.0, -0.7, -4.0, 1.1, 5.5, 0.9, -2.2, -6.0;
}

/// Reference σ(η) in double: 1 / (1 + e^{−η}).
double sigmoid(double eta) { return 1.0 / (1.0 + std::exp(-eta)); }

}  // namespace

static_assert(iai::concepts::ObservationModel<Bernoulli<float>>);
static_assert(iai::concepts::ObservationModel<Bernoulli<double>>);

TEMPLATE_TEST_CASE("Bernoulli: logDensity is Σ x log σ(η) + (1 − x) log(1 − σ(η))",
                   "[distributions]", float, double) {
  using S = TestType;
  Bernoulli<S> model;
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  CHECK(model.parameterRows(4) == 4);
  CHECK(model.parameterCount() == 0);
  iai::RowVector<S> log_px(3);
  model.logDensity(x, eta, log_px);
  for (iai::Index j = 0; j < 3; ++j) {
    double expected = 0.0;  // the cross-entropy written with σ, in double
    for (iai::Index i = 0; i < 4; ++i) {
      const double xi = static_cast<double>(x(i, j)), p = sigmoid(static_cast<double>(eta(i, j)));
      expected += xi * std::log(p) + (1 - xi) * std::log(1 - p);
    }
    CHECK(log_px(j) == Approx(expected).epsilon(valueTolerance<S>()));
  }
  // hand-computed: η = 0 gives −log 2 for x ∈ {0, 1}; x = 1, η = log 3 gives log σ = log(3/4)
  iai::Matrix<S> x1(3, 1), eta1(3, 1);
  x1 << 1, 0, 1;
  eta1 << 0, 0, static_cast<S>(std::log(3.0));
  iai::RowVector<S> lp1(1);
  model.logDensity(x1, eta1, lp1);
  CHECK(lp1(0) == Approx(-2 * std::log(2.0) + std::log(0.75)).epsilon(valueTolerance<S>()));
}

TEMPLATE_TEST_CASE("Bernoulli: the ObservationModel contract (finite differences, shapes, NaN)",
                   "[distributions]", float, double) {
  using S = TestType;
  Bernoulli<S> model;
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  iai_test::checkObservationModelContract(model, "Bernoulli", x, eta);
  const S weight = S(0.7);
  iai::Matrix<S> grad(4, 3);
  model.backward(x, eta, weight, grad, ParamGrad::Accumulate);
  // the gradient is the raw error ("logit form"), scaled by the weight
  iai::Matrix<S> raw(4, 3);
  model.error(x, eta, ErrorWeighting::Raw, raw);
  CHECK(iai::testing::relativeError(grad, weight * raw) < valueTolerance<S>());
}

TEMPLATE_TEST_CASE("Bernoulli: extreme logits ±1e4 stay finite and match the limit",
                   "[distributions]", float, double) {
  using S = TestType;
  Bernoulli<S> model;
  iai::Matrix<S> x(5, 1), eta(5, 1);
  x << 1, 0, 0, 1, 0.5;
  eta << 1e4, -1e4, 1e4, -1e4, 1e4;
  iai::RowVector<S> log_px(1);
  model.logDensity(x.col(0), eta.col(0), log_px);
  // per dimension: x η − softplus(η) → 0, 0, −1e4, −1e4, 0.5·1e4 − 1e4 = −5000
  CHECK(std::isfinite(log_px(0)));
  CHECK(log_px(0) == Approx(-25000.0).epsilon(1e-6));
  iai::Matrix<S> grad(5, 1), mu(5, 1), precision(5, 1);
  model.backward(x, eta, S(1), grad, ParamGrad::Skip);
  CHECK(grad.allFinite());
  // "0" allows a denormal: a vectorised exp may stop at e^{±88} (float) or e^{±709} (double)
  CHECK(grad(0) == Approx(0.0).margin(1e-30));
  CHECK(grad(1) == Approx(0.0).margin(1e-30));
  CHECK(grad(2) == S(-1));
  CHECK(grad(3) == S(1));
  CHECK(grad(4) == S(-0.5));
  model.mean(eta, mu);
  CHECK(mu(0) == S(1));
  CHECK(mu(1) == Approx(0.0).margin(1e-30));
  model.error(x, eta, ErrorWeighting::Precision, precision);  // variance floored at 1e-5
  CHECK(precision.allFinite());
  CHECK(precision(2) == Approx(-1e5).epsilon(1e-5));
  CHECK(precision(3) == Approx(1e5).epsilon(1e-5));
  // each dimension alone: x = 1, η = −1e4 gives exactly −1e4
  iai::Matrix<S> x1(1, 1), eta1(1, 1);
  x1 << 1;
  eta1 << -1e4;
  model.logDensity(x1, eta1, log_px);
  CHECK(log_px(0) == S(-1e4));
}

TEMPLATE_TEST_CASE("Bernoulli: error is x − σ(η) (Raw) or (x − μ)/max(μ(1 − μ), 1e-5)",
                   "[distributions]", float, double) {
  using S = TestType;
  Bernoulli<S> model;
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  iai::Matrix<S> raw(4, 3), precision(4, 3), mu(4, 3);
  model.error(x, eta, ErrorWeighting::Raw, raw);
  model.error(x, eta, ErrorWeighting::Precision, precision);
  model.mean(eta, mu);
  for (iai::Index j = 0; j < 3; ++j)
    for (iai::Index i = 0; i < 4; ++i) {
      const double m = sigmoid(static_cast<double>(eta(i, j)));
      const double r = static_cast<double>(x(i, j)) - m;
      CHECK(mu(i, j) == Approx(m).epsilon(valueTolerance<S>()));
      CHECK(raw(i, j) == Approx(r).epsilon(valueTolerance<S>()).margin(1e-6));
      CHECK(precision(i, j) ==
            Approx(r / std::max(m * (1 - m), 1e-5)).epsilon(10 * valueTolerance<S>()).margin(1e-5));
    }
}

TEMPLATE_TEST_CASE("Bernoulli: sample draws {0, 1} with mean σ(η)", "[distributions]", float,
                   double) {
  using S = TestType;
  Bernoulli<S> model;
  const iai::Index batch = 20000;
  iai::Matrix<S> eta(3, batch);
  eta.colwise() = (iai::Vector<S>(3) << S(-2), S(0), S(1.5)).finished();
  iai::Matrix<S> x(3, batch);
  iai::Rng rng(7);
  model.sample(eta, rng, x);
  CHECK((x.array() == S(0) || x.array() == S(1)).all());
  // standard error of each mean ≤ √(0.25/20000) ≈ 0.0035; tolerance 0.015 (> 4 SE)
  const iai::Vector<S> means = x.rowwise().mean();
  CHECK(means(0) == Approx(sigmoid(-2)).margin(0.015));
  CHECK(means(1) == Approx(0.5).margin(0.015));
  CHECK(means(2) == Approx(sigmoid(1.5)).margin(0.015));
  // same seed, same draws
  iai::Matrix<S> again(3, batch);
  iai::Rng rng2(7);
  model.sample(eta, rng2, again);
  CHECK(again == x);
}

TEST_CASE("Bernoulli: bad inputs throw the right type", "[distributions]") {
  Bernoulli<double> model;
  iai::Matrix<double> x(2, 2), eta = iai::Matrix<double>::Zero(2, 2), out(2, 2);
  iai::RowVector<double> log_px(2);
  x << 0, 1, 1, 0;
  REQUIRE_NOTHROW(model.logDensity(x, eta, log_px));
  // data outside [0, 1]: domain_error
  x(1, 0) = 1.5;
  CHECK_THROWS_AS(model.logDensity(x, eta, log_px), iai::domain_error);
  CHECK_THROWS_WITH(model.logDensity(x, eta, log_px),
                    "Bernoulli::logDensity: x(1, 0) is 1.5, but must be in [0, 1]");
  x(1, 0) = -0.1;
  CHECK_THROWS_AS(model.backward(x, eta, 1.0, out, ParamGrad::Skip), iai::domain_error);
  x(1, 0) = 0;
  // the shape message (the other shape and NaN checks: the contract test above)
  iai::Matrix<double> eta_short = iai::Matrix<double>::Zero(3, 2);
  CHECK_THROWS_WITH(model.logDensity(x, eta_short, log_px),
                    "Bernoulli::logDensity: eta's shape is 3x2, but must be x's shape 2x2");
}

TEST_CASE("Bernoulli: a bad entry in a later block of a large batch is named, whichever block "
          "the pass tests it in",
          "[distributions]") {
  // 100 × 3000: large enough for logDensity's and backward's pass to run in 4 blocks, which test
  // their part of x as they go
  Bernoulli<float> model;
  iai::Matrix<float> x = iai::Matrix<float>::Zero(100, 3000), eta = x, out = x;
  iai::RowVector<float> log_px(3000);
  x.col(7).setOnes();
  REQUIRE_NOTHROW(model.logDensity(x, eta, log_px));
  REQUIRE_NOTHROW(model.backward(x, eta, 1.0f, out, ParamGrad::Skip));
  x(3, 2500) = std::numeric_limits<float>::quiet_NaN();
  x(4, 2999) = 2.0f;
  CHECK_THROWS_WITH(model.logDensity(x, eta, log_px),
                    "Bernoulli::logDensity: x(3, 2500) is nan, but must be in [0, 1]");
  CHECK_THROWS_WITH(model.backward(x, eta, 1.0f, out, ParamGrad::Skip),
                    "Bernoulli::backward: x(3, 2500) is nan, but must be in [0, 1]");
  x(3, 2500) = 0.5f;
  CHECK_THROWS_WITH(model.logDensity(x, eta, log_px),
                    "Bernoulli::logDensity: x(4, 2999) is 2, but must be in [0, 1]");
}

}  // namespace iai_test_bernoulli_test
