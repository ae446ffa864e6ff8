#include "support/catch.hpp"

#include <iai/evaluation.hpp>
#include <iai/models/linear_gaussian_model.hpp>

#include <cmath>
#include <limits>
#include <numbers>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_importance_sampling_test {

using iai::Index;
using iai::Matrix;
using iai::RowVector;

namespace {
// Linear-Gaussian oracle with a diagonal exact posterior, data drawn from it, and that posterior
// as (mean, log_var).
template <class S>
struct Oracle {
  using Model = iai::LinearGaussianModel<S>;
  Model model{1, 1};
  Matrix<S> x, mean, log_var;
  RowVector<double> log_px, posterior_sd;
  Oracle(Index batch, std::uint64_t seed) {
    iai::Rng rng(seed);
    model = Model::withOrthogonalColumns(6, 3, rng, S(-1), 1.5);
    Matrix<S> z(3, batch), cov(3, 3);
    x.resize(6, batch);
    mean.resize(3, batch);
    model.sample(rng, z, x);
    model.exactPosterior(x, mean, cov);
    log_var = cov.diagonal().array().log().matrix().replicate(1, batch);
    posterior_sd = cov.diagonal().template cast<double>().array().sqrt().matrix().transpose();
    Matrix<double> xd = x.template cast<double>();
    log_px.resize(batch);
    iai::LinearGaussianModel<double> md(6, 3);
    md.theta() = model.theta().template cast<double>();
    md.exactLogMarginal(xd, log_px);
  }
};
}  // namespace

TEMPLATE_TEST_CASE("ImportanceSampler with q = the exact posterior: every weight equals p(x), so "
                   "the estimate is exact for any K and chunk, with zero standard error",
                   "[evaluation]", float, double) {
  using S = TestType;
  Oracle<S> o(5, 1);
  const double tol = sizeof(S) == 4 ? 2e-3 : 1e-9;
  for (Index k : {1, 2, 7, 250}) {
    for (Index chunk : {1, 3, 100}) {
      iai::ImportanceSampler<typename Oracle<S>::Model> sampler(k, chunk);
      iai::Rng rng(7);
      RowVector<S> estimate(5), se(5);
      iai::RowVectorRef<S> se_ref(se);
      sampler.logMarginal(o.model, o.x, o.mean, o.log_var, rng, estimate, &se_ref);
      INFO("K = " << k << ", chunk = " << chunk);
      CHECK((estimate.template cast<double>() - o.log_px).cwiseAbs().maxCoeff() < tol);
      if (k == 1)
        CHECK(std::isinf(static_cast<double>(se(0))));
      else
        CHECK(se.template cast<double>().maxCoeff() < (sizeof(S) == 4 ? 1e-3 : 1e-6));
    }
  }
}

TEST_CASE("ImportanceSampler with a worse proposal: within 4 standard errors of log p(x) at "
          "K = 2000, and a tighter bound than the proposal's ELBO",
          "[evaluation]") {
  Oracle<double> o(8, 2);
  // shifted by half a posterior standard deviation, twice the variance
  Matrix<double> mean = o.mean, log_var = o.log_var.array() + std::log(2.0);
  mean.colwise() += 0.5 * o.posterior_sd.transpose();
  RowVector<double> elbo(8), estimate(8), se(8);
  o.model.exactElbo(o.x, mean, log_var, elbo);
  iai::ImportanceSampler<iai::LinearGaussianModel<double>> sampler(2000);
  iai::Rng rng(3);
  iai::RowVectorRef<double> se_ref(se);
  sampler.logMarginal(o.model, o.x, mean, log_var, rng, estimate, &se_ref);
  for (Index j = 0; j < 8; ++j) {
    INFO("example " << j << ": log p(x) " << o.log_px(j) << ", estimate " << estimate(j) << " ± "
                    << se(j) << ", ELBO " << elbo(j));
    CHECK(std::abs(estimate(j) - o.log_px(j)) < 4 * se(j));
    CHECK(se(j) > 0.0);
    CHECK(se(j) < 0.05);                       // the check above is not vacuous
    CHECK(elbo(j) < o.log_px(j) - 0.3);        // the proposal is measurably worse ...
    CHECK(estimate(j) > elbo(j) + 4 * se(j));  // ... and the estimate much tighter than its ELBO
  }
}

TEST_CASE("ImportanceSampler is a stochastic lower bound (Jensen): K = 1 averages to the ELBO and "
          "the mean estimate rises with K towards log p(x) from below",
          "[evaluation]") {
  Oracle<double> o(4, 3);
  Matrix<double> mean = o.mean, log_var = o.log_var.array() + std::log(2.0);
  mean.colwise() += 0.5 * o.posterior_sd.transpose();
  RowVector<double> elbo(4);
  o.model.exactElbo(o.x, mean, log_var, elbo);
  const int reps = 200;
  iai::Rng rng(4);
  RowVector<double> estimate(4);
  for (Index k : {1, 10, 100}) {
    iai::ImportanceSampler<iai::LinearGaussianModel<double>> sampler(k, 50);
    Matrix<double> values(reps, 4);
    for (int r = 0; r < reps; ++r) {
      sampler.logMarginal(o.model, o.x, mean, log_var, rng, estimate);
      values.row(r) = estimate;
    }
    // pooled over the examples: mean gap to log p(x) and its standard error
    const Matrix<double> gaps = values.rowwise() - o.log_px;
    const double gap = gaps.mean();
    const double sd = std::sqrt((gaps.array() - gap).square().sum() / (gaps.size() - 1));
    const double se = sd / std::sqrt(static_cast<double>(gaps.size()));
    const double elbo_gap = (elbo - o.log_px).mean();
    INFO("K = " << k << ": mean log p̂ − log p(x) = " << gap << " ± " << se
                << ", ELBO − log p(x) = " << elbo_gap);
    CHECK(gap < 4 * se);                                   // never above log p(x) on average
    if (k <= 10) CHECK(gap < -4 * se);                     // and measurably below it for small K
    if (k == 1) CHECK(std::abs(gap - elbo_gap) < 4 * se);  // K = 1: the sampled-KL ELBO
    if (k == 10) CHECK(gap > elbo_gap + 4 * se);           // tighter than the ELBO
    if (k == 100) CHECK(gap > -0.05);                      // bias ≈ Var(w/p)/(2K) → 0
  }
}

TEST_CASE("ImportanceSampler: the chunk size changes neither the draws nor (beyond rounding) the "
          "estimate, and a reused sampler equals a fresh one",
          "[evaluation]") {
  Oracle<double> o(5, 5);
  Matrix<double> mean = o.mean.array() + 0.3, log_var = o.log_var.array() + 0.5;
  RowVector<double> reference(5), estimate(5), se_reference(5), se(5);
  iai::RowVectorRef<double> se_ref(se_reference), se_ref2(se);
  iai::Rng rng_reference(11);
  iai::ImportanceSampler<iai::LinearGaussianModel<double>>(50, 50).logMarginal(
      o.model, o.x, mean, log_var, rng_reference, reference, &se_ref);
  for (Index chunk : {1, 7, 49, 64, 1000}) {
    iai::ImportanceSampler<iai::LinearGaussianModel<double>> sampler(50, chunk);
    iai::Rng rng(11);
    sampler.logMarginal(o.model, o.x, mean, log_var, rng, estimate, &se_ref2);
    INFO("chunk = " << chunk);
    CHECK((estimate - reference).cwiseAbs().maxCoeff() < 1e-12);
    CHECK((se - se_reference).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(rng.state() == rng_reference.state());  // the same K·B·d normals were drawn
  }
  // a sampler used on another batch size first gives the same numbers
  iai::ImportanceSampler<iai::LinearGaussianModel<double>> reused(50, 7);
  iai::Rng rng_other(1);
  RowVector<double> small(2);
  reused.logMarginal(o.model, o.x.leftCols(2), mean.leftCols(2), log_var.leftCols(2), rng_other,
                     small);
  iai::Rng rng(11);
  reused.logMarginal(o.model, o.x, mean, log_var, rng, estimate);
  CHECK((estimate - reference).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("bitsPerDim converts nats to bits per dimension", "[evaluation]") {
  const double ln2 = std::numbers::ln2;
  CHECK(iai::bitsPerDim(3072 * ln2 * 3.5, 3072) == Approx(3.5));
  CHECK(iai::bitsPerDim(0.0, 10) == 0.0);
  // the discretisation offset alone: a uniform density on [0, 1]^D is 8 bits/dim of 8-bit data
  CHECK(iai::bitsPerDim(784 * std::log(256.0), 784) == Approx(8.0));
  CHECK_THROWS_AS(iai::bitsPerDim(1.0, 0), iai::invalid_argument);
}

TEST_CASE("ImportanceSampler rejects bad settings and shapes", "[evaluation]") {
  using Sampler = iai::ImportanceSampler<iai::LinearGaussianModel<double>>;
  CHECK_THROWS_AS(Sampler(0), iai::invalid_argument);
  CHECK_THROWS_AS(Sampler(10, 0), iai::invalid_argument);
  CHECK_THROWS_WITH(Sampler(-1),
                    Catch::Contains("ImportanceSampler") && Catch::Contains("samples"));
  Oracle<double> o(3, 6);
  Sampler sampler(4, 2);
  iai::Rng rng(1);
  RowVector<double> out(3), wrong(2);
  iai::RowVectorRef<double> wrong_ref(wrong);
  const Matrix<double> bad_x = Matrix<double>::Zero(5, 3);
  const Matrix<double> bad_mean = Matrix<double>::Zero(3, 2);
  const Matrix<double> bad_log_var = Matrix<double>::Zero(2, 3);
  CHECK_THROWS_AS(sampler.logMarginal(o.model, bad_x, o.mean, o.log_var, rng, out),
                  iai::invalid_argument);
  CHECK_THROWS_AS(sampler.logMarginal(o.model, o.x, bad_mean, o.log_var, rng, out),
                  iai::invalid_argument);
  CHECK_THROWS_WITH(sampler.logMarginal(o.model, o.x, o.mean, bad_log_var, rng, out),
                    Catch::Contains("log_var") && Catch::Contains("3x3"));
  CHECK_THROWS_AS(sampler.logMarginal(o.model, o.x, o.mean, o.log_var, rng, wrong),
                  iai::invalid_argument);
  CHECK_THROWS_AS(sampler.logMarginal(o.model, o.x, o.mean, o.log_var, rng, out, &wrong_ref),
                  iai::invalid_argument);
  const Matrix<double> empty_x(6, 0), empty_z(3, 0);
  RowVector<double> empty_out(0);
  CHECK_THROWS_AS(sampler.logMarginal(o.model, empty_x, empty_z, empty_z, rng, empty_out),
                  iai::invalid_argument);
}

}  // namespace iai_test_importance_sampling_test
