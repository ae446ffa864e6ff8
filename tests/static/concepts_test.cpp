// Compile-time tests of the concepts: each archetype models its concept, and a type missing one
// capability does not. (tests/static/compile_fail/ checks the plain-words error messages.)
#include "support/catch.hpp"

#include <iai/iai.hpp>
#include <iai/testing/archetypes.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_concepts_test {

namespace a = iai::testing::archetypes;
namespace c = iai::concepts;

// positive
static_assert(c::GenerativeModel<a::MinimalGenerativeModel>);
static_assert(c::DifferentiableGenerativeModel<a::MinimalGenerativeModel>);
static_assert(!c::ErrorSignalModel<a::MinimalGenerativeModel>);
static_assert(c::ErrorSignalModel<a::MinimalErrorSignalModel>);
static_assert(c::InferenceModel<a::MinimalInferenceModel>);
static_assert(!c::IterativeInferenceModel<a::MinimalInferenceModel>);
static_assert(c::IterativeInferenceModel<a::MinimalIterativeInferenceModel>);
static_assert(!c::InferenceModel<a::MinimalIterativeInferenceModel>);
static_assert(c::BatchSource<a::MinimalBatchSource>);
// the library's own types
static_assert(c::ErrorSignalModel<iai::LatentGaussianModel<float>>);
static_assert(c::ErrorSignalModel<iai::LatentGaussianModel<double, iai::Gaussian<double>>>);
static_assert(c::ErrorSignalModel<iai::LinearGaussianModel<double>>);
static_assert(c::InferenceModel<iai::StandardInferenceModel<float>>);
static_assert(c::IterativeInferenceModel<iai::IterativeInferenceModel<float>>);
static_assert(c::BatchSource<iai::MatrixBatchSource<float>>);

// negative: one capability missing each
namespace {
struct NoScalar {
  iai::Index latentDim() const { return 1; }
};
struct NoBackward : a::MinimalGenerativeModel {
  void logLikelihoodBackward() = delete;
};
struct NoLatentDim {
  using Scalar = double;
  iai::Index observedDim() const { return 1; }
  void logLikelihood(const iai::ConstMatrixRef<double>&, const iai::ConstMatrixRef<double>&,
                     iai::RowVectorRef<double>) {}
  void sample(iai::Rng&, iai::MatrixRef<double>, iai::MatrixRef<double>) {}
};
struct NoTheta : a::MinimalGenerativeModel {
  void theta() = delete;
};
struct NoSample : a::MinimalGenerativeModel {
  void sample() = delete;
};
struct NoInfer : a::MinimalInferenceModel {
  void infer() = delete;
};
struct NoPhi : a::MinimalInferenceModel {
  void phi() = delete;
};
struct NoSignals : a::MinimalIterativeInferenceModel {
  void signals() = delete;
};
struct NoUpdate : a::MinimalIterativeInferenceModel {
  void update() = delete;
};
struct NoGather : a::MinimalBatchSource {
  void gather() = delete;
};
}  // namespace
static_assert(!c::GenerativeModel<NoScalar>);
static_assert(!c::GenerativeModel<NoLatentDim>);
static_assert(!c::GenerativeModel<NoSample>);
static_assert(c::GenerativeModel<NoBackward> && !c::DifferentiableGenerativeModel<NoBackward>);
static_assert(!c::DifferentiableGenerativeModel<NoTheta>);
static_assert(!c::InferenceModel<NoInfer>);
static_assert(!c::InferenceModel<NoPhi>);
static_assert(!c::IterativeInferenceModel<NoSignals>);
static_assert(!c::IterativeInferenceModel<NoUpdate>);
static_assert(!c::BatchSource<NoGather>);

TEST_CASE("Concept archetypes compile and their negatives are rejected (checked at compile time)",
          "[static]") {
  // The archetypes also run through the library's composition points.
  a::MinimalGenerativeModel model;
  a::MinimalIterativeInferenceModel inference;
  iai::VariationalEM em(model, inference, {.iterations = 2, .batch_size = 1});
  CHECK(em.iterations() == 2);
}

}  // namespace iai_test_concepts_test
