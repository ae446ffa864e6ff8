// The model configuration shared by the example programs (train, compare_optimizers, ...): the
// authors' MNIST setup by default — latent 64, ELU decoder 64→512→512→784 with Bernoulli logits,
// 2×512 highway inference networks, S = 10, T = 5, batch 64, Adam 2e-4 — and its description
// string, which checkpoints store so that another architecture is rejected on load.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <iai/iai.hpp>

#include "args.hpp"

namespace examples {

using Scalar = float;
using Model = iai::LatentGaussianModel<Scalar>;

struct Experiment {
  std::string inference = "iterative";  // standard | iterative
  long latent = 64;
  std::vector<long> hidden{512, 512};   // decoder
  long inference_hidden = 512;
  long inference_layers = 2;
  long iterations = 5;
  long samples = 10;
  long batch = 64;
  double lr = 2e-4;
  std::uint64_t seed = 0;

  /// Reads the shared options (--inference --latent --hidden --inference-hidden
  /// --inference-layers --iterations --samples --batch --lr --seed).
  void read(Args& args) {
    inference = args.get("inference", inference);
    IAI_CHECK(inference == "standard" || inference == "iterative", "arguments", "--inference",
              inference, "standard or iterative");
    latent = args.getInt("latent", latent, 1);
    hidden = args.getIntList("hidden", join(hidden));
    inference_hidden = args.getInt("inference-hidden", inference_hidden, 1);
    inference_layers = args.getInt("inference-layers", inference_layers, 1);
    iterations = args.getInt("iterations", iterations, 1);
    samples = args.getInt("samples", samples, 1);
    batch = args.getInt("batch", batch, 1);
    lr = args.getDouble("lr", lr);
    seed = static_cast<std::uint64_t>(args.getInt("seed", 0, 0));
  }

  bool iterative() const { return inference == "iterative"; }
  static std::string join(const std::vector<long>& values) {
    std::string out;
    for (long v : values) {
      if (!out.empty()) out += ',';
      out += std::to_string(v);
    }
    return out;
  }
  long iterationsRun() const { return iterative() ? iterations : 1; }

  /// What a checkpoint must match (everything that changes the parameter layout or meaning).
  std::string architecture(iai::Index observed) const {
    const std::string h = join(hidden);
    return "iai-experiment-v1 D=" + std::to_string(observed) + " latent=" + std::to_string(latent) +
           " decoder=" + h + " obs=bernoulli inference=" + inference + " net=" +
           std::to_string(inference_hidden) + "x" + std::to_string(inference_layers) +
           (iterative() ? " T=" + std::to_string(iterations) + " inputs=x,lambda,logsign" : "");
  }

  Model makeModel(iai::Index observed) const {
    std::vector<iai::Index> sizes(hidden.begin(), hidden.end());
    return Model::mlp(latent, observed, sizes, {}, seed * 2 + 1);
  }
  iai::InferenceNetworkConfig network() const {
    return {.hidden = inference_hidden, .layers = inference_layers};
  }
  iai::StandardInferenceModel<Scalar> makeStandard(iai::Index observed) const {
    return {observed, latent, network(), seed * 2 + 2};
  }
  iai::IterativeInferenceModel<Scalar> makeIterative(iai::Index observed) const {
    return {observed, latent, {.network = network()}, seed * 2 + 2};
  }
  iai::TrainingConfig training() const {
    iai::TrainingConfig c;
    c.iterations = iterations;
    c.elbo.samples = samples;
    c.theta_optimizer.learning_rate = lr;
    c.phi_optimizer.learning_rate = lr;
    c.batch_size = batch;
    c.seed = seed;
    return c;
  }
};

/// Runs `body` and turns iai's errors into one line on stderr and exit code 2 (bad input) or 1.
template <class F>
int guardedMain(const char* program, F&& body) {
  try {
    return body();
  } catch (const iai::invalid_argument& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 2;
  } catch (const iai::domain_error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 2;
  } catch (const iai::io_error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace examples
