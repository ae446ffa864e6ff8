// Argument validation at the public boundary (issue 6, docs/reliability.md): one test case per
// rule. Each checks the exception type and that the message names the function and the argument
// ("<function>: <argument> is <value>, but must be <expected>", docs/conventions.md).
#include "support/catch.hpp"

#include <iai/data/dataset.hpp>
#include <iai/distributions.hpp>
#include <iai/evaluation.hpp>
#include <iai/inference.hpp>
#include <iai/models.hpp>
#include <iai/nn.hpp>
#include <iai/optim.hpp>
#include <iai/training.hpp>

#include <cmath>
#include <limits>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_validation_test {

using iai::Index;
using Mat = iai::Matrix<double>;
using Row = iai::RowVector<double>;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// expr throws `type` whose message contains the function, the argument and "but must be".
#define REQUIRE_REJECTS(expr, type, function, argument)                                 \
  do {                                                                                  \
    REQUIRE_THROWS_AS(expr, type);                                                      \
    REQUIRE_THROWS_WITH(expr, Catch::Contains(function) && Catch::Contains(argument) && \
                                  Catch::Contains("but must be"));                      \
  } while (false)

using Linear = iai::LinearGaussianModel<double>;
using Standard = iai::StandardInferenceModel<double>;
using Iterative = iai::IterativeInferenceModel<double>;
using Bernoulli = iai::LatentGaussianModel<double>;  // ELU MLP decoder, Bernoulli output

constexpr iai::InferenceNetworkConfig kNet{.hidden = 4, .layers = 1};

iai::TrainingConfig smallConfig() {
  iai::TrainingConfig c;
  c.iterations = 2;
  c.elbo = {.samples = 1};
  c.batch_size = 4;
  return c;
}

Mat binaryData(Index rows, Index cols) {
  Mat x(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) x(i, j) = static_cast<double>((i + j) % 2);
  return x;
}

}  // namespace

// ---- dimension mismatches between data, model and inference model ----------------------------

TEST_CASE(
    "Rule dims: a model and an inference model of different sizes are refused by "
    "VariationalEM",
    "[reliability][validation]") {
  Linear model(6, 2);
  Standard wrong_latent(6, 3, kNet), wrong_observed(5, 2, kNet);
  REQUIRE_REJECTS(iai::VariationalEM(model, wrong_latent, smallConfig()), iai::invalid_argument,
                  "VariationalEM", "inference.latentDim()");
  REQUIRE_REJECTS(iai::VariationalEM(model, wrong_observed, smallConfig()), iai::invalid_argument,
                  "VariationalEM", "inference.observedDim()");
}

TEST_CASE("Rule dims: data with the wrong number of rows is refused by every entry point",
          "[reliability][validation]") {
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  Iterative iterative(6, 2, {.network = kNet});
  iai::VariationalEM em(model, iterative, smallConfig());
  const Mat x(5, 4), mean = Mat::Zero(2, 4), log_var = Mat::Zero(2, 4);
  Mat mean_out(2, 4), log_var_out(2, 4);
  iai::Rng rng(1);
  REQUIRE_REJECTS(em.step(x), iai::invalid_argument, "VariationalEM::step", "x.rows()");
  const Mat data5(5, 16), data6 = Mat::Zero(6, 16);
  iai::MatrixBatchSource<double> source5(data5), source6(data6);
  REQUIRE_REJECTS(em.fit(source5, 1), iai::invalid_argument, "VariationalEM::fit", "source.dim()");
  REQUIRE_REJECTS(em.evaluate(source5, 4, rng), iai::invalid_argument, "VariationalEM::evaluate",
                  "source.dim()");
  REQUIRE_REJECTS(em.infer(x, mean_out, log_var_out, rng), iai::invalid_argument,
                  "VariationalEM::infer", "x.rows()");
  iai::Elbo<Linear> elbo({.samples = 1});
  REQUIRE_REJECTS(elbo.evaluate(model, x, mean, log_var, rng), iai::invalid_argument,
                  "Elbo::evaluate", "x.rows()");
  REQUIRE_REJECTS(standard.infer(x, mean_out, log_var_out), iai::invalid_argument,
                  "StandardInferenceModel::infer", "x.rows()");
  iai::InferenceSignals<double> u;
  const Mat x_bad(5, 4), grad = Mat::Zero(2, 4);
  u.x.emplace(x_bad);
  u.mean.emplace(mean);
  u.log_var.emplace(log_var);
  u.grad_mean.emplace(grad);
  u.grad_log_var.emplace(grad);
  REQUIRE_REJECTS(iterative.update(u, mean_out, log_var_out), iai::invalid_argument,
                  "IterativeInferenceModel::update", "signals.x");
  iai::ImportanceSampler<Linear> sampler(4);
  Row log_px(4);
  REQUIRE_REJECTS(sampler.logMarginal(model, x, mean, log_var, rng, log_px), iai::invalid_argument,
                  "ImportanceSampler::logMarginal", "x.rows()");
  Mat z(2, 4), x6 = Mat::Zero(6, 4);
  REQUIRE_REJECTS(model.logLikelihood(x, z, log_px), iai::invalid_argument,
                  "LinearGaussianModel::logLikelihood", "x.rows()");
  REQUIRE_REJECTS(em.infer(x6, mean_out.leftCols(3), log_var_out, rng), iai::invalid_argument,
                  "VariationalEM::infer", "mean");
}

TEST_CASE("Rule dims: a posterior (mean, log_var) of the wrong shape is refused",
          "[reliability][validation]") {
  Linear model(6, 2);
  const Mat x = Mat::Zero(6, 4), good = Mat::Zero(2, 4), short_rows = Mat::Zero(1, 4),
            short_cols = Mat::Zero(2, 3);
  iai::Rng rng(2);
  iai::Elbo<Linear> elbo({.samples = 2});
  REQUIRE_REJECTS(elbo.evaluate(model, x, short_rows, good, rng), iai::invalid_argument,
                  "Elbo::evaluate", "mean");
  REQUIRE_REJECTS(elbo.evaluate(model, x, good, short_cols, rng), iai::invalid_argument,
                  "Elbo::evaluate", "log_var");
  REQUIRE_REJECTS(elbo.evaluateWithNoise(model, x, good, good, Mat::Zero(2, 4)),
                  iai::invalid_argument, "Elbo::evaluateWithNoise", "eps");
  iai::ImportanceSampler<Linear> sampler(4);
  Row log_px(4), wrong(3);
  REQUIRE_REJECTS(sampler.logMarginal(model, x, short_cols, good, rng, log_px),
                  iai::invalid_argument, "ImportanceSampler::logMarginal", "mean");
  REQUIRE_REJECTS(sampler.logMarginal(model, x, good, good, rng, wrong), iai::invalid_argument,
                  "ImportanceSampler::logMarginal", "log_px_out.cols()");
  REQUIRE_REJECTS(iai::amortizationGap(model, x, good, short_rows, {.steps = 1}, {}, rng),
                  iai::invalid_argument, "amortizationGap", "log_var");
  iai::GradientInference<Linear> gi({.steps = 1});
  Mat mean = good, log_var = short_cols;
  REQUIRE_REJECTS(gi.run(model, x, mean, log_var, rng), iai::invalid_argument,
                  "GradientInference::run", "log_var");
  Standard standard(6, 2, kNet);
  Mat m(2, 3), s(2, 4);
  REQUIRE_REJECTS(standard.infer(x, m, s), iai::invalid_argument, "StandardInferenceModel::infer",
                  "mean");
  Mat enc(3, 4);
  REQUIRE_REJECTS(iai::encodeGradient<double>(iai::GradientEncoding::LogMagnitudeSign, good, enc),
                  iai::invalid_argument, "encodeGradient", "out");
  iai::nn::Mlp<double, iai::nn::Elu> mlp({2, 3, 6});
  REQUIRE_REJECTS(mlp.forward(Mat::Zero(3, 4)), iai::invalid_argument, "forward", "x.rows()");
  iai::optim::Adam<double> adam({}, 4);
  iai::Vector<double> p = iai::Vector<double>::Zero(4), g3 = iai::Vector<double>::Zero(3);
  REQUIRE_REJECTS(adam.step(p, g3), iai::invalid_argument, "Adam", "grad");
}

// ---- empty batches -----------------------------------------------------------------------------

TEST_CASE("Rule empty: an empty batch (zero columns) is refused by every entry point",
          "[reliability][validation]") {
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  Iterative iterative(6, 2, {.network = kNet});
  iai::VariationalEM em(model, iterative, smallConfig());
  const Mat x(6, 0), lam(2, 0);
  Mat mean_out(2, 0), log_var_out(2, 0);
  Row log_px(0);
  iai::Rng rng(3);
  REQUIRE_REJECTS(em.step(x), iai::invalid_argument, "VariationalEM::step", "x.cols()");
  REQUIRE_REJECTS(em.infer(x, mean_out, log_var_out, rng), iai::invalid_argument,
                  "VariationalEM::infer", "x.cols()");
  const Mat none(6, 0);
  iai::MatrixBatchSource<double> empty(none);
  REQUIRE_REJECTS(em.evaluate(empty, 4, rng), iai::invalid_argument, "VariationalEM::evaluate",
                  "source.size()");
  iai::Elbo<Linear> elbo({.samples = 1});
  REQUIRE_REJECTS(elbo.evaluate(model, x, lam, lam, rng), iai::invalid_argument, "Elbo::evaluate",
                  "x.cols()");
  REQUIRE_REJECTS(standard.infer(x, mean_out, log_var_out), iai::invalid_argument,
                  "StandardInferenceModel::infer", "x.cols()");
  iai::InferenceSignals<double> u;
  u.x.emplace(x);
  u.mean.emplace(lam);
  u.log_var.emplace(lam);
  REQUIRE_REJECTS(iterative.update(u, mean_out, log_var_out), iai::invalid_argument,
                  "IterativeInferenceModel::update", "batch");
  iai::ImportanceSampler<Linear> sampler(4);
  REQUIRE_REJECTS(sampler.logMarginal(model, x, lam, lam, rng, log_px), iai::invalid_argument,
                  "ImportanceSampler::logMarginal", "x.cols()");
  REQUIRE_REJECTS(iai::amortizationGap(model, x, lam, lam, {.steps = 1}, {}, rng),
                  iai::invalid_argument, "amortizationGap", "x.cols()");
}

// ---- non-finite data ---------------------------------------------------------------------------

TEST_CASE("Rule finite: NaN or infinite data is a domain_error naming the entry",
          "[reliability][validation]") {
  Mat x = Mat::Zero(3, 2);
  const Mat eta = Mat::Zero(3, 2);
  Row log_px(2);
  for (double bad : {kNaN, kInf, -kInf}) {
    INFO("bad value " << bad);
    x(1, 1) = bad;
    REQUIRE_REJECTS(iai::Bernoulli<double>().logDensity(x, eta, log_px), iai::domain_error,
                    "Bernoulli::logDensity", "x(1, 1)");
    REQUIRE_REJECTS(iai::Multinomial<double>().logDensity(x, eta, log_px), iai::domain_error,
                    "Multinomial::logDensity", "x(1, 1)");
    const iai::Gaussian<double> gauss({.mode = iai::LogVarMode::Fixed}, 3);
    REQUIRE_REJECTS(gauss.logDensity(x, eta, log_px), iai::domain_error, "Gaussian::logDensity",
                    "x(1, 1)");
    REQUIRE_REJECTS(iai::Dataset<double>::fromMatrix(x), iai::domain_error, "Dataset::fromMatrix",
                    "values(1, 1)");
  }
  // models without an observation model of their own (linear-Gaussian, user models)
  Linear model(3, 2);
  const Mat lam = Mat::Zero(2, 2);
  iai::Rng rng(4);
  iai::ImportanceSampler<Linear> sampler(2);
  x(1, 1) = kNaN;
  REQUIRE_REJECTS(sampler.logMarginal(model, x, lam, lam, rng, log_px), iai::domain_error,
                  "ImportanceSampler::logMarginal", "x(1, 1)");
  iai::Elbo<Linear> elbo({.samples = 1});
  REQUIRE_REJECTS(elbo.evaluate(model, x, lam, lam, rng), iai::domain_error, "Elbo::evaluate",
                  "x(1, 1)");
  Standard standard(3, 2, kNet);
  iai::VariationalEM em(model, standard, smallConfig());
  const iai::Vector<double> theta = model.theta(), phi = standard.phi();
  REQUIRE_THROWS_AS(em.step(x.leftCols(2)), iai::domain_error);
  CHECK((model.theta().array() == theta.array()).all());  // nothing was updated
  CHECK((standard.phi().array() == phi.array()).all());
}

TEST_CASE(
    "Rule bernoulli: Bernoulli data outside [0, 1] is a domain_error, also through "
    "training",
    "[reliability][validation]") {
  const Mat eta = Mat::Zero(3, 2);
  Mat grad(3, 2);
  Row log_px(2);
  for (double bad : {-0.01, 1.5, 255.0}) {
    INFO("bad value " << bad);
    Mat x = Mat::Zero(3, 2);
    x(2, 0) = bad;
    iai::Bernoulli<double> b;
    REQUIRE_REJECTS(b.logDensity(x, eta, log_px), iai::domain_error, "Bernoulli::logDensity",
                    "x(2, 0)");
    REQUIRE_REJECTS(b.backward(x, eta, 1.0, grad, iai::ParamGrad::Skip), iai::domain_error,
                    "Bernoulli::backward", "x(2, 0)");
    REQUIRE_REJECTS(b.error(x, eta, iai::ErrorWeighting::Raw, grad), iai::domain_error,
                    "Bernoulli::error", "x(2, 0)");
    REQUIRE_REJECTS(iai::Dataset<double>::fromMatrix(x), iai::domain_error, "Dataset::fromMatrix",
                    "values(2, 0)");
  }
  // grey levels 0…255 passed to a Bernoulli model by mistake: training stops at the first step
  Bernoulli model = Bernoulli::mlp(2, 6, {4}, {}, 1);
  Iterative inference(6, 2, {.network = kNet});
  iai::VariationalEM em(model, inference, smallConfig());
  const Mat bytes = 255.0 * binaryData(6, 8);
  iai::MatrixBatchSource<double> source(bytes);
  REQUIRE_REJECTS(em.fit(source, 1), iai::domain_error, "Bernoulli::logDensity", "x(");
  CHECK(em.steps() == 0);
}

TEST_CASE("Rule counts: negative or non-finite counts and negative sizes are refused",
          "[reliability][validation]") {
  Mat x = Mat::Ones(3, 2);
  const Mat eta = Mat::Zero(3, 2);
  Row log_px(2);
  x(0, 1) = -1.0;
  REQUIRE_REJECTS(iai::Multinomial<double>().logDensity(x, eta, log_px), iai::domain_error,
                  "Multinomial::logDensity", "x(0, 1)");
  REQUIRE_REJECTS(iai::Multinomial<double>({.sample_trials = -1}), iai::invalid_argument,
                  "Multinomial::Multinomial", "config.sample_trials");
  auto data = iai::Dataset<double>::fromMatrix(binaryData(4, 5));
  REQUIRE_REJECTS(data.subset(0, -1), iai::invalid_argument, "Dataset::subset", "count");
  REQUIRE_REJECTS(data.subset(-1, 2), iai::invalid_argument, "Dataset::subset", "first");
  REQUIRE_REJECTS(data.take(std::vector<Index>{0, -2}), iai::invalid_argument, "Dataset::take",
                  "columns[1]");
  REQUIRE_REJECTS(data.setImageShape(-2, -2), iai::invalid_argument, "Dataset::setImageShape",
                  "rows");
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  iai::VariationalEM em(model, standard, smallConfig());
  const Mat train = Mat::Zero(6, 8);
  iai::MatrixBatchSource<double> source(train);
  iai::Rng rng(5);
  REQUIRE_REJECTS(em.fit(source, -1), iai::invalid_argument, "VariationalEM::fit", "epochs");
  REQUIRE_REJECTS(em.evaluate(source, 0, rng), iai::invalid_argument, "VariationalEM::evaluate",
                  "batch");
  REQUIRE_REJECTS(em.startEpoch(-1), iai::invalid_argument, "VariationalEM::startEpoch", "epoch");
  auto bad_state = em.state();
  bad_state.steps = -1;
  REQUIRE_REJECTS(em.restore(bad_state), iai::invalid_argument, "VariationalEM::restore",
                  "state.steps");
  REQUIRE_REJECTS(iai::bitsPerDim(1.0, 0), iai::invalid_argument, "bitsPerDim", "dims");
  REQUIRE_REJECTS(iai::ImportanceSampler<Linear>(10, 0), iai::invalid_argument, "ImportanceSampler",
                  "chunk");
  REQUIRE_REJECTS(iai::GradientInference<Linear>({.steps = -1}), iai::invalid_argument,
                  "GradientInference", "config.steps");
  REQUIRE_REJECTS(iai::writeIdx("unused.idx", {2, 0, 3}, {}), iai::invalid_argument, "writeIdx",
                  "dims[1]");
}

TEST_CASE("Rule sizes: zero or negative model, network and data dimensions are refused",
          "[reliability][validation]") {
  REQUIRE_REJECTS(Linear(0, 2), iai::invalid_argument, "LinearGaussianModel", "observed_dim");
  REQUIRE_REJECTS(Linear(6, 0), iai::invalid_argument, "LinearGaussianModel", "latent_dim");
  REQUIRE_REJECTS(Standard(0, 2, kNet), iai::invalid_argument, "StandardInferenceModel",
                  "observed_dim");
  REQUIRE_REJECTS(Standard(6, 0, kNet), iai::invalid_argument, "StandardInferenceModel",
                  "latent_dim");
  REQUIRE_REJECTS(Iterative(0, 2, {.network = kNet}), iai::invalid_argument,
                  "IterativeInferenceModel", "observed_dim");
  REQUIRE_REJECTS(Iterative(6, -1, {.network = kNet}), iai::invalid_argument,
                  "IterativeInferenceModel", "latent_dim");
  REQUIRE_REJECTS(Bernoulli(0, iai::nn::Mlp<double, iai::nn::Elu>({2, 3})), iai::invalid_argument,
                  "LatentGaussianModel", "observed_dim");
  REQUIRE_REJECTS(Bernoulli(4, iai::nn::Mlp<double, iai::nn::Elu>({2, 3})), iai::invalid_argument,
                  "LatentGaussianModel", "decoder.outputSize()");
  REQUIRE_REJECTS((iai::Gaussian<double>({}, 0)), iai::invalid_argument, "Gaussian::Gaussian",
                  "observed_dim");
  REQUIRE_REJECTS(iai::nn::Linear<double>(0, 3), iai::invalid_argument, "Linear::Linear", "in");
  REQUIRE_REJECTS((iai::nn::Mlp<double, iai::nn::Elu>({2, 0, 3})), iai::invalid_argument,
                  "Mlp::Mlp", "sizes[1]");
  REQUIRE_REJECTS(iai::nn::HighwayMlp<double>(3, 4, 0), iai::invalid_argument,
                  "HighwayMlp::HighwayMlp", "layers");
  REQUIRE_REJECTS(iai::optim::Adam<double>({}, 0), iai::invalid_argument, "Adam::Adam",
                  "parameter_count");
}

// ---- settings ----------------------------------------------------------------------------------

TEST_CASE("Rule learning rate: a learning rate that is not positive and finite is refused",
          "[reliability][validation]") {
  for (double lr : {0.0, -1e-3, kNaN, kInf}) {
    INFO("learning rate " << lr);
    REQUIRE_REJECTS(iai::optim::Adam<double>({.learning_rate = lr}, 3), iai::invalid_argument,
                    "Adam::Adam", "config.learning_rate");
    REQUIRE_REJECTS(iai::optim::Sgd<double>({.learning_rate = lr}, 3), iai::invalid_argument,
                    "Sgd::Sgd", "config.learning_rate");
    REQUIRE_REJECTS(iai::optim::RmsProp<double>({.learning_rate = lr}, 3), iai::invalid_argument,
                    "RmsProp", "config.learning_rate");
    REQUIRE_REJECTS(iai::GradientInference<Linear>({.learning_rate = lr}), iai::invalid_argument,
                    "GradientInference", "config.learning_rate");
    Linear model(6, 2);
    Standard standard(6, 2, kNet);
    iai::TrainingConfig theta = smallConfig(), phi = smallConfig();
    theta.theta_optimizer.learning_rate = lr;
    phi.phi_optimizer.learning_rate = lr;
    REQUIRE_REJECTS(iai::VariationalEM(model, standard, theta), iai::invalid_argument, "Adam",
                    "config.learning_rate");
    REQUIRE_REJECTS(iai::VariationalEM(model, standard, phi), iai::invalid_argument, "Adam",
                    "config.learning_rate");
    iai::optim::Adam<double> adam({}, 3);
    REQUIRE_REJECTS(adam.setLearningRate(lr), iai::invalid_argument, "Adam::setLearningRate",
                    "learning_rate");
  }
}

TEST_CASE("Rule samples: S < 1 ELBO samples is refused", "[reliability][validation]") {
  REQUIRE_REJECTS(iai::Elbo<Linear>({.samples = 0}), iai::invalid_argument, "Elbo",
                  "config.samples");
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  iai::TrainingConfig c = smallConfig();
  c.elbo.samples = -3;
  REQUIRE_REJECTS(iai::VariationalEM(model, standard, c), iai::invalid_argument, "Elbo",
                  "config.samples");
  REQUIRE_REJECTS(iai::GradientInference<Linear>({}, {.samples = 0}), iai::invalid_argument, "Elbo",
                  "config.samples");
}

TEST_CASE("Rule iterations: T < 1 inference iterations is refused", "[reliability][validation]") {
  Linear model(6, 2);
  Iterative iterative(6, 2, {.network = kNet});
  for (Index t : {Index{0}, Index{-1}}) {
    iai::TrainingConfig c = smallConfig();
    c.iterations = t;
    REQUIRE_REJECTS(iai::VariationalEM(model, iterative, c), iai::invalid_argument, "VariationalEM",
                    "config.iterations");
  }
}

TEST_CASE("Rule importance samples: K < 1 importance samples is refused",
          "[reliability][validation]") {
  REQUIRE_REJECTS(iai::ImportanceSampler<Linear>(0), iai::invalid_argument, "ImportanceSampler",
                  "samples");
  REQUIRE_REJECTS(iai::ImportanceSampler<Linear>(-5), iai::invalid_argument, "ImportanceSampler",
                  "samples");
}

TEST_CASE("Rule batch: a batch size below 1 or larger than the data set is refused",
          "[reliability][validation]") {
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  iai::TrainingConfig zero = smallConfig();
  zero.batch_size = 0;
  REQUIRE_REJECTS(iai::VariationalEM(model, standard, zero), iai::invalid_argument, "VariationalEM",
                  "config.batch_size");
  iai::TrainingConfig big = smallConfig();
  big.batch_size = 64;
  iai::VariationalEM em(model, standard, big);
  const Mat data = Mat::Zero(6, 63);
  iai::MatrixBatchSource<double> source(data);
  REQUIRE_REJECTS(em.fit(source, 1), iai::invalid_argument, "VariationalEM::fit", "source.size()");
  CHECK(em.steps() == 0);
}

TEST_CASE("Rule settings: other training and optimizer settings outside their range are refused",
          "[reliability][validation]") {
  Linear model(6, 2);
  Standard standard(6, 2, kNet);
  auto with = [](auto set) {
    iai::TrainingConfig c = smallConfig();
    set(c);
    return c;
  };
  REQUIRE_REJECTS(iai::VariationalEM(model, standard, with([](auto& c) { c.lr_decay = 0.0; })),
                  iai::invalid_argument, "VariationalEM", "config.lr_decay");
  REQUIRE_REJECTS(iai::VariationalEM(model, standard, with([](auto& c) { c.lr_decay = 1.5; })),
                  iai::invalid_argument, "VariationalEM", "config.lr_decay");
  REQUIRE_REJECTS(
      iai::VariationalEM(model, standard, with([](auto& c) { c.kl_warmup_epochs = -1; })),
      iai::invalid_argument, "VariationalEM", "config.kl_warmup_epochs");
  REQUIRE_REJECTS(
      iai::VariationalEM(model, standard, with([](auto& c) { c.max_grad_norm = -1.0; })),
      iai::invalid_argument, "VariationalEM", "config.max_grad_norm");
  REQUIRE_REJECTS(
      iai::VariationalEM(model, standard, with([](auto& c) { c.max_consecutive_faults = 0; })),
      iai::invalid_argument, "VariationalEM", "config.max_consecutive_faults");
  REQUIRE_REJECTS(
      iai::VariationalEM(model, standard, with([](auto& c) { c.elbo.kl_weight = -1.0; })),
      iai::invalid_argument, "Elbo", "config.kl_weight");
  REQUIRE_REJECTS(
      iai::VariationalEM(model, standard, with([](auto& c) { c.theta_optimizer.beta1 = 1.0; })),
      iai::invalid_argument, "Adam::Adam", "config.beta1");
  iai::Vector<double> g = iai::Vector<double>::Ones(3);
  REQUIRE_REJECTS(iai::optim::clipGlobalNorm(g, 0.0), iai::invalid_argument, "clipGlobalNorm",
                  "max_norm");
  REQUIRE_REJECTS(iai::optim::ExponentialDecay{0.0}.rate(1e-3, 1), iai::invalid_argument,
                  "ExponentialDecay::rate", "gamma");
  REQUIRE_REJECTS(iai::optim::Sgd<double>({.nesterov = true}, 3), iai::invalid_argument, "Sgd::Sgd",
                  "config.momentum");
}

}  // namespace iai_test_validation_test
