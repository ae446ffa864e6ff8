// Train a user-written model (examples/custom_model.hpp) with iai's iterative inference.
#include "custom_model.hpp"

#include <iai/iai.hpp>

#include <cstdio>

int main() {
  my::TanhDecoderModel teacher(8, 2, /*seed*/ 7), model(8, 2, /*seed*/ 11);
  iai::Rng rng(3);
  Eigen::MatrixXd z(2, 2048), data(8, 2048);
  teacher.sample(rng, z, data);
  iai::MatrixBatchSource<double> source(data);

  iai::IterativeInferenceModel<double> inference(8, 2, {.network = {.hidden = 32, .layers = 2}});
  iai::TrainingConfig config;
  config.theta_optimizer.learning_rate = config.phi_optimizer.learning_rate = 3e-3;
  iai::VariationalEM em(model, inference, config);

  iai::Rng eval_rng(4);
  std::printf("ELBO before training: %.3f\n", em.evaluate(source, 512, eval_rng).back());
  em.fit(source, 10);
  std::printf("ELBO after 10 epochs: %.3f\n", em.evaluate(source, 512, eval_rng).back());
}
