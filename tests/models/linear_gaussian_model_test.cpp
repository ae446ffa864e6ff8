#include "support/catch.hpp"

#include <iai/models/linear_gaussian_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include <Eigen/Cholesky>
#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_linear_gaussian_model_test {

using iai::Matrix;
using iai::RowVector;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

namespace {
// A generic (non-orthogonal) model with random W, b.
iai::LinearGaussianModel<double> randomModel(iai::Rng& rng, iai::Index dx, iai::Index dz) {
  iai::LinearGaussianModel<double> m(dx, dz, -0.5);
  iai::fillNormal(rng, m.weight());
  iai::fillNormal(rng, m.bias());
  return m;
}
}  // namespace

TEST_CASE("LinearGaussianModel: Bayes' rule links the exact posterior and log p(x)", "[models]") {
  // log p(x) = log p(x|z) + log p(z) − log p(z|x) for any z; the posterior has full covariance.
  iai::Rng rng(1);
  auto model = randomModel(rng, 6, 3);
  Matrix<double> x(6, 4), z(3, 4), mean(3, 4), cov(3, 3);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, z);
  model.exactPosterior(x, mean, cov);
  RowVector<double> log_px(4), log_pxz(4);
  model.exactLogMarginal(x, log_px);
  model.logLikelihood(x, z, log_pxz);
  const Eigen::LLT<Eigen::MatrixXd> llt(cov);
  const double logdet = 2.0 * Eigen::MatrixXd(llt.matrixL()).diagonal().array().log().sum();
  for (iai::Index j = 0; j < 4; ++j) {
    const double log_prior = -0.5 * (3 * iai::kLog2Pi + z.col(j).squaredNorm());
    const Eigen::VectorXd r = z.col(j) - mean.col(j);
    const double log_post = -0.5 * (3 * iai::kLog2Pi + logdet + r.dot(llt.solve(r)));
    CHECK(log_px(j) == Approx(log_pxz(j) + log_prior - log_post).epsilon(1e-10));
  }
}

TEST_CASE("LinearGaussianModel with orthogonal columns: exact ELBO at the posterior = log p(x)",
          "[models]") {
  iai::Rng rng(2);
  auto model = iai::LinearGaussianModel<double>::withOrthogonalColumns(8, 3, rng, -1.0);
  const Matrix<double> wtw = model.weight().transpose() * model.weight();
  CHECK((wtw - Matrix<double>(wtw.diagonal().asDiagonal())).norm() < 1e-12);
  Matrix<double> x(8, 5), mean(3, 5), cov(3, 3);
  Matrix<double> z(3, 5);
  model.sample(rng, z, x);
  model.exactPosterior(x, mean, cov);
  CHECK((cov - Matrix<double>(cov.diagonal().asDiagonal())).norm() < 1e-12);
  const Matrix<double> log_var = cov.diagonal().array().log().matrix().replicate(1, 5);
  RowVector<double> elbo(5), log_px(5);
  model.exactElbo(x, mean, log_var, elbo);
  model.exactLogMarginal(x, log_px);
  CHECK((elbo - log_px).cwiseAbs().maxCoeff() < 1e-10);
  // any other q gives a strictly smaller bound
  Matrix<double> worse = mean;
  worse(0, 0) += 0.1;
  model.exactElbo(x, worse, log_var, elbo);
  CHECK(elbo(0) < log_px(0) - 1e-6);
}

TEMPLATE_TEST_CASE("LinearGaussianModel: log-likelihood gradients match finite differences",
                   "[models]", float, double) {
  using S = TestType;
  iai::Rng rng(3);
  iai::LinearGaussianModel<S> model(5, 2, S(0.3));
  iai::fillNormal(rng, model.weight());
  iai::fillNormal(rng, model.bias());
  Matrix<S> x(5, 3), z(3, 3);
  z.resize(2, 3);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, z);
  RowVector<S> out(3);
  auto f = [&] { model.logLikelihood(x, z, out); return out.template cast<double>().sum(); };
  const double tol = sizeof(S) == 4 ? 1e-3 : 1e-6;
  Matrix<S> grad_z(2, 3);
  f();
  model.gradTheta().setZero();
  model.logLikelihoodBackward(x, z, S(1), grad_z, iai::ParamGrad::Accumulate);
  CHECK(relativeError(grad_z, numericalGradient(f, z)) < tol);
  const iai::Vector<S> analytic = model.gradTheta();
  CHECK(relativeError(analytic, numericalGradient(f, model.theta())) < tol);
  // scale multiplies both, ParamGrad::Skip leaves θ's gradient alone
  f();
  model.gradTheta().setZero();
  Matrix<S> grad_z2(2, 3);
  model.logLikelihoodBackward(x, z, S(0.5), grad_z2, iai::ParamGrad::Skip);
  CHECK(model.gradTheta().isZero());
  CHECK(relativeError(grad_z2, (S(0.5) * grad_z).eval()) < 1e-6);
}

TEST_CASE("LinearGaussianModel rejects bad shapes", "[models]") {
  iai::LinearGaussianModel<double> model(4, 2);
  Matrix<double> x(4, 3), z(3, 3);
  x.setZero();
  z.setZero();
  RowVector<double> out(3);
  CHECK_THROWS_AS(model.logLikelihood(x, z, out), iai::invalid_argument);
  CHECK_THROWS_AS(iai::LinearGaussianModel<double>(0, 2), iai::invalid_argument);
  iai::Rng rng(0);
  CHECK_THROWS_AS(iai::LinearGaussianModel<double>::withOrthogonalColumns(2, 3, rng),
                  iai::invalid_argument);
}

}  // namespace iai_test_linear_gaussian_model_test
