// train: amortized variational EM on real data with a standard or an iterative inference model
// (the paper's MNIST single-level setup by default; --levels 2 --latent 64,32 for its hierarchical
// model). JSON lines on stdout, progress on stderr, figures (SVG) in --out. Example:
//   build/examples/train --data fashion-mnist --inference iterative --epochs 5 --out out
#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <iai/data.hpp>
#include <iai/evaluation.hpp>
#include <iai/iai.hpp>
#include <iai/training/checkpoint.hpp>

#include "common/args.hpp"
#include "common/experiment.hpp"
#include "common/json.hpp"
#include "common/svg.hpp"

namespace {

using examples::JsonLine;
using examples::Scalar;
using Data = iai::Dataset<Scalar>;

const char* kUsage =
    "usage: train [--data fashion-mnist|mnist-10k|DIR] [--inference standard|iterative]\n"
    "             [--epochs N] [--batch 64] [--samples 10] [--iterations 5] [--lr 2e-4]\n"
    "             [--latent 64] [--hidden 512,512] [--inference-hidden 512] [--inference-layers 2]\n"
    "             [--levels 1] [--prior-hidden 256,256] [--encode gradients|errors]\n"
    "             [--train-examples N] [--test-examples N] [--eval-samples K] [--eval-examples N]\n"
    "             [--checkpoint FILE] [--resume] [--seed S] [--threads T] [--out DIR]\n";

struct Options {
  examples::Experiment exp;
  std::string data = "fashion-mnist", out = "out", checkpoint;
  long epochs = 1, threads = 1, train_examples = 0, test_examples = 0;
  long eval_samples = 1000, eval_examples = 1000;
  bool resume = false;
};

int side(iai::Index d) { return static_cast<int>(std::lround(std::sqrt(static_cast<double>(d)))); }

template <class Em>
void writeReconstructions(Em& em, const Data& test, const Options& o, iai::Rng& rng) {
  const iai::Index n = std::min<iai::Index>(8, test.size()), d = test.dim();
  std::vector<iai::Index> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), iai::Index{0});
  iai::Matrix<Scalar> x(d, n), mean(o.exp.latentDim(), n), log_var(o.exp.latentDim(), n);
  test.gather(idx, x, rng);
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
  std::vector<std::string> titles{"data"};
  for (std::size_t t = 0; t < means.size(); ++t)
    titles.push_back(o.exp.iterative() ? "t=" + std::to_string(t) : "encoder");
  const int s = side(d);
  examples::svg::imageGrid(cells, static_cast<int>(n), cols, s, s, titles)
      .save(o.out + "/reconstructions_" + o.exp.inference + ".svg");
}

template <class Model, class Inference>
int run(const Options& o, Data& train, Data& test, Model model, Inference inference) {
  const iai::Index d = train.dim();
  iai::VariationalEM em(model, inference, o.exp.training());
  const std::string arch = o.exp.architecture(d);
  if (o.resume && !o.checkpoint.empty() && std::filesystem::exists(o.checkpoint)) {
    const auto info = iai::loadCheckpoint(o.checkpoint, em, arch);
    std::fprintf(stderr, "train: resumed from %s at epoch %d\n", o.checkpoint.c_str(), info.epoch);
  }
  std::fprintf(stderr, "train: %s, %ld train / %ld test examples, D = %ld, %s\n", o.data.c_str(),
               static_cast<long>(train.size()), static_cast<long>(test.size()),
               static_cast<long>(d), arch.c_str());
  std::fprintf(stderr, "train: built by " IAI_BUILD_COMPILER " with " IAI_BUILD_FLAGS ", Eigen %d.%d.%d, %d thread(s)\n",
               EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::nbThreads());

  iai::ProgressBar progress;
  std::vector<examples::svg::Series> curves{{"train ELBO", {}, {}}, {"test ELBO", {}, {}}};
  for (int e = em.epoch(); e < o.epochs; ++e) {
    const iai::EpochStatistics stats = em.fit(train, 1, progress);
    iai::Rng eval_rng(o.exp.seed, 1000 + static_cast<std::uint64_t>(e));  // same on resume
    const std::vector<double> test_trace = em.evaluate(test, 500, eval_rng);
    JsonLine()
        .add("epoch", e + 1)
        .add("train_elbo", stats.train_elbo)
        .add("test_elbo_per_iteration", test_trace)
        .add("seconds", stats.seconds)
        .add("skipped_steps", static_cast<long>(stats.skipped_steps))
        .print();
    curves[0].x.push_back(e + 1), curves[0].y.push_back(stats.train_elbo);
    curves[1].x.push_back(e + 1), curves[1].y.push_back(test_trace.back());
    if (!o.checkpoint.empty()) iai::saveCheckpoint(o.checkpoint, em, arch);
  }
  if (!curves[0].x.empty())
    examples::svg::linePlot("ELBO per epoch (" + o.exp.inference + ")", "epoch", "ELBO (nats)",
                            curves)
        .save(o.out + "/elbo_" + o.exp.inference + ".svg");

  // Final measurements: test ELBO and importance-sampled −log p(x) with K samples from the final
  // approximate posterior (the paper: K = 5000), on the first --eval-examples test examples.
  iai::Rng rng(o.exp.seed, 2000);
  const iai::Index n_eval =
      o.eval_examples > 0 ? std::min<iai::Index>(o.eval_examples, test.size()) : test.size();
  const iai::Index chunk = 100;
  iai::ImportanceSampler<Model> sampler(o.eval_samples, 50);
  double sum_log_px = 0, sum_elbo = 0;
  std::vector<iai::Index> idx;
  iai::Matrix<Scalar> x, mean, log_var;
  iai::RowVector<Scalar> log_px;
  for (iai::Index start = 0; start < n_eval; start += chunk) {
    const iai::Index b = std::min(chunk, n_eval - start);
    idx.resize(static_cast<std::size_t>(b));
    std::iota(idx.begin(), idx.end(), start);
    x.resize(d, b), mean.resize(o.exp.latentDim(), b), log_var.resize(o.exp.latentDim(), b);
    log_px.resize(b);
    test.gather(idx, x, rng);
    em.infer(x, mean, log_var, rng);
    sum_elbo += em.lastElbo().template cast<double>().sum();
    sampler.logMarginal(model, x, mean, log_var, rng, log_px);
    sum_log_px += log_px.template cast<double>().sum();
  }
  writeReconstructions(em, test, o, rng);
  JsonLine()
      .add("inference", o.exp.inference)
      .add("test_elbo", sum_elbo / static_cast<double>(n_eval))
      .add("test_nll", -sum_log_px / static_cast<double>(n_eval))
      .add("eval_samples", o.eval_samples)
      .add("eval_examples", static_cast<long>(n_eval))
      .print();
  std::fprintf(stderr, "train: figures in %s/\n", o.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("train", [&] {
    examples::Args args(argc, argv, {"resume", "help"});
    if (args.flag("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    Options o;
    o.exp.read(args);
    o.data = args.get("data", o.data);
    o.out = args.get("out", o.out);
    o.checkpoint = args.get("checkpoint", "");
    o.resume = args.flag("resume");
    o.epochs = args.getInt("epochs", o.epochs, 0);
    o.threads = args.getInt("threads", o.threads, 1);
    o.train_examples = args.getInt("train-examples", 0, 0);
    o.test_examples = args.getInt("test-examples", 0, 0);
    o.eval_samples = args.getInt("eval-samples", o.eval_samples, 1);
    o.eval_examples = args.getInt("eval-examples", o.eval_examples, 0);
    args.rejectUnknown();
    IAI_CHECK(!o.resume || !o.checkpoint.empty(), "arguments", "--resume", "set",
              "used together with --checkpoint FILE");
    Eigen::setNbThreads(static_cast<int>(o.threads));
    std::filesystem::create_directories(o.out);

    Data train = Data::load(o.data, true), test = Data::load(o.data, false);
    if (o.train_examples > 0 && o.train_examples < train.size()) train = train.subset(0, o.train_examples);
    if (o.test_examples > 0 && o.test_examples < test.size()) test = test.subset(0, o.test_examples);
    // dynamic binarisation of train and test, as the authors
    train.setBinarization(iai::Binarization::Dynamic, o.exp.seed);
    test.setBinarization(iai::Binarization::Dynamic, o.exp.seed + 1);
    const iai::Index d = train.dim();
    if (o.exp.hierarchical())
      return o.exp.iterative()
                 ? run(o, train, test, o.exp.makeHierarchicalModel(d), o.exp.makeHierarchicalIterative(d))
                 : run(o, train, test, o.exp.makeHierarchicalModel(d), o.exp.makeBottomUp(d));
    return o.exp.iterative() ? run(o, train, test, o.exp.makeModel(d), o.exp.makeIterative(d))
                             : run(o, train, test, o.exp.makeModel(d), o.exp.makeStandard(d));
  });
}
