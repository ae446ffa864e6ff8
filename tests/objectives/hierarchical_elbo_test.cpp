#include "support/catch.hpp"

#include <iai/distributions/gaussian.hpp>
#include <iai/objectives/elbo_for.hpp>
#include <iai/objectives/hierarchical_elbo.hpp>
#include <iai/models/hierarchical_latent_gaussian_model.hpp>
#include <iai/models/latent_gaussian_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include <cmath>
#include <limits>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_hierarchical_elbo_test {

using iai::Index;
using iai::Matrix;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

namespace {
template <class S, class Obs = iai::Bernoulli<S>>
using Model = iai::HierarchicalLatentGaussianModel<S, Obs>;

template <class S>
Matrix<S> binaryData(Index rows, Index cols, iai::Rng& rng) {
  Matrix<S> x(rows, cols);
  iai::fillUniform(rng, x);
  return (x.array() > S(0.5)).template cast<S>().matrix();
}
}  // namespace

static_assert(iai::concepts::HierarchicalGenerativeModel<Model<float>>);
static_assert(iai::concepts::HierarchicalGenerativeModel<Model<double, iai::Gaussian<double>>>);
static_assert(!iai::concepts::HierarchicalGenerativeModel<iai::LatentGaussianModel<double>>);
static_assert(std::is_same_v<iai::ElboFor<Model<float>>, iai::HierarchicalElbo<Model<float>>>);
static_assert(std::is_same_v<iai::ElboFor<iai::LatentGaussianModel<float>>,
                             iai::Elbo<iai::LatentGaussianModel<float>>>);

TEMPLATE_TEST_CASE(
    "HierarchicalElbo gradients w.r.t. every level's lambda and theta match finite "
    "differences",
    "[hierarchical]", float, double) {
  using S = TestType;
  const double tol = sizeof(S) == 4 ? 2e-2 : 1e-6;
  struct Case {
    std::vector<Index> latent;
    iai::KlEstimator kl;
    double kl_min;
    double beta;
    bool all_levels;
    bool constant_log_var;
  };
  const double off = -std::numeric_limits<double>::infinity();
  const std::vector<Case> cases{
      {{3, 2}, iai::KlEstimator::Analytic, off, 1.0, false, false},
      {{3, 2}, iai::KlEstimator::Sampled, off, 0.7, false, true},
      {{4, 3, 2}, iai::KlEstimator::Analytic, off, 1.0, true, false},
      {{3, 2}, iai::KlEstimator::Analytic, 0.0, 1.0, false, false},  // the authors' floor
  };
  for (const Case& c : cases) {
    CAPTURE(c.latent.size(), static_cast<int>(c.kl), c.kl_min, c.all_levels, c.constant_log_var);
    const Index dx = 5, b = 3, samples = 2;
    iai::HierarchicalModelConfig config{.latent = c.latent,
                                        .decoder_hidden = {6},
                                        .prior_hidden = {5, 4},
                                        .constant_prior_log_var = c.constant_log_var,
                                        .decoder_reads_all_levels = c.all_levels};
    Model<S> model(dx, config, {}, 11);
    const Index d = model.latentDim();
    iai::Rng rng(4);
    if (c.constant_log_var) iai::fillNormal(rng, model.theta());  // non-trivial constant σ_p
    model.theta() *= S(0.7);
    const Matrix<S> x = binaryData<S>(dx, b, rng);
    Matrix<S> mean(d, b), log_var(d, b), eps(d, samples * b);
    iai::fillNormal(rng, mean);
    iai::fillNormal(rng, log_var);
    log_var *= S(0.5);
    iai::fillNormal(rng, eps);
    iai::HierarchicalElbo<Model<S>> elbo(
        {.samples = samples, .kl = c.kl, .kl_weight = c.beta, .kl_min = c.kl_min});
    const auto f = [&] {
      elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = false});
      return elbo.elbo().template cast<double>().sum();
    };
    model.gradTheta().setZero();
    elbo.evaluateWithNoise(model, x, mean, log_var, eps, {.grad_lambda = true, .grad_theta = true});
    const Matrix<S> gm = elbo.gradMean(), gs = elbo.gradLogVar();
    const iai::Vector<S> gt = model.gradTheta();
    // the floor is a kink: finite differences are valid only away from it
    if (c.kl_min == 0.0) REQUIRE(elbo.kl().minCoeff() > S(0));
    CHECK(relativeError(gm, numericalGradient(f, mean)) < tol);
    CHECK(relativeError(gs, numericalGradient(f, log_var)) < tol);
    CHECK(relativeError(gt, numericalGradient(f, model.theta())) < tol);
  }
}

TEST_CASE("HierarchicalElbo: the kl_min floor clamps elements and stops their gradient",
          "[hierarchical]") {
  using S = double;
  Model<S> model(4, {.latent = {3, 2}, .decoder_hidden = {5}, .prior_hidden = {4}}, {}, 3);
  iai::Rng rng(1);
  const Matrix<S> x = binaryData<S>(4, 5, rng);
  Matrix<S> mean(5, 5), log_var(5, 5), eps(5, 5);
  iai::fillNormal(rng, mean);
  iai::fillNormal(rng, log_var);
  iai::fillNormal(rng, eps);
  iai::HierarchicalElbo<Model<S>> off({.samples = 1});
  iai::HierarchicalElbo<Model<S>> floored({.samples = 1, .kl_min = 0.0});
  off.evaluateWithNoise(model, x, mean, log_var, eps);
  floored.evaluateWithNoise(model, x, mean, log_var, eps);
  // max(0, k) ≥ k element-wise, so the floored KL is never smaller, and strictly larger here
  CHECK((floored.kl().array() >= off.kl().array()).all());
  CHECK((floored.kl() - off.kl()).sum() > 0.0);
  CHECK(floored.reconstruction().isApprox(off.reconstruction()));
  // a huge floor clamps every lower-level element: λ_1's KL gradient vanishes, only the
  // reconstruction path through z_1 is left (its log_var gradient then is ε-weighted)
  iai::HierarchicalElbo<Model<S>> all({.samples = 1, .kl_min = 1e6});
  all.evaluateWithNoise(model, x, mean, log_var, eps);
  iai::HierarchicalElbo<Model<S>> recon_only({.samples = 1, .kl_weight = 0.0});
  recon_only.evaluateWithNoise(model, x, mean, log_var, eps);
  CHECK(relativeError(all.gradMean().topRows(3), recon_only.gradMean().topRows(3)) < 1e-12);
}

TEST_CASE("HierarchicalElbo with one level equals Elbo of the single-level model",
          "[hierarchical]") {
  using S = double;
  const Index dx = 6, dz = 3, b = 4, samples = 3;
  Model<S> h(dx, {.latent = {dz}, .decoder_hidden = {7, 5}}, {}, 5);
  auto single = iai::LatentGaussianModel<S>::mlp(dz, dx, {7, 5});
  REQUIRE(single.theta().size() == h.theta().size());
  single.theta() = h.theta();  // same layout: [decoder | observation]
  iai::Rng rng(8);
  const Matrix<S> x = binaryData<S>(dx, b, rng);
  Matrix<S> mean(dz, b), log_var(dz, b), eps(dz, samples * b);
  iai::fillNormal(rng, mean);
  iai::fillNormal(rng, log_var);
  iai::fillNormal(rng, eps);
  for (auto kl : {iai::KlEstimator::Analytic, iai::KlEstimator::Sampled}) {
    iai::HierarchicalElbo<Model<S>> he({.samples = samples, .kl = kl});
    iai::Elbo<iai::LatentGaussianModel<S>> se({.samples = samples, .kl = kl});
    he.evaluateWithNoise(h, x, mean, log_var, eps, {.errors = true});
    se.evaluateWithNoise(single, x, mean, log_var, eps, {.errors = true});
    CHECK(relativeError(he.elbo(), se.elbo()) < 1e-12);
    CHECK(relativeError(he.kl(), se.kl()) < 1e-12);
    CHECK(relativeError(he.gradMean(), se.gradMean()) < 1e-12);
    CHECK(relativeError(he.gradLogVar(), se.gradLogVar()) < 1e-12);
    CHECK(relativeError(he.errorZ(), se.errorZ()) < 1e-12);
    CHECK(relativeError(he.errorX(), se.errorX()) < 1e-12);
  }
}

TEST_CASE("Hierarchical gradient = bottom-up error through J minus top-down error (Sec. 4.1)",
          "[hierarchical]") {
  // ∇_{μ_ℓ} L = J^ℓᵀ ε^{ℓ−1} − ε_z^ℓ with precision-weighted errors, ε^{−1} = ε_x and
  // J^ℓ = ∂μ_p^{ℓ−1}/∂z_ℓ (∂μ_x/∂z_1 for ℓ = 0); exact for one sample when the variances below
  // do not depend on z: a Gaussian output with a global σ_x and constant prior variances.
  using S = double;
  const Index dx = 5, b = 3;
  const std::vector<Index> latent{4, 3, 2};
  iai::Gaussian<S> obs({.mode = iai::LogVarMode::Global, .log_var = -1.0}, dx);
  Model<S, iai::Gaussian<S>> model(dx,
                                   {.latent = latent,
                                    .decoder_hidden = {6},
                                    .prior_hidden = {5},
                                    .constant_prior_log_var = true},
                                   obs, 9);
  iai::Rng rng(12);
  iai::fillNormal(rng, model.theta());
  model.theta() *= 0.5;
  const Index d = model.latentDim();
  Matrix<S> x(dx, b), mean(d, b), log_var(d, b), eps(d, b);
  for (auto* m : {&x, &mean, &log_var, &eps}) iai::fillNormal(rng, *m);
  // sampled KL at the top, so that its top-down error is z − 0 as well
  iai::HierarchicalElbo<Model<S, iai::Gaussian<S>>> elbo(
      {.samples = 1, .kl = iai::KlEstimator::Sampled});
  elbo.evaluateWithNoise(model, x, mean, log_var, eps,
                         {.errors = true, .error_weighting = iai::ErrorWeighting::Precision});
  const Matrix<S> grad = elbo.gradMean(), eps_x = elbo.errorX(), eps_z = elbo.errorZ();
  Matrix<S> z = elbo.samples();
  // J by central differences of the level below's mean
  const auto below_mean = [&](Index level, const Matrix<S>& zz) {
    if (level == 0) {
      Matrix<S> mu(dx, b);
      model.decode(zz, mu);
      return mu;
    }
    const Index o = model.levelOffset(level - 1), d_b = latent[std::size_t(level - 1)];
    Matrix<S> mu(d_b, b), lv(d_b, b);
    model.prior(level - 1, zz.middleRows(o + d_b, latent[std::size_t(level)]), mu, lv);
    return mu;
  };
  Matrix<S> expected(d, b);
  for (Index level = 0; level < 3; ++level) {
    const Index o = model.levelOffset(level), d_l = latent[std::size_t(level)];
    const Matrix<S> err_below = level == 0
                                    ? eps_x
                                    : Matrix<S>(eps_z.middleRows(model.levelOffset(level - 1),
                                                                 latent[std::size_t(level - 1)]));
    for (Index j = 0; j < b; ++j) {
      for (Index i = 0; i < d_l; ++i) {
        const double h = 1e-6;
        Matrix<S> zp = z, zm = z;
        zp(o + i, j) += h;
        zm(o + i, j) -= h;
        const Matrix<S> dmu = (below_mean(level, zp) - below_mean(level, zm)) / (2 * h);
        expected(o + i, j) = dmu.col(j).dot(err_below.col(j)) - eps_z(o + i, j);
      }
    }
  }
  CHECK(relativeError(grad, expected) < 1e-7);
}

TEST_CASE(
    "HierarchicalElbo::initialLambda is the prior: zero at the top, the prior network's "
    "output below",
    "[hierarchical]") {
  using S = double;
  Model<S> model(4, {.latent = {3, 2}, .decoder_hidden = {5}, .prior_hidden = {4}}, {}, 3);
  iai::HierarchicalElbo<Model<S>> elbo({.samples = 1});
  Matrix<S> mean(5, 6), log_var(5, 6);
  iai::Rng rng(5), replay(5);
  elbo.initialLambda(model, rng, mean, log_var);
  CHECK(mean.bottomRows(2).cwiseAbs().maxCoeff() == 0.0);
  CHECK(log_var.bottomRows(2).cwiseAbs().maxCoeff() == 0.0);
  Matrix<S> eps(5, 6), mu(3, 6), lv(3, 6);
  iai::fillNormal(replay, eps);
  model.prior(0, eps.bottomRows(2), mu, lv);
  CHECK(relativeError(mean.topRows(3), mu) < 1e-14);
  CHECK(relativeError(log_var.topRows(3), lv) < 1e-14);
}

TEST_CASE("HierarchicalElbo and the hierarchical model reject bad arguments", "[hierarchical]") {
  using S = float;
  CHECK_THROWS_WITH(Model<S>(4, {.latent = {}}), Catch::Contains("config.latent"));
  CHECK_THROWS_WITH(Model<S>(4, {.latent = {3, 0}}), Catch::Contains("config.latent[1]"));
  CHECK_THROWS_WITH(Model<S>(0, {.latent = {3}}), Catch::Contains("observed_dim"));
  CHECK_THROWS_WITH(Model<S>(4, {.latent = {3, 2}, .prior_hidden = {}}),
                    Catch::Contains("config.prior_hidden"));
  Model<S> model(4, {.latent = {3, 2}, .decoder_hidden = {5}, .prior_hidden = {4}});
  Matrix<S> z(4, 2), mu(3, 2), lv(3, 2);
  CHECK_THROWS_AS(model.prior(1, z.topRows(2), mu, lv), iai::invalid_argument);
  CHECK_THROWS_WITH(model.prior(-1, z.topRows(2), mu, lv), Catch::Contains("level"));
  CHECK_THROWS_WITH(iai::HierarchicalElbo<Model<S>>({.kl_min = std::nan("")}),
                    Catch::Contains("config.kl_min"));
  CHECK_THROWS_WITH(iai::Elbo<iai::LatentGaussianModel<S>>({.kl_min = 0.0}),
                    Catch::Contains("config.kl_min"));
  iai::HierarchicalElbo<Model<S>> elbo;
  Matrix<S> x = Matrix<S>::Zero(4, 2), mean = Matrix<S>::Zero(4, 2);
  iai::Rng rng(1);
  CHECK_THROWS_WITH(elbo.evaluate(model, x, mean, mean, rng), Catch::Contains("mean"));
}

}  // namespace iai_test_hierarchical_elbo_test
