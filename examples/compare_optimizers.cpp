// compare_optimizers: the paper's "iterative inference models outperform conventional optimizers"
// figure — test ELBO (batch mean, nats) against inference iterations 0…N for a trained iterative
// inference model and for gradient ascent on λ (Eq. 4) from the prior with SGD, SGD + momentum
// (0.9), RMSProp and Adam. Each optimizer's step size is the best of a grid by the final ELBO on
// examples of the validation split that `train` held out of the training set (same --seed and
// --validation), never on test images. All methods see the same binarised examples (the paired
// test inputs of --eval-seed, examples/common/evaluation.hpp) and the same noise ε at every
// iteration (common random numbers), and use the same S.
// The checkpoint comes from `train --inference iterative --checkpoint FILE`; give the same model
// options (--latent --hidden --inference-hidden --inference-layers --iterations). Example:
//   build/examples/train --data mnist-10k --inference iterative --epochs 2 --checkpoint it.ckpt
//   build/examples/compare_optimizers --data mnist-10k --checkpoint it.ckpt --out out
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <iai/data.hpp>
#include <iai/iai.hpp>
#include <iai/training/checkpoint.hpp>

#include "common/args.hpp"
#include "common/evaluation.hpp"
#include "common/experiment.hpp"
#include "common/json.hpp"
#include "common/svg.hpp"

namespace {

using examples::JsonLine;
using examples::Model;
using examples::Scalar;
using Data = iai::Dataset<Scalar>;
using Mat = iai::Matrix<Scalar>;

constexpr const char* kSummary =
    "Test ELBO vs inference iterations: the iterative inference model of --checkpoint (written by\n"
    "`train --inference iterative --checkpoint FILE`, same model options) run for --steps\n"
    "iterations, and gradient ascent on λ from the prior with SGD, SGD+momentum, RMSProp and Adam,\n"
    "each with the step size from --lr-grid that gives the best final ELBO on --tune-examples\n"
    "examples of the validation split `train --seed S --validation V` held out of the training set.\n"
    "JSON lines on stdout (docs/training.md): run, tuning, method and final lines. Writes\n"
    "compare_optimizers.{csv,svg} and compare_optimizers_zoom.svg to --out.";

struct Options {
  examples::Experiment exp;
  std::string data = "fashion-mnist", out = "out", checkpoint;
  long examples = 500, tune_examples = 100, steps = 300, threads = 1;
  double validation = 0.1;  // as train's --validation: the split the checkpoint never trained on
  std::uint64_t eval_seed = 0;
  double momentum = 0.9;
  std::vector<double> grid{0.5, 0.1, 0.05, 0.01, 0.005, 0.001, 0.0005, 0.0001};
};

void addOptions(examples::Cli& cli, Options& o) {
  cli.group("Input and output");
  cli.option("checkpoint", o.checkpoint, "FILE",
             "the checkpoint of `train --inference iterative --checkpoint FILE`")
      .existingFile()
      .required("a checkpoint of `train --inference iterative --checkpoint FILE`");
  cli.option("data", o.data, "NAME|DIR", "fashion-mnist, mnist-10k, or a folder of IDX files");
  cli.option("out", o.out, "DIR", "folder for the CSV and the figures");
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);
  cli.group("Comparison");
  cli.option("examples", o.examples, "N", "paired test inputs the methods are scored on").min(1);
  cli.option("tune-examples", o.tune_examples, "N",
             "validation examples that choose each optimizer's step size")
      .min(1);
  cli.option("validation", o.validation, "F|N",
             "train's --validation: the split the checkpoint never trained on")
      .positive();
  cli.option("steps", o.steps, "N", "inference iterations of every method").min(1);
  cli.option("lr-grid", o.grid, "X,…", "step sizes tried for each gradient optimizer");
  cli.option("momentum", o.momentum, "X", "momentum of SGD + momentum").positive().below(1);
  cli.option("eval-seed", o.eval_seed, "S", "seed of the paired test inputs")
      .defaultText("the --seed");
  cli.group("Model (as train was given; shared with train, infer, optimization_surface)");
  o.exp.addOptions(cli);
  cli.afterParse([&o, &cli] {
    if (!cli.given("eval-seed")) o.eval_seed = o.exp.seed;
    IAI_CHECK(o.exp.iterative(), "arguments", "--inference", o.exp.inference,
              "iterative (compare_optimizers runs an iterative inference model)");
  });
}

// Random streams (with --seed): the evaluation noise and the tuning noise. Every method restarts
// the same noise stream, so at iteration t all of them use the same ε (common random numbers).
// The inputs: the paired test inputs of --eval-seed and train's statically binarised validation
// split (examples/common/evaluation.hpp).
constexpr std::uint64_t kNoiseStream = 102, kTuneNoiseStream = 103;

struct Method {
  std::string key, label;
  iai::LambdaOptimizer optimizer = iai::LambdaOptimizer::Sgd;
  double lr = 0;            // chosen step size (gradient methods)
  double tuning_elbo = 0;   // its final ELBO on the tuning batch
  bool lr_at_edge = false;  // the best step size is the grid's smallest or largest
  std::vector<double> trace;
  double seconds = 0;
};

/// Concatenation by appending (avoids GCC 12's -Wrestrict false positive on "…" + std::string).
template <class... T>
std::string cat(const T&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Gradient ascent from the prior: the batch-mean ELBO at iterations 0…steps.
std::vector<double> runGradient(Model& model, const Options& o, iai::LambdaOptimizer optimizer,
                                double lr, const Mat& x, std::uint64_t stream) {
  iai::GradientInference<Model> gi(
      {.optimizer = optimizer, .learning_rate = lr, .momentum = o.momentum, .steps = o.steps},
      {.samples = o.exp.samples});
  Mat mean(o.exp.latentDim(), x.cols()), log_var(o.exp.latentDim(), x.cols());
  iai::Rng rng(o.exp.seed, stream);
  gi.initializeFromPrior(model, rng, mean, log_var);
  std::vector<double> trace;
  gi.run(model, x, mean, log_var, rng, &trace);
  return trace;
}

double finalOrWorst(const std::vector<double>& trace) {
  const double v = trace.empty() ? std::numeric_limits<double>::quiet_NaN() : trace.back();
  return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity();
}

std::string fmtLr(double lr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", lr);
  return buf;
}

int run(const Options& o) {
  Data test = Data::load(o.data, false), train = Data::load(o.data, true);
  const iai::Index d = test.dim();
  IAI_CHECK(o.examples <= test.size(), "arguments", "--examples", o.examples,
            cat("at most the ", std::to_string(test.size()), " test examples of ", o.data));
  // the evaluation examples: the paired test inputs; the tuning examples: the first of train's
  // validation split (held out of training with the same --seed and --validation)
  const Mat x = examples::pairedTestInputs(test, o.examples, o.eval_seed);
  const iai::Index n_val = examples::validationCount(o.validation, train.size());
  IAI_CHECK(o.tune_examples <= n_val, "arguments", "--tune-examples", o.tune_examples,
            cat("at most the ", std::to_string(n_val), " validation examples (--validation)"));
  Mat x_tune(d, o.tune_examples);
  {
    const Data validation = examples::splitValidation(train, n_val, o.exp.seed).second;
    std::vector<iai::Index> idx(static_cast<std::size_t>(o.tune_examples));
    std::iota(idx.begin(), idx.end(), iai::Index{0});
    iai::Rng unused;  // the validation split is binarised statically
    validation.gather(idx, x_tune, unused);
  }

  // the trained model and iterative inference model (T from the checkpoint's architecture)
  Model model = o.exp.makeModel(d);
  iai::IterativeInferenceModel<Scalar> inference = o.exp.makeIterative(d);
  const std::string arch = o.exp.architecture(d);
  {
    iai::VariationalEM em(model, inference, o.exp.training());
    const iai::CheckpointInfo info = iai::loadCheckpoint(o.checkpoint, em, arch);
    std::fprintf(stderr, "compare_optimizers: %s (epoch %d), %s\n", o.checkpoint.c_str(),
                 info.epoch, arch.c_str());
  }
  std::fprintf(stderr,
               "compare_optimizers: %s, %ld test + %ld validation (tuning) examples, S = %ld, "
               "%ld iterations, %d thread(s)\n",
               o.data.c_str(), o.examples, o.tune_examples, o.exp.samples, o.steps,
               Eigen::nbThreads());

  std::vector<Method> methods{
      {"iterative", cat("iterative (train T=", std::to_string(o.exp.iterations), ")"), {}, 0, 0, false, {}, 0},
      {"sgd", "SGD", iai::LambdaOptimizer::Sgd, 0, 0, false, {}, 0},
      {"momentum", "momentum", iai::LambdaOptimizer::Momentum, 0, 0, false, {}, 0},
      {"rmsprop", "RMSProp", iai::LambdaOptimizer::RmsProp, 0, 0, false, {}, 0},
      {"adam", "Adam", iai::LambdaOptimizer::Adam, 0, 0, false, {}, 0}};

  // 1. the iterative inference model, run for --steps iterations (trained with T)
  {
    const auto t0 = std::chrono::steady_clock::now();
    using EStep = iai::EStep<Model, iai::IterativeInferenceModel<Scalar>>;
    EStep e_step(model, inference, o.steps);
    iai::ElboFor<Model> elbo(o.exp.evalElbo());
    iai::Rng rng(o.exp.seed, kNoiseStream);
    e_step.run(x, elbo, rng, EStep::Mode::Evaluate);
    methods[0].trace = e_step.trace();
    methods[0].seconds = seconds(t0);
    std::fprintf(stderr, "compare_optimizers: iterative: ELBO %.2f → %.2f (%.1f s)\n",
                 methods[0].trace.front(), methods[0].trace.back(), methods[0].seconds);
  }

  // 2. gradient ascent: tune each optimizer's step size on the tuning batch, then evaluate
  for (std::size_t m = 1; m < methods.size(); ++m) {
    Method& method = methods[m];
    double best = -std::numeric_limits<double>::infinity();
    std::size_t best_k = 0;
    for (std::size_t k = 0; k < o.grid.size(); ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::vector<double> trace =
          runGradient(model, o, method.optimizer, o.grid[k], x_tune, kTuneNoiseStream);
      const double final_elbo = finalOrWorst(trace);
      JsonLine()
          .add("type", "tuning")
          .add("method", method.key)
          .add("lr", o.grid[k])
          .add("final_elbo", trace.back())
          .add("seconds", seconds(t0))
          .print();
      std::fprintf(stderr, "compare_optimizers: tuning %-8s lr %-7g final ELBO %.2f\n",
                   method.key.c_str(), o.grid[k], trace.back());
      if (final_elbo > best) best = final_elbo, best_k = k;
    }
    IAI_CHECK(std::isfinite(best), "compare_optimizers", cat(method.key, " step size"),
              "diverging for every step size in --lr-grid", "finite for at least one step size");
    method.lr = o.grid[best_k];
    method.tuning_elbo = best;
    const auto [lo, hi] = std::minmax_element(o.grid.begin(), o.grid.end());
    method.lr_at_edge = o.grid.size() > 1 && (method.lr == *lo || method.lr == *hi);
    if (method.lr_at_edge)
      std::fprintf(stderr,
                   "compare_optimizers: note: %s's best step size %g is at the edge of --lr-grid\n",
                   method.key.c_str(), method.lr);
    const auto t0 = std::chrono::steady_clock::now();
    method.trace = runGradient(model, o, method.optimizer, method.lr, x, kNoiseStream);
    method.seconds = seconds(t0);
    method.label += cat(", lr ", fmtLr(method.lr));
    std::fprintf(stderr, "compare_optimizers: %s lr %g: ELBO %.2f → %.2f (%.1f s)\n",
                 method.key.c_str(), method.lr, method.trace.front(), method.trace.back(),
                 method.seconds);
  }

  // 3. measurements
  std::vector<long> points{0, 1, 5, 10, 50, 100, 300};
  points.erase(std::remove_if(points.begin(), points.end(), [&](long p) { return p > o.steps; }),
               points.end());
  if (points.back() != o.steps) points.push_back(o.steps);
  JsonLine summary;
  summary.add("type", "final")
      .add("data", o.data)
      .add("examples", o.examples)
      .add("tune_examples", o.tune_examples)
      .add("samples", o.exp.samples)
      .add("steps", o.steps)
      .add("lr_grid", o.grid);
  for (const Method& method : methods) {
    JsonLine line;
    line.add("type", "method").add("method", method.key);
    if (method.key == "iterative") {
      line.add("trained_iterations", o.exp.iterations);
    } else {
      line.add("lr", method.lr).add("tuning_final_elbo", method.tuning_elbo);
      line.add("lr_at_grid_edge", method.lr_at_edge);
      if (method.key == "momentum") line.add("momentum", o.momentum);
      summary.add(cat(method.key, "_lr"), method.lr);
    }
    for (long p : points) {
      const double v = method.trace[static_cast<std::size_t>(p)];
      line.add(cat("elbo_at_", std::to_string(p)), v);
      summary.add(cat(method.key, "_elbo_at_", std::to_string(p)), v);
    }
    line.add("seconds", method.seconds).print();
  }
  summary.print();

  // 4. CSV and figures
  const std::string csv_path = o.out + "/compare_optimizers.csv";
  {
    std::ostringstream csv;
    csv << "iteration";
    for (const Method& method : methods) csv << ',' << method.key;
    csv << '\n';
    for (long t = 0; t <= o.steps; ++t) {
      csv << t;
      for (const Method& method : methods)
        csv << ',' << JsonLine::number(method.trace[static_cast<std::size_t>(t)]);
      csv << '\n';
    }
    iai::writeFileAtomically(csv_path, csv.str(), "compare_optimizers");
  }

  std::vector<examples::svg::Series> series;
  for (const Method& method : methods) {
    examples::svg::Series s{method.label, {}, {}};
    for (long t = 1; t <= o.steps; ++t) {  // iteration 0 (the prior) is off the log axis
      s.x.push_back(static_cast<double>(t));
      s.y.push_back(method.trace[static_cast<std::size_t>(t)]);
    }
    series.push_back(std::move(s));
  }
  char title[160];
  std::snprintf(title, sizeof title, "Test ELBO vs inference iterations (%ld examples, S=%ld)",
                o.examples, o.exp.samples);
  char x_label[160];
  std::snprintf(x_label, sizeof x_label, "inference iteration (log scale; iteration 0, the prior: %.1f nats)",
                methods[0].trace.front());
  examples::svg::linePlot(title, x_label, "ELBO (nats)", series, true, 760, 440)
      .save(o.out + "/compare_optimizers.svg");
  // zoom on the final values: from just above the best value down to twice the spread of the
  // final values (at least 10 nats) below the worst
  double best = -std::numeric_limits<double>::infinity(), worst = -best;
  for (const Method& method : methods) {
    for (double v : method.trace)
      if (std::isfinite(v)) best = std::max(best, v);
    if (std::isfinite(method.trace.back())) worst = std::min(worst, method.trace.back());
  }
  if (std::isfinite(best) && std::isfinite(worst)) {
    const double span = std::max(10.0, best - worst);
    examples::svg::linePlot(cat(title, ", zoom"), x_label, "ELBO (nats)", series, true,
                            760, 440, worst - span, best + 0.05 * span)
        .save(o.out + "/compare_optimizers_zoom.svg");
  }
  std::fprintf(stderr, "compare_optimizers: %s, figures in %s/\n", csv_path.c_str(), o.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("compare_optimizers", [&] {
    Options o;
    examples::Cli cli("compare_optimizers", kSummary);
    addOptions(cli, o);
    if (!cli.parse(argc, argv)) return 0;
    cli.runLine(o.exp.seed).print();
    Eigen::setNbThreads(static_cast<int>(o.threads));
    std::filesystem::create_directories(o.out);
    return run(o);
  });
}
