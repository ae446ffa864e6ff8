#include "support/catch.hpp"

#include <iai/inference/standard_inference_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include "inference_model_harness.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_standard_inference_model_test {

using iai::Matrix;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

static_assert(iai::concepts::InferenceModel<iai::StandardInferenceModel<float>>);
static_assert(!iai::concepts::IterativeInferenceModel<iai::StandardInferenceModel<float>>);

TEMPLATE_TEST_CASE("StandardInferenceModel: backward matches finite differences in phi",
                   "[inference]", float, double) {
  using S = TestType;
  iai::StandardInferenceModel<S> enc(6, 3, {.hidden = 8, .layers = 2}, 42);
  iai::Rng rng(1);
  Matrix<S> x(6, 4), mean(3, 4), log_var(3, 4), r_mean(3, 4), r_log_var(3, 4);
  iai::fillUniform(rng, x);
  iai::fillNormal(rng, r_mean);
  iai::fillNormal(rng, r_log_var);
  iai_test::checkPhiGradient(enc, [&] { enc.infer(x, mean, log_var); }, mean, log_var, r_mean,
                             r_log_var, 2e-3);
}

TEST_CASE("StandardInferenceModel: log_var is clamped, copies are independent", "[inference]") {
  iai::StandardInferenceModel<double> enc(4, 2, {.hidden = 5, .layers = 1}, 3);
  Matrix<double> x = Matrix<double>::Constant(4, 2, 1e4), mean(2, 2), log_var(2, 2);
  enc.infer(x, mean, log_var);
  CHECK((log_var.array() <= 15.0).all());
  CHECK((log_var.array() >= -15.0).all());
  auto copy = enc;
  copy.phi().setZero();
  Matrix<double> m2(2, 2), lv2(2, 2), m3(2, 2), lv3(2, 2);
  Matrix<double> x2 = Matrix<double>::Constant(4, 2, 0.3);
  enc.infer(x2, m2, lv2);
  copy.infer(x2, m3, lv3);
  CHECK(m3.isZero());
  CHECK(!m2.isZero());
  CHECK_THROWS_AS(enc.infer(Matrix<double>::Zero(3, 2), m2, lv2), iai::invalid_argument);
}

}  // namespace iai_test_standard_inference_model_test
