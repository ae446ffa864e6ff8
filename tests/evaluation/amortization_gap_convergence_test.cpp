// amortizationGapToConvergence on the linear-Gaussian oracle, against the closed form of the best
// mean-field ELBO. For z ~ N(0, I), x | z ~ N(Wz + b, σ²I) the posterior is N(μ*, Λ⁻¹) with
// Λ = I + WᵀW/σ², and log p(x, z) = −½(z − μ*)ᵀΛ(z − μ*) + const in z. For q = N(m, diag s):
//   L(q) = −½[(m − μ*)ᵀΛ(m − μ*) + Σ_i Λ_ii s_i] + ½ Σ_i log s_i + const,
// maximised by m = μ* and s_i = 1/Λ_ii, where
//   L* = log p(x) − KL(q* ‖ p(z|x)) = log p(x) − ½ (Σ_i log Λ_ii − log det Λ).
// With W's columns not orthogonal Λ is not diagonal, so L* < log p(x) (Hadamard's inequality).
#include "support/catch.hpp"

#include <iai/evaluation.hpp>
#include <iai/models/linear_gaussian_model.hpp>

#include <Eigen/Cholesky>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_amortization_gap_convergence_test {

using iai::Index;
using iai::Matrix;
using iai::RowVector;
using Model = iai::LinearGaussianModel<double>;

namespace {

struct Oracle {
  static constexpr Index kD = 6, kLatent = 3, kBatch = 8;
  Model model{kD, kLatent, std::log(0.5)};
  Matrix<double> x{kD, kBatch};
  Eigen::MatrixXd precision;  // Λ
  Oracle() {
    iai::Rng rng(21);
    Eigen::MatrixXd w(kD, kLatent);
    iai::fillNormal(rng, w);  // generic: correlated posterior
    model.weight() = w;
    Eigen::VectorXd b(kD);
    iai::fillNormal(rng, b);
    model.bias() = 0.3 * b;
    Matrix<double> z(kLatent, kBatch);
    model.sample(rng, z, x);
    precision = Eigen::MatrixXd::Identity(kLatent, kLatent) + w.transpose() * w / 0.5;
  }
  // the best mean-field q: the exact posterior mean and variances 1/Λ_ii
  void bestMeanField(Matrix<double>& mean, Matrix<double>& log_var) const {
    Matrix<double> cov(kLatent, kLatent);
    mean.resize(kLatent, kBatch);
    model.exactPosterior(x, mean, cov);
    log_var.resize(kLatent, kBatch);
    for (Index i = 0; i < kLatent; ++i) log_var.row(i).setConstant(-std::log(precision(i, i)));
  }
  // L* per example from the closed form above
  RowVector<double> bestMeanFieldElbo() const {
    RowVector<double> log_px(kBatch);
    model.exactLogMarginal(x, log_px);
    const double log_det = 2.0 * Eigen::LLT<Eigen::MatrixXd>(precision).matrixL().toDenseMatrix()
                                     .diagonal().array().log().sum();
    const double kl = 0.5 * (precision.diagonal().array().log().sum() - log_det);
    return log_px.array() - kl;
  }
};

}  // namespace

TEST_CASE("Oracle: the closed-form best mean-field ELBO is the model's exact ELBO at q*, below "
          "log p(x), and no perturbation of q* beats it",
          "[evaluation][gap]") {
  const Oracle o;
  Matrix<double> mean, log_var;
  o.bestMeanField(mean, log_var);
  RowVector<double> at_best(Oracle::kBatch), log_px(Oracle::kBatch);
  o.model.exactElbo(o.x, mean, log_var, at_best);
  o.model.exactLogMarginal(o.x, log_px);
  const RowVector<double> closed = o.bestMeanFieldElbo();
  for (Index j = 0; j < Oracle::kBatch; ++j) {
    CHECK(at_best(j) == Approx(closed(j)).epsilon(1e-10));
    CHECK(closed(j) < log_px(j) - 0.05);  // the mean-field family misses the correlations
  }
  iai::Rng rng(4);
  for (int k = 0; k < 20; ++k) {
    Matrix<double> dm(Oracle::kLatent, Oracle::kBatch), dv(Oracle::kLatent, Oracle::kBatch);
    iai::fillNormal(rng, dm);
    iai::fillNormal(rng, dv);
    RowVector<double> perturbed(Oracle::kBatch);
    o.model.exactElbo(o.x, mean + 0.05 * dm, log_var + 0.05 * dv, perturbed);
    CHECK((perturbed.array() < at_best.array()).all());
  }
}

TEST_CASE("amortizationGapToConvergence: the refined ELBO reaches the best mean-field ELBO and the "
          "gap matches the closed form",
          "[evaluation][gap]") {
  const Oracle o;
  Matrix<double> best_mean, best_log_var;
  o.bestMeanField(best_mean, best_log_var);
  // an "amortized" estimate: off in mean and variance (a gap of about a nat, like a trained encoder)
  Matrix<double> mean = best_mean, log_var = best_log_var;
  mean.array() += 0.1;
  log_var.array() += 0.7;
  RowVector<double> amortized(Oracle::kBatch);
  o.model.exactElbo(o.x, mean, log_var, amortized);
  const RowVector<double> best = o.bestMeanFieldElbo();
  const RowVector<double> closed_gap = best - amortized;
  REQUIRE(closed_gap.minCoeff() > 0.3);

  Model model = o.model;
  iai::Rng rng(11);
  const auto r = iai::amortizationGapToConvergence(
      model, o.x, mean, log_var, {.optimizer = iai::LambdaOptimizer::Adam, .learning_rate = 0.02, .steps = 100},
      {.samples = 2000}, /*tolerance=*/0.01, /*max_steps=*/6400, rng);
  INFO("steps " << r.steps << ", last change " << r.last_change << ", refined "
                << r.elbo_optimized << ", closed form " << best);
  CHECK(r.converged);
  CHECK(std::abs(r.last_change) < 0.01);
  CHECK(r.steps >= 200);
  CHECK(r.refined_means.size() >= 2);
  // S = 2000 common samples: the Monte Carlo ELBOs are within a few hundredths of the exact ones
  CHECK(r.elbo_optimized.mean() == Approx(best.mean()).margin(0.03));
  CHECK(r.elbo_amortized.mean() == Approx(amortized.mean()).margin(0.03));
  CHECK(r.meanGap() == Approx(closed_gap.mean()).margin(0.03));
  for (Index j = 0; j < Oracle::kBatch; ++j) {
    CHECK(r.elbo_optimized(j) == Approx(best(j)).margin(0.1));
    CHECK(r.gap()(j) == Approx(closed_gap(j)).margin(0.1));
  }
}

TEST_CASE("amortizationGapToConvergence at N steps is bitwise amortizationGap with N steps",
          "[evaluation][gap]") {
  const Oracle o;
  Model model = o.model;
  Matrix<double> mean = Matrix<double>::Zero(Oracle::kLatent, Oracle::kBatch), log_var = mean;
  const iai::GradientInferenceConfig config{.learning_rate = 0.05, .steps = 25};
  const iai::ElboConfig elbo{.samples = 3};
  // max_steps = 100: inspections at 25, 50, 100; a tolerance nobody meets runs to 100
  iai::Rng rng_a(5), rng_b(5), rng_c(5);
  const auto conv = iai::amortizationGapToConvergence(model, o.x, mean, log_var, config, elbo, 1e-12, 100, rng_a);
  CHECK_FALSE(conv.converged);
  CHECK(conv.steps == 100);
  REQUIRE(conv.refined_means.size() == 3);
  const auto at100 = iai::amortizationGap(model, o.x, mean, log_var, {.learning_rate = 0.05, .steps = 100}, elbo, rng_b);
  CHECK(conv.elbo_amortized == at100.elbo_amortized);
  CHECK(conv.elbo_optimized == at100.elbo_optimized);
  const auto at50 = iai::amortizationGap(model, o.x, mean, log_var, {.learning_rate = 0.05, .steps = 50}, elbo, rng_c);
  CHECK(conv.refined_means[1] == at50.elbo_optimized.mean());
  CHECK(conv.last_change == conv.refined_means[2] - conv.refined_means[1]);
}

TEST_CASE("amortizationGapToConvergence rejects bad settings", "[evaluation][gap]") {
  const Oracle o;
  Model model = o.model;
  const Matrix<double> good = Matrix<double>::Zero(Oracle::kLatent, Oracle::kBatch),
                       bad = Matrix<double>::Zero(Oracle::kLatent, 2);
  iai::Rng rng(1);
  CHECK_THROWS_WITH(iai::amortizationGapToConvergence(model, o.x, good, good, {.steps = 0}, {}, 0.01, 10, rng),
                    Catch::Contains("amortizationGapToConvergence") && Catch::Contains("optimizer.steps"));
  CHECK_THROWS_WITH(iai::amortizationGapToConvergence(model, o.x, good, good, {.steps = 10}, {}, 0.0, 10, rng),
                    Catch::Contains("tolerance"));
  CHECK_THROWS_WITH(iai::amortizationGapToConvergence(model, o.x, good, good, {.steps = 10}, {}, 0.01, 5, rng),
                    Catch::Contains("max_steps"));
  CHECK_THROWS_WITH(iai::amortizationGapToConvergence(model, o.x, bad, good, {.steps = 10}, {}, 0.01, 10, rng),
                    Catch::Contains("mean"));
}

}  // namespace iai_test_amortization_gap_convergence_test
