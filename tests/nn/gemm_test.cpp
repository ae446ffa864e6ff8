// iai::nn::gemm against plain Eigen products: every transpose combination, assign and
// accumulate, odd and degenerate shapes, strided views, shapes that are split into partitions,
// and the epilogue's block cover. (Bitwise independence of the thread count: tests/threads.)
#include "support/catch.hpp"

#include <cstdlib>
#include <tuple>
#include <utility>
#include <vector>

#include <iai/nn/gemm.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_gemm_test {

namespace {

template <class S>
iai::Matrix<S> randomMatrix(iai::Index rows, iai::Index cols, unsigned seed) {
  std::srand(seed);
  return iai::Matrix<S>::Random(rows, cols);
}

// Compares gemm with the plain Eigen product, in S, for C (m × n) (+)= op(A) op(B), depth k.
template <class S>
void checkShape(iai::Index m, iai::Index n, iai::Index k, double tolerance) {
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      for (int acc = 0; acc < 2; ++acc) {
        const iai::Matrix<S> a = ta ? randomMatrix<S>(k, m, 1) : randomMatrix<S>(m, k, 1);
        const iai::Matrix<S> b = tb ? randomMatrix<S>(n, k, 2) : randomMatrix<S>(k, n, 2);
        const iai::Matrix<S> c0 = randomMatrix<S>(m, n, 3);
        iai::Matrix<S> expected = c0;
        const auto product = [&](const auto& lhs, const auto& rhs) {
          if (acc)
            expected.noalias() += lhs * rhs;
          else
            expected.noalias() = lhs * rhs;
        };
        if (!ta && !tb) product(a, b);
        if (ta && !tb) product(a.transpose(), b);
        if (!ta && tb) product(a, b.transpose());
        if (ta && tb) product(a.transpose(), b.transpose());
        iai::Matrix<S> c = c0;
        iai::nn::gemm<S>(c, a, b, {.transpose_a = ta == 1, .transpose_b = tb == 1,
                                   .accumulate = acc == 1});
        INFO("m " << m << " n " << n << " k " << k << " transpose_a " << ta << " transpose_b "
                  << tb << " accumulate " << acc);
        const double scale = 1.0 + static_cast<double>(k);
        CHECK((c - expected).cwiseAbs().maxCoeff() <= tolerance * scale);
      }
    }
  }
}

}  // namespace

TEST_CASE("gemm equals Eigen's product for many shapes, transposes and accumulate", "[gemm]") {
  const std::vector<std::tuple<iai::Index, iai::Index, iai::Index>> shapes = {
      {1, 1, 1},    {1, 7, 3},     {7, 1, 3},    {5, 3, 1},     {3, 3, 0},     {17, 13, 11},
      {48, 4, 48},  {49, 5, 97},   {63, 65, 1},  {129, 17, 33}, {17, 129, 33}, {300, 64, 513},
      {64, 300, 77}, {784, 40, 64}, {333, 257, 19}, {1, 200, 300}, {200, 1, 300}};
  for (const auto& [m, n, k] : shapes) {
    checkShape<double>(m, n, k, 1e-13);
    checkShape<float>(m, n, k, 2e-6);
  }
}

TEST_CASE("gemm works on strided blocks and leaves the rest of C alone", "[gemm]") {
  iai::Matrix<float> big_a = randomMatrix<float>(300, 90, 4), big_b = randomMatrix<float>(200, 150, 5);
  iai::Matrix<float> big_c = randomMatrix<float>(400, 160, 6);
  const iai::Matrix<float> before = big_c;
  const auto a = big_a.block(3, 5, 260, 70);   // 260 × 70, outer stride 300
  const auto b = big_b.block(7, 9, 70, 130);   // 70 × 130, outer stride 200
  iai::nn::gemm<float>(big_c.block(11, 13, 260, 130), a, b);
  const iai::Matrix<float> expected = a * b;
  CHECK((big_c.block(11, 13, 260, 130) - expected).cwiseAbs().maxCoeff() <= 1e-4f);
  iai::Matrix<float> rest = big_c - before;
  rest.block(11, 13, 260, 130).setZero();
  CHECK(rest.cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("gemm partitions depend on the shape only and cover the output once", "[gemm]") {
  using iai::nn::gemmPartitioning;
  CHECK(gemmPartitioning(8, 16, 8).count == 1);          // small: one sequential product
  CHECK(gemmPartitioning(784, 640, 512).count == 4);     // the reference decoder
  CHECK(gemmPartitioning(784, 640, 512).split_rows);
  CHECK(gemmPartitioning(1536, 64, 1168).split_rows);    // thin batch-64 products: row blocks
  CHECK_FALSE(gemmPartitioning(64, 640, 512).split_rows);  // short and wide: column blocks
  for (const iai::Index extent : {1, 15, 16, 17, 100, 784, 1000}) {
    for (const iai::Index count : {1, 2, 4}) {
      iai::Index next = 0;
      for (iai::Index part = 0; part < count; ++part) {
        const auto [begin, end] = iai::nn::gemmPartitionRange(extent, count, part);
        CHECK(begin == next);
        CHECK(end >= begin);
        CHECK((begin % iai::nn::kGemmGranule == 0 || begin == extent));
        next = end;
      }
      CHECK(next == extent);
    }
  }
  // the epilogue sees every element of C exactly once
  const std::vector<std::pair<iai::Index, iai::Index>> outputs = {{784, 640}, {64, 640}, {5, 3}};
  for (const auto& [m, n] : outputs) {
    iai::Matrix<float> a = randomMatrix<float>(m, 300, 7), b = randomMatrix<float>(300, n, 8);
    iai::Matrix<float> c(m, n);
    Eigen::MatrixXi visits = Eigen::MatrixXi::Zero(m, n);
    iai::nn::gemm<float>(c, a, b, {}, [&](iai::Index row, iai::Index col, iai::Index rows,
                                          iai::Index cols) {
      visits.block(row, col, rows, cols).array() += 1;  // disjoint blocks: no data race
    });
    CHECK((visits.array() == 1).all());
  }
}

TEST_CASE("gemm checks shapes", "[gemm]") {
  iai::Matrix<float> a(3, 4), b(5, 2), c(3, 2);
  CHECK_THROWS_AS(iai::nn::gemm<float>(c, a, b), iai::invalid_argument);
  iai::Matrix<float> b4(4, 2), c_bad(2, 2);
  CHECK_THROWS_AS(iai::nn::gemm<float>(c_bad, a, b4), iai::invalid_argument);
  CHECK_NOTHROW(iai::nn::gemm<float>(c, a, b4));
}

}  // namespace iai_test_gemm_test
