// The arithmetic of scripts/reproduce's tables (examples/common/stats.hpp), on hand-computed numbers.
#include "support/catch.hpp"

#include <cmath>
#include <map>
#include <vector>

#include "common/stats.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_reproduce_table_test {

using examples::stats::meanSe;
using examples::stats::pairedDifferences;

TEST_CASE("meanSe: mean and standard error of the mean over seeds", "[evaluation][table]") {
  // 1, 2, 6: mean 3; deviations −2, −1, 3; s² = 14/2 = 7; se = √(7/3)
  const auto m = meanSe({1.0, 2.0, 6.0});
  CHECK(m.n == 3);
  CHECK(m.mean == Approx(3.0));
  CHECK(m.se == Approx(std::sqrt(7.0 / 3.0)));
  CHECK(examples::stats::format(m) == "3.00 ± 1.53");
  // −117.5, −118.5: mean −118, s² = 0.5, se = √(0.25) = 0.5
  const auto n2 = meanSe({-117.5, -118.5});
  CHECK(n2.mean == Approx(-118.0));
  CHECK(n2.se == Approx(0.5));
  // unfinished runs (NaN) are left out; one value has no s.e.
  const auto one = meanSe({4.0, std::nan("")});
  CHECK(one.n == 1);
  CHECK(one.mean == 4.0);
  CHECK(std::isnan(one.se));
  CHECK(examples::stats::format(one) == "4.00");
  CHECK(meanSe({}).n == 0);
  CHECK(examples::stats::format(meanSe({})) == "–");
}

TEST_CASE("pairedDifferences: per-seed a − b over the seeds both arms finished",
          "[evaluation][table]") {
  // −log p(x) per seed: iterative {1: 90.0, 2: 91.0, 3: 89.5}, standard {1: 90.4, 2: 90.8, 4: 88}
  const std::map<long, double> iterative{{1, 90.0}, {2, 91.0}, {3, 89.5}};
  const std::map<long, double> standard{{1, 90.4}, {2, 90.8}, {4, 88.0}};
  const std::vector<double> d = pairedDifferences(iterative, standard);
  REQUIRE(d.size() == 2);  // seeds 1 and 2 only
  CHECK(d[0] == Approx(-0.4));
  CHECK(d[1] == Approx(0.2));
  // mean −0.1; deviations ∓0.3; s² = 0.18; se = √(0.18/2) = 0.3
  const auto m = meanSe(d);
  CHECK(m.mean == Approx(-0.1));
  CHECK(m.se == Approx(0.3));
  CHECK(examples::stats::formatSigned(m) == "-0.10 ± 0.30");
  CHECK(examples::stats::formatSigned(meanSe({0.25, 0.35})) == "+0.30 ± 0.05");
  // pairing matters: the unpaired difference of means differs from the mean of differences
  const double unpaired = meanSe({90.0, 91.0, 89.5}).mean - meanSe({90.4, 90.8, 88.0}).mean;
  CHECK(unpaired != Approx(m.mean));
  // a NaN on either side drops that seed
  CHECK(pairedDifferences({{1, std::nan("")}, {2, 1.0}}, {{1, 0.0}, {2, 0.5}}).size() == 1);
}

}  // namespace iai_test_reproduce_table_test
