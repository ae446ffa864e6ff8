#include "support/catch.hpp"

#include <iai/inference/iterative_inference_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include <cmath>

#include "inference_model_harness.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_iterative_inference_model_test {

using iai::Matrix;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

static_assert(iai::concepts::IterativeInferenceModel<iai::IterativeInferenceModel<float>>);
static_assert(!iai::concepts::InferenceModel<iai::IterativeInferenceModel<double>>);

using iai_test::Signals;

TEMPLATE_TEST_CASE("IterativeInferenceModel: backward matches finite differences in phi for every "
                   "update form and encoding",
                   "[inference]", float, double) {
  using S = TestType;
  iai::Rng rng(2);
  const iai::Index dx = 5, dz = 3, b = 3;
  Signals<S> sig(dx, dz, b, rng);
  Matrix<S> r_mean(dz, b), r_log_var(dz, b), mean(dz, b), log_var(dz, b);
  iai::fillNormal(rng, r_mean);
  iai::fillNormal(rng, r_log_var);
  using E = iai::GradientEncoding;
  for (auto form : {iai::UpdateForm::Gated, iai::UpdateForm::Residual, iai::UpdateForm::Direct}) {
    for (auto enc : {E::LogMagnitudeSign, E::LayerNorm, E::BatchStandardize, E::Raw, E::None}) {
      iai::IterativeInferenceConfig config;
      config.network = {.hidden = 6, .layers = 2};
      config.gradient = enc;
      config.errors = (enc == E::None);
      config.update = form;
      iai::IterativeInferenceModel<S> model(dx, dz, config, 7);
      INFO("form " << static_cast<int>(form) << " encoding " << static_cast<int>(enc));
      iai_test::checkPhiGradient(model, [&] { model.update(sig.view(), mean, log_var); }, mean,
                                 log_var, r_mean, r_log_var);
    }
  }
}

TEST_CASE("IterativeInferenceModel: input layout and default configuration", "[inference]") {
  // Authors' MNIST default: [x − 0.5, μ, log σ², log|∇μ|, log|∇s|, sign ∇μ, sign ∇s]
  iai::IterativeInferenceModel<float> model(784, 64, {}, 0);
  CHECK(model.inputSize() == 784 + 64 * 6);  // 1168
  CHECK(model.signals().gradients);
  CHECK(!model.signals().errors);
  iai::IterativeInferenceConfig errors_only;
  errors_only.data = false;
  errors_only.lambda = false;
  errors_only.gradient = iai::GradientEncoding::None;
  errors_only.errors = true;
  CHECK(iai::IterativeInferenceModel<float>(10, 4, errors_only).inputSize() == 14);
  iai::IterativeInferenceConfig nothing = errors_only;
  nothing.errors = false;
  CHECK_THROWS_AS(iai::IterativeInferenceModel<float>(10, 4, nothing), iai::invalid_argument);
}

TEST_CASE("IterativeInferenceModel: gated update keeps log_var in the clamp and stays finite with "
          "zero and huge gradients",
          "[inference]") {
  iai::Rng rng(3);
  Signals<double> sig(4, 2, 2, rng);
  sig.grad_mean.setZero();       // log-magnitude encoding of 0 is log(1e-5): finite
  sig.grad_log_var.setConstant(1e30);
  iai::IterativeInferenceModel<double> model(4, 2, {.network = {.hidden = 5, .layers = 2}}, 1);
  Matrix<double> mean(2, 2), log_var(2, 2);
  model.update(sig.view(), mean, log_var);
  CHECK(mean.allFinite());
  CHECK((log_var.array().abs() <= 15.0).all());
  iai::InferenceSignals<double> missing = sig.view();
  missing.grad_mean.reset();
  CHECK_THROWS_AS(model.update(missing, mean, log_var), iai::invalid_argument);
}

TEST_CASE("encodeGradient: reference values", "[inference]") {
  Matrix<double> g(2, 2), out(4, 2), out2(2, 2);
  g << 1e-3, -2.0, 0.0, 4.0;
  iai::encodeGradient<double>(iai::GradientEncoding::LogMagnitudeSign, g, out);
  CHECK(out(0, 0) == Approx(std::log(1e-3 + 1e-5)));
  CHECK(out(1, 0) == Approx(std::log(1e-5)));
  CHECK(out(2, 1) == -1.0);
  CHECK(out(3, 0) == 0.0);
  iai::encodeGradient<double>(iai::GradientEncoding::LayerNorm, g, out2);
  CHECK(out2.col(1).sum() == Approx(0.0).margin(1e-12));  // per example: zero mean
  CHECK(out2(1, 1) == Approx(3.0 / (3.0 + 1e-5)));  // (4 − 1)/(std 3 + 1e-5)
  iai::encodeGradient<double>(iai::GradientEncoding::BatchStandardize, g, out2);
  CHECK(out2.row(0).sum() == Approx(0.0).margin(1e-12));  // per dimension: zero mean over batch
}

}  // namespace iai_test_iterative_inference_model_test
