#include "support/catch.hpp"

#include <iai/objectives/elbo.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_elbo_test {

using iai::Matrix;
using iai::RowVector;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

static_assert(iai::concepts::DifferentiableGenerativeModel<iai::LinearGaussianModel<float>>);
static_assert(iai::concepts::ErrorSignalModel<iai::LinearGaussianModel<double>>);

TEST_CASE("Elbo on the linear-Gaussian oracle: Monte Carlo estimate matches the exact ELBO",
          "[inference]") {
  iai::Rng rng(4);
  auto model = iai::LinearGaussianModel<double>::withOrthogonalColumns(6, 2, rng, -0.5);
  Matrix<double> x(6, 3), z(2, 3), mean(2, 3), log_var(2, 3);
  model.sample(rng, z, x);
  iai::fillNormal(rng, mean);
  iai::fillNormal(rng, log_var);
  log_var *= 0.3;
  RowVector<double> exact(3);
  model.exactElbo(x, mean, log_var, exact);
  for (auto kl : {iai::KlEstimator::Analytic, iai::KlEstimator::Sampled}) {
    // 40 independent estimates with S = 500: their mean must lie within 4 standard errors of the
    // exact value (the estimator is unbiased), and L = reconstruction − KL holds exactly.
    iai::Elbo<iai::LinearGaussianModel<double>> elbo({.samples = 500, .kl = kl});
    const int reps = 40;
    Matrix<double> values(reps, 3);
    for (int r = 0; r < reps; ++r) {
      elbo.evaluate(model, x, mean, log_var, rng, {.grad_lambda = false});
      values.row(r) = elbo.elbo();
      CHECK((elbo.reconstruction() - elbo.kl() - elbo.elbo()).cwiseAbs().maxCoeff() < 1e-9);
    }
    for (iai::Index j = 0; j < 3; ++j) {
      const double m = values.col(j).mean();
      const double se = std::sqrt((values.col(j).array() - m).square().sum() / (reps - 1) / reps);
      CHECK(std::abs(m - exact(j)) < 4 * se + 1e-9);
      CHECK(se < 0.2);  // keeps the check meaningful (not passing by huge variance)
    }
  }
}

TEMPLATE_TEST_CASE("Elbo gradients w.r.t. lambda and theta match finite differences (fixed noise)",
                   "[inference]", float, double) {
  using S = TestType;
  using Model = iai::LinearGaussianModel<S>;
  iai::Rng rng(5);
  Model model(5, 3, S(-0.2));
  iai::fillNormal(rng, model.weight());
  iai::fillNormal(rng, model.bias());
  const iai::Index b = 2, n_s = 3;
  Matrix<S> x(5, b), mean(3, b), log_var(3, b), eps(3, n_s * b);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, mean);
  iai::fillNormal(rng, log_var);
  iai::fillNormal(rng, eps);
  log_var *= S(0.5);
  const double tol = sizeof(S) == 4 ? 2e-3 : 1e-6;
  for (auto kl : {iai::KlEstimator::Analytic, iai::KlEstimator::Sampled}) {
    iai::Elbo<Model> elbo({.samples = n_s, .kl = kl, .kl_weight = 0.7});
    auto f = [&] {
      elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = false});
      return elbo.elbo().template cast<double>().sum();
    };
    model.gradTheta().setZero();
    elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = true, .grad_theta = true});
    const Matrix<S> gm = elbo.gradMean(), gs = elbo.gradLogVar();
    const iai::Vector<S> gt = model.gradTheta();
    CHECK(relativeError(gm, numericalGradient(f, mean)) < tol);
    CHECK(relativeError(gs, numericalGradient(f, log_var)) < tol);
    CHECK(relativeError(gt, numericalGradient(f, model.theta())) < tol);
  }
}

TEST_CASE("Elbo: grad_mean = Jᵀ ε_x − ε_z for a Gaussian-output model (Sec. 4.1)", "[inference]") {
  // With precision-weighted ε_x = (x − W z − b)/σ² and J = ∂(W z + b)/∂z = W, the reparameterised
  // ∂L/∂μ = (1/S) Σ_s Jᵀ ε_x,s − ε_z with the sampled KL (ε_z = mean_s z_s for N(0, I)).
  iai::Rng rng(6);
  iai::LinearGaussianModel<double> model(7, 3, 0.4);
  iai::fillNormal(rng, model.weight());
  iai::fillNormal(rng, model.bias());
  Matrix<double> x(7, 4), mean(3, 4), log_var(3, 4);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, mean);
  log_var.setConstant(-0.3);
  iai::Elbo<iai::LinearGaussianModel<double>> elbo({.samples = 5, .kl = iai::KlEstimator::Sampled});
  elbo.evaluate(model, x, mean, log_var, rng,
                {.grad_lambda = true, .errors = true,
                 .error_weighting = iai::ErrorWeighting::Precision});
  // J by finite differences of the model mean W z + b (independent of the analytic gradient)
  Matrix<double> zc(3, 1), xc(7, 1);
  zc.setZero();
  auto mu_x = [&](const Matrix<double>& zz) { return (model.weight() * zz + model.bias()).eval(); };
  Matrix<double> jac(7, 3);
  for (int i = 0; i < 3; ++i) {
    Matrix<double> zp = zc, zm = zc;
    zp(i) += 1e-4;
    zm(i) -= 1e-4;
    jac.col(i) = (mu_x(zp) - mu_x(zm)) / 2e-4;
  }
  const Matrix<double> predicted = jac.transpose() * elbo.errorX() - elbo.errorZ();
  CHECK(relativeError(predicted, elbo.gradMean()) < 1e-6);
}

TEST_CASE("Elbo rejects inconsistent shapes and settings", "[inference]") {
  using Model = iai::LinearGaussianModel<double>;
  Model model(4, 2);
  iai::Elbo<Model> elbo;
  iai::Rng rng(0);
  Matrix<double> x(4, 3), mean(2, 3), log_var(2, 2), bad_x(5, 3);
  x.setZero();
  mean.setZero();
  log_var.setZero();
  CHECK_THROWS_AS(elbo.evaluate(model, x, mean, log_var, rng), iai::invalid_argument);
  Matrix<double> lv(2, 3);
  lv.setZero();
  CHECK_THROWS_AS(elbo.evaluate(model, bad_x, mean, lv, rng), iai::invalid_argument);
  CHECK_THROWS_AS(iai::Elbo<Model>({.samples = 0}), iai::invalid_argument);
  Matrix<double> empty(4, 0), e2(2, 0);
  CHECK_THROWS_AS(elbo.evaluate(model, empty, e2, e2, rng), iai::invalid_argument);
}

}  // namespace iai_test_elbo_test
