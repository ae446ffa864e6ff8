#include "support/catch.hpp"

#include <iai/evaluation.hpp>
#include <iai/models/linear_gaussian_model.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_amortization_gap_test {

using iai::Index;
using iai::Matrix;
using iai::RowVector;
using Model = iai::LinearGaussianModel<double>;

namespace {
struct Oracle {
  Model model{1, 1};
  Matrix<double> x;
  RowVector<double> log_px;
  explicit Oracle(Index batch) {
    iai::Rng rng(8);
    model = Model::withOrthogonalColumns(6, 2, rng, -1.0, 1.5);
    Matrix<double> z(2, batch);
    x.resize(6, batch);
    model.sample(rng, z, x);
    log_px.resize(batch);
    model.exactLogMarginal(x, log_px);
  }
};
}  // namespace

TEST_CASE("amortizationGap on the oracle: from the prior the gap is positive and gradient "
          "inference reaches log p(x)",
          "[evaluation]") {
  Oracle o(6);
  const Matrix<double> prior = Matrix<double>::Zero(2, 6);
  iai::Rng rng(2);
  const auto gap =
      iai::amortizationGap(o.model, o.x, prior, prior, {.learning_rate = 0.05, .steps = 200},
                           {.samples = 40, .kl = iai::KlEstimator::Sampled}, rng);
  REQUIRE(gap.elbo_amortized.size() == 6);
  REQUIRE(gap.elbo_optimized.size() == 6);
  for (Index j = 0; j < 6; ++j) {
    INFO("example " << j << ": log p(x) " << o.log_px(j) << ", amortized "
                    << gap.elbo_amortized(j) << ", optimized " << gap.elbo_optimized(j));
    CHECK(gap.gap()(j) > 0.0);
    CHECK(gap.elbo_amortized(j) < o.log_px(j) - 5.0);  // the prior is a poor posterior here
    // sampled KL: at the exact posterior log p(x|z) + log p(z) − log q(z) = log p(x) for every z,
    // so the optimized estimate is nearly noise-free (what remains is the optimizer's jitter)
    CHECK(std::abs(gap.elbo_optimized(j) - o.log_px(j)) < 0.1);
  }
  CHECK(gap.meanGap() == Approx((gap.elbo_optimized - gap.elbo_amortized).mean()));
  CHECK(gap.meanGap() > 1.0);
}

TEST_CASE("amortizationGap: both ELBOs use the same noise, so N = 0 steps give a gap of exactly 0",
          "[evaluation]") {
  Oracle o(4);
  Matrix<double> mean(2, 4), log_var(2, 4);
  iai::Rng init(1);
  iai::fillNormal(init, mean);
  iai::fillNormal(init, log_var);
  iai::Rng rng(3);
  const auto gap =
      iai::amortizationGap(o.model, o.x, mean, log_var, {.steps = 0}, {.samples = 3}, rng);
  CHECK(gap.elbo_optimized == gap.elbo_amortized);
  CHECK(gap.meanGap() == 0.0);
}

TEST_CASE("amortizationGap rejects bad shapes and settings", "[evaluation]") {
  Oracle o(3);
  const Matrix<double> good = Matrix<double>::Zero(2, 3), bad = Matrix<double>::Zero(2, 2);
  iai::Rng rng(1);
  CHECK_THROWS_AS(iai::amortizationGap(o.model, o.x, bad, good, {}, {}, rng),
                  iai::invalid_argument);
  CHECK_THROWS_WITH(iai::amortizationGap(o.model, o.x, good, bad, {}, {}, rng),
                    Catch::Contains("amortizationGap") && Catch::Contains("log_var"));
  CHECK_THROWS_AS(iai::amortizationGap(o.model, o.x, good, good, {.steps = -1}, {}, rng),
                  iai::invalid_argument);
  CHECK_THROWS_AS(iai::amortizationGap(o.model, o.x, good, good, {}, {.samples = 0}, rng),
                  iai::invalid_argument);
}

}  // namespace iai_test_amortization_gap_test
