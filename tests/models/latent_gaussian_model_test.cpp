#include "support/catch.hpp"

#include <iai/distributions.hpp>
#include <iai/objectives/elbo.hpp>
#include <iai/models/latent_gaussian_model.hpp>
#include <iai/testing/gradient_check.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_latent_gaussian_model_test {

using iai::Matrix;
using iai::RowVector;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

namespace {
template <class Model>
void checkElboGradients(Model& model, const Matrix<double>& x, iai::KlEstimator kl) {
  iai::Rng rng(9);
  const iai::Index d = model.latentDim(), b = x.cols(), n_s = 3;
  Matrix<double> mean(d, b), log_var(d, b), eps(d, n_s * b);
  iai::fillNormal(rng, mean);
  iai::fillNormal(rng, log_var);
  iai::fillNormal(rng, eps);
  log_var *= 0.5;
  iai::Elbo<Model> elbo({.samples = n_s, .kl = kl});
  auto f = [&] {
    elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = false});
    return elbo.elbo().sum();
  };
  model.gradTheta().setZero();
  elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = true, .grad_theta = true});
  const Matrix<double> gm = elbo.gradMean(), gs = elbo.gradLogVar();
  const iai::Vector<double> gt = model.gradTheta();
  CHECK(relativeError(gm, numericalGradient(f, mean)) < 1e-6);
  CHECK(relativeError(gs, numericalGradient(f, log_var)) < 1e-6);
  CHECK(relativeError(gt, numericalGradient(f, model.theta())) < 1e-6);
}
}  // namespace

TEST_CASE("ELBO of an MLP-decoder model: finite differences in lambda and theta (double)",
          "[models][inference]") {
  iai::Rng rng(1);
  SECTION("Bernoulli output") {
    auto model = iai::LatentGaussianModel<double>::mlp(3, 6, {7, 5}, {}, 2);
    Matrix<double> x(6, 4);
    iai::fillUniform(rng, x);
    x = (x.array() > 0.5).cast<double>().matrix();
    checkElboGradients(model, x, iai::KlEstimator::Analytic);
    checkElboGradients(model, x, iai::KlEstimator::Sampled);
  }
  SECTION("Gaussian output with a learned global log-variance") {
    using Obs = iai::Gaussian<double>;
    auto model = iai::LatentGaussianModel<double, Obs>::mlp(
        2, 5, {6}, Obs({.mode = iai::LogVarMode::Global, .log_var = -0.5}, 5), 3);
    Matrix<double> x(5, 3);
    iai::fillNormal(rng, x);
    checkElboGradients(model, x, iai::KlEstimator::Analytic);
  }
  SECTION("Gaussian output with a per-example log-variance head") {
    using Obs = iai::Gaussian<double>;
    auto model = iai::LatentGaussianModel<double, Obs>::mlp(
        2, 4, {6}, Obs({.mode = iai::LogVarMode::PerExample}, 4), 4);
    Matrix<double> x(4, 3);
    iai::fillUniform(rng, x);
    checkElboGradients(model, x, iai::KlEstimator::Sampled);
  }
  SECTION("Multinomial output") {
    using Obs = iai::Multinomial<double>;
    auto model = iai::LatentGaussianModel<double, Obs>::mlp(2, 6, {5}, Obs(), 5);
    Matrix<double> x(6, 3);
    iai::fillUniform(rng, x);
    x = (x * 4).array().floor().matrix();
    checkElboGradients(model, x, iai::KlEstimator::Analytic);
  }
}

TEST_CASE("Sec. 4.1: grad_mean = Jᵀ ε_x − ε_z for an MLP with Gaussian output (S = 1)",
          "[models][inference]") {
  // ε_x = (x − μ_x)/σ² (precision-weighted), J = ∂μ_x/∂z at the sample (by finite differences),
  // ε_z = z (prior N(0, I)); with the sampled KL the reparameterised ∂L/∂μ equals Jᵀε_x − ε_z.
  using Obs = iai::Gaussian<double>;
  auto model = iai::LatentGaussianModel<double, Obs>::mlp(
      3, 6, {8}, Obs({.mode = iai::LogVarMode::Fixed, .log_var = -0.7}, 6), 6);
  iai::Rng rng(7);
  Matrix<double> x(6, 1), mean(3, 1), log_var(3, 1);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, mean);
  log_var.setConstant(-1.0);
  iai::Elbo<decltype(model)> elbo({.samples = 1, .kl = iai::KlEstimator::Sampled});
  elbo.evaluate(model, x, mean, log_var, rng,
                {.grad_lambda = true, .errors = true,
                 .error_weighting = iai::ErrorWeighting::Precision});
  const Matrix<double> eps_x = elbo.errorX(), eps_z = elbo.errorZ(), grad = elbo.gradMean();
  Matrix<double> z = elbo.samples();
  Matrix<double> jac(6, 3), mu_p(6, 1), mu_m(6, 1);
  for (int i = 0; i < 3; ++i) {
    Matrix<double> zp = z, zm = z;
    zp(i, 0) += 1e-5;
    zm(i, 0) -= 1e-5;
    model.decode(zp, mu_p);
    model.decode(zm, mu_m);
    jac.col(i) = (mu_p - mu_m) / 2e-5;
  }
  CHECK(eps_z.isApprox(z));
  CHECK(relativeError((jac.transpose() * eps_x - eps_z).eval(), grad) < 1e-6);
}

TEST_CASE("LatentGaussianModel: copies own their parameters, bad shapes are rejected",
          "[models]") {
  auto model = iai::LatentGaussianModel<float>::mlp(2, 4, {3}, {}, 1);
  auto copy = model;
  copy.theta().setZero();
  Matrix<float> x = Matrix<float>::Ones(4, 2), z = Matrix<float>::Ones(2, 2);
  RowVector<float> a(2), b(2);
  model.logLikelihood(x, z, a);
  copy.logLikelihood(x, z, b);
  CHECK(a != b);
  CHECK(b(0) == Approx(-4 * std::log(2.0)));  // zero logits: 4 · log ½
  Matrix<float> bad(3, 2);
  bad.setZero();
  CHECK_THROWS_AS(model.logLikelihood(bad, z, a), iai::invalid_argument);
  CHECK_THROWS_AS((iai::LatentGaussianModel<float>(5, iai::nn::Mlp<float>({2, 4}))),
                  iai::invalid_argument);
}

}  // namespace iai_test_latent_gaussian_model_test
