// Paired evaluation (docs/results.md, Protocol): every inference model is scored on bitwise the
// same test inputs, which depend on the evaluation seed only, never on how much noise a model
// draws. Also the validation split and the stopping rule of `train` (examples/common/evaluation.hpp).
#include "support/catch.hpp"

#include <iai/data.hpp>
#include <iai/iai.hpp>

#include <span>
#include <vector>

#include "common/evaluation.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_paired_evaluation_test {

using iai::Index;
using iai::Matrix;
using S = double;
using Model = iai::LatentGaussianModel<S>;

namespace {

// Grey levels in (0, 1), so a binarisation is random.
iai::Dataset<S> greyData(Index d, Index n, std::uint64_t seed) {
  iai::Rng rng(seed);
  Matrix<S> v(d, n);
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < d; ++i) v(i, j) = 0.05 + 0.9 * rng.uniform();
  return iai::Dataset<S>::fromMatrix(std::move(v));
}

// A BatchSource that records every batch it hands out.
struct Recording {
  using Scalar = S;
  const iai::Dataset<S>* data;
  std::vector<Matrix<S>> batches;
  Index size() const { return data->size(); }
  Index dim() const { return data->dim(); }
  void gather(std::span<const Index> idx, iai::MatrixRef<S> out, iai::Rng& rng) {
    data->gather(idx, out, rng);
    batches.emplace_back(out);
  }
};

constexpr Index kD = 12, kLatent = 3, kN = 40, kBatch = 16;

template <class Inference>
std::vector<Matrix<S>> evaluatedBatches(Inference inference, const iai::Dataset<S>& data,
                                        bool two_streams) {
  Model model = Model::mlp(kLatent, kD, {8}, {}, 5);
  iai::TrainingConfig config;
  config.iterations = 3;
  config.elbo.samples = 4;
  iai::VariationalEM em(model, inference, config);
  Recording source{&data, {}};
  iai::Rng data_rng(7, 1), noise_rng(7, 2);
  if (two_streams)
    em.evaluate(source, kBatch, data_rng, noise_rng);
  else
    em.evaluate(source, kBatch, data_rng);  // one stream for data and noise (the old protocol)
  return source.batches;
}

}  // namespace

TEST_CASE("VariationalEM::evaluate with separate streams: a standard and an iterative inference "
          "model see identical test batches",
          "[evaluation][paired]") {
  iai::Dataset<S> data = greyData(kD, kN, 3);
  data.setBinarization(iai::Binarization::Dynamic, 0);
  const iai::StandardInferenceModel<S> standard(kD, kLatent, {.hidden = 8, .layers = 1}, 1);
  const iai::IterativeInferenceModel<S> iterative(kD, kLatent, {.network = {.hidden = 8, .layers = 1}}, 2);
  const auto a = evaluatedBatches(standard, data, true);
  const auto b = evaluatedBatches(iterative, data, true);
  REQUIRE(a.size() == 3);  // 16 + 16 + 8 examples
  REQUIRE(b.size() == a.size());
  for (std::size_t k = 0; k < a.size(); ++k) CHECK(a[k] == b[k]);

  // The control: with one shared stream the iterative model's extra noise draws change the
  // binarisation of every batch after the first (the bug the two-stream overload removes).
  const auto a1 = evaluatedBatches(standard, data, false);
  const auto b1 = evaluatedBatches(iterative, data, false);
  REQUIRE(a1.size() == 3);
  CHECK(a1[0] == b1[0]);
  CHECK(a1[1] != b1[1]);
  CHECK(a1[2] != b1[2]);
}

TEST_CASE("pairedTestInputs are a function of the evaluation seed only", "[evaluation][paired]") {
  const iai::Dataset<S> test = greyData(kD, kN, 4);
  const Matrix<S> x = examples::pairedTestInputs(test, 30, 9);
  REQUIRE(x.rows() == kD);
  REQUIRE(x.cols() == 30);
  CHECK(((x.array() == 0.0) || (x.array() == 1.0)).all());
  // whatever else drew random numbers in between, and whatever n: the same columns
  iai::Rng other(9, examples::streams::kTestBinarisation);
  for (int k = 0; k < 1000; ++k) (void)other();
  CHECK(examples::pairedTestInputs(test, 30, 9) == x);
  CHECK(examples::pairedTestInputs(test, 10, 9) == x.leftCols(10));
  // column j is Bernoulli(pixel) from Rng(testBinarisationSeed(seed), j)
  iai::Rng col5(examples::testBinarisationSeed(9), 5);
  for (Index i = 0; i < kD; ++i)
    CHECK(x(i, 5) == (col5.uniform() < test.values()(i, 5) ? 1.0 : 0.0));
  // another evaluation seed is another binarisation
  CHECK(examples::pairedTestInputs(test, 30, 10) != x);
  CHECK_THROWS_AS(examples::pairedTestInputs(test, 0, 9), iai::invalid_argument);
  CHECK_THROWS_AS(examples::pairedTestInputs(test, kN + 1, 9), iai::invalid_argument);
}

TEST_CASE("splitValidation holds out a seeded, disjoint part of the training set",
          "[evaluation][paired]") {
  Matrix<S> v(2, 50);
  for (Index j = 0; j < 50; ++j) v(0, j) = static_cast<S>(j) / 100.0, v(1, j) = 0.5;
  const auto train = iai::Dataset<S>::fromMatrix(v);
  const auto [kept, validation] = examples::splitValidation(train, 10, 3);
  REQUIRE(kept.size() == 40);
  REQUIRE(validation.size() == 10);
  CHECK(validation.binarization() == iai::Binarization::Static);
  std::vector<int> seen(50, 0);
  for (Index j = 0; j < kept.size(); ++j) ++seen[static_cast<std::size_t>(std::lround(kept.values()(0, j) * 100))];
  for (Index j = 0; j < validation.size(); ++j)
    ++seen[static_cast<std::size_t>(std::lround(validation.values()(0, j) * 100))];
  for (int s : seen) CHECK(s == 1);
  // the same seed gives the same split, another seed another one
  CHECK(examples::splitValidation(train, 10, 3).second.values() == validation.values());
  CHECK(examples::splitValidation(train, 10, 4).second.values() != validation.values());
  CHECK(examples::validationCount(0.1, 8000) == 800);
  CHECK(examples::validationCount(64, 8000) == 64);
  CHECK(examples::validationCount(0, 8000) == 0);
  CHECK_THROWS_AS(examples::validationCount(8000, 8000), iai::invalid_argument);
  CHECK_THROWS_AS(examples::validationCount(2.5, 8000), iai::invalid_argument);
}

TEST_CASE("StoppingRule: stop when the best validation ELBO gained < min_gain over `patience` "
          "epochs",
          "[evaluation][paired]") {
  const examples::StoppingRule rule{.patience = 3, .min_gain = 0.1};
  CHECK_FALSE(rule.shouldStop({}));
  CHECK_FALSE(rule.shouldStop({-100, -100, -100}));          // not yet patience + 1 epochs
  CHECK(rule.shouldStop({-100, -100, -100, -100}));           // no gain over 3 epochs
  CHECK_FALSE(rule.shouldStop({-100, -99.95, -99.95, -99.85}));  // +0.15 over the last 3
  CHECK(rule.shouldStop({-100, -99.95, -99.95, -99.92}));     // +0.08 < 0.1
  CHECK(rule.shouldStop({-100, -90, -95, -95, -95}));         // best −90 at epoch 2, then nothing
  CHECK_FALSE(rule.shouldStop({-100, -90, -95, -95, -89.5}));
  const examples::StoppingRule off{.patience = 0, .min_gain = 0.1};
  CHECK_FALSE(off.shouldStop({-1, -1, -1, -1, -1, -1}));
}

}  // namespace iai_test_paired_evaluation_test
