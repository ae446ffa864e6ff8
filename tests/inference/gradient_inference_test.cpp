#include "support/catch.hpp"

#include <iai/inference/gradient_inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_gradient_inference_test {

using iai::Matrix;
using iai::RowVector;
using Model = iai::LinearGaussianModel<double>;

TEST_CASE("GradientInference reaches ELBO = exact log p(x) on the linear-Gaussian oracle",
          "[inference][oracle]") {
  // Orthogonal W: the optimal diagonal q is the exact posterior, so max ELBO = log p(x).
  iai::Rng rng(11);
  auto model = Model::withOrthogonalColumns(10, 3, rng, -1.0);
  const iai::Index b = 8;
  Matrix<double> x(10, b), z(3, b), mean(3, b), log_var(3, b);
  model.sample(rng, z, x);
  iai::GradientInference<Model>().initializeFromPrior(model, rng, mean, log_var);
  // Adam with a decreasing step size (four stages) and S = 32 samples per gradient.
  std::vector<double> trace;
  for (double lr : {0.05, 5e-3, 5e-4, 5e-5}) {
    iai::GradientInference<Model> gi({.optimizer = iai::LambdaOptimizer::Adam,
                                      .learning_rate = lr, .steps = 1500},
                                     {.samples = 32});
    gi.run(model, x, mean, log_var, rng, &trace);
    CHECK(trace.size() == 1501);
  }
  RowVector<double> elbo(b), log_px(b);
  model.exactElbo(x, mean, log_var, elbo);
  model.exactLogMarginal(x, log_px);
  INFO("max gap " << (log_px - elbo).maxCoeff());
  CHECK((log_px - elbo).maxCoeff() < 1e-4);
  CHECK((log_px - elbo).minCoeff() > -1e-9);  // a lower bound
}

TEST_CASE("GradientInference: every optimizer improves the ELBO from the prior", "[inference]") {
  iai::Rng rng(12);
  auto model = Model::withOrthogonalColumns(10, 3, rng, -1.0);
  Matrix<double> x(10, 6), z(3, 6);
  model.sample(rng, z, x);
  RowVector<double> before(6), after(6);
  for (auto opt : {iai::LambdaOptimizer::Sgd, iai::LambdaOptimizer::Momentum,
                   iai::LambdaOptimizer::RmsProp, iai::LambdaOptimizer::Adam}) {
    Matrix<double> mean = Matrix<double>::Zero(3, 6), log_var = Matrix<double>::Zero(3, 6);
    model.exactElbo(x, mean, log_var, before);
    iai::GradientInference<Model> gi({.optimizer = opt, .learning_rate = 0.01, .steps = 100},
                                     {.samples = 4});
    gi.run(model, x, mean, log_var, rng);
    model.exactElbo(x, mean, log_var, after);
    INFO(iai::toString(opt));
    CHECK((after - before).minCoeff() > 0.5);
  }
  CHECK_THROWS_AS(iai::GradientInference<Model>({.learning_rate = 0.0}), iai::invalid_argument);
}

}  // namespace iai_test_gradient_inference_test
