#include "support/catch.hpp"

#include <iai/core/errors.hpp>

#include <string>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_errors_test {

namespace {
void needsPositive(int n) { IAI_CHECK(n > 0, "needsPositive", "n", n, "positive"); }
void needsFinite(double v) { IAI_CHECK_DOMAIN(v == v, "needsFinite", "v", v, "a number (not NaN)"); }
}  // namespace

TEST_CASE("IAI_CHECK throws iai::invalid_argument naming function, argument, value, expectation",
          "[core]") {
  REQUIRE_NOTHROW(needsPositive(3));
  try {
    needsPositive(-4);
    FAIL("no exception");
  } catch (const iai::invalid_argument& e) {
    CHECK(std::string(e.what()) == "needsPositive: n is -4, but must be positive");
  }
  // derives from the standard exception
  CHECK_THROWS_AS(needsPositive(0), std::invalid_argument);
}

TEST_CASE("IAI_CHECK_DOMAIN throws iai::domain_error", "[core]") {
  CHECK_THROWS_AS(needsFinite(std::numeric_limits<double>::quiet_NaN()), iai::domain_error);
  CHECK_THROWS_AS(needsFinite(std::numeric_limits<double>::quiet_NaN()), std::domain_error);
  CHECK_THROWS_WITH(needsFinite(std::numeric_limits<double>::quiet_NaN()),
                    Catch::Contains("needsFinite: v is nan"));
}

}  // namespace iai_test_errors_test
