// The finite-difference oracle itself (include/iai/testing/gradient_check.hpp) must be right.
#include "support/catch.hpp"

#include <iai/testing/gradient_check.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_gradient_check_test {

TEMPLATE_TEST_CASE("numericalGradient matches a known gradient", "[core][testing]", float, double) {
  iai::Matrix<TestType> x(2, 3);
  x << 0.3, -1.2, 2.0, 0.7, 0.1, -0.4;
  auto f = [&] { return (x.array().sin() * x.array().square()).sum(); };
  const iai::Matrix<TestType> exact =
      (x.array().cos() * x.array().square() + 2 * x.array() * x.array().sin()).matrix();
  const auto numeric = iai::testing::numericalGradient(f, x);
  CHECK(iai::testing::relativeError(numeric, exact) < (sizeof(TestType) == 4 ? 1e-3 : 1e-8));
  // x is restored
  CHECK(x(0, 0) == TestType(0.3));
}

TEST_CASE("relativeError detects a wrong gradient", "[core][testing]") {
  iai::Matrix<double> a(2, 2), b(2, 2);
  a << 1, 2, 3, 4;
  b = a;
  b(1, 1) += 0.1;
  CHECK(iai::testing::relativeError(a, a) == 0.0);
  CHECK(iai::testing::relativeError(a, b) > 1e-2);
}

}  // namespace iai_test_gradient_check_test
