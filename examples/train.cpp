// train: amortized variational EM on real data with a standard or an iterative inference model
// (the paper's MNIST single-level setup by default; --levels 2 --latent 64,32 for its hierarchical
// model). JSON lines on stdout, progress on stderr, figures (SVG) in --out. Example:
//   build/examples/train --data fashion-mnist --inference iterative --epochs 5 --out out
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <iai/data.hpp>
#include <iai/evaluation.hpp>
#include <iai/iai.hpp>
#include <iai/training/checkpoint.hpp>

#include "common/args.hpp"
#include "common/evaluation.hpp"
#include "common/experiment.hpp"
#include "common/json.hpp"
#include "common/likelihood.hpp"
#include "common/png.hpp"
#include "common/svg.hpp"
#ifdef IAI_HAVE_MPI
#include "common/distributed.hpp"
#endif

namespace {

using examples::JsonLine;
using examples::Scalar;
using Data = iai::Dataset<Scalar>;

constexpr const char* kSummary =
    "Amortized variational EM on real data with a standard or an iterative inference model (the\n"
    "paper's MNIST single-level setup by default; --levels 2 --latent 64,32 for its hierarchical\n"
    "model). JSON lines on stdout (docs/training.md: a run line, one epoch line per epoch, the final\n"
    "line), progress on stderr, figures in --out.";
constexpr const char* kFooterBernoulli =
    "Trains for at most --epochs epochs; with a validation split (--validation, a fraction or a\n"
    "count of the training set; 0: none) it stops early when the validation ELBO gained\n"
    "< --min-gain nats over the last --patience epochs (0: never). The final line holds the test\n"
    "ELBO, −log p(x) (K = --eval-samples) and the amortization gap on paired test inputs, the same\n"
    "for every inference model of an --eval-seed (docs/results.md, Protocol). With --checkpoint\n"
    "FILE, FILE.history.jsonl keeps the per-epoch lines, so --resume continues the stopping rule.\n"
    "--distributed (a build with MPI; docs/distributed.md): data-parallel training under\n"
    "mpirun -np R, each global batch of --batch columns cut into --shards parts (R must divide\n"
    "it); with --reduction ordered (the default) the run is bitwise the same for every R that\n"
    "divides --shards. Validation, test ELBO and importance sampling are sharded over the ranks;\n"
    "rank 0 writes the checkpoint, the history and the output.\n"
    "`train --likelihood gaussian --help` (or multinomial) lists the options and defaults of the\n"
    "paper's other observation models (examples/common/likelihood.hpp).";
constexpr const char* kFooterLikelihood =
    "The paper's Gaussian-output (images, bits/dim) and multinomial-output (documents, perplexity)\n"
    "models with the authors' configurations as defaults (examples/common/likelihood.hpp). The\n"
    "final line holds the test ELBO and −log p(x) from importance sampling with the final λ_T as\n"
    "the proposal; figures: data/reconstruction/sample grids for images, top words for text.";

struct Options {
  /// The defaults of `likelihood`: the Bernoulli setup above, or the authors' configurations of
  /// the other observation models (likelihood.hpp).
  explicit Options(iai::Likelihood l) : likelihood(l) {
    if (l == iai::Likelihood::Bernoulli) return;
    examples::authorsConfiguration(l, exp);
    data = l == iai::Likelihood::Multinomial ? "spam-assassin" : "patches-32";
    final.is_samples = 1000;
    threads = 2;
  }
  iai::Likelihood likelihood;
  std::string likelihood_name = iai::likelihoodName(likelihood);
  examples::Experiment exp;
  std::string data = "fashion-mnist", out = "out", checkpoint;
  long epochs = 1, threads = 1, train_examples = 0, test_examples = 0;
  long eval_examples = 1000;
  double validation = 0.1;
  examples::StoppingRule stopping;
  examples::FinalConfig final;
  bool resume = false;
  bool distributed = false;  // --distributed: data-parallel over MPI ranks
  long shards = 4;
  std::string reduction = "ordered";
  double max_grad_norm = 0;  // gaussian and multinomial only
};

/// train's option table: every option declared once; the defaults are those of o.likelihood
/// (so `train --likelihood gaussian --help` shows that path's), and the options of one path only
/// (the validation split, stopping rule, evaluation seed and checkpoints: Bernoulli;
/// --max-grad-norm: the others) are in that path's table only.
void addOptions(examples::Cli& cli, Options& o) {
  const bool bernoulli = o.likelihood == iai::Likelihood::Bernoulli;
  cli.group("Data and output");
  cli.option("likelihood", o.likelihood_name, "bernoulli|gaussian|multinomial",
             "the observation model p(x|z)")
      .check([](const std::string& v) { iai::likelihoodFromName(v); })
      .defaultText("bernoulli");
  cli.option("data", o.data, bernoulli ? "NAME|DIR" : "NAME|DIR|FILE",
             bernoulli ? "fashion-mnist, mnist-10k, or a folder of IDX files"
                       : "fashion-mnist, mnist-10k, patches-32, spam-assassin, a folder, or one "
                         ".npy/.csv/.txt file");
  cli.option("train-examples", o.train_examples, "N", "use the first N training examples (0: all)");
  cli.option("test-examples", o.test_examples, "N", "use the first N test examples (0: all)");
  cli.option("out", o.out, "DIR", "folder for the figures");
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);

  cli.group("Model (shared with infer, compare_optimizers, optimization_surface)");
  o.exp.addOptions(cli);

  cli.group("Training");
  cli.option("epochs", o.epochs, "N", "train for at most N epochs");
  if (bernoulli) {
    cli.option("validation", o.validation, "F|N",
               "validation split of the training set: a fraction or a count (0: none)")
        .nonNegative();
    cli.option("patience", o.stopping.patience, "N",
               "stop when the validation ELBO gained < --min-gain over N epochs (0: never)");
    cli.option("min-gain", o.stopping.min_gain, "X", "nats the validation ELBO must gain (see --patience)");
    cli.option("checkpoint", o.checkpoint, "FILE",
               "save the training state after every epoch (and the epoch lines in FILE.history.jsonl)");
    cli.flag("resume", o.resume, "continue from --checkpoint FILE when it exists");
  } else {
    cli.option("max-grad-norm", o.max_grad_norm, "X", "clip the gradients' norm at X (0: no clipping)")
        .nonNegative();
  }
  cli.flag("distributed", o.distributed,
           "data-parallel training under mpirun (a build with MPI; docs/distributed.md)");
  cli.option("shards", o.shards, "N", "with --distributed: parts of each global batch").min(1);
  cli.option("reduction", o.reduction, "ordered|sum",
             "with --distributed: ordered (bitwise the same for every rank count) or sum")
      .oneOf({"ordered", "sum"});

  cli.group("Final evaluation");
  cli.option("eval-samples", o.final.is_samples, "K", "importance samples per test input for −log p(x)")
      .min(1);
  cli.option("eval-examples", o.eval_examples, "N",
             bernoulli ? "test inputs of the final numbers (0: all)" : "test inputs of the final numbers")
      .min(bernoulli ? 0 : 1);
  if (bernoulli)
    cli.option("eval-seed", o.final.eval_seed, "S", "seed of the paired test inputs and their noise")
        .defaultText("the --seed");
  cli.option("gap-examples", o.final.gap_examples, "N", "test inputs of the amortization gap (0: no gap)");
  cli.option("gap-samples", o.final.gap_samples, "S", "samples of the gap's ELBOs and refinement").min(1);
  cli.option("gap-lr", o.final.gap_lr, "X", "Adam step size of the refinement of λ").positive();
  cli.option("gap-steps", o.final.gap_steps, "N", "refinement steps before the first check (then 2N, 4N, …)")
      .min(1);
  cli.option("gap-max-steps", o.final.gap_max_steps, "N", "at most N refinement steps").min(1);
  cli.option("gap-tolerance", o.final.gap_tolerance, "X",
             "converged when doubling the steps changes the ELBO by < X nats")
      .positive();
  cli.option("past-iterations", o.final.past_iterations, "N",
             "iterative: the gap after t = 1 … max(T, N) iterations (0: 2T)");
  // the other path's options: an error that says which path takes them
  const std::string likelihood = iai::likelihoodName(o.likelihood);
  if (bernoulli)
    cli.forbid("max-grad-norm", "absent without --likelihood gaussian or multinomial "
                                "(train --likelihood gaussian --help)");
  else
    for (const char* name : {"validation", "patience", "min-gain", "checkpoint", "resume", "eval-seed"})
      cli.forbid(name, "absent with --likelihood " + likelihood + " (a Bernoulli option: train --help)");
  cli.afterParse([&o, &cli] {
    if (!cli.given("eval-seed")) o.final.eval_seed = o.exp.seed;
    if (o.final.past_iterations == 0) o.final.past_iterations = 2 * o.exp.iterations;
    IAI_CHECK(!o.resume || !o.checkpoint.empty(), "arguments", "--resume", "set",
              "used together with --checkpoint FILE");
    IAI_CHECK(o.final.gap_max_steps >= o.final.gap_steps, "arguments", "--gap-max-steps",
              o.final.gap_max_steps, "≥ --gap-steps = " + std::to_string(o.final.gap_steps));
  });
}

int side(iai::Index d) { return static_cast<int>(std::lround(std::sqrt(static_cast<double>(d)))); }

// Reconstructions of the first 8 paired test inputs, with noise from the figure stream (PNG).
template <class Em>
void writeReconstructions(Em& em, const iai::Matrix<Scalar>& x_paired, const Options& o) {
  const iai::Index n = std::min<iai::Index>(8, x_paired.cols()), d = x_paired.rows();
  iai::Matrix<Scalar> x = x_paired.leftCols(n), mean(o.exp.latentDim(), n),
                      log_var(o.exp.latentDim(), n);
  iai::Rng rng(o.final.eval_seed, examples::streams::kFigure);
  std::vector<iai::Matrix<Scalar>> means;
  std::vector<double> trace;
  em.infer(x, mean, log_var, rng, &trace, &means);
  const int cols = static_cast<int>(means.size()) + 1;
  Eigen::MatrixXf cells(d, n * cols);
  iai::Matrix<Scalar> decoded(d, n);
  for (iai::Index j = 0; j < n; ++j) cells.col(j * cols) = x.col(j);
  for (std::size_t t = 0; t < means.size(); ++t) {
    em.model().decode(means[t], decoded);
    for (iai::Index j = 0; j < n; ++j) cells.col(j * cols + static_cast<iai::Index>(t) + 1) = decoded.col(j);
  }
  const int s = side(d);
  const std::string path = o.out + "/reconstructions_" + o.exp.inference + ".png";
  examples::png::save(examples::png::grid(cells, static_cast<int>(n), cols, s, s, 1), path);
  std::fprintf(stderr, "train: %s: one test input per row; columns: the input, then %s\n",
               path.c_str(),
               o.exp.iterative() ? "the decoded mean of λ_0 … λ_T" : "the decoded mean of the encoder's λ");
}

template <class Model, class Inference>
int run(const Options& o, Data& train, Data& validation, Data& test, Model model,
        Inference inference) {
  const auto t_run = std::chrono::steady_clock::now();
  const iai::Index d = train.dim();
  iai::VariationalEM em(model, inference, o.exp.training());
  const std::string arch = o.exp.architecture(d);
  examples::History history(o.checkpoint.empty() ? "" : o.checkpoint + ".history.jsonl");
  bool root = true;  // the process that writes the checkpoint, the history, the output
#ifdef IAI_HAVE_MPI
  if (o.distributed) root = iai::mpi::rank() == 0;
#endif
  if (o.resume && !o.checkpoint.empty() && std::filesystem::exists(o.checkpoint)) {
    const auto info = iai::loadCheckpoint(o.checkpoint, em, arch);
    history.load(info.epoch);
    if (root)
      std::fprintf(stderr, "train: resumed from %s at epoch %d (%zu epochs of history)\n",
                   o.checkpoint.c_str(), info.epoch, history.lines().size());
  }
#ifdef IAI_HAVE_MPI
  // every rank holds the same θ and φ (the same seed, or the same checkpoint; checked here)
  std::optional<iai::mpi::DataParallel<decltype(em)>> dp;
  if (o.distributed) {
    dp.emplace(em, MPI_COMM_WORLD,
               iai::mpi::DataParallelConfig{.shards = o.shards,
                                            .reduction = o.reduction == "sum"
                                                             ? iai::mpi::Reduction::Sum
                                                             : iai::mpi::Reduction::Ordered});
    if (root)
      std::fprintf(stderr,
                   "train: data-parallel over %d ranks, %ld shards per batch, %s reduction of "
                   "%ld values (|θ| = %ld, |φ| = %ld)\n",
                   dp->ranks(), o.shards, o.reduction.c_str(),
                   static_cast<long>(em.model().theta().size() + em.inference().phi().size()),
                   static_cast<long>(em.model().theta().size()),
                   static_cast<long>(em.inference().phi().size()));
  }
#endif
  if (root)
  std::fprintf(stderr, "train: %s, %ld train / %ld validation / %ld test examples, D = %ld, %s\n",
               o.data.c_str(), static_cast<long>(train.size()),
               static_cast<long>(validation.size()), static_cast<long>(test.size()),
               static_cast<long>(d), arch.c_str());
  std::fprintf(stderr, "train: built by " IAI_BUILD_COMPILER " with " IAI_BUILD_FLAGS ", Eigen %d.%d.%d, %d thread(s)\n",
               EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::nbThreads());

  // Training: per-epoch ELBO on the validation split (statically binarised, the same noise
  // every epoch), never on the test set; early stopping on it.
  iai::ProgressBar progress(10.0, root ? stderr : nullptr);
  const bool has_validation = validation.size() > 0;
  std::vector<double> val_curve = history.values("validation_elbo");
  bool stopped = has_validation && o.stopping.shouldStop(val_curve);
  [[maybe_unused]] double reduce_seconds = 0;
  for (int e = em.epoch(); e < o.epochs && !stopped; ++e) {
#ifdef IAI_HAVE_MPI
    const iai::EpochStatistics stats = dp ? dp->fit(train, 1, progress) : em.fit(train, 1, progress);
#else
    const iai::EpochStatistics stats = em.fit(train, 1, progress);
#endif
    // the library's epoch line (epoch e + 1, its ELBO, KL, ..., seconds) and train's own keys
    JsonLine line = iai::JsonLinesLogger::epochLine(stats);
    double val_seconds = 0;
    if (has_validation) {
      const auto t0 = std::chrono::steady_clock::now();
      iai::Rng data_rng(o.exp.seed, examples::streams::kValidationBinarisation);  // unused: static
      iai::Rng noise_rng(o.exp.seed, examples::streams::kValidationNoise);
#ifdef IAI_HAVE_MPI
      // distributed: per-batch streams derived from the same two, the same for every rank count
      const std::vector<double> trace =
          dp ? dp->evaluate(validation, 500, data_rng(), noise_rng())
             : em.evaluate(validation, 500, data_rng, noise_rng);
#else
      const std::vector<double> trace = em.evaluate(validation, 500, data_rng, noise_rng);
#endif
      val_seconds = examples::detail::seconds(t0);
      val_curve.push_back(trace.back());
      stopped = o.stopping.shouldStop(val_curve);
      line.add("validation_elbo", trace.back()).add("validation_elbo_per_iteration", trace);
    }
#ifdef IAI_HAVE_MPI
    if (dp) {  // wall time of this epoch's gradient and statistics collectives
      line.add("reduce_seconds", dp->reduceSeconds() - reduce_seconds);
      reduce_seconds = dp->reduceSeconds();
    }
#endif
    line.add("validation_seconds", val_seconds).add("stop", stopped);
    if (!root) continue;
    history.append(line.str());  // before the checkpoint: a resume drops lines past its epoch
    if (!o.checkpoint.empty()) iai::saveCheckpoint(o.checkpoint, em, arch);
    line.print();
  }
  std::vector<double> train_curve;  // "elbo"; histories written before the schema: "train_elbo"
  for (const std::string& l : history.lines())
    train_curve.push_back(examples::jsonNumber(l, "elbo")
                              .value_or(examples::jsonNumber(l, "train_elbo").value_or(std::nan(""))));
  if (root && !train_curve.empty()) {
    std::vector<examples::svg::Series> curves{{"train ELBO", {}, {}}};
    if (has_validation) curves.push_back({"validation ELBO", {}, {}});
    for (std::size_t k = 0; k < train_curve.size(); ++k) {
      curves[0].x.push_back(static_cast<double>(k + 1)), curves[0].y.push_back(train_curve[k]);
      if (has_validation && k < val_curve.size())
        curves[1].x.push_back(static_cast<double>(k + 1)), curves[1].y.push_back(val_curve[k]);
    }
    examples::svg::linePlot("ELBO per epoch (" + o.exp.inference + ")", "epoch", "ELBO (nats)",
                            curves)
        .save(o.out + "/elbo_" + o.exp.inference + ".svg");
  }

  // Final measurements on the paired test inputs (a function of --eval-seed only).
  const auto t_final = std::chrono::steady_clock::now();
  const iai::Index n_eval =
      o.eval_examples > 0 ? std::min<iai::Index>(o.eval_examples, test.size()) : test.size();
  const iai::Matrix<Scalar> x_test = examples::pairedTestInputs(test, n_eval, o.final.eval_seed);
  const examples::FinalConfig& fc = o.final;
#ifdef IAI_HAVE_MPI
  const examples::FinalResult r = dp ? examples::distributedFinalEvaluation(em, x_test, fc, &progress)
                                     : examples::finalEvaluation(em, x_test, fc, &progress);
#else
  const examples::FinalResult r = examples::finalEvaluation(em, x_test, fc, &progress);
#endif
  if (!root) return 0;
  writeReconstructions(em, x_test, o);
  long dp_ranks = 1;
#ifdef IAI_HAVE_MPI
  if (dp) dp_ranks = dp->ranks();
#endif
  double train_seconds = 0;
  for (double v : history.values("seconds")) train_seconds += std::isfinite(v) ? v : 0;
  for (double v : history.values("validation_seconds")) train_seconds += std::isfinite(v) ? v : 0;
  JsonLine line;
  line.add("type", "final")
      .add("inference", o.exp.inference)
      .add("levels", o.exp.levels)
      .add("samples", o.exp.samples)
      .add("iterations", o.exp.iterationsRun())
      .add("seed", static_cast<long>(o.exp.seed))
      .add("eval_seed", static_cast<long>(o.final.eval_seed))
      .add("epochs_trained", em.epoch())
      .add("max_epochs", o.epochs)
      .add("stopped_early", stopped)
      .add("patience", o.stopping.patience)
      .add("min_gain", o.stopping.min_gain)
      .add("validation_examples", static_cast<long>(validation.size()))
      .add("final_validation_elbo", val_curve.empty() ? std::nan("") : val_curve.back())
      .add("best_validation_elbo",
           val_curve.empty() ? std::nan("") : *std::max_element(val_curve.begin(), val_curve.end()))
      .add("test_elbo", r.elbo)
      .add("test_elbo_per_iteration", r.elbo_per_iteration)
      .add("test_nll", r.nll)
      .add("test_nll_se_examples", r.nll_se_examples)
      .add("is_se_of_mean", r.is_se_of_mean)
      .add("is_se_median", r.is_se_median)
      .add("eval_samples", static_cast<long>(fc.is_samples))
      .add("eval_examples", static_cast<long>(n_eval));
  examples::addGapFields(line, r, fc)
      .add("seconds_train", train_seconds)
      .add("seconds_is", r.seconds_is)
      .add("seconds_gap", r.seconds_gap)
      .add("seconds_final", examples::detail::seconds(t_final))
      .add("ranks", dp_ranks)
      .add("seconds_this_invocation", examples::detail::seconds(t_run))
      .print();
  std::fprintf(stderr, "train: figures in %s/\n", o.out.c_str());
  return 0;
}

int trainMain(int argc, char** argv) {
  // The table depends on --likelihood (its defaults and its options); a bad name is the table's
  // error below.
  iai::Likelihood likelihood = iai::Likelihood::Bernoulli;
  if (const auto name = examples::Cli::peek(argc, argv, "likelihood")) {
    try {
      likelihood = iai::likelihoodFromName(*name);
    } catch (const iai::invalid_argument&) {
    }
  }
  Options o(likelihood);
  examples::Cli cli("train", kSummary,
                    likelihood == iai::Likelihood::Bernoulli ? kFooterBernoulli : kFooterLikelihood);
  addOptions(cli, o);
  if (!cli.parse(argc, argv)) return 0;
  IAI_CHECK(!o.distributed || likelihood == iai::Likelihood::Bernoulli, "arguments",
            "--distributed", "set",
            "unset with --likelihood gaussian or multinomial (Bernoulli models only)");
#ifndef IAI_HAVE_MPI
  IAI_CHECK(!o.distributed, "arguments", "--distributed", "set",
            "unset: this train was built without MPI (Debian: libopenmpi-dev openmpi-bin; "
            "docs/distributed.md)");
#endif
  // The paper's Gaussian-output (images, bits/dim) and multinomial-output (documents,
  // perplexity) models: examples/common/likelihood.hpp. Bernoulli continues below.
  if (likelihood != iai::Likelihood::Bernoulli) {
    cli.runLine(o.exp.seed).print();
    return examples::trainLikelihood({.likelihood = likelihood,
                                      .exp = o.exp,
                                      .data = o.data,
                                      .out = o.out,
                                      .epochs = o.epochs,
                                      .train_examples = o.train_examples,
                                      .test_examples = o.test_examples,
                                      .final = o.final,
                                      .eval_examples = o.eval_examples,
                                      .threads = o.threads,
                                      .max_grad_norm = o.max_grad_norm});
  }
  bool root = true;  // the process that writes the output
#ifdef IAI_HAVE_MPI
  if (o.distributed) root = iai::mpi::rank() == 0;
#endif
  if (root) cli.runLine(o.exp.seed).print();
  Eigen::setNbThreads(static_cast<int>(o.threads));
  std::filesystem::create_directories(o.out);

  Data train = Data::load(o.data, true), test = Data::load(o.data, false);
  if (o.train_examples > 0 && o.train_examples < train.size()) train = train.subset(0, o.train_examples);
  if (o.test_examples > 0 && o.test_examples < test.size()) test = test.subset(0, o.test_examples);
  // Training batches: dynamic binarisation (as the authors) from the training streams. The
  // validation split and the test inputs are binarised once, from their own streams.
  Data validation;
  const iai::Index n_val = examples::validationCount(o.validation, train.size());
  if (n_val > 0) std::tie(train, validation) = examples::splitValidation(train, n_val, o.exp.seed);
  train.setBinarization(iai::Binarization::Dynamic, o.exp.seed);
  const iai::Index d = train.dim();
  if (o.exp.hierarchical())
    return o.exp.iterative() ? run(o, train, validation, test, o.exp.makeHierarchicalModel(d),
                                   o.exp.makeHierarchicalIterative(d))
                             : run(o, train, validation, test, o.exp.makeHierarchicalModel(d),
                                   o.exp.makeBottomUp(d));
  return o.exp.iterative()
             ? run(o, train, validation, test, o.exp.makeModel(d), o.exp.makeIterative(d))
             : run(o, train, validation, test, o.exp.makeModel(d), o.exp.makeStandard(d));
}

}  // namespace

int main(int argc, char** argv) {
#ifdef IAI_HAVE_MPI
  // under mpirun: a rank that fails prints one line and ends the whole job (MPI_Abort)
  if (std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string(a) == "--distributed"; })) {
    std::optional<iai::mpi::Environment> mpi;
    return iai::mpi::guardedMain("train", [&] {
      mpi.emplace(argc, argv);
      return trainMain(argc, argv);
    });
  }
#endif
  return examples::guardedMain("train", [&] { return trainMain(argc, argv); });
}
