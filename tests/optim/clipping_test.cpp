#include "support/catch.hpp"

#include <iai/optim/clipping.hpp>

#include <cmath>
#include <limits>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_clipping_test {

using iai::optim::clipGlobalNorm;

TEMPLATE_TEST_CASE("clipGlobalNorm: rescales a buffer whose norm exceeds max_norm", "[optim]",
                   float, double) {
  using S = TestType;
  iai::Vector<S> g(2);
  g << S(3), S(4);  // norm 5
  CHECK(clipGlobalNorm(g, 1.0) == 5.0);
  CHECK(g(0) == Approx(0.6).epsilon(1e-6));
  CHECK(g(1) == Approx(0.8).epsilon(1e-6));
  CHECK(g.norm() == Approx(1.0).epsilon(1e-6));
}

TEMPLATE_TEST_CASE("clipGlobalNorm: leaves a buffer within max_norm untouched", "[optim]", float,
                   double) {
  using S = TestType;
  iai::Matrix<S> g(2, 2);
  g << S(1), S(-2), S(2), S(0);  // norm 3
  const iai::Matrix<S> before = g;
  CHECK(clipGlobalNorm(g, 3.0) == 3.0);  // equal to max_norm: no change
  CHECK(g == before);
  CHECK(clipGlobalNorm(g, 10.0) == 3.0);
  CHECK(g == before);
}

TEMPLATE_TEST_CASE("clipGlobalNorm: several buffers share one global norm", "[optim]", float,
                   double) {
  using S = TestType;
  iai::Vector<S> a(1);
  iai::Matrix<S> b(2, 2);
  iai::Matrix<S> big = iai::Matrix<S>::Zero(3, 3);
  a << S(2);
  b << S(4), S(0), S(0), S(4);
  big(1, 1) = S(5);  // the block below holds 5; big(0, 0) stays outside
  big(0, 0) = S(100);
  // ‖(2, 4, 4, 5)‖ = √(4 + 16 + 16 + 25) = √61
  const double norm = clipGlobalNorm(2.0, a, b, big.block(1, 1, 2, 2));
  CHECK(norm == Approx(std::sqrt(61.0)).epsilon(1e-12));
  const double scale = 2.0 / std::sqrt(61.0);
  CHECK(a(0) == Approx(2 * scale).epsilon(1e-6));
  CHECK(b(1, 1) == Approx(4 * scale).epsilon(1e-6));
  CHECK(big(1, 1) == Approx(5 * scale).epsilon(1e-6));
  CHECK(big(0, 0) == S(100));
  const double after = std::sqrt(static_cast<double>(a.squaredNorm() + b.squaredNorm() +
                                                     big.block(1, 1, 2, 2).squaredNorm()));
  CHECK(after == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("clipGlobalNorm: blocks, non-finite norms and bad max_norm", "[optim]") {
  iai::Matrix<double> m = iai::Matrix<double>::Constant(2, 3, 2.0);
  CHECK(clipGlobalNorm(m.col(1), 1.0) == Approx(std::sqrt(8.0)));  // rvalue block
  CHECK(m.col(1).norm() == Approx(1.0));
  CHECK(m(0, 0) == 2.0);
  iai::Vector<double> g(2);
  g << std::numeric_limits<double>::infinity(), 1.0;
  CHECK(std::isinf(clipGlobalNorm(g, 1.0)));  // reported, buffers left alone
  CHECK(g(1) == 1.0);
  CHECK_THROWS_AS(clipGlobalNorm(m, 0.0), iai::invalid_argument);
  CHECK_THROWS_AS(clipGlobalNorm(m, -1.0), iai::invalid_argument);
  CHECK_THROWS_WITH(clipGlobalNorm(-2.0, m, g),
                    "clipGlobalNorm: max_norm is -2, but must be positive and finite");
}

}  // namespace iai_test_clipping_test
