#include "support/catch.hpp"

#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_determinism_test {

using Model = iai::LinearGaussianModel<float>;

namespace {
std::vector<double> runOnce(std::uint64_t seed) {
  iai::Rng rng(1);
  Model model = Model::withOrthogonalColumns(6, 2, rng, -1.0f);
  iai::Matrix<float> z(2, 256), data(6, 256);
  model.sample(rng, z, data);
  iai::MatrixBatchSource<float> source(data);
  iai::IterativeInferenceModel<float> inf(6, 2, {.network = {.hidden = 8, .layers = 2}}, 3);
  iai::TrainingConfig config;
  config.seed = seed;
  config.batch_size = 32;
  config.elbo = {.samples = 3};
  iai::VariationalEM em(model, inf, config);
  std::vector<double> out;
  struct Record {
    std::vector<double>* out;
    void onStep(const iai::StepStatistics& s) { out->push_back(s.elbo); }
  } record{&out};
  em.fit(source, 2, record);
  for (float v : model.theta()) out.push_back(v);
  for (float v : inf.phi()) out.push_back(v);
  return out;
}
}  // namespace

TEST_CASE("Same seed, same numbers, and another seed, other numbers", "[training]") {
  const auto a = runOnce(42), b = runOnce(42), c = runOnce(43);
  REQUIRE(a.size() == b.size());
  const bool bitwise_same = (a == b);  // not CHECK(a == b): Catch would print both vectors
  CHECK(bitwise_same);
  const bool differs = (a != c);
  CHECK(differs);
}

}  // namespace iai_test_determinism_test
