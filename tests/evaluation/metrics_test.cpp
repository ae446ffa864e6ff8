// bits/dim with the discretisation offset and perplexity on hand-computed cases, and end to end
// through importance sampling with models whose log p(x) is known in closed form.
#include "support/catch.hpp"

#include <iai/distributions.hpp>
#include <iai/evaluation.hpp>
#include <iai/models.hpp>

#include <cmath>
#include <numbers>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_metrics_test {

TEST_CASE("discretizedBitsPerDim adds D log 256 to a density NLL before converting to bits",
          "[evaluation][metrics]") {
  // The uniform density on [0, 1)^D (log p = 0) gives every 8-bit image probability 256^−D:
  // exactly 8 bits/dim.
  CHECK(iai::discretizedBitsPerDim(0.0, 3072) == Approx(8.0).epsilon(1e-15));
  // A density of e^{−D} (NLL = D nats): 8 + 1/ln 2 bits/dim.
  CHECK(iai::discretizedBitsPerDim(10.0, 10) == Approx(8.0 + 1.0 / std::numbers::ln2));
  CHECK(iai::discretizedBitsPerDim(0.0, 4, 2) == Approx(1.0));  // binary levels: 1 bit/dim
  // The same number as bitsPerDim of an NLL that already includes the offset.
  CHECK(iai::discretizedBitsPerDim(-500.0, 100) ==
        Approx(iai::bitsPerDim(-500.0 + 100 * std::log(256.0), 100)));
  CHECK_THROWS_AS(iai::discretizedBitsPerDim(1.0, 0), iai::invalid_argument);
  CHECK_THROWS_AS(iai::discretizedBitsPerDim(1.0, 2, 1), iai::invalid_argument);
}

TEST_CASE("perplexity = exp(−Σ log p / Σ words) over a tiny corpus with a known multinomial",
          "[evaluation][metrics]") {
  // π = (1/2, 1/4, 1/4); doc 1 = counts (2, 1, 0), doc 2 = (0, 0, 1):
  // log p = −4 ln 2 and −2 ln 2 over 4 words: perplexity 2^{6/4}.
  const std::vector<double> log_px{-4 * std::numbers::ln2, -2 * std::numbers::ln2};
  const std::vector<double> words{3, 1};
  CHECK(iai::perplexity(log_px, words) == Approx(std::pow(2.0, 1.5)));
  // Not the mean of per-document perplexities (2^{4/3} and 4).
  CHECK(iai::perplexity(log_px, words) != Approx((std::pow(2.0, 4.0 / 3) + 4) / 2));
  CHECK_THROWS_AS(iai::perplexity(log_px, std::vector<double>{1}), iai::invalid_argument);
  CHECK_THROWS_AS(iai::perplexity(std::vector<double>{0.0}, std::vector<double>{0}),
                  iai::invalid_argument);
  CHECK_THROWS_AS(iai::perplexity(std::vector<double>{std::nan("")}, std::vector<double>{1}),
                  iai::domain_error);
}

TEMPLATE_TEST_CASE("Importance-sampled perplexity and bits/dim of models with a known p(x)",
                   "[evaluation][metrics]", float, double) {
  using S = TestType;
  iai::Rng rng(7);
  SECTION("multinomial decoder with θ = 0: η = 0, π uniform over V, so perplexity = V") {
    using M = iai::LatentGaussianModel<S, iai::Multinomial<S>>;
    const iai::Index v = 5, d = 2;
    M model = M::mlp(d, v, {3}, iai::Multinomial<S>{}, 1);
    model.theta().setZero();  // every layer outputs 0 whatever z is: p(x|z) = p(x)
    iai::Matrix<S> x(v, 3);
    x << 3, 0, 1,  //
        0, 2, 0,   //
        1, 0, 0,   //
        0, 0, 4,   //
        2, 0, 0;
    const iai::Matrix<S> mean = iai::Matrix<S>::Zero(d, 3), log_var = iai::Matrix<S>::Zero(d, 3);
    iai::ImportanceSampler<M> sampler(20);
    iai::RowVector<S> log_px(3);
    sampler.logMarginal(model, x, mean, log_var, rng, log_px);
    std::vector<double> lp, words;
    for (iai::Index j = 0; j < 3; ++j) {
      CHECK(static_cast<double>(log_px(j)) ==
            Approx(-static_cast<double>(x.col(j).sum()) * std::log(5.0)).epsilon(1e-5));
      lp.push_back(static_cast<double>(log_px(j)));
      words.push_back(static_cast<double>(x.col(j).sum()));
    }
    CHECK(iai::perplexity(lp, words) == Approx(5.0).epsilon(1e-5));
  }
  SECTION("Gaussian decoder with θ = 0 and the offset: N(x; 0, 1) − log 256 per dimension") {
    using M = iai::LatentGaussianModel<S, iai::Gaussian<S>>;
    const iai::Index dim = 6, d = 2;
    const iai::GaussianConfig g{.mode = iai::LogVarMode::PerExample, .discretization_offset = true};
    M model = M::mlp(d, dim, {4}, iai::Gaussian<S>(g, dim), 1);
    model.theta().setZero();  // μ = 0, log σ² = 0 (inside the clamp [−7, 15])
    const iai::Matrix<S> x = iai::Matrix<S>::Zero(dim, 2);
    const iai::Matrix<S> mean = iai::Matrix<S>::Zero(d, 2), log_var = iai::Matrix<S>::Zero(d, 2);
    iai::ImportanceSampler<M> sampler(10);
    iai::RowVector<S> log_px(2);
    sampler.logMarginal(model, x, mean, log_var, rng, log_px);
    const double nll = -static_cast<double>(log_px(0));
    // −log p = D (½ log 2π + log 256): 8 + ½ log2(2π) ≈ 9.3257 bits/dim.
    CHECK(nll == Approx(dim * (0.5 * std::log(2 * std::numbers::pi) + std::log(256.0))).epsilon(1e-5));
    CHECK(iai::bitsPerDim(nll, dim) == Approx(8.0 + 0.5 * std::log2(2 * std::numbers::pi)).epsilon(1e-5));
    // Without the offset in the model, discretizedBitsPerDim adds it: the same number.
    CHECK(iai::discretizedBitsPerDim(nll - dim * std::log(256.0), dim) ==
          Approx(iai::bitsPerDim(nll, dim)).epsilon(1e-9));
  }
}

}  // namespace iai_test_metrics_test
