// The evaluation protocol of `train` and scripts/reproduce (docs/results.md, "Protocol"):
//  - random streams: every source of randomness has its own iai::Rng(seed, stream), so what one
//    inference model draws cannot shift what another sees;
//  - paired test inputs: the first n test images binarised ONCE per evaluation seed (column j from
//    Rng(testBinarisationSeed(eval_seed), j)), a function of the evaluation seed only, so every arm
//    is scored on bitwise the same inputs;
//  - a seeded validation split of the training set (statically binarised) for per-epoch ELBOs and
//    early stopping; the test set is touched only for the final numbers;
//  - the stopping rule: stop when the validation ELBO gained < min_gain nats over `patience` epochs;
//  - the final numbers: test ELBO per inference iteration, importance-sampled log p(x) with K
//    samples and its standard errors (the paper's K = 5000, §5; docs/evaluation.md), and the amortization
//    gap of the final estimate, refined by Adam on λ (Eq. 4) until N more steps change the mean ELBO
//    by < tolerance (iai::amortizationGapToConvergence), and for iterative models after each
//    t = 1 … 2T against the same refined ELBO.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <iai/core/file.hpp>
#include <iai/data.hpp>
#include <iai/evaluation.hpp>
#include <iai/iai.hpp>

#include "json.hpp"

namespace examples {

/// Stream numbers of iai::Rng(seed, stream). The library's VariationalEM uses streams 0–2 of the
/// training seed (noise, shuffling, dynamic binarisation of the training batches).
namespace streams {
inline constexpr std::uint64_t kSplit = 11;                   // training seed: validation split
inline constexpr std::uint64_t kValidationBinarisation = 12;  // training seed
inline constexpr std::uint64_t kValidationNoise = 13;         // training seed, restarted per epoch
inline constexpr std::uint64_t kTestBinarisation = 21;        // evaluation seed
inline constexpr std::uint64_t kElbo = 22;                    // evaluation seed: test ELBO noise
inline constexpr std::uint64_t kImportance = 23;              // evaluation seed: IS noise
inline constexpr std::uint64_t kGapInference = 24;            // evaluation seed: λ_t for the gap
inline constexpr std::uint64_t kGap = 25;                     // evaluation seed: gap ε + refinement
inline constexpr std::uint64_t kFigure = 26;                  // evaluation seed: reconstructions
}  // namespace streams

/// A seed derived from (seed, stream): the first draw of that stream (for Dataset::setBinarization,
/// whose Static sample uses Rng(derived, column)).
inline std::uint64_t derivedSeed(std::uint64_t seed, std::uint64_t stream) {
  iai::Rng rng(seed, stream);
  return rng();
}

/// The seed of the static test binarisation of evaluation seed `eval_seed`.
inline std::uint64_t testBinarisationSeed(std::uint64_t eval_seed) {
  return derivedSeed(eval_seed, streams::kTestBinarisation);
}

/// The paired test inputs: examples 0 … n−1 of `test` (grey levels), binarised once from
/// Rng(testBinarisationSeed(eval_seed), j) for column j. A function of (test, n, eval_seed) only.
template <class S>
iai::Matrix<S> pairedTestInputs(const iai::Dataset<S>& test, iai::Index n, std::uint64_t eval_seed) {
  IAI_CHECK(n >= 1 && n <= test.size(), "pairedTestInputs", "n", n,
            "in [1, test.size() = " + std::to_string(test.size()) + "]");
  iai::Dataset<S> part = test.subset(0, n);
  part.setBinarization(iai::Binarization::Static, testBinarisationSeed(eval_seed));
  iai::Matrix<S> x(part.dim(), n);
  std::vector<iai::Index> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), iai::Index{0});
  iai::Rng unused;  // Static binarisation draws nothing
  part.gather(idx, x, unused);
  return x;
}

/// Number of validation examples from --validation: a count (≥ 1) or a fraction in (0, 1).
inline iai::Index validationCount(double value, iai::Index train_size) {
  IAI_CHECK(value >= 0 && std::isfinite(value), "arguments", "--validation", value,
            "a count ≥ 0 or a fraction in (0, 1)");
  const iai::Index n = value < 1 ? static_cast<iai::Index>(std::llround(value * static_cast<double>(train_size)))
                                 : static_cast<iai::Index>(value);
  IAI_CHECK(value < 1 || value == std::floor(value), "arguments", "--validation", value,
            "a whole count or a fraction in (0, 1)");
  IAI_CHECK(n < train_size, "arguments", "--validation", value,
            "fewer than the " + std::to_string(train_size) + " training examples");
  return n;
}

/// Splits `train` into (train without validation, validation): the validation examples are the
/// first n of a shuffle with Rng(seed, streams::kSplit); both keep their original order. The
/// validation set is binarised statically (Rng(derivedSeed(seed, kValidationBinarisation), j)).
template <class S>
std::pair<iai::Dataset<S>, iai::Dataset<S>> splitValidation(const iai::Dataset<S>& train,
                                                            iai::Index n, std::uint64_t seed) {
  IAI_CHECK(n >= 1 && n < train.size(), "splitValidation", "n", n,
            "in [1, train.size() = " + std::to_string(train.size()) + ")");
  iai::Rng rng(seed, streams::kSplit);
  std::vector<iai::Index> order = train.shuffledIndices(rng);
  std::vector<iai::Index> val(order.begin(), order.begin() + n), rest(order.begin() + n, order.end());
  std::sort(val.begin(), val.end());
  std::sort(rest.begin(), rest.end());
  iai::Dataset<S> validation = train.take(val), kept = train.take(rest);
  validation.setBinarization(iai::Binarization::Static,
                             derivedSeed(seed, streams::kValidationBinarisation));
  kept.setBinarization(train.binarization(), train.binarizationSeed());
  return {std::move(kept), std::move(validation)};
}

/// Early stopping on the validation ELBO: stop after epoch e when
/// max(v_1 … v_e) − max(v_1 … v_{e−patience}) < min_gain (patience 0: never).
struct StoppingRule {
  long patience = 10;
  double min_gain = 0.1;
  bool shouldStop(const std::vector<double>& validation) const {
    const auto e = static_cast<long>(validation.size());
    if (patience <= 0 || e <= patience) return false;
    const auto best = [&](long upto) {
      return *std::max_element(validation.begin(), validation.begin() + upto);
    };
    return !(best(e) - best(e - patience) >= min_gain);  // NaN counts as no gain
  }
};

/// The per-epoch history that makes a run resumable with its stopping rule and curves: one JSON
/// line per epoch in `path` (written atomically after every epoch, before the checkpoint).
class History {
 public:
  explicit History(std::string path = {}) : path_(std::move(path)) {}
  const std::vector<std::string>& lines() const { return lines_; }

  /// Reads the lines of epochs 1 … epoch (a checkpoint's epoch); later lines (an epoch whose
  /// checkpoint was not written) are dropped.
  void load(int epoch) {
    lines_.clear();
    std::ifstream f(path_);
    std::string line;
    while (std::getline(f, line)) {
      const auto e = jsonNumber(line, "epoch");
      if (e && *e >= 1 && *e <= epoch) lines_.push_back(line);
    }
  }
  void append(const std::string& line) {
    lines_.push_back(line);
    if (path_.empty()) return;
    std::string text;
    for (const std::string& l : lines_) text += l + '\n';
    iai::writeFileAtomically(path_, text, "History::append");  // atomic, no link following
  }
  std::vector<double> values(const std::string& key) const {
    std::vector<double> out;
    for (const std::string& l : lines_) out.push_back(jsonNumber(l, key).value_or(std::nan("")));
    return out;
  }

 private:
  std::string path_;
  std::vector<std::string> lines_;
};

struct FinalConfig {
  std::uint64_t eval_seed = 0;
  iai::Index batch = 100;           // examples per inference/IS batch
  iai::Index is_samples = 5000;     // K
  iai::Index is_chunk = 50;
  iai::Index gap_examples = 200;    // 0: no gap
  iai::Index gap_samples = 10;      // S of the gap's ELBOs and of the refinement
  double gap_lr = 0.01;             // Adam on λ
  iai::Index gap_steps = 100;       // first inspection N; then 2N, 4N, …
  iai::Index gap_max_steps = 3200;
  double gap_tolerance = 0.01;      // nats, on the mean ELBO over the gap examples
  iai::Index past_iterations = 0;   // iterative: gap after t = 1 … max(T, this)
};

struct FinalResult {
  iai::Index examples = 0;
  double elbo = 0;                               // mean test ELBO of the final estimate
  std::vector<double> elbo_per_iteration;        // t = 0 … T (standard: one value)
  double nll = 0;                                // −mean log p̂(x)
  double nll_se_examples = 0;                    // s.d. of −log p̂(x_j) over examples / √n
  double is_se_of_mean = 0;                      // √(Σ_j se_j²) / n: the IS error of `nll`
  double is_se_median = 0;                       // median per-example IS s.e.
  iai::Index gap_examples = 0;
  double gap_elbo_amortized = 0, gap_elbo_refined = 0, gap = 0, gap_se = 0;
  iai::Index gap_steps = 0;
  bool gap_converged = false;
  double gap_last_change = 0;
  std::vector<double> gap_per_iteration;         // iterative: after t = 1 … t_max
  std::vector<double> gap_refined_means;         // mean refined ELBO at N, 2N, 4N, … steps
  double seconds_is = 0, seconds_gap = 0;
};

namespace detail {
inline double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
inline double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
/// Standard error of the mean of v (sample s.d. / √n); 0 for fewer than two values.
inline double standardError(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}
}  // namespace detail

/// The per-example results of the test ELBO and importance-sampling pass, in example order.
struct ScoredExamples {
  double elbo_sum = 0;               // Σ_j ELBO of the final estimate
  std::vector<double> trace_sums;    // Σ_j ELBO after each inference iteration (t = 0 … T)
  std::vector<double> nll, is_se;    // −log p̂(x_j) and its IS standard error
};

/// Scores the columns xb: their ELBO (noise from elbo_rng) and −log p̂(x) with K = sampler's
/// samples (noise from is_rng); appends to `out`.
template <class M, class I>
void scoreBatch(iai::VariationalEM<M, I>& em, iai::ImportanceSampler<M>& sampler,
                const iai::ConstMatrixRef<typename M::Scalar>& xb, iai::Rng& elbo_rng,
                iai::Rng& is_rng, ScoredExamples& out) {
  using S = typename M::Scalar;
  const iai::Index b = xb.cols(), d = em.model().latentDim();
  iai::Matrix<S> mean(d, b), log_var(d, b);
  iai::RowVector<S> log_px(b), se(b);
  std::vector<double> trace;
  em.infer(xb, mean, log_var, elbo_rng, &trace);
  out.elbo_sum += em.lastElbo().template cast<double>().sum();
  out.trace_sums.resize(trace.size(), 0.0);
  for (std::size_t t = 0; t < trace.size(); ++t) out.trace_sums[t] += trace[t] * static_cast<double>(b);
  iai::RowVectorRef<S> se_ref(se);
  sampler.logMarginal(em.model(), xb, mean, log_var, is_rng, log_px, &se_ref);
  for (iai::Index j = 0; j < b; ++j) {
    out.nll.push_back(-static_cast<double>(log_px(j)));
    out.is_se.push_back(static_cast<double>(se(j)));
  }
}

/// The test ELBO and −log p(x) entries of a FinalResult from the scored examples.
inline void summarizeScores(const ScoredExamples& s, FinalResult& r) {
  const double n = static_cast<double>(s.nll.size());
  r.examples = static_cast<iai::Index>(s.nll.size());
  r.elbo = s.elbo_sum / n;
  r.elbo_per_iteration = s.trace_sums;
  for (double& v : r.elbo_per_iteration) v /= n;
  r.nll = detail::mean(s.nll);
  r.nll_se_examples = detail::standardError(s.nll);
  double ss = 0;
  for (double e : s.is_se) ss += e * e;
  r.is_se_of_mean = std::sqrt(ss) / n;
  std::vector<double> sorted = s.is_se;
  std::sort(sorted.begin(), sorted.end());
  r.is_se_median = sorted[sorted.size() / 2];
}

/// The amortization gap entries of a FinalResult, on the first gap_examples columns of x.
template <class M, class I>
void amortizationGapResults(iai::VariationalEM<M, I>& em, const iai::Matrix<typename M::Scalar>& x,
                            const FinalConfig& c, FinalResult& r) {
  using S = typename M::Scalar;
  using Em = iai::VariationalEM<M, I>;
  M& model = em.model();
  const iai::Index n = x.cols(), d = model.latentDim();
  if (c.gap_examples <= 0) return;
  // Amortization gap on the first gap_examples inputs: λ = the final estimate (λ_T), refined by
  // Adam on λ until N more steps change the mean ELBO by < tolerance; both ELBOs with the same ε.
  const auto t_gap = std::chrono::steady_clock::now();
  const iai::Index g = std::min(c.gap_examples, n);
  r.gap_examples = g;
  const iai::Matrix<S> xg = x.leftCols(g);
  const iai::ElboConfig elbo{.samples = c.gap_samples};
  const iai::Rng infer_start(c.eval_seed, streams::kGapInference), gap_start(c.eval_seed, streams::kGap);
  iai::Matrix<S> mg(d, g), lvg(d, g);
  {
    iai::Rng rng = infer_start;
    em.infer(xg, mg, lvg, rng);
  }
  iai::Rng gap_rng = gap_start;
  const auto refined = iai::amortizationGapToConvergence(
      model, xg, mg, lvg,
      {.optimizer = iai::LambdaOptimizer::Adam, .learning_rate = c.gap_lr, .steps = c.gap_steps},
      elbo, c.gap_tolerance, c.gap_max_steps, gap_rng);
  const iai::RowVector<S> gaps = refined.gap();
  std::vector<double> gv(gaps.data(), gaps.data() + gaps.size());
  r.gap_elbo_amortized = refined.elbo_amortized.template cast<double>().mean();
  r.gap_elbo_refined = refined.elbo_optimized.template cast<double>().mean();
  r.gap = detail::mean(gv);
  r.gap_se = detail::standardError(gv);
  r.gap_steps = refined.steps;
  r.gap_converged = refined.converged;
  r.gap_last_change = refined.last_change;
  r.gap_refined_means = refined.refined_means;
  if constexpr (Em::kIterative) {
    // λ_t for t = 1 … t_max from the same noise (a run with t iterations is the prefix of a longer
    // one), each scored with the gap's ε (amortizationGap with 0 steps draws ε first, as above)
    const iai::Index t_max = std::max<iai::Index>(em.iterations(), c.past_iterations);
    for (iai::Index t = 1; t <= t_max; ++t) {
      iai::TrainingConfig config = em.config();
      config.iterations = t;
      Em em_t(model, em.inference(), config);
      iai::Rng rng = infer_start;
      em_t.infer(xg, mg, lvg, rng);
      iai::Rng eps_rng = gap_start;
      const auto at_t = iai::amortizationGap(model, xg, mg, lvg, {.steps = 0}, elbo, eps_rng);
      r.gap_per_iteration.push_back(r.gap_elbo_refined -
                                    at_t.elbo_amortized.template cast<double>().mean());
    }
  }
  r.seconds_gap = detail::seconds(t_gap);
}

/// The amortization gap's entries of a "final" JSON line (docs/training.md), one schema for
/// every observation model.
inline JsonLine& addGapFields(JsonLine& line, const FinalResult& r, const FinalConfig& c) {
  return line.add("gap_examples", static_cast<long>(r.gap_examples))
      .add("gap_samples", static_cast<long>(c.gap_samples))
      .add("gap_lr", c.gap_lr)
      .add("gap_tolerance", c.gap_tolerance)
      .add("gap_first_steps", static_cast<long>(c.gap_steps))
      .add("gap_refine_steps", static_cast<long>(r.gap_steps))
      .add("gap_converged", r.gap_converged)
      .add("gap_last_change", r.gap_last_change)
      .add("gap_refined_elbo_at_doublings", r.gap_refined_means)
      .add("elbo_amortized", r.gap_elbo_amortized)
      .add("elbo_refined", r.gap_elbo_refined)
      .add("amortization_gap", r.gap)
      .add("amortization_gap_se", r.gap_se)
      .add("gap_per_iteration", r.gap_per_iteration);
}

/// The final measurements of a trained model on the paired inputs x (D × n). Noise: test ELBO
/// from Rng(eval_seed, kElbo), IS from Rng(eval_seed, kImportance) (the same draws for every arm
/// of the same latent size), the gap from kGapInference/kGap.
/// `progress` (optional) reports the batches scored ("test ELBO and IS" k of n, with an ETA).
template <class M, class I>
FinalResult finalEvaluation(iai::VariationalEM<M, I>& em, const iai::Matrix<typename M::Scalar>& x,
                            const FinalConfig& c, iai::ProgressBar* progress = nullptr) {
  const auto t_is = std::chrono::steady_clock::now();
  iai::Rng elbo_rng(c.eval_seed, streams::kElbo), is_rng(c.eval_seed, streams::kImportance);
  iai::ImportanceSampler<M> sampler(c.is_samples, c.is_chunk);
  ScoredExamples scored;
  const iai::Index n_batches = (x.cols() + c.batch - 1) / c.batch;
  if (progress) progress->onProgress("test ELBO and IS", 0, n_batches);
  for (iai::Index k = 0; k < n_batches; ++k) {
    const iai::Index start = k * c.batch;
    scoreBatch(em, sampler, x.middleCols(start, std::min(c.batch, x.cols() - start)), elbo_rng,
               is_rng, scored);
    if (progress) progress->onProgress("test ELBO and IS", k + 1, n_batches);
  }
  FinalResult r;
  summarizeScores(scored, r);
  r.seconds_is = detail::seconds(t_is);
  amortizationGapResults(em, x, c, r);
  return r;
}

}  // namespace examples
