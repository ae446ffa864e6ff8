// Shared set-up for the benchmark suite: the reference configuration (the paper's MNIST
// single-level model, Sec. 5): D = 784, latent 64, decoder 64→512→512→784 ELU (Bernoulli
// logits), inference networks 2×512 highway ELU, float.
#pragma once
#include <benchmark/benchmark.h>

#include <iai/iai.hpp>

#include "build_context.hpp"

namespace bench {

using S = float;
using Model = iai::LatentGaussianModel<S>;
constexpr iai::Index kD = 784, kLatent = 64, kHidden = 512;

inline Model referenceModel() { return Model::mlp(kLatent, kD, {kHidden, kHidden}, {}, 1); }

inline iai::Matrix<S> binaryBatch(iai::Index batch, std::uint64_t seed = 0) {
  iai::Rng rng(seed);
  iai::Matrix<S> x(kD, batch);
  iai::fillUniform(rng, x);
  return (x.array() < S(0.15)).cast<S>().matrix();
}

/// Matrix-product FLOPs of one decoder pass over n columns.
inline double decoderFlops(double n) {
  return 2.0 * n * (double(kLatent) * kHidden + double(kHidden) * kHidden + double(kHidden) * kD);
}
/// Matrix-product FLOPs of one inference-network pass (highway MLP + heads) over b columns.
inline double encoderFlops(double b, double inputs, double heads) {
  return 2.0 * b * (3.0 * kHidden * inputs + 2.0 * kHidden * kHidden + double(kHidden) * heads);
}

inline void setRate(benchmark::State& state, double items, double flops) {
  state.SetItemsProcessed(static_cast<int64_t>(items) * static_cast<int64_t>(state.iterations()));
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace bench
