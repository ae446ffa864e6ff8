// A user-defined two-level model written only against concepts::HierarchicalGenerativeModel (no
// library base class): the linear-Gaussian hierarchy
//   z_2 ~ N(0, I),  z_1 | z_2 ~ N(A z_2, diag e^c),  x | z_1 ~ N(W z_1, e^{s_x} I),
// whose marginal is exact: x ~ N(0, W (A Aᵀ + diag e^c) Wᵀ + e^{s_x} I). It is the oracle for the
// hierarchical importance weights, and it trains through VariationalEM with both hierarchical
// inference models, GradientInference and checkpoints.
#include "support/catch.hpp"

#include <iai/evaluation/importance_sampling.hpp>
#include <iai/inference/gradient_inference.hpp>
#include <iai/inference/bottom_up_inference_model.hpp>
#include <iai/inference/hierarchical_iterative_inference_model.hpp>
#include <iai/training/batch_source.hpp>
#include <iai/training/checkpoint.hpp>
#include <iai/training/variational_em.hpp>

#include <Eigen/Cholesky>

#include <cmath>
#include <filesystem>
#include <numbers>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_user_hierarchical_model_test {

using iai::Index;
using iai::Matrix;
using iai::Vector;

namespace {

class LinearHierarchy {
 public:
  using Scalar = double;
  LinearHierarchy(Index dx, Index d1, Index d2, iai::Rng& rng, double log_var_x = std::log(0.5))
      : dx_(dx),
        d1_(d1),
        d2_(d2),
        log_var_x_(log_var_x),
        theta_(dx * d1 + d1 * d2 + d1),
        grad_(theta_.size()) {
    iai::fillNormal(rng, theta_);
    theta_ *= 0.7;
    c().setConstant(-1.0);
    grad_.setZero();
  }
  Index levels() const { return 2; }
  Index levelDim(Index l) const { return l == 0 ? d1_ : d2_; }
  Index latentDim() const { return d1_ + d2_; }
  Index observedDim() const { return dx_; }
  Vector<double>& theta() { return theta_; }
  Vector<double>& gradTheta() { return grad_; }

  void logLikelihood(const iai::ConstMatrixRef<double>& x, const iai::ConstMatrixRef<double>& z,
                     iai::RowVectorRef<double> log_px) {
    const Matrix<double> r = x - w() * z.topRows(d1_);
    log_px = -0.5 * ((r.array().square() * std::exp(-log_var_x_)).colwise().sum() +
                     dx_ * (std::log(2 * std::numbers::pi) + log_var_x_));
  }
  void logLikelihoodBackward(const iai::ConstMatrixRef<double>& x,
                             const iai::ConstMatrixRef<double>& z, double scale,
                             iai::MatrixRef<double> grad_z, iai::ParamGrad pg) {
    const Matrix<double> r = (x - w() * z.topRows(d1_)) * (scale * std::exp(-log_var_x_));
    grad_z.topRows(d1_) = w().transpose() * r;
    grad_z.bottomRows(d2_).setZero();
    if (pg == iai::ParamGrad::Accumulate) gradBlock(0, dx_, d1_) += r * z.topRows(d1_).transpose();
  }
  void observationError(const iai::ConstMatrixRef<double>& x, const iai::ConstMatrixRef<double>& z,
                        iai::ErrorWeighting weighting, iai::MatrixRef<double> eps_x) const {
    eps_x = x - w() * z.topRows(d1_);
    if (weighting == iai::ErrorWeighting::Precision) eps_x *= std::exp(-log_var_x_);
  }
  void prior(Index /*level*/, const iai::ConstMatrixRef<double>& z_above,
             iai::MatrixRef<double> mean_p, iai::MatrixRef<double> log_var_p) {
    mean_p = a() * z_above;
    log_var_p = c().replicate(1, z_above.cols());
  }
  void priorBackward(Index /*level*/, const iai::ConstMatrixRef<double>& z_above,
                     const iai::ConstMatrixRef<double>& grad_mean_p,
                     const iai::ConstMatrixRef<double>& grad_log_var_p,
                     iai::MatrixRef<double> grad_z_above, iai::ParamGrad pg) {
    grad_z_above = a().transpose() * grad_mean_p;
    if (pg == iai::ParamGrad::Accumulate) {
      gradBlock(dx_ * d1_, d1_, d2_) += grad_mean_p * z_above.transpose();
      grad_.tail(d1_) += grad_log_var_p.rowwise().sum();
    }
  }
  void sample(iai::Rng& rng, iai::MatrixRef<double> z, iai::MatrixRef<double> x) {
    Matrix<double> e1(d1_, z.cols()), ex(dx_, z.cols());
    iai::fillNormal(rng, z.bottomRows(d2_));
    iai::fillNormal(rng, e1);
    iai::fillNormal(rng, ex);
    z.topRows(d1_) =
        a() * z.bottomRows(d2_) + ((0.5 * c()).array().exp().matrix().asDiagonal() * e1);
    x = w() * z.topRows(d1_) + std::exp(0.5 * log_var_x_) * ex;
  }
  /// Exact log p(x_j) per column.
  iai::RowVector<double> exactLogMarginal(const Matrix<double>& x) const {
    Matrix<double> cov = a() * a().transpose();
    cov.diagonal() += c().array().exp().matrix();
    Matrix<double> sigma = w() * cov * w().transpose();
    sigma.diagonal().array() += std::exp(log_var_x_);
    const Eigen::LLT<Matrix<double>> llt(sigma);
    const double log_det =
        2 *
        Eigen::Matrix<double, -1, 1>(llt.matrixL().toDenseMatrix().diagonal()).array().log().sum();
    const Matrix<double> y = llt.matrixL().solve(x);
    return -0.5 *
           (y.array().square().colwise().sum() + dx_ * std::log(2 * std::numbers::pi) + log_det);
  }

 private:
  Eigen::Map<const Matrix<double>> w() const { return {theta_.data(), dx_, d1_}; }
  Eigen::Map<const Matrix<double>> a() const { return {theta_.data() + dx_ * d1_, d1_, d2_}; }
  Eigen::Map<const Vector<double>> c() const {
    return {theta_.data() + dx_ * d1_ + d1_ * d2_, d1_};
  }
  Eigen::Map<Vector<double>> c() { return {theta_.data() + dx_ * d1_ + d1_ * d2_, d1_}; }
  Eigen::Map<Matrix<double>> gradBlock(Index offset, Index rows, Index cols) {
    return {grad_.data() + offset, rows, cols};
  }
  Index dx_, d1_, d2_;
  double log_var_x_;
  Vector<double> theta_, grad_;
};

static_assert(iai::concepts::HierarchicalGenerativeModel<LinearHierarchy>);
static_assert(iai::concepts::ErrorSignalModel<LinearHierarchy>);

}  // namespace

TEST_CASE(
    "User hierarchy: gradient inference on all levels jointly, then importance sampling "
    "with the hierarchical weights recovers the exact log p(x)",
    "[hierarchical][oracle]") {
  iai::Rng rng(3);
  LinearHierarchy model(5, 3, 2, rng);
  const Index b = 6;
  Matrix<double> z(5, b), x(5, b), mean(5, b), log_var(5, b);
  model.sample(rng, z, x);
  iai::GradientInference<LinearHierarchy> gi({.learning_rate = 0.05, .steps = 400}, {.samples = 8});
  gi.initializeFromPrior(model, rng, mean, log_var);
  std::vector<double> trace;
  gi.run(model, x, mean, log_var, rng, &trace);
  const iai::RowVector<double> exact = model.exactLogMarginal(x);
  // the factorised q cannot be exact across levels, but it gets close from below
  iai::HierarchicalElbo<LinearHierarchy> elbo({.samples = 2000});
  elbo.evaluate(model, x, mean, log_var, rng, {.grad_lambda = false});
  CHECK(trace.back() > trace.front() + 1.0);
  CHECK((elbo.elbo().array() <= exact.array() + 0.05).all());
  CHECK((elbo.elbo() - exact).mean() > -1.0);
  // IS is unbiased in p(x), so the log of the mean weight ≈ log p(x); a mean-field q is narrower
  // than the correlated posterior (heavy-tailed weights), so the proposal is q widened by e^1
  iai::ImportanceSampler<LinearHierarchy> is(20000, 1000);
  iai::RowVector<double> log_px(b);
  const Matrix<double> wide = log_var.array() + 1.0;
  iai::RowVector<double> se(b);
  iai::RowVectorRef<double> se_ref(se);
  is.logMarginal(model, x, mean, wide, rng, log_px, &se_ref);
  CAPTURE(log_px, exact, se);
  CHECK((se.array() < 0.02).all());
  CHECK(((log_px - exact).cwiseAbs().array() < 4 * se.array() + 1e-3).all());
}

TEST_CASE(
    "User hierarchy trains through VariationalEM with per-level iterative inference and with "
    "a bottom-up encoder, and resumes from a checkpoint",
    "[hierarchical][training]") {
  iai::Rng rng(5);
  LinearHierarchy truth(6, 3, 2, rng);
  Matrix<double> z(5, 512), data(6, 512), test_z(5, 128), test(6, 128);
  truth.sample(rng, z, data);
  truth.sample(rng, test_z, test);
  iai::MatrixBatchSource<double> train_source(data), test_source(test);
  iai::TrainingConfig config;
  config.iterations = 3;
  config.elbo.samples = 2;
  config.theta_optimizer.learning_rate = 3e-3;
  config.phi_optimizer.learning_rate = 3e-3;
  config.batch_size = 64;
  config.seed = 9;
  const auto trainAndCheck = [&](auto inference, const char* label) {
    INFO(label);
    iai::Rng init(21);
    LinearHierarchy model(6, 3, 2, init);
    iai::VariationalEM em(model, inference, config);
    iai::Rng eval_rng(1);
    const double before = em.evaluate(test_source, 128, eval_rng).back();
    em.fit(train_source, 30);
    const double after = em.evaluate(test_source, 128, eval_rng).back();
    const double exact = model.exactLogMarginal(test).mean();  // of the learned model
    CAPTURE(before, after, exact);
    CHECK(after > before + 2.0);
    CHECK(after < exact + 0.05);  // a lower bound on the learned model's log p(x)
    CHECK(exact - after < 1.5);   // and a tight one
    return after;
  };
  trainAndCheck(iai::HierarchicalIterativeInferenceModel<double>(
                    6, {3, 2}, {.level = {.network = {.hidden = 32, .layers = 1}}}, 2),
                "iterative, gradients");
  trainAndCheck(iai::HierarchicalIterativeInferenceModel<double>(
                    6, {3, 2},
                    {.level = {.network = {.hidden = 32, .layers = 1},
                               .gradient = iai::GradientEncoding::None,
                               .errors = true}},
                    2),
                "iterative, errors");
  trainAndCheck(
      iai::BottomUpInferenceModel<double>(6, {3, 2}, {.network = {.hidden = 32, .layers = 1}}, 2),
      "bottom-up");

  // checkpoint: save after one epoch, resume in a fresh loop, continue bitwise as the original
  const std::string path =
      (std::filesystem::temp_directory_path() / "iai_hierarchical_checkpoint_test.bin").string();
  iai::Rng init(21), init2(21);
  LinearHierarchy m1(6, 3, 2, init), m2(6, 3, 2, init2);
  iai::HierarchicalIterativeInferenceModel<double> i1(
      6, {3, 2}, {.level = {.network = {.hidden = 16, .layers = 1}}}, 4);
  auto i2 = i1;
  iai::VariationalEM em1(m1, i1, config), em2(m2, i2, config);
  em1.fit(train_source, 1);
  iai::saveCheckpoint(path, em1, "linear-hierarchy");
  iai::loadCheckpoint(path, em2, "linear-hierarchy");
  em1.fit(train_source, 1);
  em2.fit(train_source, 1);
  CHECK((m1.theta() - m2.theta()).cwiseAbs().maxCoeff() == 0.0);
  CHECK((i1.phi() - i2.phi()).cwiseAbs().maxCoeff() == 0.0);
  std::filesystem::remove(path);
}

}  // namespace iai_test_user_hierarchical_model_test
