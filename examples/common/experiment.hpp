// The model configuration shared by the example programs (train, compare_optimizers, ...): the
// authors' MNIST setup by default — latent 64, ELU decoder 64→512→512→784 with Bernoulli logits,
// 2×512 highway inference networks, S = 10, T = 5, batch 64, Adam 2e-4 — and its description
// string, which checkpoints store so that another architecture is rejected on load.
// With --levels L --latent d_1,…,d_L (e.g. --levels 2 --latent 64,32, the paper's MNIST
// hierarchy) the model is a HierarchicalLatentGaussianModel with conditional priors of
// --prior-hidden units, inferred by a bottom-up encoder (standard) or one iterative inference
// network per level (iterative); --inference-hidden then takes one width per level (or one for
// all, e.g. 512,256).
#pragma once
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <iai/iai.hpp>

#include "args.hpp"

namespace examples {

using Scalar = float;
using Model = iai::LatentGaussianModel<Scalar>;
using HierarchicalModel = iai::HierarchicalLatentGaussianModel<Scalar>;

struct Experiment {
  std::string inference = "iterative";  // standard | iterative
  std::string encode = "gradients";     // iterative inputs besides x, λ: gradients | errors
  long levels = 1;
  std::vector<long> latent{64};          // d_ℓ per level, bottom first
  std::vector<long> hidden{512, 512};    // decoder
  std::vector<long> prior_hidden{256, 256};  // conditional priors (levels > 1)
  std::vector<long> inference_hidden{512};   // one width, or one per level
  long inference_layers = 2;
  long iterations = 5;
  long samples = 10;
  long batch = 64;
  double lr = 2e-4;
  std::uint64_t seed = 0;

  /// Adds the shared options to a program's table (defaults: this Experiment's values) and the
  /// checks across them: --inference (unless `with_inference` is false) --encode --levels
  /// --latent --hidden --prior-hidden --inference-hidden --inference-layers --iterations
  /// --samples --batch --lr --seed.
  void addOptions(Cli& cli, bool with_inference = true) {
    if (with_inference)
      cli.option("inference", inference, "standard|iterative",
                 "the inference model: a one-pass encoder or iterative (updates λ T times)")
          .oneOf({"standard", "iterative"});
    cli.option("encode", encode, "gradients|errors",
               "iterative inputs besides x and λ: ∇_λ L, or the errors ε_x, ε_z (paper §4.2)")
        .oneOf({"gradients", "errors"});
    cli.option("levels", levels, "L", "latent levels (2: the paper's hierarchical model)").min(1);
    cli.option("latent", latent, "D,…", "latent dimensions, one per level, bottom first");
    cli.option("hidden", hidden, "H,…", "hidden widths of the decoder (ELU MLP)");
    cli.option("prior-hidden", prior_hidden, "H,…",
               "hidden widths of the conditional priors (--levels > 1)");
    cli.option("inference-hidden", inference_hidden, "H,…",
               "inference-network width: one, or one per level");
    cli.option("inference-layers", inference_layers, "N", "highway layers per inference network")
        .min(1);
    cli.option("iterations", iterations, "T", "inference iterations T (iterative)").min(1);
    cli.option("samples", samples, "S", "samples S per ELBO estimate").min(1);
    cli.option("batch", batch, "B", "examples per training batch").min(1);
    cli.option("lr", lr, "X", "Adam learning rate of θ and φ").positive();
    cli.option("seed", seed, "S", "seed of the parameters, batches, binarisation and noise");
    cli.afterParse([this] {
      IAI_CHECK(static_cast<long>(latent.size()) == levels, "arguments", "--latent", join(latent),
                "one dimension per level (--levels " + std::to_string(levels) + ")");
      IAI_CHECK(inference_hidden.size() == 1 ||
                    static_cast<long>(inference_hidden.size()) == levels,
                "arguments", "--inference-hidden", join(inference_hidden),
                "one width, or one per level");
    });
  }

  bool iterative() const { return inference == "iterative"; }
  bool hierarchical() const { return levels > 1; }
  /// Rows of λ: the sum of the levels' dimensions.
  iai::Index latentDim() const {
    iai::Index d = 0;
    for (long l : latent) d += l;
    return d;
  }
  static std::string join(const std::vector<long>& values) {
    std::string out;
    for (long v : values) {
      if (!out.empty()) out += ',';
      out += std::to_string(v);
    }
    return out;
  }
  long iterationsRun() const { return iterative() ? iterations : 1; }
  static std::vector<iai::Index> indices(const std::vector<long>& v) {
    return {v.begin(), v.end()};
  }
  /// Inference-network width per level (one width repeats).
  std::vector<iai::Index> levelHidden() const {
    return inference_hidden.size() == 1
               ? std::vector<iai::Index>(latent.size(), inference_hidden.front())
               : indices(inference_hidden);
  }

  /// What a checkpoint must match (everything that changes the parameter layout or meaning).
  std::string architecture(iai::Index observed) const {
    std::string a = "iai-experiment-v1 D=" + std::to_string(observed) + " latent=" + join(latent) +
                    " decoder=" + join(hidden) + " obs=bernoulli inference=" + inference +
                    " net=" + join(inference_hidden) + "x" + std::to_string(inference_layers);
    if (iterative())
      a += " T=" + std::to_string(iterations) +
           (encode == "errors" ? " inputs=x,lambda,errors" : " inputs=x,lambda,logsign");
    if (hierarchical()) a += " prior=" + join(prior_hidden);
    return a;
  }

  Model makeModel(iai::Index observed) const {
    IAI_CHECK(!hierarchical(), "arguments", "--levels", levels,
              "1 for this program (it uses the single-level model)");
    std::vector<iai::Index> sizes(hidden.begin(), hidden.end());
    return Model::mlp(latent.front(), observed, sizes, {}, seed * 2 + 1);
  }
  HierarchicalModel makeHierarchicalModel(iai::Index observed) const {
    return {observed,
            {.latent = indices(latent),
             .decoder_hidden = indices(hidden),
             .prior_hidden = indices(prior_hidden)},
            {},
            seed * 2 + 1};
  }
  iai::InferenceNetworkConfig network() const {
    return {.hidden = inference_hidden.front(), .layers = inference_layers};
  }
  iai::IterativeInferenceConfig iterativeConfig() const {
    iai::IterativeInferenceConfig c{.network = network()};
    if (encode == "errors") {  // the paper's Sec. 4.2 variant: ε_x, ε_z instead of ∇_λ L
      c.gradient = iai::GradientEncoding::None;
      c.errors = true;
    }
    return c;
  }
  iai::StandardInferenceModel<Scalar> makeStandard(iai::Index observed) const {
    return {observed, latent.front(), network(), seed * 2 + 2};
  }
  iai::IterativeInferenceModel<Scalar> makeIterative(iai::Index observed) const {
    return {observed, latent.front(), iterativeConfig(), seed * 2 + 2};
  }
  iai::BottomUpInferenceModel<Scalar> makeBottomUp(iai::Index observed) const {
    return {observed, indices(latent), {.network = network(), .hidden = levelHidden()},
            seed * 2 + 2};
  }
  iai::HierarchicalIterativeInferenceModel<Scalar> makeHierarchicalIterative(
      iai::Index observed) const {
    return {observed, indices(latent), {.level = iterativeConfig(), .hidden = levelHidden()},
            seed * 2 + 2};
  }
  /// The ELBO that evaluation uses: S samples, β = 1 (VariationalEM::infer's objective).
  iai::ElboConfig evalElbo() const { return {.samples = samples}; }
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
