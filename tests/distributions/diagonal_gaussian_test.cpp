#include "support/catch.hpp"

#include <iai/distributions/diagonal_gaussian.hpp>
#include <iai/core/random.hpp>
#include <iai/testing/gradient_check.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_diagonal_gaussian_test {

using iai::Matrix;
using iai::RowVector;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

namespace {
template <class S>
double tolerance() {
  return sizeof(S) == 4 ? 1e-3 : 1e-6;
}
template <class S>
Matrix<S> randomMatrix(iai::Rng& rng, iai::Index r, iai::Index c, double scale = 1.0) {
  Matrix<S> m(r, c);
  iai::fillNormal(rng, m);
  return (m * S(scale)).eval();
}
}  // namespace

TEMPLATE_TEST_CASE("DiagonalGaussian reference values", "[distributions]", float, double) {
  using S = TestType;
  using G = iai::DiagonalGaussian<S>;
  // One column, d = 2: mean (0.5, -1), log_var (0.2, -0.3), z (1, 0).
  Matrix<S> mean(2, 1), log_var(2, 1), z(2, 1);
  mean << 0.5, -1.0;
  log_var << 0.2, -0.3;
  z << 1.0, 0.0;
  RowVector<S> out(1);
  // log N = Σ −½(log 2π + s + (z−μ)²/e^s), computed by hand in double.
  const double ref_logp = -0.5 * (std::log(2 * M_PI) + 0.2 + 0.25 / std::exp(0.2)) -
                          0.5 * (std::log(2 * M_PI) - 0.3 + 1.0 / std::exp(-0.3));
  G::logDensity(mean, log_var, z, out);
  CHECK(out(0) == Approx(ref_logp).epsilon(1e-6));
  // entropy = ½ Σ (1 + log 2π + s)
  G::entropy(log_var, out);
  CHECK(out(0) == Approx(0.5 * (2 * (1 + std::log(2 * M_PI)) + 0.2 - 0.3)).epsilon(1e-6));
  // KL to N(0, I) = ½ Σ (μ² + e^s − s − 1)
  G::klStandardNormal(mean, log_var, out);
  const double ref_kl0 =
      0.5 * (0.25 + std::exp(0.2) - 0.2 - 1) + 0.5 * (1.0 + std::exp(-0.3) + 0.3 - 1);
  CHECK(out(0) == Approx(ref_kl0).epsilon(1e-6));
  // general KL with p = N(0, I) equals the standard-normal form
  Matrix<S> zero = Matrix<S>::Zero(2, 1);
  G::kl(mean, log_var, zero, zero, out);
  CHECK(out(0) == Approx(ref_kl0).epsilon(1e-6));
  // KL of a distribution to itself is 0
  G::kl(mean, log_var, mean, log_var, out);
  CHECK(out(0) == Approx(0).margin(1e-7));
}

TEMPLATE_TEST_CASE("DiagonalGaussian: KL equals E_q[log q − log p] (Monte Carlo)", "[distributions]",
                   double) {
  using S = TestType;
  using G = iai::DiagonalGaussian<S>;
  iai::Rng rng(3);
  const Matrix<S> mq = randomMatrix<S>(rng, 3, 1), sq = randomMatrix<S>(rng, 3, 1, 0.5);
  const Matrix<S> mp = randomMatrix<S>(rng, 3, 1), sp = randomMatrix<S>(rng, 3, 1, 0.5);
  const int n = 200000;
  Matrix<S> eps(3, n), z(3, n);
  iai::fillNormal(rng, eps);
  Matrix<S> mqn = mq.replicate(1, n), sqn = sq.replicate(1, n);
  Matrix<S> mpn = mp.replicate(1, n), spn = sp.replicate(1, n);
  G::sample(mqn, sqn, eps, z);
  RowVector<S> lq(n), lp(n), kl(1);
  G::logDensity(mqn, sqn, z, lq);
  G::logDensity(mpn, spn, z, lp);
  G::kl(mq, sq, mp, sp, kl);
  const double mc = (lq - lp).mean();
  const double se = std::sqrt((lq - lp).array().square().mean() - mc * mc) / std::sqrt(n);
  CHECK(std::abs(mc - kl(0)) < 4 * se);
}

TEMPLATE_TEST_CASE("DiagonalGaussian gradients match central finite differences",
                   "[distributions]", float, double) {
  using S = TestType;
  using G = iai::DiagonalGaussian<S>;
  iai::Rng rng(17);
  const iai::Index d = 4;
  for (iai::Index b : {1, 3}) {
    Matrix<S> mq = randomMatrix<S>(rng, d, b), sq = randomMatrix<S>(rng, d, b, 0.7);
    Matrix<S> mp = randomMatrix<S>(rng, d, b), sp = randomMatrix<S>(rng, d, b, 0.7);
    Matrix<S> z = randomMatrix<S>(rng, d, b), eps = randomMatrix<S>(rng, d, b);
    const Matrix<S> r = randomMatrix<S>(rng, d, b);  // fixed weights for sampleBackward
    RowVector<S> out(b);
    Matrix<S> g1(d, b), g2(d, b), g3(d, b), g4(d, b);

    auto logp = [&] { G::logDensity(mq, sq, z, out); return out.template cast<double>().sum(); };
    G::logDensityGradient(mq, sq, z, g1, g2, g3);
    CHECK(relativeError(g1, numericalGradient(logp, z)) < tolerance<S>());
    CHECK(relativeError(g2, numericalGradient(logp, mq)) < tolerance<S>());
    CHECK(relativeError(g3, numericalGradient(logp, sq)) < tolerance<S>());

    auto kl = [&] { G::kl(mq, sq, mp, sp, out); return out.template cast<double>().sum(); };
    G::klGradient(mq, sq, mp, sp, g1, g2, g3, g4);
    CHECK(relativeError(g1, numericalGradient(kl, mq)) < tolerance<S>());
    CHECK(relativeError(g2, numericalGradient(kl, sq)) < tolerance<S>());
    CHECK(relativeError(g3, numericalGradient(kl, mp)) < tolerance<S>());
    CHECK(relativeError(g4, numericalGradient(kl, sp)) < tolerance<S>());

    auto kl0 = [&] { G::klStandardNormal(mq, sq, out); return out.template cast<double>().sum(); };
    G::klStandardNormalGradient(mq, sq, g1, g2);
    CHECK(relativeError(g1, numericalGradient(kl0, mq)) < tolerance<S>());
    CHECK(relativeError(g2, numericalGradient(kl0, sq)) < tolerance<S>());

    // sampleBackward: f = Σ r ⊙ z(mean, log_var)
    Matrix<S> zs(d, b);
    auto f = [&] { G::sample(mq, sq, eps, zs); return (r.array() * zs.array()).template cast<double>().sum(); };
    G::sampleBackward(sq, eps, r, g1, g2);
    CHECK(relativeError(g1, numericalGradient(f, mq)) < tolerance<S>());
    CHECK(relativeError(g2, numericalGradient(f, sq)) < tolerance<S>());
  }
}

TEMPLATE_TEST_CASE("DiagonalGaussian clamps log_var and stops its gradient outside the clamp",
                   "[distributions]", float, double) {
  using S = TestType;
  using G = iai::DiagonalGaussian<S>;
  Matrix<S> mean(2, 1), log_var(2, 1), g_mean(2, 1), g_lv(2, 1);
  mean << 1e3, -1e3;
  log_var << 40, -40;  // both outside [-15, 15]
  RowVector<S> out(1);
  G::klStandardNormal(mean, log_var, out);
  CHECK(std::isfinite(static_cast<double>(out(0))));
  G::klStandardNormalGradient(mean, log_var, g_mean, g_lv);
  CHECK(g_lv.isZero());
  CHECK(g_mean.allFinite());
  // values equal those at the clamp
  Matrix<S> at_clamp(2, 1);
  at_clamp << 15, -15;
  RowVector<S> out2(1);
  G::klStandardNormal(mean, at_clamp, out2);
  CHECK(out(0) == out2(0));
  Matrix<S> z = mean, eps = Matrix<S>::Ones(2, 1);
  G::sample(mean, log_var, eps, z);
  CHECK(z.allFinite());
  G::logDensity(mean, log_var, z, out);
  CHECK(std::isfinite(static_cast<double>(out(0))));
  G::entropy(log_var, out);
  CHECK(std::isfinite(static_cast<double>(out(0))));
}

TEST_CASE("DiagonalGaussian rejects mismatched shapes", "[distributions]") {
  using G = iai::DiagonalGaussian<double>;
  Matrix<double> a(2, 3), b(3, 3), z(2, 3);
  a.setZero();
  b.setZero();
  RowVector<double> out(3), short_out(2);
  CHECK_THROWS_AS(G::kl(a, b, a, a, out), iai::invalid_argument);
  CHECK_THROWS_AS(G::klStandardNormal(a, a, short_out), iai::invalid_argument);
  CHECK_THROWS_WITH(G::sample(a, a, a, b), Catch::Contains("DiagonalGaussian::sample"));
}

}  // namespace iai_test_diagonal_gaussian_test
