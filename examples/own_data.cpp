// Bring your own data: a .npy matrix (N rows = examples, D columns; float32, float64 or uint8,
// C order) trained with a Gaussian output and an iterative inference model (docs/data.md).
//   own_data [matrix.npy]    without an argument it writes and reads a small demo matrix
#include <cstdio>
#include <string>

#include <iai/iai.hpp>

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "own_data_demo.npy";
  if (argc == 1) {  // demo: 512 examples of 16 reals from a 2-D linear latent model
    iai::Rng rng(1);
    iai::Matrix<float> w(16, 2), z(2, 512);
    iai::fillNormal(rng, w);
    iai::fillNormal(rng, z);
    iai::writeNpy(path, w * z);  // D × N in memory, saved as (N, D)
  }
  // One example per row of the file, one per column in memory; any finite reals (Gaussian).
  auto data = iai::Dataset<float>::fromNpy(path, iai::Likelihood::Gaussian);
  using Model = iai::LatentGaussianModel<float, iai::Gaussian<float>>;
  const iai::GaussianConfig output{.mode = iai::LogVarMode::PerExample};  // log σ² depends on z
  Model model = Model::mlp(/*latent*/ 4, data.dim(), /*hidden*/ {64},
                           iai::Gaussian<float>(output, data.dim()), /*seed*/ 2);
  iai::IterativeInferenceModel<float> inference(data.dim(), 4, {.network = {.hidden = 64}});
  iai::TrainingConfig config;
  config.batch_size = 64;
  iai::VariationalEM em(model, inference, config);
  const iai::EpochStatistics last = em.fit(data, /*epochs*/ 5);
  std::printf("%s: %lld examples of dimension %lld; train ELBO in epoch 5: %.2f nats\n",
              path.c_str(), static_cast<long long>(data.size()),
              static_cast<long long>(data.dim()), last.train_elbo);
  return 0;
}
