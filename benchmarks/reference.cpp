// The reference configuration of the paper's MNIST single-level setup, timed like the PyTorch peer
// of docs/performance.md (its `time` mode) and printed as one JSON line with the same keys:
// D = 784 binary data, latent 64, decoder 64→512→512→784 ELU MLP (Bernoulli logits), inference
// networks 2×512 highway ELU, iterative inputs [x−0.5, μ, log σ², log|∇|, sign ∇] (1168), gated
// update, batch 64, S = 10, T = 5, Adam for θ and φ.
//   build/benchmarks/iai_reference [--model iterative|standard] [--batch 64] [--samples 10]
//                                  [--iters 5] [--latent 64] [--hidden 512] [--steps 30]
//                                  [--threads 1] [--sweep DIR]            (--help: the options)
// --sweep DIR times the iterative training step while one of batch (1…1024), latent (16…256),
// hidden width (256…2048, decoder and inference network) and S (1…10) moves away from the
// reference and the others stay at it: one JSON line per point, DIR/sweep.md and one SVG per axis
// (docs/performance.md "Scaling").
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include <iai/iai.hpp>

#include "common/args.hpp"        // examples/common: the option table and --help
#include "common/experiment.hpp"  // guardedMain: one-line errors, exit code 2
#include "common/svg.hpp"         // the sweep's figures

namespace {

struct Options {
  std::string model = "iterative", sweep;
  long batch = 64, samples = 10, iters = 5, latent = 64, hidden = 512, steps = 30, threads = 1;
};

void addOptions(examples::Cli& cli, Options& o) {
  cli.option("model", o.model, "iterative|standard", "the inference model")
      .oneOf({"iterative", "standard"});
  cli.option("batch", o.batch, "B", "examples per training step").min(1);
  cli.option("samples", o.samples, "S", "samples S per ELBO estimate").min(1);
  cli.option("iters", o.iters, "T", "inference iterations T (iterative)").min(1);
  cli.option("latent", o.latent, "D", "latent dimension").min(1);
  cli.option("hidden", o.hidden, "H", "width of the decoder's two hidden layers and of the "
             "inference network's two highway layers").min(1);
  cli.option("steps", o.steps, "N", "timed training steps and single-example inferences").min(1);
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);
  cli.option("sweep", o.sweep, "DIR",
             "time the iterative step along each axis (batch, latent, hidden, S) instead; "
             "results and figures in DIR");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Matrix-product FLOPs of one training step (forward + backward), for the GFLOP/s figure.
double stepFlops(const Options& o, bool iterative) {
  const double b = static_cast<double>(o.batch), n = b * static_cast<double>(o.samples);
  const double d = static_cast<double>(o.latent), h = static_cast<double>(o.hidden);
  const double dec = 2.0 * n * (d * h + h * h + h * 784);  // one decoder pass
  const double in = iterative ? 784.0 + 6 * d : 784.0;
  const double heads = iterative ? 4.0 * d : 2.0 * d;
  const double enc = 2.0 * b * (3 * h * in + 2 * h * h + h * heads);
  const double evals = iterative ? static_cast<double>(o.iters) + 1 : 1;
  const double updates = iterative ? static_cast<double>(o.iters) : 1;
  // decoder: forward + input gradient for every evaluation, + weight gradient at the last one;
  // encoder: forward + weight gradient per update (its input is data: no input gradient)
  return evals * 2 * dec + dec + updates * 2 * enc;
}

struct Timing {
  double train_ms = 0, infer_ms = 0, gflop = 0;
};

/// Median training step and single-example inference over o.steps, after 5 warm-up steps.
template <class Inference>
Timing time(const Options& o, Inference inference, bool iterative) {
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(o.latent, 784, {o.hidden, o.hidden}, {}, 1);
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
  iai::Matrix<float> x1 = x.leftCols(1), mean(o.latent, 1), log_var(o.latent, 1);
  for (int i = 0; i < 5; ++i) em.infer(x1, mean, log_var, rng);
  std::vector<double> lat;
  for (long i = 0; i < o.steps; ++i) {
    const auto t0 = clock::now();
    em.infer(x1, mean, log_var, rng);
    lat.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  return {median(ms), median(lat), stepFlops(o, iterative) / 1e9};
}

Timing timeModel(const Options& o) {
  const iai::InferenceNetworkConfig network{.hidden = o.hidden, .layers = 2};
  if (o.model == "iterative")
    return time(o, iai::IterativeInferenceModel<float>(784, o.latent, {.network = network}, 2), true);
  return time(o, iai::StandardInferenceModel<float>(784, o.latent, network, 2), false);
}

void printLine(const Options& o, const Timing& t, const char* axis = nullptr) {
  const bool iterative = o.model == "iterative";
  std::printf(
      "{\"peer\":\"iai\",\"model\":\"%s\",\"threads\":%d,\"batch\":%ld,\"samples\":%ld,"
      "\"iters\":%ld,\"latent\":%ld,\"hidden\":%ld,%s%s%s\"train_step_ms_median\":%.3f,"
      "\"infer_one_example_ms_median\":%.3f,\"gflops\":%.2f,\"gflop_per_step\":%.3f,"
      "\"compiler\":\"" IAI_BUILD_COMPILER "\",\"build\":\"" IAI_BUILD_FLAGS "\"}\n",
      o.model.c_str(), Eigen::nbThreads(), o.batch, o.samples, iterative ? o.iters : 1L, o.latent,
      o.hidden, axis ? "\"axis\":\"" : "", axis ? axis : "", axis ? "\"," : "", t.train_ms,
      t.infer_ms, t.gflop / (t.train_ms * 1e-3), t.gflop);
  std::fflush(stdout);
}

/// --sweep: each axis away from the reference, the others at it. Few steps for the large points
/// (at least 3, about 2 s each).
void sweep(const Options& ref) {
  struct Axis {
    const char* name;
    const char* label;
    long Options::*field;
    std::vector<long> values;
  };
  const std::vector<Axis> axes{
      {"batch", "batch size B", &Options::batch, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}},
      {"latent", "latent dimension d", &Options::latent, {16, 32, 64, 128, 256}},
      {"hidden", "hidden width H (decoder and inference network)", &Options::hidden,
       {256, 512, 1024, 2048}},
      {"samples", "samples S", &Options::samples, {1, 2, 5, 10}}};
  std::filesystem::create_directories(ref.sweep);
  std::ostringstream md;
  md << std::setprecision(4) << "Iterative training step (T = " << ref.iters << ", Adam on θ and φ, " << Eigen::nbThreads()
     << " thread(s)) with one axis away from the reference (B = " << ref.batch << ", d = "
     << ref.latent << ", H = " << ref.hidden << ", S = " << ref.samples
     << "); medians; GFLOP/s counts the step's matrix products only.\n\n"
     << "| axis | value | step (ms) | per example (ms) | product GFLOP per step | GFLOP/s |\n"
     << "| --- | --- | --- | --- | --- | --- |\n";
  for (const Axis& axis : axes) {
    std::vector<examples::svg::Series> series{{"step (ms)", {}, {}}};
    if (std::string(axis.name) == "batch") series[0].name = "step per example (ms)";
    for (long v : axis.values) {
      Options o = ref;
      o.model = "iterative";
      o.*axis.field = v;
      // about 2 s of timed steps from the flop count at ~150 GFLOP/s, 3 … ref.steps of them
      o.steps = std::clamp(static_cast<long>(2.0 / (stepFlops(o, true) / 150e9)), 3L, ref.steps);
      const Timing t = timeModel(o);
      printLine(o, t, axis.name);
      const double per_example = t.train_ms / static_cast<double>(o.batch);
      md << "| " << axis.name << " | " << v << " | " << t.train_ms << " | " << per_example << " | "
         << t.gflop << " | " << t.gflop / (t.train_ms * 1e-3) << " |\n";
      series[0].x.push_back(static_cast<double>(v));
      series[0].y.push_back(series[0].name == "step (ms)" ? t.train_ms : per_example);
    }
    const std::string title = std::string("Iterative training step vs ") + axis.label;
    examples::svg::linePlot(title, std::string(axis.label) + " (log scale)", series[0].name,
                            series, true, 640, 400)
        .save(ref.sweep + "/sweep_" + axis.name + ".svg");
  }
  iai::writeFileAtomically(ref.sweep + "/sweep.md", md.str(), "iai_reference");
  std::fprintf(stderr, "iai_reference: %s/sweep.md and sweep_{batch,latent,hidden,samples}.svg\n",
               ref.sweep.c_str());
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
    if (o.sweep.empty())
      printLine(o, timeModel(o));
    else
      sweep(o);
    return 0;
  });
}
