#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/distributions/gaussian.hpp>
#include <iai/testing/gradient_check.hpp>

#include "observation_model_harness.hpp"

#include <cmath>
#include <numbers>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_gaussian_test {

using iai::ErrorWeighting;
using iai::Gaussian;
using iai::GaussianConfig;
using iai::LogVarMode;
using iai::ParamGrad;

namespace {

using iai_test::fdTolerance;
using iai_test::valueTolerance;

/// Reference log N(x; μ, σ²) = −½ log(2π σ²) − (x − μ)²/(2σ²), σ² = e^s, in double.
double logNormal(double x, double mu, double s) {
  const double var = std::exp(s);
  return -0.5 * std::log(2 * std::numbers::pi * var) - (x - mu) * (x - mu) / (2 * var);
}

/// D = 3, B = 4: data, means, and log-variances in [−1, 1].
template <class S>
void exampleBatch(iai::Matrix<S>& x, iai::Matrix<S>& mu, iai::Matrix<S>& s) {
  iai::Rng rng(3);
  x.resize(3, 4);
  mu.resize(3, 4);
  s.resize(3, 4);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, mu);
  iai::fillUniform(rng, s);
  s = (S(2) * s.array() - S(1)).matrix();
}

}  // namespace

static_assert(iai::concepts::ObservationModel<Gaussian<float>>);
static_assert(iai::concepts::ObservationModel<Gaussian<double>>);

TEMPLATE_TEST_CASE("Gaussian: logDensity is Σ log N(x, μ, e^s) in every LogVarMode",
                   "[distributions]", float, double) {
  using S = TestType;
  iai::Matrix<S> x, mu, s;
  exampleBatch(x, mu, s);
  iai::RowVector<S> log_px(4);

  SECTION("Fixed") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Fixed, .log_var = 0.3}, 3);
    CHECK(model.parameterRows(3) == 3);
    CHECK(model.parameterCount() == 0);
    model.logDensity(x, mu, log_px);
    for (iai::Index j = 0; j < 4; ++j) {
      double expected = 0;
      for (iai::Index i = 0; i < 3; ++i)
        expected += logNormal(static_cast<double>(x(i, j)), static_cast<double>(mu(i, j)), 0.3);
      CHECK(log_px(j) == Approx(expected).epsilon(valueTolerance<S>()));
    }
  }
  SECTION("Global") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Global, .log_var = -0.5}, 3);
    CHECK(model.parameterCount() == 3);
    iai::Vector<S> params = iai::Vector<S>::Zero(3), grads = iai::Vector<S>::Zero(3);
    model.bind(params.data(), grads.data());
    iai::Rng rng(0);
    model.initialize(rng);
    CHECK(params == iai::Vector<S>::Constant(3, S(-0.5)));
    params << S(0.4), S(-0.9), S(0.1);
    model.logDensity(x, mu, log_px);
    for (iai::Index j = 0; j < 4; ++j) {
      double expected = 0;
      for (iai::Index i = 0; i < 3; ++i)
        expected += logNormal(static_cast<double>(x(i, j)), static_cast<double>(mu(i, j)),
                              static_cast<double>(params(i)));
      CHECK(log_px(j) == Approx(expected).epsilon(valueTolerance<S>()));
    }
  }
  SECTION("PerExample, with and without the −log 256 discretization offset") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::PerExample}, 3);
    CHECK(model.parameterRows(3) == 6);
    CHECK(model.parameterCount() == 0);
    iai::Matrix<S> eta(6, 4);
    eta << mu, s;
    model.logDensity(x, eta, log_px);
    for (iai::Index j = 0; j < 4; ++j) {
      double expected = 0;
      for (iai::Index i = 0; i < 3; ++i)
        expected += logNormal(static_cast<double>(x(i, j)), static_cast<double>(mu(i, j)),
                              static_cast<double>(s(i, j)));
      CHECK(log_px(j) == Approx(expected).epsilon(valueTolerance<S>()));
    }
    Gaussian<S> offset_model(
        GaussianConfig{.mode = LogVarMode::PerExample, .discretization_offset = true}, 3);
    iai::RowVector<S> offset_px(4);
    offset_model.logDensity(x, eta, offset_px);
    for (iai::Index j = 0; j < 4; ++j)
      CHECK(offset_px(j) ==
            Approx(static_cast<double>(log_px(j)) - 3 * std::log(256.0)).epsilon(1e-6));
  }
  SECTION("hand-computed: x = μ, s = 0 gives −½ log 2π per dimension") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Fixed}, 3);
    model.logDensity(x, x, log_px);
    CHECK(log_px(0) == Approx(3 * -0.918938533204672742).epsilon(valueTolerance<S>()));
  }
}

TEMPLATE_TEST_CASE("Gaussian: the ObservationModel contract in every LogVarMode (finite "
                   "differences, shapes, NaN)",
                   "[distributions]", float, double) {
  using S = TestType;
  iai::Matrix<S> x, mu, s;
  exampleBatch(x, mu, s);
  SECTION("PerExample: mean and log-variance rows") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::PerExample}, 3);
    iai::Matrix<S> eta(6, 4);
    eta << mu, s;
    iai_test::checkObservationModelContract(model, "Gaussian", x, eta);
  }
  SECTION("Fixed: mean rows") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Fixed, .log_var = -0.4}, 3);
    iai_test::checkObservationModelContract(model, "Gaussian", x, mu);
  }
  SECTION("Global: mean rows and the learned log-variance parameters") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Global}, 3);
    iai::Vector<S> params(3), grads = iai::Vector<S>::Zero(3);
    params << S(0.4), S(-0.9), S(0.1);
    model.bind(params.data(), grads.data());
    iai_test::checkObservationModelContract(model, "Gaussian", x, mu, &params, &grads);
  }
}

TEMPLATE_TEST_CASE("Gaussian: log-variances are clamped, with zero gradient strictly outside",
                   "[distributions]", float, double) {
  using S = TestType;
  // default clamp [−7, 15]; s = −8 and 16 lie outside, −7 and 15 on the boundary, 0.5 inside
  iai::Matrix<S> x(5, 1), mu = iai::Matrix<S>::Zero(5, 1), s(5, 1);
  x << 0.5, -1, 2, 0.25, 1;
  s << -8, 16, -7, 15, 0.5;
  iai::RowVector<S> log_px(1);

  SECTION("PerExample") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::PerExample}, 5);
    iai::Matrix<S> eta(10, 1);
    eta << mu, s;
    model.logDensity(x, eta, log_px);
    const double s_clamped[5] = {-7, 15, -7, 15, 0.5};
    double expected = 0;
    for (int i = 0; i < 5; ++i)
      expected += logNormal(static_cast<double>(x(i)), 0.0, s_clamped[i]);
    CHECK(log_px(0) == Approx(expected).epsilon(valueTolerance<S>()));
    iai::Matrix<S> grad(10, 1);
    model.backward(x, eta, S(1), grad, ParamGrad::Skip);
    CHECK(grad(5) == S(0));  // s = −8: outside
    CHECK(grad(6) == S(0));  // s = 16: outside
    for (int i = 2; i < 5; ++i) {  // on the boundary and inside: −½ + ½ x² e^{−s}
      const double xi = static_cast<double>(x(i));
      CHECK(grad(5 + i) ==
            Approx(-0.5 + 0.5 * xi * xi * std::exp(-s_clamped[i])).epsilon(valueTolerance<S>()));
    }
    // the mean gradient uses the clamped variance: x e^{7} at s = −8
    CHECK(grad(0) == Approx(0.5 * std::exp(7.0)).epsilon(valueTolerance<S>()));
    // finite differences agree away from the boundary (outside: 0, inside: the formula)
    Gaussian<S> inner(GaussianConfig{.mode = LogVarMode::PerExample}, 2);
    iai::Matrix<S> x2(2, 1), eta2(4, 1);
    x2 << 0.5, -1;
    eta2 << 0, 0, -8, 0.5;
    iai::RowVector<S> lp2(1);
    auto objective = [&] {
      inner.logDensity(x2, eta2, lp2);
      return lp2.sum();
    };
    iai::Matrix<S> grad2(4, 1);
    inner.backward(x2, eta2, S(1), grad2, ParamGrad::Skip);
    const auto numeric = iai::testing::numericalGradient(objective, eta2);
    CHECK(numeric(2) == Approx(0.0).margin(1e-2));
    CHECK(grad2(2) == S(0));
    CHECK(iai::testing::relativeError(grad2, numeric) < fdTolerance<S>());
  }
  SECTION("Global") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Global}, 5);
    iai::Vector<S> params = s, grads = iai::Vector<S>::Zero(5);
    model.bind(params.data(), grads.data());
    iai::Matrix<S> grad(5, 1);
    model.backward(x, mu, S(2), grad, ParamGrad::Accumulate);
    CHECK(grads(0) == S(0));
    CHECK(grads(1) == S(0));
    const double xi = static_cast<double>(x(4));
    CHECK(grads(4) == Approx(2 * (-0.5 + 0.5 * xi * xi * std::exp(-0.5))).epsilon(1e-6));
  }
  SECTION("a custom clamp range") {
    Gaussian<S> model(
        GaussianConfig{.mode = LogVarMode::PerExample, .log_var_min = -1, .log_var_max = 1}, 5);
    iai::Matrix<S> eta(10, 1), grad(10, 1);
    eta << mu, s;
    model.backward(x, eta, S(1), grad, ParamGrad::Skip);
    CHECK(grad.middleRows(5, 4).isZero(0));  // −8, 16, −7, 15 are all outside [−1, 1]
    CHECK(grad(9) != S(0));
  }
}

TEMPLATE_TEST_CASE("Gaussian: mean and error (Raw x − μ, Precision (x − μ)/σ²)",
                   "[distributions]", float, double) {
  using S = TestType;
  iai::Matrix<S> x, mu, s;
  exampleBatch(x, mu, s);
  Gaussian<S> model(GaussianConfig{.mode = LogVarMode::PerExample}, 3);
  iai::Matrix<S> eta(6, 4), mean(3, 4), raw(3, 4), precision(3, 4);
  eta << mu, s;
  model.mean(eta, mean);
  CHECK(mean == mu);
  model.error(x, eta, ErrorWeighting::Raw, raw);
  model.error(x, eta, ErrorWeighting::Precision, precision);
  for (iai::Index j = 0; j < 4; ++j)
    for (iai::Index i = 0; i < 3; ++i) {
      const double r = static_cast<double>(x(i, j)) - static_cast<double>(mu(i, j));
      CHECK(raw(i, j) == Approx(r).epsilon(valueTolerance<S>()).margin(1e-6));
      CHECK(precision(i, j) == Approx(r / std::exp(static_cast<double>(s(i, j))))
                                   .epsilon(valueTolerance<S>())
                                   .margin(1e-6));
    }
  // the precision-weighted error is the gradient w.r.t. the mean (weight 1)
  iai::Matrix<S> grad(6, 4);
  model.backward(x, eta, S(1), grad, ParamGrad::Skip);
  CHECK(iai::testing::relativeError(grad.topRows(3), precision) < valueTolerance<S>());
}

TEMPLATE_TEST_CASE("Gaussian: sample has mean μ and variance e^s", "[distributions]", float,
                   double) {
  using S = TestType;
  const iai::Index batch = 20000;
  iai::Rng rng(11);
  SECTION("Fixed σ² = 0.25") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::Fixed, .log_var = std::log(0.25)}, 2);
    iai::Matrix<S> eta(2, batch), x(2, batch);
    eta.row(0).setConstant(S(1));
    eta.row(1).setConstant(S(-2));
    model.sample(eta, rng, x);
    const iai::Vector<S> means = x.rowwise().mean();
    const iai::Vector<S> vars = (x.colwise() - means).array().square().rowwise().mean();
    // SE of the mean 0.5/√20000 ≈ 0.0035, of the variance 0.25·√(2/20000) ≈ 0.0025
    CHECK(means(0) == Approx(1.0).margin(0.015));
    CHECK(means(1) == Approx(-2.0).margin(0.015));
    CHECK(vars(0) == Approx(0.25).margin(0.01));
    CHECK(vars(1) == Approx(0.25).margin(0.01));
  }
  SECTION("PerExample σ² = (4, 0.01)") {
    Gaussian<S> model(GaussianConfig{.mode = LogVarMode::PerExample}, 2);
    iai::Matrix<S> eta(4, batch), x(2, batch);
    eta.row(0).setConstant(S(0.5));
    eta.row(1).setConstant(S(3));
    eta.row(2).setConstant(static_cast<S>(std::log(4.0)));
    eta.row(3).setConstant(static_cast<S>(std::log(0.01)));
    model.sample(eta, rng, x);
    const iai::Vector<S> means = x.rowwise().mean();
    const iai::Vector<S> vars = (x.colwise() - means).array().square().rowwise().mean();
    // SE of the means 0.014 and 0.0007; of the variances 0.04 and 0.0001
    CHECK(means(0) == Approx(0.5).margin(0.06));
    CHECK(means(1) == Approx(3.0).margin(0.003));
    CHECK(vars(0) == Approx(4.0).margin(0.16));
    CHECK(vars(1) == Approx(0.01).margin(0.0004));
  }
}

TEST_CASE("Gaussian: bad settings and inputs throw the right type", "[distributions]") {
  CHECK_THROWS_AS(Gaussian<double>(GaussianConfig{}, 0), iai::invalid_argument);
  CHECK_THROWS_AS(Gaussian<double>(GaussianConfig{.log_var = 20.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Gaussian<double>(GaussianConfig{.log_var_min = 1, .log_var_max = 1}, 3),
                  iai::invalid_argument);
  CHECK_THROWS_WITH(Gaussian<double>(GaussianConfig{.mode = LogVarMode::Fixed, .log_var = -9}, 3),
                    "Gaussian::Gaussian: config.log_var is -9, but must be in "
                    "[config.log_var_min, config.log_var_max]");
  // PerExample ignores log_var
  CHECK_NOTHROW(Gaussian<double>(GaussianConfig{.mode = LogVarMode::PerExample, .log_var = -9}, 3));

  Gaussian<double> global(GaussianConfig{}, 2);
  iai::Matrix<double> x = iai::Matrix<double>::Zero(2, 3), eta = x, out(2, 3);
  iai::RowVector<double> log_px(3);
  iai::Rng rng(0);
  // Global parameters must be bound first
  CHECK_THROWS_AS(global.logDensity(x, eta, log_px), iai::invalid_argument);
  CHECK_THROWS_AS(global.initialize(rng), iai::invalid_argument);
  CHECK_THROWS_WITH(global.sample(eta, rng, out),
                    Catch::Contains("the Global log-variance buffer is unbound"));
  CHECK_THROWS_AS(global.bind(nullptr, nullptr), iai::invalid_argument);
  CHECK_NOTHROW(global.mean(eta, out));  // does not read the log-variance
  iai::Vector<double> params = iai::Vector<double>::Zero(2);
  global.bind(params.data(), nullptr);
  CHECK_NOTHROW(global.logDensity(x, eta, log_px));
  CHECK_NOTHROW(global.backward(x, eta, 1.0, out, iai::ParamGrad::Skip));
  CHECK_THROWS_AS(global.backward(x, eta, 1.0, out, iai::ParamGrad::Accumulate),
                  iai::invalid_argument);  // no gradient buffer bound

  Gaussian<double> per_example(GaussianConfig{.mode = LogVarMode::PerExample}, 2);
  CHECK_THROWS_AS(per_example.logDensity(x, eta, log_px), iai::invalid_argument);  // needs 4 rows
  CHECK_THROWS_WITH(per_example.logDensity(x, eta, log_px),
                    "Gaussian::logDensity: eta.rows() is 2, but must be parameterRows(D) = 4");
  iai::Matrix<double> eta4 = iai::Matrix<double>::Zero(4, 3), grad4(4, 3);
  CHECK_NOTHROW(per_example.backward(x, eta4, 1.0, grad4, iai::ParamGrad::Accumulate));
  CHECK_THROWS_AS(per_example.backward(x, eta4, 1.0, out, iai::ParamGrad::Skip),
                  iai::invalid_argument);  // grad_eta needs 4 rows
  iai::Matrix<double> x3 = iai::Matrix<double>::Zero(3, 3);
  CHECK_THROWS_AS(per_example.error(x3, eta4, ErrorWeighting::Raw, out), iai::invalid_argument);
  // the other shapes and NaN data: the contract test above
}

}  // namespace iai_test_gaussian_test
