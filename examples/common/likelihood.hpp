// `train --likelihood gaussian|multinomial`: the paper's other two observation models (§5) on
// any data iai reads. Defaults are the authors' configurations:
//   gaussian     (CIFAR-10): latent 1024, decoder 1 × 2048, inference networks 3 × 2048, batch
//                128, Adam 1e-4, S = 10, T = 5; p(x|z) = N(μ(z), diag σ²(z)) with a per-pixel
//                log σ² that depends on z (the decoder's second D outputs), clamped to [−7, 15];
//                iterative inputs: x, λ and layer-normalised ∇_λ L. 8-bit data are dequantised
//                x = (b + u)/256 (u ~ U[0, 1), afresh per training batch; once, seeded, for the
//                test inputs) and log p includes −D log 256, so −log p / (D ln 2) is bits/dim.
//   multinomial  (RCV1): latent 256, decoder 2 × 512, inference networks 2 × 512, batch 512,
//                Adam 1e-4, S = 1, T = 5; p(x|z) ∝ Π_v softmax(η(z))_v^{x_v} over the
//                vocabulary; iterative inputs: x, λ and layer-normalised ∇_λ L (the authors:
//                raw ∇_λ L, which diverges on long documents; see below). Reports perplexity
//                exp(−Σ_d log p(x_d) / Σ_d N_d).
// Differences from the authors, stated: the decoder is a plain ELU MLP (theirs is highway), and
// the Gaussian mean has an identity link (theirs a sigmoid).
// --data takes: fashion-mnist | mnist-10k (IDX grey levels), patches-32 (CIFAR-10 format),
// spam-assassin (sparse lines), a folder (CIFAR-10 batches; {train,test}.txt sparse lines;
// {train,test}.{npy,csv}; IDX), or one .npy / .csv / .txt file (its last 10 % is the test set).
// Options (declared in train's table, examples/train.cpp; `train --likelihood gaussian --help`):
// --data, --epochs (1), --train-examples / --test-examples (0: all), --eval-samples K (1000) and
// --eval-examples (1000) for importance sampling with the final λ_T as the proposal, the
// amortization gap's --gap-* options (the same as the Bernoulli path's; streams of --seed), --out
// (figures), --max-grad-norm (0: no clipping), --threads (2), and the model options of
// experiment.hpp.
// Prints JSON lines (docs/training.md): one "epoch" line per epoch and a "final" line with the
// numbers (train prints the "run" line before); figures go to --out: data/reconstruction/sample
// grids for images, top words per latent direction for text.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <iai/data.hpp>
#include <iai/evaluation.hpp>
#include <iai/iai.hpp>

#include "args.hpp"
#include "evaluation.hpp"
#include "experiment.hpp"
#include "json.hpp"
#include "png.hpp"

namespace examples {

/// Train and test data for one likelihood: dense (Dataset) or sparse counts.
struct LikelihoodData {
  std::optional<iai::Dataset<Scalar>> train, test;
  std::optional<iai::SparseCountSource<Scalar>> sparse_train, sparse_test;
  std::vector<std::string> vocabulary;  // text: word of id v (0-based)
  int height = 0, width = 0, channels = 0;  // images: for figures (0: not an image)
  std::string description;
  bool sparse() const { return sparse_train.has_value(); }
  iai::Index dim() const { return sparse() ? sparse_train->dim() : train->dim(); }
  iai::Index trainSize() const { return sparse() ? sparse_train->size() : train->size(); }
  iai::Index testSize() const { return sparse() ? sparse_test->size() : test->size(); }
};

// Streams of iai::Rng(seed, stream) for evaluation (VariationalEM uses 0–2 of the same seed).
inline constexpr std::uint64_t kTestNoise = 31;        // the test inputs' dequantisation
inline constexpr std::uint64_t kElboNoise = 32;        // test ELBO
inline constexpr std::uint64_t kImportanceNoise = 33;  // importance sampling
inline constexpr std::uint64_t kFigureNoise = 34;      // figures

namespace detail {
inline std::filesystem::path namedFolder(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* root = std::getenv("IAI_DATA_DIR"); root && *root && fs::is_directory(fs::path(root) / name, ec))
    return fs::path(root) / name;
  return fs::path("data") / name;
}
inline bool hasExtension(const std::string& path, const std::string& ext) {
  return path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}
inline std::vector<std::string> readVocabulary(const std::filesystem::path& path) {
  std::vector<std::string> words;
  std::ifstream f(path);
  for (std::string w; std::getline(f, w);) words.push_back(w);
  return words;
}
/// A dense file: its last max(1, N/10) examples are the test set.
inline void splitFile(iai::Dataset<Scalar> all, LikelihoodData& d) {
  IAI_CHECK(all.size() >= 2, "loadLikelihoodData", "the number of examples", all.size(),
            "at least 2 (the last 10 % are the test set)");
  const iai::Index n_test = std::max<iai::Index>(1, all.size() / 10);
  d.train = all.subset(0, all.size() - n_test);
  d.test = all.subset(all.size() - n_test, n_test);
}
}  // namespace detail

/// Loads --data for `likelihood` (see the file comment).
/// @throws iai::io_error for missing or bad files, iai::domain_error for values outside the
///         likelihood's range, iai::invalid_argument for a combination that makes no sense.
inline LikelihoodData loadLikelihoodData(const std::string& spec, iai::Likelihood likelihood) {
  namespace fs = std::filesystem;
  using D = iai::Dataset<Scalar>;
  LikelihoodData d;
  d.description = spec;
  std::error_code ec;
  const auto images = [&](D train, D test, int h, int w, int c) {
    train.setLikelihood(likelihood);
    test.setLikelihood(likelihood);
    d.train = std::move(train);
    d.test = std::move(test);
    d.height = h, d.width = w, d.channels = c;
  };
  const auto sparse = [&](const fs::path& folder) {
    const fs::path vocab = folder / "vocab.txt";
    if (fs::exists(vocab, ec)) d.vocabulary = detail::readVocabulary(vocab);
    const auto v = static_cast<iai::Index>(d.vocabulary.size());
    d.sparse_train = iai::SparseCountSource<Scalar>::load((folder / "train.txt").string(), v);
    d.sparse_test = iai::SparseCountSource<Scalar>::load(
        (folder / "test.txt").string(), v > 0 ? v : d.sparse_train->dim());
  };
  const auto cifar = [&](const fs::path& folder) {
    images(D::loadCifar10(folder.string(), "train", iai::Likelihood::Gaussian),
           D::loadCifar10(folder.string(), "test", iai::Likelihood::Gaussian), 32, 32, 3);
  };
  if (spec == "fashion-mnist" || spec == "mnist-10k") {
    images(D::load(spec, true), D::load(spec, false), 28, 28, 1);
  } else if (spec == "patches-32") {
    cifar(detail::namedFolder(spec));
  } else if (spec == "spam-assassin") {
    sparse(detail::namedFolder(spec));
  } else if (fs::is_directory(spec, ec)) {
    const fs::path f(spec);
    if (fs::exists(f / "train.txt", ec)) {
      sparse(f);
    } else if (fs::exists(f / "train.npy", ec)) {
      d.train = D::fromNpy((f / "train.npy").string(), likelihood);
      d.test = D::fromNpy((f / "test.npy").string(), likelihood);
    } else if (fs::exists(f / "train.csv", ec)) {
      d.train = D::fromCsv((f / "train.csv").string(), likelihood);
      d.test = D::fromCsv((f / "test.csv").string(), likelihood);
    } else if (fs::exists(f / "data_batch_1.bin", ec) || fs::exists(f / "test_batch.bin", ec) ||
               fs::exists(f / "cifar-10-batches-bin", ec)) {
      cifar(f);
    } else {
      D train = D::load(spec, true), test = D::load(spec, false);
      const int h = static_cast<int>(train.imageRows()), w = static_cast<int>(train.imageCols());
      images(std::move(train), std::move(test), h, w, 1);
    }
  } else if (detail::hasExtension(spec, ".npy")) {
    detail::splitFile(D::fromNpy(spec, likelihood), d);
  } else if (detail::hasExtension(spec, ".csv")) {
    detail::splitFile(D::fromCsv(spec, likelihood), d);
  } else if (detail::hasExtension(spec, ".txt") || detail::hasExtension(spec, ".svm")) {
    auto all = iai::SparseCountSource<Scalar>::load(spec);
    IAI_CHECK(all.size() >= 2, "loadLikelihoodData", "the number of documents", all.size(), "≥ 2");
    const iai::Index n_test = std::max<iai::Index>(1, all.size() / 10);
    d.sparse_train = all.subset(0, all.size() - n_test);
    d.sparse_test = all.subset(all.size() - n_test, n_test);
  } else {
    throw iai::io_error("loadLikelihoodData: --data '" + spec +
                        "' is neither a known data set (fashion-mnist, mnist-10k, patches-32, "
                        "spam-assassin), a folder, nor a .npy/.csv/.txt file");
  }
  IAI_CHECK(!d.sparse() || likelihood == iai::Likelihood::Multinomial, "arguments", "--likelihood",
            iai::likelihoodName(likelihood), "multinomial for sparse count lines");
  return d;
}

/// Trains and evaluates one inference model on `data` with observation model `Obs`.
template <class Obs, class Source>
int trainWithObservation(Obs observation, Source& train, LikelihoodData& data, Experiment e,
                         iai::Likelihood likelihood, int epochs, iai::Index eval_examples,
                         const FinalConfig& fc, const std::string& out, double max_grad_norm) {
  using M = iai::LatentGaussianModel<Scalar, Obs>;
  const iai::Index dim = data.dim();
  M model = M::mlp(e.latent.front(), dim, Experiment::indices(e.hidden), std::move(observation),
                   e.seed * 2 + 1);
  const auto t0 = std::chrono::steady_clock::now();
  const auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  const std::string arm = e.inference;
  const auto run = [&](auto& inference) -> int {
    iai::TrainingConfig config = e.training();
    config.max_grad_norm = max_grad_norm;
    iai::VariationalEM em(model, inference, config);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const iai::EpochStatistics s = em.fit(train, 1);
      iai::JsonLinesLogger::epochLine(s)  // "epoch": this epoch, counted from 1
          .add("likelihood", iai::likelihoodName(likelihood))
          .add("inference", arm)
          .print();
    }
    const double train_seconds = since(t0);
    // The test inputs: the first n test examples, dequantised once with a seeded stream.
    const iai::Index n = std::min(eval_examples, data.testSize());
    iai::Matrix<Scalar> x(dim, n);
    std::vector<iai::Index> idx(static_cast<std::size_t>(n));
    std::iota(idx.begin(), idx.end(), iai::Index{0});
    iai::Rng unused;
    std::vector<double> words;
    if (data.sparse()) {
      data.sparse_test->gather(idx, x, unused);
      for (iai::Index j = 0; j < n; ++j) words.push_back(static_cast<double>(data.sparse_test->words(j)));
    } else {
      iai::Dataset<Scalar> part = data.test->subset(0, n);
      if (part.eightBit() && likelihood == iai::Likelihood::Gaussian)
        part.setDequantization(iai::Dequantization::Static, iai::Rng(e.seed, kTestNoise)());
      part.gather(idx, x, unused);
      for (iai::Index j = 0; j < n; ++j) words.push_back(static_cast<double>(x.col(j).sum()));
    }
    // Test ELBO of the final estimate λ_T, importance-sampled log p(x) with K samples of it (a
    // stochastic lower bound, iai::ImportanceSampler) and its IS standard error, in batches of
    // 100; then the amortization gap (evaluation.hpp) on the first --gap-examples inputs.
    const auto t_eval = std::chrono::steady_clock::now();
    const iai::Index d = model.latentDim();
    iai::Rng elbo_rng(e.seed, kElboNoise), is_rng(e.seed, kImportanceNoise);
    iai::ImportanceSampler<M> sampler(fc.is_samples, std::min<iai::Index>(fc.is_samples, 50));
    ScoredExamples scored;
    for (iai::Index start = 0; start < n; start += 100)
      scoreBatch(em, sampler, x.middleCols(start, std::min<iai::Index>(100, n - start)), elbo_rng,
                 is_rng, scored);
    FinalResult r;
    summarizeScores(scored, r);
    r.seconds_is = detail::seconds(t_eval);
    FinalConfig gap_config = fc;
    gap_config.eval_seed = e.seed;
    amortizationGapResults(em, x, gap_config, r);
    // train's "final" keys (docs/training.md) where they mean the same, so scripts/reproduce
    // tabulates both paths alike
    JsonLine line;
    line.add("type", "final").add("likelihood", iai::likelihoodName(likelihood)).add("inference", arm)
        .add("samples", e.samples).add("iterations", e.iterationsRun())
        .add("seed", static_cast<long>(e.seed)).add("data", data.description).add("dim", static_cast<long>(dim))
        .add("train_examples", static_cast<long>(train.size())).add("test_examples", static_cast<long>(n))
        .add("epochs_trained", epochs).add("max_epochs", epochs).add("test_elbo", r.elbo)
        .add("test_elbo_per_iteration", r.elbo_per_iteration).add("test_nll", r.nll)
        .add("test_nll_se_examples", r.nll_se_examples).add("is_se_of_mean", r.is_se_of_mean)
        .add("eval_samples", static_cast<long>(fc.is_samples));
    if (likelihood == iai::Likelihood::Multinomial) {
      const double total = std::accumulate(words.begin(), words.end(), 0.0);
      // Σ_d log p(x_d) = −n · mean NLL (and the same for the ELBO bound).
      line.add("perplexity", std::exp(r.nll * static_cast<double>(n) / total))
          .add("perplexity_elbo", std::exp(-r.elbo * static_cast<double>(n) / total))
          .add("test_words", total);
    } else {
      // With 8-bit data the model's log p includes −D log 256 (the bin of width 1/256).
      line.add("bits_per_dim", iai::bitsPerDim(r.nll, dim))
          .add("bits_per_dim_elbo", iai::bitsPerDim(-r.elbo, dim))
          .add("discretized", data.train && data.train->eightBit());
    }
    addGapFields(line, r, gap_config);
    line.add("seconds_train", train_seconds).add("seconds_is", r.seconds_is)
        .add("seconds_gap", r.seconds_gap).add("seconds_final", detail::seconds(t_eval)).print();

    // Figures.
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (data.height > 0) {
      const iai::Index k = std::min<iai::Index>(8, n);
      iai::Matrix<Scalar> q_mean(d, k), q_log_var(d, k), recon(dim, k), samples(dim, 8), z(d, 8);
      iai::Rng rng(e.seed, kFigureNoise);
      em.infer(x.leftCols(k), q_mean, q_log_var, rng);
      model.decode(q_mean, recon);
      iai::fillNormal(rng, z);
      model.decode(z, samples);
      iai::Matrix<Scalar> grid(dim, 3 * 8);
      grid.setZero();
      grid.leftCols(k) = x.leftCols(k);
      grid.middleCols(8, k) = recon;
      grid.rightCols(8) = samples;
      const std::string path = out + "/" + std::string(iai::likelihoodName(likelihood)) + "_" + arm + ".png";
      png::save(png::grid(grid.cast<float>(), 3, 8, data.height, data.width, data.channels), path);
      std::fprintf(stderr, "train: %s: rows: test inputs, reconstructions (mean of q), samples\n",
                   path.c_str());
    }
    if (!data.vocabulary.empty()) {
      // Top words per latent direction k: the largest increase of the logits η(z) from z = 0 to
      // z = 3 e_k (the first 10 directions).
      const iai::Index dirs = std::min<iai::Index>(10, d);
      iai::Matrix<Scalar> z = iai::Matrix<Scalar>::Zero(d, dirs + 1);
      for (iai::Index k = 0; k < dirs; ++k) z(k, k + 1) = 3;
      const iai::Matrix<Scalar> eta = model.decoder().forward(z);
      std::string text;
      for (iai::Index k = 0; k < dirs; ++k) {
        std::vector<iai::Index> order(static_cast<std::size_t>(dim));
        std::iota(order.begin(), order.end(), iai::Index{0});
        const auto delta = [&](iai::Index v) { return eta(v, k + 1) - eta(v, 0); };
        std::partial_sort(order.begin(), order.begin() + std::min<iai::Index>(10, dim), order.end(),
                          [&](iai::Index a, iai::Index b) { return delta(a) > delta(b); });
        text += "z" + std::to_string(k) + ":";
        for (iai::Index t = 0; t < std::min<iai::Index>(10, dim); ++t) {
          const auto v = static_cast<std::size_t>(order[static_cast<std::size_t>(t)]);
          text += ' ';
          if (v < data.vocabulary.size())
            text += data.vocabulary[v];
          else
            text += std::to_string(v + 1);
        }
        text += "\n";
      }
      iai::writeFileAtomically(out + "/top_words_" + arm + ".txt", text, "train");
    }
    return 0;
  };
  if (e.iterative()) {
    iai::IterativeInferenceConfig c = e.iterativeConfig();
    // Normalised gradients for both: ∇_λ L of a multinomial scales with the document length N
    // (the authors fed RCV1's raw gradients; on SpamAssassin, whose documents reach 8,457 words,
    // raw inputs diverged to an ELBO of −4·10^9 nats in the first epoch).
    if (e.encode == "gradients") c.gradient = iai::GradientEncoding::LayerNorm;
    iai::IterativeInferenceModel<Scalar> inference(dim, e.latent.front(), c, e.seed * 2 + 2);
    return run(inference);
  }
  auto inference = e.makeStandard(dim);
  return run(inference);
}

/// The authors' model and training configuration of `likelihood` (see the file comment): the
/// defaults of `train --likelihood gaussian|multinomial`.
inline void authorsConfiguration(iai::Likelihood likelihood, Experiment& e) {
  if (likelihood == iai::Likelihood::Gaussian) {  // the authors' CIFAR-10 configuration
    e.latent = {1024}, e.hidden = {2048}, e.inference_hidden = {2048}, e.inference_layers = 3;
    e.batch = 128, e.lr = 1e-4, e.samples = 10;
  } else if (likelihood == iai::Likelihood::Multinomial) {  // the authors' RCV1 configuration
    e.latent = {256}, e.hidden = {512, 512}, e.inference_hidden = {512}, e.inference_layers = 2;
    e.batch = 512, e.lr = 1e-4, e.samples = 1;
  }
}

/// What `train --likelihood gaussian|multinomial` runs with (train's table fills it).
struct LikelihoodOptions {
  iai::Likelihood likelihood = iai::Likelihood::Gaussian;
  Experiment exp;
  std::string data, out;
  long epochs = 1, train_examples = 0, test_examples = 0;
  FinalConfig final;  // K (is_samples) and the amortization gap's options
  long eval_examples = 1000, threads = 2;
  double max_grad_norm = 0;
};

/// The whole `train --likelihood gaussian|multinomial` program after its options are parsed.
inline int trainLikelihood(const LikelihoodOptions& o) {
  const iai::Likelihood likelihood = o.likelihood;
  const Experiment& e = o.exp;
  IAI_CHECK(e.levels == 1, "arguments", "--levels", e.levels,
            "1 with --likelihood gaussian or multinomial");
  const std::string& spec = o.data;
  const int epochs = static_cast<int>(o.epochs);
  const iai::Index train_examples = o.train_examples, test_examples = o.test_examples;
  const iai::Index eval_examples = o.eval_examples;
  const std::string& out = o.out;
  Eigen::setNbThreads(static_cast<int>(o.threads));
  const double max_grad_norm = o.max_grad_norm;

  LikelihoodData data = loadLikelihoodData(spec, likelihood);
  if (train_examples > 0 && train_examples < data.trainSize()) {
    if (data.sparse()) data.sparse_train = data.sparse_train->subset(0, train_examples);
    else data.train = data.train->subset(0, train_examples);
  }
  if (test_examples > 0 && test_examples < data.testSize()) {
    if (data.sparse()) data.sparse_test = data.sparse_test->subset(0, test_examples);
    else data.test = data.test->subset(0, test_examples);
  }
  const iai::Index dim = data.dim();
  if (likelihood == iai::Likelihood::Gaussian) {
    const bool eight_bit = data.train->eightBit();
    if (eight_bit) data.train->setDequantization(iai::Dequantization::Dynamic);
    iai::Gaussian<Scalar> obs({.mode = iai::LogVarMode::PerExample,
                               .discretization_offset = eight_bit,
                               .log_var_min = -7.0,
                               .log_var_max = 15.0},
                              dim);
    return trainWithObservation(obs, *data.train, data, e, likelihood, epochs, eval_examples,
                                o.final, out, max_grad_norm);
  }
  IAI_CHECK(likelihood == iai::Likelihood::Multinomial, "arguments", "--likelihood",
            iai::likelihoodName(likelihood), "gaussian or multinomial here (bernoulli is train's own path)");
  if (data.sparse())
    return trainWithObservation(iai::Multinomial<Scalar>{}, *data.sparse_train, data, e, likelihood,
                                epochs, eval_examples, o.final, out, max_grad_norm);
  return trainWithObservation(iai::Multinomial<Scalar>{}, *data.train, data, e, likelihood, epochs,
                              eval_examples, o.final, out, max_grad_norm);
}

}  // namespace examples
