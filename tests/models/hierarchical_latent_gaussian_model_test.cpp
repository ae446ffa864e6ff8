#include "support/catch.hpp"

#include <iai/models/conditional_gaussian_prior.hpp>
#include <iai/models/hierarchical_latent_gaussian_model.hpp>
#include <iai/testing/gradient_check.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_hierarchical_latent_gaussian_model_test {

using iai::Index;
using iai::Matrix;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

TEMPLATE_TEST_CASE(
    "ConditionalGaussianPrior backward matches finite differences in z_above and "
    "theta",
    "[hierarchical]", float, double) {
  using S = TestType;
  const double tol = sizeof(S) == 4 ? 5e-3 : 1e-7;
  for (bool constant : {false, true}) {
    iai::ConditionalGaussianPrior<S> prior(3, 4, {5, 6}, constant);
    iai::Vector<S> theta(prior.parameterCount()), grad(prior.parameterCount());
    prior.bind(theta.data(), grad.data());
    iai::Rng rng(3);
    prior.initialize(rng);
    if (constant) iai::fillNormal(rng, theta);
    Matrix<S> z(4, 3), r_mean(3, 3), r_log_var(3, 3), mean(3, 3), log_var(3, 3), dz(4, 3);
    for (auto* m : {&z, &r_mean, &r_log_var}) iai::fillNormal(rng, *m);
    const auto f = [&] {
      prior.forward(z, mean, log_var);
      return (r_mean.cwiseProduct(mean) + r_log_var.cwiseProduct(log_var))
          .template cast<double>()
          .sum();
    };
    f();
    grad.setZero();
    prior.backward(z, r_mean, r_log_var, dz, iai::ParamGrad::Accumulate);
    const iai::Vector<S> g = grad;
    CHECK(relativeError(dz, numericalGradient(f, z)) < tol);
    CHECK(relativeError(g, numericalGradient(f, theta)) < tol);
    if (constant) {  // the log-variance is the same for every column and does not depend on z
      f();
      CHECK((log_var.colwise() - log_var.col(0)).cwiseAbs().maxCoeff() == S(0));
    }
  }
}

TEST_CASE("HierarchicalLatentGaussianModel: stacked layout, ancestral samples, copies",
          "[hierarchical]") {
  using S = double;
  iai::HierarchicalLatentGaussianModel<S> model(
      6, {.latent = {4, 3, 2}, .decoder_hidden = {5}, .prior_hidden = {4}}, {}, 1);
  CHECK(model.levels() == 3);
  CHECK(model.latentDim() == 9);
  CHECK(model.levelOffset(2) == 7);
  CHECK(model.levelDim(1) == 3);
  CHECK(model.decoder().inputSize() == 4);
  // θ = decoder (4→5→6) + two priors (3→4 heads 2·4; 2→4 heads 2·3)
  CHECK(model.theta().size() ==
        (4 * 5 + 5 + 5 * 6 + 6) + (3 * 4 + 4 + 4 * 8 + 8) + (2 * 4 + 4 + 4 * 6 + 6));
  iai::Rng rng(2);
  Matrix<S> z(9, 50), x(6, 50);
  model.sample(rng, z, x);
  CHECK(z.allFinite());
  CHECK(((x.array() == 0) || (x.array() == 1)).all());
  // level 0 was drawn from p(z_1 | z_2): standardised residuals are N(0, 1)-like
  Matrix<S> mu(4, 50), lv(4, 50);
  model.prior(0, z.middleRows(4, 3), mu, lv);
  const Matrix<S> r = ((z.topRows(4) - mu).array() * (-0.5 * lv.array()).exp()).matrix();
  CHECK(std::abs(r.mean()) < 0.3);
  CHECK(std::abs(r.squaredNorm() / 200.0 - 1.0) < 0.35);
  // a copy owns its θ
  auto copy = model;
  copy.theta().setZero();
  CHECK(model.theta().norm() > 0);
  iai::RowVector<S> a(50), c(50);
  model.logLikelihood(x, z, a);
  copy.logLikelihood(x, z, c);
  CHECK((a - c).norm() > 0);
  // the decoder reads z_1 only: the gradient w.r.t. the upper levels is zero
  Matrix<S> gz(9, 50);
  model.logLikelihood(x, z, a);
  model.logLikelihoodBackward(x, z, 1.0, gz, iai::ParamGrad::Skip);
  CHECK(gz.bottomRows(5).cwiseAbs().maxCoeff() == 0.0);
  CHECK(gz.topRows(4).cwiseAbs().maxCoeff() > 0.0);
}

}  // namespace iai_test_hierarchical_latent_gaussian_model_test
