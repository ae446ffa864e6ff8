#include "support/catch.hpp"

#include <iai/inference/bottom_up_inference_model.hpp>
#include <iai/inference/hierarchical_iterative_inference_model.hpp>
#include <iai/inference/iterative_inference_model.hpp>
#include <iai/inference/standard_inference_model.hpp>
#include <iai/testing/gradient_check.hpp>

#include "inference_model_harness.hpp"

#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_hierarchical_inference_test {

using iai::Index;
using iai::Matrix;
using iai::testing::numericalGradient;
using iai::testing::relativeError;

static_assert(
    iai::concepts::IterativeInferenceModel<iai::HierarchicalIterativeInferenceModel<float>>);
static_assert(
    iai::concepts::IterativeInferenceModel<iai::HierarchicalIterativeInferenceModel<double>>);
static_assert(!iai::concepts::InferenceModel<iai::HierarchicalIterativeInferenceModel<double>>);
static_assert(iai::concepts::InferenceModel<iai::BottomUpInferenceModel<float>>);
static_assert(iai::concepts::InferenceModel<iai::BottomUpInferenceModel<double>>);
static_assert(!iai::concepts::IterativeInferenceModel<iai::BottomUpInferenceModel<double>>);
static_assert(iai::concepts::HasParameters<iai::IterativeUpdate<double>, double>);
static_assert(iai::concepts::HasParameters<iai::nn::ComponentList<iai::IterativeUpdate<float>>, float>);

namespace {

template <class S>
using StackedSignals = iai_test::Signals<S>;
using iai_test::functional;

Index sum(const std::vector<Index>& v) {
  Index n = 0;
  for (Index d : v) n += d;
  return n;
}

}  // namespace

TEMPLATE_TEST_CASE(
    "HierarchicalIterativeInferenceModel: backward matches finite differences in "
    "phi for 2 and 3 levels, every update form and encoding",
    "[inference][hierarchical]", float, double) {
  using S = TestType;
  using E = iai::GradientEncoding;
  const Index dx = 5, b = 3;
  for (const std::vector<Index>& dims : {std::vector<Index>{3, 2}, std::vector<Index>{3, 2, 2}}) {
    const Index dz = sum(dims);
    iai::Rng rng(2);
    StackedSignals<S> sig(dx, dz, b, rng);
    Matrix<S> r_mean(dz, b), r_log_var(dz, b), mean(dz, b), log_var(dz, b);
    iai::fillNormal(rng, r_mean);
    iai::fillNormal(rng, r_log_var);
    for (auto form : {iai::UpdateForm::Gated, iai::UpdateForm::Residual, iai::UpdateForm::Direct}) {
      for (auto enc : {E::LogMagnitudeSign, E::LayerNorm, E::None}) {
        iai::HierarchicalIterativeConfig config;
        config.level.network = {.hidden = 6, .layers = 2};
        config.level.gradient = enc;
        config.level.errors = (enc == E::None);
        config.level.update = form;
        config.hidden = std::vector<Index>(dims.size(), 5);
        config.hidden[0] = 6;
        iai::HierarchicalIterativeInferenceModel<S> model(dx, dims, config, 7);
        REQUIRE(model.latentDim() == dz);
        INFO("levels " << dims.size() << " form " << static_cast<int>(form) << " encoding "
                       << static_cast<int>(enc));
        iai_test::checkPhiGradient(model, [&] { model.update(sig.view(), mean, log_var); }, mean,
                                   log_var, r_mean, r_log_var);
      }
    }
  }
}

TEST_CASE(
    "HierarchicalIterativeInferenceModel: level inputs, data at level 0 only, errors from "
    "below and from the level itself",
    "[inference][hierarchical]") {
  iai::HierarchicalIterativeConfig config;
  config.level.network = {.hidden = 8, .layers = 1};
  config.level.errors = true;
  config.hidden = {8, 4};
  iai::HierarchicalIterativeInferenceModel<double> model(10, {3, 2}, config, 1);
  CHECK(model.levels() == 2);
  CHECK(model.levelDim(0) == 3);
  CHECK(model.levelDim(1) == 2);
  CHECK(model.levelOffset(1) == 3);
  CHECK(model.latentDim() == 5);
  CHECK(model.observedDim() == 10);
  // level 0: x, λ_0, LogMagnitudeSign(∇λ_0), ε_x, ε_z^0
  CHECK(model.level(0).inputSize() == 10 + 2 * 3 + 4 * 3 + 10 + 3);
  // level 1: λ_1, LogMagnitudeSign(∇λ_1), ε_z^0 (from below), ε_z^1
  CHECK(model.level(1).inputSize() == 2 * 2 + 4 * 2 + 3 + 2);
  CHECK(model.signals().gradients);
  CHECK(model.signals().errors);

  // the top level ignores x and ε_x: changing them leaves its rows unchanged
  iai::Rng rng(4);
  StackedSignals<double> sig(10, 5, 3, rng);
  Matrix<double> mean(5, 3), log_var(5, 3), mean2(5, 3), log_var2(5, 3);
  model.update(sig.view(), mean, log_var);
  sig.x.array() += 1.0;
  sig.error_x.array() -= 1.0;
  model.update(sig.view(), mean2, log_var2);
  CHECK((mean.bottomRows(2) - mean2.bottomRows(2)).cwiseAbs().maxCoeff() == 0);
  CHECK((log_var.bottomRows(2) - log_var2.bottomRows(2)).cwiseAbs().maxCoeff() == 0);
  CHECK((mean.topRows(3) - mean2.topRows(3)).cwiseAbs().maxCoeff() > 0);
  // ... but reads the error of the level below
  sig.error_z.topRows(3).array() += 1.0;
  model.update(sig.view(), mean2, log_var2);
  CHECK((mean.bottomRows(2) - mean2.bottomRows(2)).cwiseAbs().maxCoeff() > 0);

  // copies own their φ
  iai::HierarchicalIterativeInferenceModel<double> copy = model;
  REQUIRE(copy.phi().isApprox(model.phi()));
  copy.phi().setZero();
  Matrix<double> mean3(5, 3), log_var3(5, 3);
  model.update(sig.view(), mean3, log_var3);
  CHECK((mean3 - mean2).cwiseAbs().maxCoeff() == 0);
}

TEMPLATE_TEST_CASE("HierarchicalIterativeInferenceModel: one level is IterativeInferenceModel",
                   "[inference][hierarchical]", float, double) {
  using S = TestType;
  using E = iai::GradientEncoding;
  const Index dx = 6, dz = 3, b = 4;
  iai::Rng rng(5);
  StackedSignals<S> sig(dx, dz, b, rng);
  Matrix<S> r_mean(dz, b), r_log_var(dz, b);
  iai::fillNormal(rng, r_mean);
  iai::fillNormal(rng, r_log_var);
  for (auto enc : {E::LogMagnitudeSign, E::None}) {
    iai::IterativeInferenceConfig level;
    level.network = {.hidden = 7, .layers = 2};
    level.gradient = enc;
    level.errors = (enc == E::None);
    level.update = enc == E::None ? iai::UpdateForm::Residual : iai::UpdateForm::Gated;
    iai::IterativeInferenceModel<S> flat(dx, dz, level, 11);
    iai::HierarchicalIterativeInferenceModel<S> hier(dx, {dz}, {.level = level}, 11);
    REQUIRE(hier.phi().size() == flat.phi().size());
    CHECK((hier.phi() - flat.phi()).cwiseAbs().maxCoeff() == 0);
    CHECK(hier.level(0).inputSize() == flat.inputSize());
    Matrix<S> m1(dz, b), v1(dz, b), m2(dz, b), v2(dz, b);
    flat.update(sig.view(), m1, v1);
    hier.update(sig.view(), m2, v2);
    CHECK((m1 - m2).cwiseAbs().maxCoeff() == 0);
    CHECK((v1 - v2).cwiseAbs().maxCoeff() == 0);
    flat.gradPhi().setZero();
    hier.gradPhi().setZero();
    flat.backward(r_mean, r_log_var);
    hier.backward(r_mean, r_log_var);
    CHECK((flat.gradPhi() - hier.gradPhi()).cwiseAbs().maxCoeff() == 0);
  }
  // per-level hidden width given explicitly for the one level
  iai::HierarchicalIterativeInferenceModel<S> hier(
      dx, {dz}, {.level = {.network = {.hidden = 4, .layers = 1}}, .hidden = {9}}, 3);
  iai::IterativeInferenceModel<S> flat(dx, dz, {.network = {.hidden = 9, .layers = 1}}, 3);
  REQUIRE(hier.phi().size() == flat.phi().size());
  CHECK((hier.phi() - flat.phi()).cwiseAbs().maxCoeff() == 0);
}

TEST_CASE("HierarchicalIterativeInferenceModel: invalid arguments name the function",
          "[inference][hierarchical]") {
  using Model = iai::HierarchicalIterativeInferenceModel<double>;
  const iai::HierarchicalIterativeConfig small{.level = {.network = {.hidden = 4, .layers = 1}}};
  REQUIRE_THROWS_AS(Model(5, {}, small), iai::invalid_argument);
  REQUIRE_THROWS_WITH(Model(5, {}, small), Catch::Contains("HierarchicalIterativeInferenceModel") &&
                                               Catch::Contains("level_dims"));
  REQUIRE_THROWS_WITH(
      Model(5, {3, 0}, small),
      Catch::Contains("HierarchicalIterativeInferenceModel") && Catch::Contains("level_dims[1]"));
  iai::HierarchicalIterativeConfig wrong_hidden = small;
  wrong_hidden.hidden = {4, 4, 4};
  REQUIRE_THROWS_WITH(
      Model(5, {3, 2}, wrong_hidden),
      Catch::Contains("HierarchicalIterativeInferenceModel") && Catch::Contains("config.hidden"));
  REQUIRE_THROWS_WITH(
      Model(0, {3}, small),
      Catch::Contains("HierarchicalIterativeInferenceModel") && Catch::Contains("observed_dim"));
  // data only: the levels above 0 would read nothing
  iai::HierarchicalIterativeConfig data_only = small;
  data_only.level.lambda = false;
  data_only.level.gradient = iai::GradientEncoding::None;
  CHECK_NOTHROW(Model(5, {3}, data_only));
  REQUIRE_THROWS_WITH(
      Model(5, {3, 2}, data_only),
      Catch::Contains("HierarchicalIterativeInferenceModel") && Catch::Contains("config"));

  Model model(5, {3, 2}, small, 0);
  iai::Rng rng(1);
  StackedSignals<double> sig(5, 5, 2, rng);
  Matrix<double> mean(5, 2), log_var(5, 2);
  REQUIRE_THROWS_WITH(model.backward(mean, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::backward"));
  StackedSignals<double> wrong(5, 4, 2, rng);  // λ of the wrong height
  REQUIRE_THROWS_WITH(model.update(wrong.view(), mean, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::update") &&
                          Catch::Contains("signals.mean"));
  iai::InferenceSignals<double> missing = sig.view();
  missing.grad_log_var.reset();
  REQUIRE_THROWS_WITH(model.update(missing, mean, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::update") &&
                          Catch::Contains("signals.grad_log_var"));
  Matrix<double> short_x(4, 2);
  missing = sig.view();
  missing.x.emplace(short_x);
  REQUIRE_THROWS_WITH(model.update(missing, mean, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::update") &&
                          Catch::Contains("signals.x"));
  Matrix<double> mean_short(3, 2);
  REQUIRE_THROWS_WITH(model.update(sig.view(), mean_short, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::update") &&
                          Catch::Contains("mean_next"));
  model.update(sig.view(), mean, log_var);
  Matrix<double> g3(5, 3);
  REQUIRE_THROWS_WITH(model.backward(g3, g3),
                      Catch::Contains("HierarchicalIterativeInferenceModel::backward"));
  REQUIRE_THROWS_WITH(model.levelDim(2), Catch::Contains("HierarchicalIterativeInferenceModel"));

  iai::HierarchicalIterativeConfig with_errors = small;
  with_errors.level.errors = true;
  Model err_model(5, {3, 2}, with_errors, 0);
  missing = sig.view();
  missing.error_z.emplace(wrong.error_z);  // 4 rows instead of 5
  REQUIRE_THROWS_WITH(err_model.update(missing, mean, log_var),
                      Catch::Contains("HierarchicalIterativeInferenceModel::update") &&
                          Catch::Contains("signals.error_z"));
}

TEMPLATE_TEST_CASE(
    "BottomUpInferenceModel: backward matches finite differences in phi through "
    "the samples",
    "[inference][hierarchical]", float, double) {
  using S = TestType;
  const double tol = sizeof(S) == 4 ? 3e-3 : 1e-6;
  const Index dx = 5, b = 3;
  for (const std::vector<Index>& dims : {std::vector<Index>{3, 2}, std::vector<Index>{3, 2, 2}}) {
    const Index dz = sum(dims);
    iai::Rng rng(8);
    Matrix<S> x(dx, b), r_mean(dz, b), r_log_var(dz, b), mean(dz, b), log_var(dz, b);
    iai::fillUniform(rng, x);
    iai::fillNormal(rng, r_mean);
    iai::fillNormal(rng, r_log_var);
    iai::BottomUpConfig config{.network = {.hidden = 6, .layers = 2}, .hidden = {}};
    config.hidden = std::vector<Index>(dims.size(), 4);
    config.hidden[0] = 6;
    iai::BottomUpInferenceModel<S> model(dx, dims, config, 3);
    const iai::Rng noise(21);
    for (bool sampled : {true, false}) {
      INFO("levels " << dims.size() << " sampled " << sampled);
      iai_test::checkPhiGradient(
          model,
          [&] {
            iai::Rng r = noise;  // the same ε in every evaluation
            if (sampled) {
              model.infer(x, mean, log_var, r);
            } else {
              model.infer(x, mean, log_var);
            }
          },
          mean, log_var, r_mean, r_log_var);
    }

    // a functional of the top level only reaches the level-0 parameters through the samples
    Matrix<S> top_mean = Matrix<S>::Zero(dz, b), top_log_var = Matrix<S>::Zero(dz, b);
    const Index top = dims.back();
    top_mean.bottomRows(top) = r_mean.bottomRows(top);
    top_log_var.bottomRows(top) = r_log_var.bottomRows(top);
    auto f_top = [&] {
      iai::Rng r = noise;
      model.infer(x, mean, log_var, r);
      return functional(top_mean, top_log_var, mean, log_var);
    };
    f_top();
    model.gradPhi().setZero();
    model.backward(top_mean, top_log_var);
    const iai::Vector<S> analytic = model.gradPhi();
    const Index level0 =
        iai::StandardInferenceModel<S>(dx, dims[0], {.hidden = 6, .layers = 2}).phi().size();
    INFO("levels " << dims.size() << ", top level only");
    CHECK(analytic.head(level0).cwiseAbs().maxCoeff() > 0);
    CHECK(relativeError(analytic, numericalGradient(f_top, model.phi())) < tol);
  }
}

TEST_CASE(
    "BottomUpInferenceModel: noise is drawn bottom first and the deterministic overload "
    "feeds the mean upwards",
    "[inference][hierarchical]") {
  const Index dx = 6, b = 4;
  iai::BottomUpInferenceModel<double> model(dx, {3, 2}, {.network = {.hidden = 5, .layers = 1}}, 2);
  iai::Rng rng(3);
  Matrix<double> x(dx, b), mean(5, b), log_var(5, b), mean2(5, b), log_var2(5, b);
  iai::fillUniform(rng, x);
  model.infer(x, mean, log_var);
  CHECK((log_var.array().abs() <= 15.0).all());
  // level 0 does not depend on the noise, level 1 does
  iai::Rng r(9);
  model.infer(x, mean2, log_var2, r);
  CHECK((mean.topRows(3) - mean2.topRows(3)).cwiseAbs().maxCoeff() == 0);
  CHECK((mean.bottomRows(2) - mean2.bottomRows(2)).cwiseAbs().maxCoeff() > 0);
  // the rng advanced by exactly d_0 · B normals (level 0's ε only)
  iai::Rng expected(9);
  Matrix<double> eps(3, b), next(1, 1), next_expected(1, 1);
  iai::fillNormal(expected, eps);
  iai::fillNormal(expected, next_expected);
  iai::fillNormal(r, next);
  CHECK(next(0, 0) == next_expected(0, 0));
  // the same noise gives the same output
  iai::Rng r2(9);
  Matrix<double> mean3(5, b), log_var3(5, b);
  model.infer(x, mean3, log_var3, r2);
  CHECK((mean3 - mean2).cwiseAbs().maxCoeff() == 0);
  CHECK(model.levels() == 2);
  CHECK(model.levelDim(1) == 2);
  CHECK(model.levelOffset(1) == 3);
}

TEMPLATE_TEST_CASE("BottomUpInferenceModel: one level is StandardInferenceModel",
                   "[inference][hierarchical]", float, double) {
  using S = TestType;
  const Index dx = 7, dz = 3, b = 5;
  const iai::InferenceNetworkConfig net{.hidden = 6, .layers = 2};
  iai::StandardInferenceModel<S> flat(dx, dz, net, 13);
  iai::BottomUpInferenceModel<S> hier(dx, {dz}, {.network = net}, 13);
  REQUIRE(hier.phi().size() == flat.phi().size());
  CHECK((hier.phi() - flat.phi()).cwiseAbs().maxCoeff() == 0);
  iai::Rng rng(6);
  Matrix<S> x(dx, b), r_mean(dz, b), r_log_var(dz, b);
  iai::fillUniform(rng, x);
  iai::fillNormal(rng, r_mean);
  iai::fillNormal(rng, r_log_var);
  Matrix<S> m1(dz, b), v1(dz, b), m2(dz, b), v2(dz, b);
  flat.infer(x, m1, v1);
  hier.infer(x, m2, v2, rng);
  CHECK((m1 - m2).cwiseAbs().maxCoeff() == 0);
  CHECK((v1 - v2).cwiseAbs().maxCoeff() == 0);
  flat.gradPhi().setZero();
  hier.gradPhi().setZero();
  flat.backward(r_mean, r_log_var);
  hier.backward(r_mean, r_log_var);
  CHECK((flat.gradPhi() - hier.gradPhi()).cwiseAbs().maxCoeff() == 0);
  hier.infer(x, m2, v2);
  CHECK((m1 - m2).cwiseAbs().maxCoeff() == 0);
}

TEST_CASE("BottomUpInferenceModel: invalid arguments name the function",
          "[inference][hierarchical]") {
  using Model = iai::BottomUpInferenceModel<double>;
  const iai::BottomUpConfig small{.network = {.hidden = 4, .layers = 1}};
  REQUIRE_THROWS_AS(Model(5, {}, small), iai::invalid_argument);
  REQUIRE_THROWS_WITH(Model(5, {}, small),
                      Catch::Contains("BottomUpInferenceModel") && Catch::Contains("level_dims"));
  REQUIRE_THROWS_WITH(Model(5, {2, -1}, small), Catch::Contains("BottomUpInferenceModel") &&
                                                    Catch::Contains("level_dims[1]"));
  iai::BottomUpConfig wrong_hidden = small;
  wrong_hidden.hidden = {4};
  REQUIRE_THROWS_WITH(Model(5, {3, 2}, wrong_hidden), Catch::Contains("BottomUpInferenceModel") &&
                                                          Catch::Contains("config.hidden"));
  REQUIRE_THROWS_WITH(Model(0, {3}, small),
                      Catch::Contains("BottomUpInferenceModel") && Catch::Contains("observed_dim"));

  Model model(5, {3, 2}, small, 0);
  Matrix<double> x(5, 2), mean(5, 2), log_var(5, 2), x_bad(4, 2), mean_bad(3, 2);
  x.setConstant(0.5);
  REQUIRE_THROWS_WITH(model.backward(mean, log_var),
                      Catch::Contains("BottomUpInferenceModel::backward"));
  REQUIRE_THROWS_WITH(
      model.infer(x_bad, mean, log_var),
      Catch::Contains("BottomUpInferenceModel::infer") && Catch::Contains("x.rows()"));
  REQUIRE_THROWS_WITH(model.infer(x, mean_bad, log_var),
                      Catch::Contains("BottomUpInferenceModel::infer") && Catch::Contains("mean"));
  iai::Rng rng(0);
  REQUIRE_THROWS_WITH(
      model.infer(x, mean, mean_bad, rng),
      Catch::Contains("BottomUpInferenceModel::infer") && Catch::Contains("log_var"));
  model.infer(x, mean, log_var);
  Matrix<double> g3(5, 3);
  REQUIRE_THROWS_WITH(model.backward(g3, g3), Catch::Contains("BottomUpInferenceModel::backward"));
  REQUIRE_THROWS_WITH(model.levelDim(-1), Catch::Contains("BottomUpInferenceModel"));
}

}  // namespace iai_test_hierarchical_inference_test
