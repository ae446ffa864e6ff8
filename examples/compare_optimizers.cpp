// compare_optimizers: the paper's "iterative inference models outperform conventional optimizers"
// figure — test ELBO (batch mean, nats) against inference iterations 0…N for a trained iterative
// inference model and for gradient ascent on λ (Eq. 4) from the prior with SGD, SGD + momentum
// (0.9), RMSProp and Adam. Each optimizer's step size is the best of a grid by the final ELBO on
// examples of the validation split that `train` held out of the training set (same --seed and
// --validation), never on test images. All methods see the same binarised examples (the paired
// test inputs of --eval-seed, examples/common/evaluation.hpp) and the same noise ε at every
// iteration (common random numbers), and use the same S. The iterative model runs past the T it
// was trained with (--steps iterations).
// Over seeds (--seeds 1,2,3 with a checkpoint path holding "{seed}"): each seed's checkpoint is
// compared on its own validation split and paired test inputs (--seed = --eval-seed = that seed);
// the curves are the mean over seeds with a ± s.e. band, and at a few iterations each method's
// per-example ELBO is compared with the iterative model's on the same examples (mean ± s.e. over
// seeds and over all seeds' test examples).
// The checkpoint comes from `train --inference iterative --checkpoint FILE`; give the same model
// options (--latent --hidden --inference-hidden --inference-layers --iterations). Examples:
//   build/examples/train --data mnist-10k --inference iterative --epochs 2 --checkpoint it.ckpt
//   build/examples/compare_optimizers --data mnist-10k --checkpoint it.ckpt --out out
//   build/examples/compare_optimizers --data mnist-10k --seeds 1,2,3 --out out/cmp
//     --checkpoint out/reproduce/mnist-10k-paper/iterative-s10/seed{seed}/run.ckpt
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
#include "common/stats.hpp"
#include "common/svg.hpp"

namespace {

using examples::JsonLine;
using examples::Model;
using examples::Scalar;
using examples::stats::MeanSe;
using Data = iai::Dataset<Scalar>;
using Mat = iai::Matrix<Scalar>;

constexpr const char* kSummary =
    "Test ELBO vs inference iterations: the iterative inference model of --checkpoint (written by\n"
    "`train --inference iterative --checkpoint FILE`, same model options) run for --steps\n"
    "iterations, and gradient ascent on λ from the prior with SGD, SGD+momentum, RMSProp and Adam,\n"
    "each with the step size from --lr-grid that gives the best final ELBO on --tune-examples\n"
    "examples of the validation split `train --seed S --validation V` held out of the training set.\n"
    "With --seeds S,… the checkpoint path holds {seed} and every seed is compared on its own split\n"
    "and paired test inputs; curves and tables give mean ± s.e. over seeds. JSON lines on stdout\n"
    "(docs/training.md): run, tuning, method, difference and final lines. Writes\n"
    "compare_optimizers.{csv,md,svg} and compare_optimizers_zoom.svg to --out.";

struct Options {
  examples::Experiment exp;
  std::string data = "fashion-mnist", out = "out", checkpoint;
  long examples = 500, tune_examples = 100, steps = 300, threads = 1;
  double validation = 0.1;  // as train's --validation: the split the checkpoint never trained on
  std::uint64_t eval_seed = 0;
  std::vector<long> seeds;  // empty: the --seed alone
  double momentum = 0.9;
  std::vector<double> grid{0.5, 0.1, 0.05, 0.01, 0.005, 0.001, 0.0005, 0.0001};
};

constexpr const char* kSeedPlaceholder = "{seed}";

/// The checkpoint of `seed`: --checkpoint with {seed} replaced.
std::string checkpointOf(const Options& o, long seed) {
  std::string path = o.checkpoint;
  const std::string key = kSeedPlaceholder;
  for (std::size_t at = path.find(key); at != std::string::npos; at = path.find(key, at))
    path.replace(at, key.size(), std::to_string(seed));
  return path;
}

void addOptions(examples::Cli& cli, Options& o) {
  cli.group("Input and output");
  cli.option("checkpoint", o.checkpoint, "FILE",
             "the checkpoint of `train --inference iterative --checkpoint FILE`; with --seeds, a "
             "path holding {seed}")
      .required("a checkpoint of `train --inference iterative --checkpoint FILE`");
  cli.option("data", o.data, "NAME|DIR", "fashion-mnist, mnist-10k, or a folder of IDX files");
  cli.option("out", o.out, "DIR", "folder for the CSV, the table and the figures");
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);
  cli.group("Comparison");
  cli.option("seeds", o.seeds, "S,…",
             "compare over these seeds: seed k uses --checkpoint with {seed} = k, --seed k and "
             "--eval-seed k")
      .defaultText("the --seed alone");
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
  cli.option("eval-seed", o.eval_seed, "S", "seed of the paired test inputs (one seed only)")
      .defaultText("the --seed");
  cli.group("Model (as train was given; shared with train, infer, optimization_surface)");
  o.exp.addOptions(cli);
  cli.afterParse([&o, &cli] {
    if (!cli.given("eval-seed")) o.eval_seed = o.exp.seed;
    IAI_CHECK(o.exp.iterative(), "arguments", "--inference", o.exp.inference,
              "iterative (compare_optimizers runs an iterative inference model)");
    const bool pattern = o.checkpoint.find(kSeedPlaceholder) != std::string::npos;
    if (o.seeds.empty()) {
      IAI_CHECK(!pattern, "arguments", "--checkpoint", o.checkpoint,
                "a file (a path with {seed} needs --seeds)");
    } else {
      IAI_CHECK(pattern || o.seeds.size() == 1, "arguments", "--checkpoint", o.checkpoint,
                "a path holding {seed} (one checkpoint per seed of --seeds)");
      IAI_CHECK(!cli.given("eval-seed"), "arguments", "--eval-seed", o.eval_seed,
                "absent with --seeds (seed k is evaluated on the test inputs of --eval-seed k)");
      for (long seed : o.seeds)
        IAI_CHECK(seed >= 0, "arguments", "--seeds", seed, "seeds ≥ 0");
    }
    for (long seed : o.seeds.empty() ? std::vector<long>{-1} : o.seeds) {
      const std::string path = seed < 0 ? o.checkpoint : checkpointOf(o, seed);
      IAI_CHECK(std::filesystem::is_regular_file(path), "arguments", "--checkpoint", path,
                "an existing file");
    }
  });
}

// Random streams (with each seed): the evaluation noise, the tuning noise and the noise of the
// per-example ELBOs at the table's iterations. Every method restarts the same stream, so at
// iteration t all of them use the same ε (common random numbers). The inputs: the paired test
// inputs of the evaluation seed and train's statically binarised validation split
// (examples/common/evaluation.hpp).
constexpr std::uint64_t kNoiseStream = 102, kTuneNoiseStream = 103, kPointNoiseStream = 104;

struct Method {
  std::string key, label;
  iai::LambdaOptimizer optimizer = iai::LambdaOptimizer::Sgd;
  bool iterative = false;
};

/// One seed's run of one method.
struct Run {
  double lr = 0;            // chosen step size (gradient methods)
  double tuning_elbo = 0;   // its final ELBO on the tuning batch
  bool lr_at_edge = false;  // the best step size is the grid's smallest or largest
  std::vector<double> trace;                // batch-mean ELBO at iterations 0 … steps
  std::vector<Eigen::RowVectorXd> at_point;  // per-example ELBO at each table iteration (t ≥ 1)
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

std::string fmtLr(double lr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", lr);
  return buf;
}

double finalOrWorst(const std::vector<double>& trace) {
  const double v = trace.empty() ? std::numeric_limits<double>::quiet_NaN() : trace.back();
  return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity();
}

/// What one seed compares: its model, inference model, inputs and the table's iterations.
struct SeedContext {
  const Options& o;
  long seed;
  Model& model;
  iai::IterativeInferenceModel<Scalar>& inference;
  const Mat& x;                  // paired test inputs
  const Mat& x_tune;             // validation examples (tuning)
  const std::vector<long>& points;  // table iterations, all ≥ 1

  /// Per-example ELBO of (mean, log_var) with the points' noise stream (restarted: every method
  /// and iteration sees the same ε).
  Eigen::RowVectorXd perExample(const Mat& mean, const Mat& log_var) const {
    iai::ElboFor<Model> elbo(o.exp.evalElbo());
    iai::Rng rng(static_cast<std::uint64_t>(seed), kPointNoiseStream);
    elbo.evaluate(model, x, mean, log_var, rng, {});
    return elbo.elbo().template cast<double>();
  }

  /// Gradient ascent on λ of `xs` from the prior, with the noise of `stream`: the optimizer, the
  /// estimate and the noise (runs with the same arguments draw the same noise).
  struct Ascent {
    iai::GradientInference<Model> gi;
    Mat mean, log_var;
    iai::Rng rng;
  };
  Ascent ascent(iai::LambdaOptimizer optimizer, double lr, const Mat& xs, std::uint64_t stream) const {
    Ascent a{iai::GradientInference<Model>(
                 {.optimizer = optimizer, .learning_rate = lr, .momentum = o.momentum, .steps = o.steps},
                 {.samples = o.exp.samples}),
             Mat(o.exp.latentDim(), xs.cols()), Mat(o.exp.latentDim(), xs.cols()),
             iai::Rng(static_cast<std::uint64_t>(seed), stream)};
    a.gi.initializeFromPrior(model, a.rng, a.mean, a.log_var);
    return a;
  }

  /// Gradient ascent from the prior: the batch-mean ELBO at iterations 0…steps of `xs`.
  std::vector<double> gradientTrace(iai::LambdaOptimizer optimizer, double lr, const Mat& xs,
                                    std::uint64_t stream) const {
    Ascent a = ascent(optimizer, lr, xs, stream);
    std::vector<double> trace;
    a.gi.run(model, xs, a.mean, a.log_var, a.rng, &trace);
    return trace;
  }

  /// The same ascent on the test inputs, observed after the table's iterations (the estimate
  /// after step n is the one the trace's run has after n steps: the same noise draws).
  std::vector<Eigen::RowVectorXd> gradientAtPoints(iai::LambdaOptimizer optimizer,
                                                   double lr) const {
    Ascent a = ascent(optimizer, lr, x, kNoiseStream);
    std::vector<Eigen::RowVectorXd> out;
    a.gi.runObserved(model, x, a.mean, a.log_var, a.rng,
                   [&](iai::Index n, const auto& m, const auto& lv) {
                     if (std::find(points.begin(), points.end(), n) != points.end())
                       out.push_back(perExample(Mat(m), Mat(lv)));
                     return false;
                   });
    return out;
  }

  /// The iterative model run for `iterations` from the prior with the evaluation noise.
  using EStep = iai::EStep<Model, iai::IterativeInferenceModel<Scalar>>;
  void iterate(EStep& e_step, long iterations) const {
    e_step.setIterations(iterations);
    iai::ElboFor<Model> elbo(o.exp.evalElbo());
    iai::Rng rng(static_cast<std::uint64_t>(seed), kNoiseStream);
    e_step.run(x, elbo, rng, EStep::Mode::Evaluate);
  }
};

/// Runs every method on one seed's checkpoint.
std::vector<Run> compareSeed(const SeedContext& c, const std::vector<Method>& methods) {
  const Options& o = c.o;
  std::vector<Run> runs(methods.size());
  for (std::size_t m = 0; m < methods.size(); ++m) {
    const Method& method = methods[m];
    Run& run = runs[m];
    if (method.iterative) {  // run for --steps iterations (trained with T)
      const auto t0 = std::chrono::steady_clock::now();
      SeedContext::EStep e_step(c.model, c.inference, o.steps);
      c.iterate(e_step, o.steps);
      run.trace = e_step.trace();
      run.seconds = seconds(t0);
      for (long p : c.points) {  // λ_p of the same run: the same noise draws up to p
        c.iterate(e_step, p);
        run.at_point.push_back(c.perExample(e_step.mean(), e_step.logVar()));
      }
      std::fprintf(stderr, "compare_optimizers: seed %ld iterative: ELBO %.2f → %.2f (%.1f s)\n",
                   c.seed, run.trace.front(), run.trace.back(), run.seconds);
      continue;
    }
    // gradient ascent: tune the step size on the tuning batch, then evaluate
    double best = -std::numeric_limits<double>::infinity();
    std::size_t best_k = 0;
    for (std::size_t k = 0; k < o.grid.size(); ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::vector<double> trace =
          c.gradientTrace(method.optimizer, o.grid[k], c.x_tune, kTuneNoiseStream);
      const double final_elbo = finalOrWorst(trace);
      JsonLine()
          .add("type", "tuning")
          .add("seed", c.seed)
          .add("method", method.key)
          .add("lr", o.grid[k])
          .add("final_elbo", trace.back())
          .add("seconds", seconds(t0))
          .print();
      std::fprintf(stderr, "compare_optimizers: seed %ld tuning %-8s lr %-7g final ELBO %.2f\n",
                   c.seed, method.key.c_str(), o.grid[k], trace.back());
      if (final_elbo > best) best = final_elbo, best_k = k;
    }
    IAI_CHECK(std::isfinite(best), "compare_optimizers", cat(method.key, " step size"),
              "diverging for every step size in --lr-grid", "finite for at least one step size");
    run.lr = o.grid[best_k];
    run.tuning_elbo = best;
    const auto [lo, hi] = std::minmax_element(o.grid.begin(), o.grid.end());
    run.lr_at_edge = o.grid.size() > 1 && (run.lr == *lo || run.lr == *hi);
    if (run.lr_at_edge)
      std::fprintf(stderr,
                   "compare_optimizers: note: %s's best step size %g is at the edge of --lr-grid\n",
                   method.key.c_str(), run.lr);
    const auto t0 = std::chrono::steady_clock::now();
    run.trace = c.gradientTrace(method.optimizer, run.lr, c.x, kNoiseStream);
    run.seconds = seconds(t0);
    run.at_point = c.gradientAtPoints(method.optimizer, run.lr);
    std::fprintf(stderr, "compare_optimizers: seed %ld %s lr %g: ELBO %.2f → %.2f (%.1f s)\n",
                 c.seed, method.key.c_str(), run.lr, run.trace.front(), run.trace.back(),
                 run.seconds);
  }
  return runs;
}

/// "m ± se" over seeds (or "m" for one seed).
std::string fmt(const MeanSe& m) { return examples::stats::format(m, 2); }

int run(const Options& o) {
  Data test = Data::load(o.data, false), train = Data::load(o.data, true);
  const iai::Index d = test.dim();
  IAI_CHECK(o.examples <= test.size(), "arguments", "--examples", o.examples,
            cat("at most the ", std::to_string(test.size()), " test examples of ", o.data));
  const iai::Index n_val = examples::validationCount(o.validation, train.size());
  IAI_CHECK(o.tune_examples <= n_val, "arguments", "--tune-examples", o.tune_examples,
            cat("at most the ", std::to_string(n_val), " validation examples (--validation)"));
  const bool over_seeds = !o.seeds.empty();
  const std::vector<long> seeds =
      over_seeds ? o.seeds : std::vector<long>{static_cast<long>(o.exp.seed)};

  // the table's iterations: 1, T (the trained number), a few up to --steps
  std::vector<long> points{1, 2, 5, 10, 20, 50, 100, 200, 300, o.exp.iterations, 2 * o.exp.iterations};
  points.erase(std::remove_if(points.begin(), points.end(), [&](long p) { return p > o.steps; }),
               points.end());
  points.push_back(o.steps);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  const std::vector<Method> methods{
      {"iterative", cat("iterative (trained T=", std::to_string(o.exp.iterations), ")"), {}, true},
      {"sgd", "SGD", iai::LambdaOptimizer::Sgd, false},
      {"momentum", "momentum", iai::LambdaOptimizer::Momentum, false},
      {"rmsprop", "RMSProp", iai::LambdaOptimizer::RmsProp, false},
      {"adam", "Adam", iai::LambdaOptimizer::Adam, false}};
  std::vector<std::vector<Run>> runs;  // [seed][method]

  for (long seed : seeds) {
    Options os = o;
    os.exp.seed = static_cast<std::uint64_t>(seed);
    const std::uint64_t eval_seed = over_seeds ? static_cast<std::uint64_t>(seed) : o.eval_seed;
    // the evaluation examples: the paired test inputs; the tuning examples: the first of train's
    // validation split (held out of training with the same seed and --validation)
    const Mat x = examples::pairedTestInputs(test, o.examples, eval_seed);
    Mat x_tune(d, o.tune_examples);
    {
      const Data validation = examples::splitValidation(train, n_val, os.exp.seed).second;
      std::vector<iai::Index> idx(static_cast<std::size_t>(o.tune_examples));
      std::iota(idx.begin(), idx.end(), iai::Index{0});
      iai::Rng unused;  // the validation split is binarised statically
      validation.gather(idx, x_tune, unused);
    }
    // the trained model and iterative inference model (T from the checkpoint's architecture)
    Model model = os.exp.makeModel(d);
    iai::IterativeInferenceModel<Scalar> inference = os.exp.makeIterative(d);
    const std::string arch = os.exp.architecture(d);
    const std::string path = over_seeds ? checkpointOf(o, seed) : o.checkpoint;
    {
      iai::VariationalEM em(model, inference, os.exp.training());
      const iai::CheckpointInfo info = iai::loadCheckpoint(path, em, arch);
      std::fprintf(stderr, "compare_optimizers: seed %ld: %s (epoch %d), %s\n", seed, path.c_str(),
                   info.epoch, arch.c_str());
    }
    std::fprintf(stderr,
                 "compare_optimizers: %s, %ld test + %ld validation (tuning) examples, S = %ld, "
                 "%ld iterations, %d thread(s)\n",
                 o.data.c_str(), o.examples, o.tune_examples, o.exp.samples, o.steps,
                 Eigen::nbThreads());
    const SeedContext c{os, seed, model, inference, x, x_tune, points};
    runs.push_back(compareSeed(c, methods));
    for (std::size_t m = 0; m < methods.size(); ++m) {
      const Run& r = runs.back()[m];
      JsonLine line;
      line.add("type", "method").add("seed", seed).add("method", methods[m].key);
      if (methods[m].iterative) {
        line.add("trained_iterations", o.exp.iterations);
      } else {
        line.add("lr", r.lr).add("tuning_final_elbo", r.tuning_elbo);
        line.add("lr_at_grid_edge", r.lr_at_edge);
        if (methods[m].key == "momentum") line.add("momentum", o.momentum);
      }
      line.add("elbo_at_0", r.trace.front());
      for (long p : points)
        line.add(cat("elbo_at_", std::to_string(p)), r.trace[static_cast<std::size_t>(p)]);
      line.add("seconds", r.seconds).print();
    }
  }

  // across seeds: the batch-mean ELBO at every iteration, and per table iteration each method's
  // per-example difference from the iterative model on the same examples and noise
  const std::size_t n_seeds = seeds.size(), n_methods = methods.size();
  auto acrossSeeds = [&](std::size_t m, long t) {
    std::vector<double> v;
    for (std::size_t s = 0; s < n_seeds; ++s) v.push_back(runs[s][m].trace[static_cast<std::size_t>(t)]);
    return examples::stats::meanSe(v);
  };
  struct Difference {
    MeanSe over_seeds, over_examples;
  };
  auto difference = [&](std::size_t m, std::size_t k) {
    std::vector<double> seed_means, all;
    for (std::size_t s = 0; s < n_seeds; ++s) {
      const Eigen::RowVectorXd diff = runs[s][m].at_point[k] - runs[s][0].at_point[k];
      seed_means.push_back(diff.mean());
      all.insert(all.end(), diff.data(), diff.data() + diff.size());
    }
    return Difference{examples::stats::meanSe(seed_means), examples::stats::meanSe(all)};
  };

  JsonLine summary;
  summary.add("type", "final")
      .add("data", o.data)
      .add("seeds", std::vector<double>(seeds.begin(), seeds.end()))
      .add("examples", o.examples)
      .add("tune_examples", o.tune_examples)
      .add("samples", o.exp.samples)
      .add("steps", o.steps)
      .add("trained_iterations", o.exp.iterations)
      .add("lr_grid", o.grid);
  for (std::size_t m = 0; m < n_methods; ++m) {
    if (!methods[m].iterative) {
      std::vector<double> lrs;
      for (std::size_t s = 0; s < n_seeds; ++s) lrs.push_back(runs[s][m].lr);
      if (n_seeds == 1) summary.add(cat(methods[m].key, "_lr"), lrs[0]);
      else summary.add(cat(methods[m].key, "_lr_per_seed"), lrs);
    }
    for (long p : points) {
      const MeanSe e = acrossSeeds(m, p);
      summary.add(cat(methods[m].key, "_elbo_at_", std::to_string(p)), e.mean);
      if (n_seeds > 1) summary.add(cat(methods[m].key, "_elbo_at_", std::to_string(p), "_se"), e.se);
    }
  }
  for (std::size_t m = 1; m < n_methods; ++m)
    for (std::size_t k = 0; k < points.size(); ++k) {
      const Difference diff = difference(m, k);
      JsonLine()
          .add("type", "difference")
          .add("method", methods[m].key)
          .add("minus", "iterative")
          .add("iteration", points[k])
          .add("mean", diff.over_seeds.mean)
          .add("se_over_seeds", diff.over_seeds.se)
          .add("se_over_examples", diff.over_examples.se)
          .add("seeds", static_cast<long>(n_seeds))
          .add("examples", static_cast<long>(diff.over_examples.n))
          .print();
    }
  summary.print();

  // CSV (per iteration: each method's mean over seeds and its s.e.), markdown table, figures
  const std::string csv_path = o.out + "/compare_optimizers.csv";
  {
    std::ostringstream csv;
    csv << "iteration";
    for (const Method& method : methods) csv << ',' << method.key << ',' << method.key << "_se";
    csv << '\n';
    for (long t = 0; t <= o.steps; ++t) {
      csv << t;
      for (std::size_t m = 0; m < n_methods; ++m) {
        const MeanSe e = acrossSeeds(m, t);
        csv << ',' << JsonLine::number(e.mean) << ','
            << (std::isfinite(e.se) ? JsonLine::number(e.se) : std::string());
      }
      csv << '\n';
    }
    iai::writeFileAtomically(csv_path, csv.str(), "compare_optimizers");
  }
  {
    std::ostringstream md;
    md << "Test ELBO (batch mean over " << o.examples << " paired test inputs, nats) after t "
       << "inference iterations from the prior, mean ± s.e. over " << n_seeds << " seed(s) ("
       << (n_seeds > 1 ? "seeds " : "seed ");
    for (std::size_t s = 0; s < n_seeds; ++s) md << (s ? ", " : "") << seeds[s];
    md << "); the iterative model was trained with T = " << o.exp.iterations << ".\n\n";
    md << "| method (step size per seed) | t = 0";
    for (long p : points) md << " | " << p;
    md << " |\n| ---";
    for (std::size_t k = 0; k <= points.size(); ++k) md << " | ---";
    md << " |\n";
    for (std::size_t m = 0; m < n_methods; ++m) {
      md << "| " << methods[m].label;
      if (!methods[m].iterative) {
        md << " (";
        for (std::size_t s = 0; s < n_seeds; ++s) md << (s ? ", " : "") << fmtLr(runs[s][m].lr);
        md << ")";
      }
      md << " | " << fmt(acrossSeeds(m, 0));
      for (long p : points) md << " | " << fmt(acrossSeeds(m, p));
      md << " |\n";
    }
    md << "\nPer-example difference from the iterative model at the same t (method − iterative; "
          "< 0: the iterative model is ahead), same test inputs and noise: mean ± s.e. over "
          "seeds [± s.e. over all "
       << n_seeds * static_cast<std::size_t>(o.examples) << " seed × example pairs]:\n\n";
    md << "| method | ";
    for (std::size_t k = 0; k < points.size(); ++k) md << (k ? " | " : "") << "t = " << points[k];
    md << " |\n| ---";
    for (std::size_t k = 0; k < points.size(); ++k) md << " | ---";
    md << " |\n";
    for (std::size_t m = 1; m < n_methods; ++m) {
      md << "| " << methods[m].label;
      for (std::size_t k = 0; k < points.size(); ++k) {
        const Difference diff = difference(m, k);
        char buf[96];
        std::snprintf(buf, sizeof buf, " [± %.2f]", diff.over_examples.se);
        md << " | " << examples::stats::formatSigned(diff.over_seeds, 2) << buf;
      }
      md << " |\n";
    }
    iai::writeFileAtomically(o.out + "/compare_optimizers.md", md.str(), "compare_optimizers");
  }

  std::vector<examples::svg::Series> series;
  std::vector<examples::svg::Band> bands;
  for (std::size_t m = 0; m < n_methods; ++m) {
    std::string label = methods[m].label;
    if (!methods[m].iterative && n_seeds == 1) label += cat(", lr ", fmtLr(runs[0][m].lr));
    examples::svg::Series s{label, {}, {}};
    examples::svg::Band b;
    for (long t = 1; t <= o.steps; ++t) {  // iteration 0 (the prior) is off the log axis
      const MeanSe e = acrossSeeds(m, t);
      s.x.push_back(static_cast<double>(t));
      s.y.push_back(e.mean);
      b.lo.push_back(std::isfinite(e.se) ? e.mean - e.se : e.mean);
      b.hi.push_back(std::isfinite(e.se) ? e.mean + e.se : e.mean);
    }
    series.push_back(std::move(s));
    bands.push_back(std::move(b));
  }
  char title[200];
  std::snprintf(title, sizeof title, "Test ELBO vs inference iterations (%ld examples, S=%ld%s)",
                o.examples, o.exp.samples,
                n_seeds > 1 ? cat(", mean ± s.e. over ", std::to_string(n_seeds), " seeds").c_str()
                            : "");
  char x_label[160];
  std::snprintf(x_label, sizeof x_label,
                "inference iteration (log scale; iteration 0, the prior: %.1f nats)",
                acrossSeeds(0, 0).mean);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  examples::svg::linePlot(title, x_label, "ELBO (nats)", series, true, 760, 440, nan, nan, bands)
      .save(o.out + "/compare_optimizers.svg");
  // zoom on the final values: from just above the best value down to twice the spread of the
  // final values (at least 10 nats) below the worst
  double best = -std::numeric_limits<double>::infinity(), worst = -best;
  for (const auto& s : series) {
    for (double v : s.y)
      if (std::isfinite(v)) best = std::max(best, v);
    if (std::isfinite(s.y.back())) worst = std::min(worst, s.y.back());
  }
  if (std::isfinite(best) && std::isfinite(worst)) {
    const double span = std::max(10.0, best - worst);
    examples::svg::linePlot(cat(title, ", zoom"), x_label, "ELBO (nats)", series, true, 760, 440,
                            worst - span, best + 0.05 * span, bands)
        .save(o.out + "/compare_optimizers_zoom.svg");
  }
  std::fprintf(stderr, "compare_optimizers: %s, %s/compare_optimizers.md, figures in %s/\n",
               csv_path.c_str(), o.out.c_str(), o.out.c_str());
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
