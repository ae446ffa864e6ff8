// Variational EM on a small nonlinear latent Gaussian model (MLP decoder, Bernoulli output) with
// binary data drawn from a random "teacher" model of the same family.
#include "support/catch.hpp"

#include <iai/iai.hpp>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_nonlinear_model_test {

using iai::Matrix;
using Model = iai::LatentGaussianModel<float>;

TEST_CASE("Training a nonlinear model increases the ELBO, and the trained iterative model's ELBO "
          "does not decrease on average over its iterations on held-out data",
          "[training]") {
  Model teacher = Model::mlp(4, 32, {32}, {}, 100);
  teacher.theta() *= 3.0f;  // a sharper teacher: structured, far-from-uniform images
  iai::Rng rng(1);
  Matrix<float> z_train(4, 3072), train(32, 3072), z_test(4, 512), test(32, 512);
  teacher.sample(rng, z_train, train);
  teacher.sample(rng, z_test, test);
  iai::MatrixBatchSource<float> train_source(train), test_source(test);

  iai::TrainingConfig config;
  config.elbo = {.samples = 2};
  config.theta_optimizer.learning_rate = 2e-3;
  config.phi_optimizer.learning_rate = 2e-3;
  config.batch_size = 64;
  config.iterations = 5;
  Model student = Model::mlp(4, 32, {32}, {}, 7);
  iai::IterativeInferenceModel<float> iterative(32, 4, {.network = {.hidden = 32, .layers = 2}}, 3);
  iai::VariationalEM em(student, iterative, config);

  iai::Rng eval_rng(2);
  const auto before = em.evaluate(test_source, 512, eval_rng);
  const auto stats = em.fit(train_source, 12);
  // many samples to keep the estimate's noise well below the differences checked
  iai::TrainingConfig eval_config = config;
  eval_config.elbo.samples = 50;
  iai::VariationalEM evaluator(student, iterative, eval_config);
  const auto after = evaluator.evaluate(test_source, 512, eval_rng);
  INFO("test ELBO per iteration before: " << before.back() << ", after: L0 " << after[0] << " L1 "
                                          << after[1] << " L5 " << after[5]);
  CHECK(stats.skipped_steps == 0);
  CHECK(after.back() > before.back() + 2.0);  // training helps (nats per 32-pixel example)
  // non-decreasing on average over the iterations: mean increment ≥ 0 and L_T ≥ L_1
  double mean_increment = 0;
  for (std::size_t t = 1; t + 1 < after.size(); ++t) mean_increment += after[t + 1] - after[t];
  mean_increment /= static_cast<double>(after.size() - 2);
  CHECK(mean_increment >= 0.0);
  CHECK(after.back() >= after[1]);
  CHECK(after[1] > after[0]);  // the first step leaves the prior
}

}  // namespace iai_test_nonlinear_model_test
