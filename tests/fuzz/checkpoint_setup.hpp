#pragma once
// The fixed small training run whose checkpoints the checkpoint fuzzer loads and whose valid
// checkpoint seeds its corpus (make_corpus.cpp): a 6 × 2 linear-Gaussian model, an iterative
// inference model with one hidden layer of 4, float parameters.
#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>
#include <iai/training/checkpoint.hpp>

namespace iai_fuzz {

inline const std::string kArchitecture = "fuzz: linear-gaussian 6x2, iterative hidden=4 T=2";

struct CheckpointRun {
  using Model = iai::LinearGaussianModel<float>;
  using Inference = iai::IterativeInferenceModel<float>;
  Model model{6, 2};
  Inference inference{6, 2, {.network = {.hidden = 4, .layers = 1}}, 1};
  iai::VariationalEM<Model, Inference> em{
      model, inference, {.iterations = 2, .elbo = {.samples = 1}, .batch_size = 4, .seed = 3}};
};

}  // namespace iai_fuzz
