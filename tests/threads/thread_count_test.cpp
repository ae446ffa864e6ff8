// Thread count and reproducibility. Random numbers come from (seed, stream) streams that do not
// depend on threads, and every product of the layers goes through iai::nn::gemm, whose
// partitions depend on the shape only (each a sequential product with one-thread blocking). So a
// run is bitwise the same for a given thread count AND across thread counts: one and two threads
// give identical ELBOs, θ and φ. See docs/performance.md.
#include "support/catch.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

#include <iai/iai.hpp>

namespace {
struct Run {
  std::vector<double> values;  // ELBOs of every step, then θ, then φ
  long workspace_growths_after_warm_up = 0;
};

Run run(int threads) {
  Eigen::setNbThreads(threads);
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(16, 784, {256, 256}, {}, 1);
  iai::IterativeInferenceModel<float> inference(784, 16, {.network = {.hidden = 256, .layers = 2}}, 2);
  iai::TrainingConfig config;
  config.iterations = 2;
  config.elbo.samples = 2;
  iai::VariationalEM em(model, inference, config);
  iai::Matrix<float> x(784, 64);
  iai::Rng rng(5);
  iai::fillUniform(rng, x);
  Run out;
  for (int i = 0; i < 2; ++i) out.values.push_back(em.step(x).elbo);
  const long growths = iai::nn::gemmWorkspaceGrowths();
  for (int i = 0; i < 2; ++i) out.values.push_back(em.step(x).elbo);
  out.workspace_growths_after_warm_up = iai::nn::gemmWorkspaceGrowths() - growths;
  for (float v : model.theta()) out.values.push_back(v);
  for (float v : inference.phi()) out.values.push_back(v);
  Eigen::setNbThreads(0);
  return out;
}
}  // namespace

TEST_CASE("One and two threads give bitwise the same run, and so does a repeated run",
          "[threads]") {
  Eigen::setNbThreads(2);
  if (Eigen::nbThreads() < 2) {
    WARN("built without OpenMP or only one thread available: nothing to compare");
    return;
  }
  const Run two = run(2), two_again = run(2), one = run(1);
  REQUIRE(one.values.size() == two.values.size());
  const bool repeated_same = (two.values == two_again.values);  // not CHECK(vector == vector)
  CHECK(repeated_same);
  std::size_t differing = 0;
  double max_diff = 0, max_abs = 0;
  for (std::size_t i = 0; i < one.values.size(); ++i) {
    if (one.values[i] != two.values[i]) ++differing;
    max_diff = std::max(max_diff, std::abs(one.values[i] - two.values[i]));
    max_abs = std::max(max_abs, std::abs(one.values[i]));
  }
  INFO(differing << " of " << one.values.size() << " values differ, max |1-thread − 2-thread| = "
                 << max_diff << " (max |value| " << max_abs << ")");
#if IAI_GEMM_OWN_PATH
  CHECK(differing == 0);
  // the gemm packing workspaces (per thread) stop growing after warm-up on two threads too
  CHECK(two_again.workspace_growths_after_warm_up == 0);
  CHECK(one.workspace_growths_after_warm_up == 0);
#else
  WARN("EIGEN_USE_BLAS (IAI_USE_BLAS) or IAI_GEMM_EIGEN_PRODUCTS: products are plain Eigen/BLAS "
       "products, whose results may depend on the thread count; checking agreement to rounding");
  CHECK(max_diff <= 1e-4 * max_abs);
#endif
}
