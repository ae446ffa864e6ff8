// The reference configuration of the paper's MNIST single-level setup, timed like the PyTorch peer
// (../shared/peer/torch_reference.py `time` mode) and printed as one JSON line with the same keys:
// D = 784 binary data, latent 64, decoder 64→512→512→784 ELU MLP (Bernoulli logits), inference
// networks 2×512 highway ELU, iterative inputs [x−0.5, μ, log σ², log|∇|, sign ∇] (1168), gated
// update, batch 64, S = 10, T = 5, Adam for θ and φ.
//   build/benchmarks/iai_reference [--model iterative|standard] [--batch 64] [--samples 10]
//                                  [--iters 5] [--steps 30] [--threads 1]     (--help: the options)
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <iai/iai.hpp>

#include "common/args.hpp"        // examples/common: the option table and --help
#include "common/experiment.hpp"  // guardedMain: one-line errors, exit code 2

namespace {

struct Options {
  std::string model = "iterative";
  long batch = 64, samples = 10, iters = 5, steps = 30, threads = 1;
};

void addOptions(examples::Cli& cli, Options& o) {
  cli.option("model", o.model, "iterative|standard", "the inference model")
      .oneOf({"iterative", "standard"});
  cli.option("batch", o.batch, "B", "examples per training step").min(1);
  cli.option("samples", o.samples, "S", "samples S per ELBO estimate").min(1);
  cli.option("iters", o.iters, "T", "inference iterations T (iterative)").min(1);
  cli.option("steps", o.steps, "N", "timed training steps and single-example inferences").min(1);
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Matrix-product FLOPs of one training step (forward + backward), for the GFLOP/s figure.
double stepFlops(const Options& o, bool iterative) {
  const double b = static_cast<double>(o.batch), n = b * static_cast<double>(o.samples);
  const double dec = 2.0 * n * (64.0 * 512 + 512.0 * 512 + 512.0 * 784);  // one decoder pass
  const double in = iterative ? 784.0 + 6 * 64 : 784.0;
  const double heads = iterative ? 4.0 * 64 : 2.0 * 64;
  const double enc = 2.0 * b * (3 * 512.0 * in + 2 * 512.0 * 512 + 512.0 * heads);
  const double evals = iterative ? static_cast<double>(o.iters) + 1 : 1;
  const double updates = iterative ? static_cast<double>(o.iters) : 1;
  // decoder: forward + input gradient for every evaluation, + weight gradient at the last one;
  // encoder: forward + weight gradient per update (its input is data: no input gradient)
  return evals * 2 * dec + dec + updates * 2 * enc;
}

template <class Inference>
void run(const Options& o, Inference inference, bool iterative) {
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(64, 784, {512, 512}, {}, 1);
  iai::TrainingConfig config;
  config.iterations = o.iters;
  config.elbo.samples = o.samples;
  config.batch_size = o.batch;
  iai::VariationalEM em(model, inference, config);
  iai::Rng rng(0);
  iai::Matrix<float> x(784, o.batch);
  iai::fillUniform(rng, x);
  x = (x.array() < 0.15f).cast<float>().matrix();  // Bernoulli(0.15), as the peer
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 5; ++i) em.step(x);
  std::vector<double> ms;
  for (long i = 0; i < o.steps; ++i) {
    const auto t0 = clock::now();
    em.step(x);
    ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  // single-example inference, T iterations with S samples (λ only, no parameter gradients)
  iai::Matrix<float> x1 = x.leftCols(1), mean(64, 1), log_var(64, 1);
  for (int i = 0; i < 5; ++i) em.infer(x1, mean, log_var, rng);
  std::vector<double> lat;
  for (long i = 0; i < o.steps; ++i) {
    const auto t0 = clock::now();
    em.infer(x1, mean, log_var, rng);
    lat.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  const double train_ms = median(ms);
  std::printf(
      "{\"peer\":\"iai\",\"model\":\"%s\",\"threads\":%d,\"batch\":%ld,\"samples\":%ld,"
      "\"iters\":%ld,\"train_step_ms_median\":%.3f,\"infer_one_example_ms_median\":%.3f,"
      "\"gflops\":%.2f,\"gflop_per_step\":%.3f,\"compiler\":\"" IAI_BUILD_COMPILER
      "\",\"build\":\"" IAI_BUILD_FLAGS "\"}\n",
      o.model.c_str(), Eigen::nbThreads(), o.batch, o.samples, iterative ? o.iters : 1L, train_ms,
      median(lat), stepFlops(o, iterative) / (train_ms * 1e6), stepFlops(o, iterative) / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("iai_reference", [&] {
    Options o;
    examples::Cli cli("iai_reference",
                      "The paper's MNIST single-level setup (D = 784, latent 64, decoder 64→512→512→784,\n"
                      "inference networks 2×512 highway, Adam) timed like the PyTorch peer: the median\n"
                      "training step and single-example inference over --steps, printed as one JSON line\n"
                      "with the peer's keys (docs/benchmarks.md).");
    addOptions(cli, o);
    if (!cli.parse(argc, argv)) return 0;
    Eigen::setNbThreads(static_cast<int>(o.threads));
    if (o.model == "iterative")
      run(o, iai::IterativeInferenceModel<float>(784, 64, {}, 2), true);
    else
      run(o, iai::StandardInferenceModel<float>(784, 64, {}, 2), false);
    return 0;
  });
}
