#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/distributions/multinomial.hpp>
#include <iai/testing/gradient_check.hpp>

#include "observation_model_harness.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_multinomial_test {

using iai::ErrorWeighting;
using iai::Multinomial;
using iai::MultinomialConfig;
using iai::ParamGrad;

namespace {

using iai_test::valueTolerance;

/// V = 4 categories, B = 3 documents of counts (one empty), logits of both signs.
template <class S>
void exampleBatch(iai::Matrix<S>& x, iai::Matrix<S>& eta) {
  x.resize(4, 3);
  eta.resize(4, 3);
  x << 2, 0, 0, 0, 1, 0, 5, 3, 0, 1, 0, 0;
  eta << 0.5, -1.0, 2.0, 1.5, 0.0, -3.0, -2.0, 2.5, 0.7, 0.1, -0.4, 1.2;
}

/// Reference softmax probability p_v = e^{η_v} / Σ_u e^{η_u} of column j, in double.
template <class S>
double softmax(const iai::Matrix<S>& eta, iai::Index v, iai::Index j) {
  double total = 0;
  for (iai::Index u = 0; u < eta.rows(); ++u) total += std::exp(static_cast<double>(eta(u, j)));
  return std::exp(static_cast<double>(eta(v, j))) / total;
}

}  // namespace

static_assert(iai::concepts::ObservationModel<Multinomial<float>>);
static_assert(iai::concepts::ObservationModel<Multinomial<double>>);

TEMPLATE_TEST_CASE("Multinomial: logDensity is Σ_v x_v log softmax(η)_v", "[distributions]",
                   float, double) {
  using S = TestType;
  Multinomial<S> model;
  CHECK(model.parameterRows(4) == 4);
  CHECK(model.parameterCount() == 0);
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  iai::RowVector<S> log_px(3);
  model.logDensity(x, eta, log_px);
  for (iai::Index j = 0; j < 3; ++j) {
    double expected = 0;  // no multinomial coefficient
    for (iai::Index v = 0; v < 4; ++v)
      expected += static_cast<double>(x(v, j)) * std::log(softmax(eta, v, j));
    CHECK(log_px(j) == Approx(expected).epsilon(valueTolerance<S>()));
  }
  CHECK(log_px(2) == S(0));  // an empty document
  // hand-computed: uniform logits over 4 words, N = 4 counts: 4 log(1/4)
  iai::Matrix<S> x1(4, 1), eta1 = iai::Matrix<S>::Constant(4, 1, S(0.3));
  x1 << 1, 2, 0, 1;
  iai::RowVector<S> lp1(1);
  model.logDensity(x1, eta1, lp1);
  CHECK(lp1(0) == Approx(-4 * std::log(4.0)).epsilon(valueTolerance<S>()));
}

TEMPLATE_TEST_CASE("Multinomial: the ObservationModel contract (finite differences, shapes, NaN)",
                   "[distributions]", float, double) {
  using S = TestType;
  Multinomial<S> model;
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  iai_test::checkObservationModelContract(model, "Multinomial", x, eta);
  const S weight = S(0.4);
  iai::Matrix<S> grad(4, 3);
  model.backward(x, eta, weight, grad, ParamGrad::Accumulate);
  // x − N softmax(η) is also the raw error; its entries sum to zero per column
  iai::Matrix<S> raw(4, 3);
  model.error(x, eta, ErrorWeighting::Raw, raw);
  CHECK(iai::testing::relativeError(grad, weight * raw) < valueTolerance<S>());
  for (iai::Index j = 0; j < 3; ++j) CHECK(raw.col(j).sum() == Approx(0.0).margin(1e-5));
}

TEMPLATE_TEST_CASE("Multinomial: extreme logits ±1e4 stay finite and match the limit",
                   "[distributions]", float, double) {
  using S = TestType;
  Multinomial<S> model;
  iai::Matrix<S> x(3, 2), eta(3, 2);
  x << 2, 0, 0, 1, 0, 1;
  eta << 1e4, 1e4, -1e4, -1e4, 0, 0;
  // softmax → (1, 0, 0) (Eigen's vectorised exp stops at e^{−709}, so "0" means < 1e-300):
  // column 0 puts its counts on word 0 → 0; column 1 has one count on
  // word 1 (log p = −2e4) and one on word 2 (log p = −1e4) → −3e4
  iai::RowVector<S> log_px(2);
  model.logDensity(x, eta, log_px);
  CHECK(log_px(0) == S(0));
  CHECK(log_px(1) == Approx(-3e4).epsilon(1e-6));
  iai::Matrix<S> grad(3, 2), mu(3, 2), precision(3, 2);
  model.backward(x, eta, S(1), grad, ParamGrad::Skip);
  CHECK(grad.allFinite());
  CHECK(grad.col(0).isZero(1e-30));
  CHECK(grad(0, 1) == S(-2));  // x − N p = (0, 1, 1) − 2 (1, 0, 0)
  CHECK(grad(1, 1) == S(1));
  CHECK(grad(2, 1) == S(1));
  model.mean(eta, mu);
  CHECK(mu(0, 0) == S(1));
  CHECK(mu(1, 0) == Approx(0.0).margin(1e-30));
  model.error(x, eta, ErrorWeighting::Precision, precision);
  CHECK(precision.allFinite());
}

TEMPLATE_TEST_CASE("Multinomial: error is x − N p (Raw) or (x − N p)/max(N p(1 − p), 1e-5)",
                   "[distributions]", float, double) {
  using S = TestType;
  Multinomial<S> model;
  iai::Matrix<S> x, eta;
  exampleBatch(x, eta);
  iai::Matrix<S> raw(4, 3), precision(4, 3);
  model.error(x, eta, ErrorWeighting::Raw, raw);
  model.error(x, eta, ErrorWeighting::Precision, precision);
  for (iai::Index j = 0; j < 3; ++j) {
    const double n = static_cast<double>(x.col(j).sum());
    for (iai::Index v = 0; v < 4; ++v) {
      const double p = softmax(eta, v, j);
      const double r = static_cast<double>(x(v, j)) - n * p;
      CHECK(raw(v, j) == Approx(r).epsilon(valueTolerance<S>()).margin(1e-5));
      CHECK(precision(v, j) == Approx(r / std::max(n * p * (1 - p), 1e-5))
                                   .epsilon(10 * valueTolerance<S>())
                                   .margin(1e-5));
    }
  }
}

TEMPLATE_TEST_CASE("Multinomial: sample draws N counts with mean N softmax(η)", "[distributions]",
                   float, double) {
  using S = TestType;
  Multinomial<S> model(MultinomialConfig{.sample_trials = 10});
  const iai::Index batch = 5000;
  // p = (1/6, 2/6, 3/6)
  iai::Matrix<S> eta(3, batch), x(3, batch), mu(3, batch);
  eta.row(0).setConstant(S(0));
  eta.row(1).setConstant(static_cast<S>(std::log(2.0)));
  eta.row(2).setConstant(static_cast<S>(std::log(3.0)));
  iai::Rng rng(5);
  model.sample(eta, rng, x);
  CHECK((x.colwise().sum().array() == S(10)).all());
  CHECK((x.array() >= S(0)).all());
  const iai::Vector<S> means = x.rowwise().mean();
  // SE of each mean count ≤ √(10·0.25/5000) ≈ 0.022; tolerance 0.1
  CHECK(means(0) == Approx(10.0 / 6).margin(0.1));
  CHECK(means(1) == Approx(20.0 / 6).margin(0.1));
  CHECK(means(2) == Approx(30.0 / 6).margin(0.1));
  model.mean(eta, mu);
  CHECK(mu(0, 0) == Approx(10.0 / 6).epsilon(valueTolerance<S>()));
  CHECK(mu(2, 7) == Approx(5.0).epsilon(valueTolerance<S>()));
}

TEST_CASE("Multinomial: bad inputs throw the right type", "[distributions]") {
  CHECK_THROWS_AS(Multinomial<double>(MultinomialConfig{.sample_trials = -1}),
                  iai::invalid_argument);
  Multinomial<double> model;
  iai::Matrix<double> x(3, 2), eta = iai::Matrix<double>::Zero(3, 2), out(3, 2);
  iai::RowVector<double> log_px(2);
  x << 1, 0, 2, 3, 0, 1;
  REQUIRE_NOTHROW(model.logDensity(x, eta, log_px));
  x(2, 1) = -1;
  CHECK_THROWS_AS(model.logDensity(x, eta, log_px), iai::domain_error);
  CHECK_THROWS_WITH(model.logDensity(x, eta, log_px),
                    "Multinomial::logDensity: x(2, 1) is -1, but must be a non-negative, finite "
                    "count");
  CHECK_THROWS_AS(model.backward(x, eta, 1.0, out, ParamGrad::Skip), iai::domain_error);
  x(2, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(model.logDensity(x, eta, log_px), iai::domain_error);
  // shapes and NaN: the contract test above; an empty vocabulary:
  iai::Matrix<double> empty(0, 2);
  CHECK_THROWS_AS(model.mean(empty, empty), iai::invalid_argument);
}

}  // namespace iai_test_multinomial_test
