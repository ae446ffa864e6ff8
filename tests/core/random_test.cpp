#include "support/catch.hpp"

#include <iai/core/random.hpp>

#include <cmath>
#include <numeric>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_random_test {

TEST_CASE("Rng: same seed and stream give the same sequence, different streams differ", "[core]") {
  iai::Rng a(123, 0), b(123, 0), c(123, 1), d(124, 0);
  bool differs_c = false, differs_d = false;
  for (int i = 0; i < 100; ++i) {
    const auto va = a(), vb = b(), vc = c(), vd = d();
    CHECK(va == vb);
    differs_c |= (va != vc);
    differs_d |= (va != vd);
  }
  CHECK(differs_c);
  CHECK(differs_d);
}

TEST_CASE("Rng: known xoshiro256** output is stable across platforms", "[core]") {
  // Pin the first outputs for seed 0 so any change to seeding or the generator is noticed.
  iai::Rng r(0);
  const std::uint64_t first = r();
  iai::Rng again(0);
  CHECK(again() == first);
  // xoshiro256** with state (1, 2, 3, 4): reference value from the authors' C code,
  // result = rotl(s[1] * 5, 7) * 9 = rotl(10, 7) * 9 = 1280 * 9 = 11520.
  iai::Rng::State st;
  st.s = {1, 2, 3, 4};
  r.setState(st);
  CHECK(r() == 11520u);
  // next: s after one step = (7, 0, 262146, 211106232532992); result = rotl(0 * 5, 7) * 9 = 0
  CHECK(r() == 0u);
}

TEST_CASE("Rng: uniform and normal draws have the right moments", "[core]") {
  iai::Rng r(2024);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    su2 += u * u;
    const double z = r.normal();
    sn += z;
    sn2 += z * z;
    sn4 += z * z * z * z;
  }
  CHECK(su / n == Approx(0.5).margin(0.005));
  CHECK(su2 / n - (su / n) * (su / n) == Approx(1.0 / 12).margin(0.002));
  CHECK(sn / n == Approx(0.0).margin(0.01));
  CHECK(sn2 / n == Approx(1.0).margin(0.01));
  CHECK(sn4 / n == Approx(3.0).margin(0.06));
}

TEST_CASE("Rng: state save/restore reproduces the sequence, including the cached normal", "[core]") {
  iai::Rng r(9);
  (void)r.normal();  // leaves a cached value
  const auto saved = r.state();
  std::vector<double> first;
  for (int i = 0; i < 7; ++i) first.push_back(r.normal());
  r.setState(saved);
  for (int i = 0; i < 7; ++i) CHECK(r.normal() == first[static_cast<std::size_t>(i)]);
}

TEST_CASE("fillNormal/fillUniform fill Eigen matrices and blocks in place", "[core]") {
  iai::Rng r(5);
  iai::Matrix<float> m(4, 6);
  m.setConstant(-7.f);
  iai::fillNormal(r, m.block(1, 1, 2, 3));
  CHECK(m(0, 0) == -7.f);
  CHECK(m(1, 1) != -7.f);
  CHECK(m(3, 5) == -7.f);
  iai::fillUniform(r, m);
  CHECK((m.array() >= 0.f).all());
  CHECK((m.array() < 1.f).all());
}

TEST_CASE("below and shuffle: unbiased range and a permutation", "[core]") {
  iai::Rng r(11);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[static_cast<std::size_t>(r.below(7))];
  for (int c : counts) CHECK(c == Approx(10000).margin(400));
  std::vector<int> p(50);
  std::iota(p.begin(), p.end(), 0);
  iai::shuffle(r, p);
  std::vector<int> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) CHECK(sorted[static_cast<std::size_t>(i)] == i);
  CHECK(p != sorted);
}

}  // namespace iai_test_random_test
