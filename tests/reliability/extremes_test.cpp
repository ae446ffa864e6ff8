// Numerical extremes stay finite (issue 6, docs/reliability.md): log_var at the clamps ±15,
// logits of ±1e4, all-zero and all-one images, zero gradients (log-magnitude encoding), through
// the ELBO, its gradients, the iterative update, a training step and importance sampling.
#include "support/catch.hpp"

#include <iai/evaluation.hpp>
#include <iai/inference.hpp>
#include <iai/models.hpp>
#include <iai/training.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_extremes_test {

using iai::Index;

namespace {

constexpr Index kD = 16, kLatent = 3, kBatch = 4;

/// A Bernoulli model (ELU MLP decoder 3 → 8 → 16) whose logits are exactly `logit` for every z
/// (last layer: zero weights, bias = logit), or, with logit = 0, a random decoder scaled by 50
/// (logits of thousands for the z drawn with log_var = 15).
template <class S>
iai::LatentGaussianModel<S> modelWithLogits(double logit) {
  auto model = iai::LatentGaussianModel<S>::mlp(kLatent, kD, {8}, {}, 7);
  if (logit == 0.0) {
    model.theta() *= S(50);
  } else {
    auto& last = model.decoder().linear(model.decoder().linearCount() - 1);
    last.weight().setZero();
    last.bias().setConstant(static_cast<S>(logit));
  }
  return model;
}

template <class S>
iai::Matrix<S> image(double value) {
  return iai::Matrix<S>::Constant(kD, kBatch, static_cast<S>(value));
}

}  // namespace

TEMPLATE_TEST_CASE(
    "Extremes: the ELBO, its gradients and an iterative update stay finite on "
    "all-zero and all-one images with log_var at the clamps and logits of +-1e4",
    "[reliability][extremes]", float, double) {
  using S = TestType;
  using Model = iai::LatentGaussianModel<S>;
  for (double logit : {1e4, -1e4, 0.0}) {
    for (double pixel : {0.0, 1.0}) {
      for (double log_var_value : {-15.0, 15.0}) {
        for (bool errors : {false, true}) {
          INFO("logit " << logit << ", images of " << pixel << ", log_var " << log_var_value
                        << ", error signals " << errors);
          Model model = modelWithLogits<S>(logit);
          const iai::Matrix<S> x = image<S>(pixel);
          const iai::Matrix<S> mean = iai::Matrix<S>::Constant(kLatent, kBatch, S(3));
          const iai::Matrix<S> log_var =
              iai::Matrix<S>::Constant(kLatent, kBatch, static_cast<S>(log_var_value));
          iai::Elbo<Model> elbo({.samples = 3});
          iai::Rng rng(11);
          model.gradTheta().setZero();
          elbo.evaluate(model, x, mean, log_var, rng,
                        {.grad_lambda = true,
                         .grad_theta = true,
                         .errors = errors,
                         .error_weighting = iai::ErrorWeighting::Precision});
          CHECK(elbo.elbo().allFinite());
          CHECK(elbo.gradMean().allFinite());
          CHECK(elbo.gradLogVar().allFinite());
          CHECK(model.gradTheta().allFinite());
          if (errors) CHECK((elbo.errorX().allFinite() && elbo.errorZ().allFinite()));

          iai::IterativeInferenceModel<S> inference(
              kD, kLatent,
              {.network = {.hidden = 8, .layers = 2},
               .errors = errors,
               .error_weighting = iai::ErrorWeighting::Precision},
              5);
          iai::InferenceSignals<S> u;
          u.x.emplace(x);
          u.mean.emplace(mean);
          u.log_var.emplace(log_var);
          u.grad_mean.emplace(elbo.gradMean());
          u.grad_log_var.emplace(elbo.gradLogVar());
          if (errors) {
            u.error_x.emplace(elbo.errorX());
            u.error_z.emplace(elbo.errorZ());
          }
          iai::Matrix<S> mean_next(kLatent, kBatch), log_var_next(kLatent, kBatch);
          inference.update(u, mean_next, log_var_next);
          CHECK(mean_next.allFinite());
          CHECK((log_var_next.array().abs() <= S(15)).all());
          inference.gradPhi().setZero();
          inference.backward(elbo.gradMean(), elbo.gradLogVar());
          CHECK(inference.gradPhi().allFinite());
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE(
    "Extremes: zero ELBO gradients give a finite log-magnitude encoding and a "
    "finite iterative update",
    "[reliability][extremes]", float, double) {
  using S = TestType;
  using Model = iai::LatentGaussianModel<S>;
  Model model = modelWithLogits<S>(1e4);   // the decoder ignores z: ∂ log p/∂z = 0
  for (auto& v : model.theta()) v = S(0);  // and the first layers too
  const iai::Matrix<S> x = image<S>(1.0), zero = iai::Matrix<S>::Zero(kLatent, kBatch);
  iai::Elbo<Model> elbo({.samples = 2});
  iai::Rng rng(12);
  elbo.evaluate(model, x, zero, zero, rng);  // at the prior: ∂KL/∂λ = 0 as well
  REQUIRE((elbo.gradMean().array() == S(0)).all());
  REQUIRE((elbo.gradLogVar().array() == S(0)).all());
  iai::Matrix<S> encoded(2 * kLatent, kBatch);
  iai::encodeGradient<S>(iai::GradientEncoding::LogMagnitudeSign, elbo.gradMean(), encoded);
  CHECK(encoded.allFinite());
  CHECK(encoded.topRows(kLatent).array().maxCoeff() == Approx(std::log(1e-5)).epsilon(1e-5));
  CHECK((encoded.bottomRows(kLatent).array() == S(0)).all());  // sign(0) = 0
  for (auto e : {iai::GradientEncoding::LogMagnitudeSign, iai::GradientEncoding::LayerNorm,
                 iai::GradientEncoding::BatchStandardize, iai::GradientEncoding::Raw}) {
    INFO("encoding " << static_cast<int>(e));
    iai::IterativeInferenceModel<S> inference(
        kD, kLatent, {.network = {.hidden = 8, .layers = 1}, .gradient = e});
    iai::InferenceSignals<S> u;
    u.x.emplace(x);
    u.mean.emplace(zero);
    u.log_var.emplace(zero);
    u.grad_mean.emplace(elbo.gradMean());
    u.grad_log_var.emplace(elbo.gradLogVar());
    iai::Matrix<S> mean_next(kLatent, kBatch), log_var_next(kLatent, kBatch);
    inference.update(u, mean_next, log_var_next);
    CHECK(mean_next.allFinite());
    CHECK(log_var_next.allFinite());
  }
}

TEST_CASE(
    "Extremes: a standard encoder driven to the log_var clamps gives finite outputs and a "
    "zero gradient through the active clamp",
    "[reliability][extremes]") {
  for (double head : {1e4, -1e4}) {
    INFO("log_var head bias " << head);
    iai::StandardInferenceModel<float> enc(kD, kLatent, {.hidden = 8, .layers = 1}, 3);
    // φ's last kLatent·2 entries are the heads' bias [mean; log_var]
    enc.phi().tail(kLatent).setConstant(static_cast<float>(head));
    const iai::Matrix<float> x = image<float>(1.0);
    iai::Matrix<float> mean(kLatent, kBatch), log_var(kLatent, kBatch);
    enc.infer(x, mean, log_var);
    CHECK(mean.allFinite());
    CHECK((log_var.array() == static_cast<float>(head > 0 ? 15 : -15)).all());
    enc.gradPhi().setZero();
    const iai::Matrix<float> ones = iai::Matrix<float>::Ones(kLatent, kBatch);
    enc.backward(iai::Matrix<float>::Zero(kLatent, kBatch), ones);
    CHECK((enc.gradPhi().array() == 0.0f).all());  // strictly outside the clamp: no gradient
  }
}

TEST_CASE(
    "Extremes: training steps, evaluation and importance sampling on all-zero and all-one "
    "images stay finite",
    "[reliability][extremes]") {
  using Model = iai::LatentGaussianModel<float>;
  for (double pixel : {0.0, 1.0}) {
    INFO("images of " << pixel);
    Model model = Model::mlp(kLatent, kD, {8}, {}, 1);
    iai::IterativeInferenceModel<float> inference(kD, kLatent, {.network = {.hidden = 8}}, 2);
    iai::TrainingConfig config;
    config.iterations = 3;
    config.elbo = {.samples = 2};
    config.batch_size = kBatch;
    config.theta_optimizer.learning_rate = 1e-2;  // fast drift towards the extreme data
    config.phi_optimizer.learning_rate = 1e-2;
    iai::VariationalEM em(model, inference, config);
    const iai::Matrix<float> data = iai::Matrix<float>::Constant(kD, 64, static_cast<float>(pixel));
    iai::MatrixBatchSource<float> source(data);
    const auto stats = em.fit(source, 5);
    CHECK(stats.skipped_steps == 0);
    CHECK(std::isfinite(stats.train_elbo));
    CHECK(model.theta().allFinite());
    CHECK(inference.phi().allFinite());
    iai::Rng rng(3);
    for (double v : em.evaluate(source, 32, rng)) CHECK(std::isfinite(v));

    // importance sampling with proposals at both clamps
    iai::ImportanceSampler<Model> sampler(50, 20);
    iai::RowVector<float> log_px(kBatch), se(kBatch);
    const iai::Matrix<float> x = image<float>(pixel),
                             mean = iai::Matrix<float>::Zero(kLatent, kBatch);
    for (float s : {-15.0f, 15.0f}) {
      INFO("proposal log_var " << s);
      const iai::Matrix<float> log_var = iai::Matrix<float>::Constant(kLatent, kBatch, s);
      iai::RowVectorRef<float> se_ref(se);
      sampler.logMarginal(model, x, mean, log_var, rng, log_px, &se_ref);
      CHECK(log_px.allFinite());
      CHECK((log_px.array() <= 0.0f).all());  // Bernoulli: p(x) ≤ 1
    }
  }
}

}  // namespace iai_test_extremes_test
