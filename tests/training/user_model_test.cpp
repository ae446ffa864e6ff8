// A latent Gaussian model written only against the documented concept (docs/concepts.md): no
// iai base class, its own decoder x = A tanh(z) + c + N(0, σ²I) and its own hand-written gradient
// (examples/custom_model.hpp, the file docs/concepts.md shows). It trains through the same
// variational EM loop as the library's models.
#include "support/catch.hpp"

#include "custom_model.hpp"

#include <iai/inference.hpp>
#include <iai/testing/gradient_check.hpp>
#include <iai/training.hpp>

#include <Eigen/Core>
#include <cmath>
#include <limits>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_user_model_test {

namespace {

using TanhDecoderModel = my::TanhDecoderModel;

// The same user model with a switch that makes its log-likelihood NaN (fault injection).
struct FaultyModel : my::TanhDecoderModel {
  using my::TanhDecoderModel::TanhDecoderModel;
  bool inject_nan_ = false;
  void logLikelihood(const ConstRef& x, const ConstRef& z, Eigen::Ref<Eigen::RowVectorXd> out) {
    my::TanhDecoderModel::logLikelihood(x, z, out);
    if (inject_nan_) out(0) = std::numeric_limits<double>::quiet_NaN();
  }
};

static_assert(iai::concepts::DifferentiableGenerativeModel<TanhDecoderModel>);
static_assert(!iai::concepts::ErrorSignalModel<TanhDecoderModel>);
static_assert(iai::concepts::DifferentiableGenerativeModel<FaultyModel>);

}  // namespace

TEST_CASE("A user-defined model's hand-written gradient passes the library's gradient check",
          "[training]") {
  TanhDecoderModel model(5, 2, 1);
  iai::Rng rng(2);
  Eigen::MatrixXd x(5, 3), z(2, 3), grad_z(2, 3);
  iai::fillNormal(rng, x);
  iai::fillNormal(rng, z);
  Eigen::RowVectorXd out(3);
  auto f = [&] { model.logLikelihood(x, z, out); return out.sum(); };
  f();
  model.gradTheta().setZero();
  model.logLikelihoodBackward(x, z, 1.0, grad_z, iai::ParamGrad::Accumulate);
  CHECK(iai::testing::relativeError(grad_z, iai::testing::numericalGradient(f, z)) < 1e-6);
  const Eigen::VectorXd g = model.gradTheta();
  CHECK(iai::testing::relativeError(g, iai::testing::numericalGradient(f, model.theta())) < 1e-6);
}

TEST_CASE("A user-defined model trains through the variational EM loop (standard and iterative)",
          "[training]") {
  TanhDecoderModel teacher(8, 2, 7);
  iai::Rng rng(3);
  Eigen::MatrixXd z(2, 1024), data(8, 1024);
  teacher.sample(rng, z, data);
  iai::MatrixBatchSource<double> source(data);
  iai::TrainingConfig config;
  config.elbo = {.samples = 2};
  config.theta_optimizer.learning_rate = 3e-3;
  config.phi_optimizer.learning_rate = 3e-3;
  config.batch_size = 32;
  config.iterations = 3;

  TanhDecoderModel student(8, 2, 11);
  iai::IterativeInferenceModel<double> iterative(8, 2, {.network = {.hidden = 16, .layers = 1}}, 5);
  iai::VariationalEM em(student, iterative, config);
  iai::Rng eval_rng(4);
  const double before = em.evaluate(source, 256, eval_rng).back();
  const auto stats = em.fit(source, 15);
  const double after = em.evaluate(source, 256, eval_rng).back();
  INFO("ELBO before " << before << ", after " << after);
  CHECK(after > before + 1.0);
  CHECK(stats.steps == 1024 / 32);
  CHECK(em.epoch() == 15);

  TanhDecoderModel student2(8, 2, 11);
  iai::StandardInferenceModel<double> standard(8, 2, {.hidden = 16, .layers = 1}, 5);
  iai::VariationalEM em2(student2, standard, config);
  const double before2 = em2.evaluate(source, 256, eval_rng).back();
  em2.fit(source, 15);
  CHECK(em2.evaluate(source, 256, eval_rng).back() > before2 + 1.0);
}

TEST_CASE("A non-finite ELBO skips the step without touching any parameter, and "
          "StopOnNonFinite stops training",
          "[training]") {
  FaultyModel model(4, 2, 1);
  iai::Rng rng(5);
  Eigen::MatrixXd z(2, 64), data(4, 64);
  model.sample(rng, z, data);
  iai::MatrixBatchSource<double> source(data);
  iai::StandardInferenceModel<double> enc(4, 2, {.hidden = 8, .layers = 1}, 2);
  iai::VariationalEM em(model, enc, {.batch_size = 16});
  em.fit(source, 1);  // a few good steps
  const Eigen::VectorXd theta = model.theta(), phi = enc.phi();
  model.inject_nan_ = true;
  iai::StopOnNonFinite stop;
  const auto stats = em.fit(source, 3, stop);
  CHECK(stop.failed_step == em.steps());
  CHECK(stats.skipped_steps == 1);
  CHECK(em.epoch() == 2);  // stopped during the first of the three epochs
  CHECK(model.theta() == theta);
  CHECK(enc.phi() == phi);
}

TEST_CASE("Training stops with a clear error after too many non-finite steps in a row, and the "
          "parameters stay those of the last good step",
          "[training]") {
  FaultyModel model(4, 2, 1);
  iai::Rng rng(6);
  Eigen::MatrixXd z(2, 64), data(4, 64);
  model.sample(rng, z, data);
  iai::MatrixBatchSource<double> source(data);
  iai::StandardInferenceModel<double> enc(4, 2, {.hidden = 8, .layers = 1}, 2);
  iai::VariationalEM em(model, enc, {.max_consecutive_faults = 3, .batch_size = 8});
  em.fit(source, 1);
  const Eigen::VectorXd theta = model.theta(), phi = enc.phi();
  const auto steps = em.steps();
  model.inject_nan_ = true;
  CHECK_THROWS_WITH(em.fit(source, 5),
                    Catch::Contains("VariationalEM::fit: the number of consecutive non-finite "
                                    "steps is 3, but must be below config.max_consecutive_faults"));
  CHECK(em.steps() == steps + 3);
  CHECK(model.theta() == theta);
  CHECK(enc.phi() == phi);
  CHECK_THROWS_AS(iai::VariationalEM(model, enc, {.max_consecutive_faults = 0}),
                  iai::invalid_argument);
}

}  // namespace iai_test_user_model_test
