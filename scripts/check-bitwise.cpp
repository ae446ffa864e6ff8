// Fingerprint of the numerics for scripts/check-bitwise: trains every inference-model kind for 2
// epochs (one thread) and prints a hash of θ, φ and the evaluation traces. Uses only
// long-standing APIs, so that it builds against old commits too.
#include <cstdio>
#include <cstring>
#include <vector>

#include <iai/iai.hpp>

namespace {
std::uint64_t fnv(const void* p, std::size_t n, std::uint64_t h = 1469598103934665603ull) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}
template <class V>
std::uint64_t hashVec(const V& v, std::uint64_t h) {
  return fnv(v.data(), sizeof(v[0]) * static_cast<std::size_t>(v.size()), h);
}
template <class Model, class Inference>
void runOne(const char* name, Model model, Inference inference, const iai::Matrix<float>& x) {
  iai::TrainingConfig config;
  config.batch_size = 32;
  config.iterations = 3;
  config.elbo.samples = 2;
  config.seed = 7;
  iai::VariationalEM em(model, inference, config);
  iai::MatrixBatchSource<float> source(x);
  const auto stats = em.fit(source, 2);
  iai::Rng rng(3, 5);
  const std::vector<double> trace = em.evaluate(source, 64, rng);
  std::uint64_t h = hashVec(model.theta(), 0);
  h = hashVec(inference.phi(), h);
  h = hashVec(trace, h);
  h = fnv(&stats.train_elbo, sizeof(double), h);
  std::printf("%-24s %016llx  elbo %.17g\n", name, static_cast<unsigned long long>(h), trace.back());
}
}  // namespace

int main() {
  Eigen::setNbThreads(1);
  iai::Rng rng(1);
  iai::Matrix<float> x(20, 128);
  iai::fillUniform(rng, x);
  x = (x.array() > 0.5f).cast<float>().matrix();
  using M = iai::LatentGaussianModel<float>;
  runOne("standard", M::mlp(4, 20, {16}, {}, 1), iai::StandardInferenceModel<float>(20, 4, {.hidden = 16, .layers = 2}, 2), x);
  runOne("iterative-gradients", M::mlp(4, 20, {16}, {}, 1), iai::IterativeInferenceModel<float>(20, 4, {.network = {.hidden = 16, .layers = 2}}, 2), x);
  iai::IterativeInferenceConfig errors{.network = {.hidden = 16, .layers = 2}};
  errors.gradient = iai::GradientEncoding::None;
  errors.errors = true;
  runOne("iterative-errors", M::mlp(4, 20, {16}, {}, 1), iai::IterativeInferenceModel<float>(20, 4, errors, 2), x);
  using H = iai::HierarchicalLatentGaussianModel<float>;
  auto hmodel = [] { return H(20, {.latent = {4, 2}, .decoder_hidden = {16}, .prior_hidden = {8}}, {}, 1); };
  runOne("bottom-up", hmodel(), iai::BottomUpInferenceModel<float>(20, {4, 2}, {.network = {.hidden = 16, .layers = 1}, .hidden = {16, 8}}, 2), x);
  runOne("hierarchical-iterative", hmodel(), iai::HierarchicalIterativeInferenceModel<float>(20, {4, 2}, {.level = {.network = {.hidden = 16, .layers = 1}}, .hidden = {16, 8}}, 2), x);
  iai::HierarchicalIterativeConfig herr{.level = errors, .hidden = {16, 8}};
  runOne("hierarchical-errors", hmodel(), iai::HierarchicalIterativeInferenceModel<float>(20, {4, 2}, herr, 2), x);
  return 0;
}
