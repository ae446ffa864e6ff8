// iai quickstart: fit a nonlinear latent Gaussian model to synthetic binary data twice, once with
// a standard (one-pass) inference model and once with an iterative one, and compare test ELBOs.
#include <iai/iai.hpp>

#include <cstdio>

int main() {
  Eigen::setNbThreads(1);  // small products; one thread keeps the printed digits reproducible
  using Model = iai::LatentGaussianModel<float>;  // N(0, I) prior, ELU MLP decoder, Bernoulli
  // Synthetic data: 4096 + 1024 binary 64-pixel "images" from a random 8-latent teacher model.
  Model teacher = Model::mlp(/*latent*/ 8, /*observed*/ 64, /*hidden*/ {64}, {}, /*seed*/ 1);
  teacher.theta() *= 3.0f;
  iai::Rng rng(2);
  iai::Matrix<float> z(8, 5120), data(64, 5120);
  teacher.sample(rng, z, data);
  const iai::Matrix<float> train = data.leftCols(4096), test = data.rightCols(1024);
  iai::MatrixBatchSource<float> train_source(train), test_source(test);

  iai::TrainingConfig config;  // the authors' recipe: Adam, S = 10 samples, T = 5 iterations
  config.theta_optimizer.learning_rate = config.phi_optimizer.learning_rate = 1e-3;
  const iai::InferenceNetworkConfig net{.hidden = 64, .layers = 2};

  Model model_s = Model::mlp(8, 64, {64}, {}, 3);
  iai::StandardInferenceModel<float> standard(64, 8, net, 4);
  iai::VariationalEM em_s(model_s, standard, config);
  em_s.fit(train_source, 10);

  Model model_i = Model::mlp(8, 64, {64}, {}, 3);
  iai::IterativeInferenceModel<float> iterative(64, 8, {.network = net}, 4);
  iai::VariationalEM em_i(model_i, iterative, config);
  em_i.fit(train_source, 10);

  iai::Rng eval_rng(5);
  const auto elbo_s = em_s.evaluate(test_source, 256, eval_rng);
  const auto elbo_i = em_i.evaluate(test_source, 256, eval_rng);
  std::printf("test ELBO, standard inference model:  %8.3f nats\n", elbo_s.back());
  std::printf("test ELBO, iterative inference model: %8.3f nats (per iteration:", elbo_i.back());
  for (double v : elbo_i) std::printf(" %.2f", v);
  std::printf(")\n");
}
