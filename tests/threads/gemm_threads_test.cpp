// iai::nn::gemm gives bitwise the same numbers on one and on two threads: the partitions depend on
// the shape only and each is one sequential product with one-thread blocking.
#include "support/catch.hpp"

#include <Eigen/Core>

#include <cstdlib>
#include <tuple>
#include <vector>

#include <iai/nn/gemm.hpp>

TEST_CASE("gemm is bitwise independent of the thread count", "[threads][gemm]") {
#if !IAI_GEMM_OWN_PATH
  WARN("EIGEN_USE_BLAS (IAI_USE_BLAS) or IAI_GEMM_EIGEN_PRODUCTS: gemm is a plain product");
  return;
#endif
  Eigen::setNbThreads(2);
  if (Eigen::nbThreads() < 2) {
    WARN("built without OpenMP or only one thread available: nothing to compare");
    return;
  }
  const std::vector<std::tuple<iai::Index, iai::Index, iai::Index>> shapes = {
      {784, 640, 512}, {512, 640, 64}, {64, 640, 512}, {1536, 64, 1168}, {1168, 64, 1536},
      {333, 257, 190}, {1536, 1168, 64}};
  for (const auto& [m, n, k] : shapes) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        std::srand(11);
        const Eigen::MatrixXf a = ta ? Eigen::MatrixXf::Random(k, m) : Eigen::MatrixXf::Random(m, k);
        const Eigen::MatrixXf b = tb ? Eigen::MatrixXf::Random(n, k) : Eigen::MatrixXf::Random(k, n);
        const Eigen::MatrixXf c0 = Eigen::MatrixXf::Random(m, n);
        const iai::nn::GemmOptions options{.transpose_a = ta == 1, .transpose_b = tb == 1,
                                           .accumulate = true};
        Eigen::MatrixXf one = c0, two = c0;
        Eigen::setNbThreads(1);
        iai::nn::gemm<float>(one, a, b, options);
        Eigen::setNbThreads(2);
        iai::nn::gemm<float>(two, a, b, options);
        INFO("m " << m << " n " << n << " k " << k << " transpose_a " << ta << " transpose_b " << tb
                  << " partitions " << iai::nn::gemmPartitioning(m, n, k).count);
        CHECK(iai::nn::gemmPartitioning(m, n, k).count > 1);
        CHECK((one.array() == two.array()).all());
      }
    }
  }
  Eigen::setNbThreads(0);
}
