// A full training step (E-step, both backward passes, both Adam steps) of the reference
// configuration, for the standard and the iterative inference model. Sweeps batch {16, 64, 256},
// S {1, 10}, T {1, 5, 10}.
#include "bench_common.hpp"

namespace {

template <class Inference>
void trainingStep(benchmark::State& state, Inference inference, iai::Index t, bool iterative) {
  const iai::Index b = state.range(0), s = state.range(1);
  auto model = bench::referenceModel();
  iai::TrainingConfig config;
  config.iterations = t;
  config.elbo.samples = s;
  config.batch_size = b;
  iai::VariationalEM em(model, inference, config);
  const auto x = bench::binaryBatch(b);
  em.step(x);
  for (auto _ : state) benchmark::DoNotOptimize(em.step(x).elbo);
  const double dec = bench::decoderFlops(double(b * s));
  const double evals = iterative ? double(t + 1) : 1.0, updates = iterative ? double(t) : 1.0;
  const double enc = iterative ? bench::encoderFlops(double(b), 1168, 256)
                               : bench::encoderFlops(double(b), 784, 128);
  bench::setRate(state, double(b), evals * 2 * dec + dec + updates * 2 * enc);
}

void BM_TrainStepStandard(benchmark::State& state) {
  trainingStep(state, iai::StandardInferenceModel<bench::S>(bench::kD, bench::kLatent, {}, 1), 1,
               false);
}
void BM_TrainStepIterative(benchmark::State& state) {
  const iai::Index t = state.range(2);
  iai::IterativeInferenceConfig c;
  trainingStep(state, iai::IterativeInferenceModel<bench::S>(bench::kD, bench::kLatent, c, 1), t,
               true);
}
BENCHMARK(BM_TrainStepStandard)->ArgNames({"batch", "S"})->Args({16, 1})->Args({64, 1})
    ->Args({64, 10})->Args({256, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainStepIterative)->ArgNames({"batch", "S", "T"})->Args({16, 10, 5})
    ->Args({64, 1, 5})->Args({64, 10, 1})->Args({64, 10, 5})->Args({64, 10, 10})
    ->Args({256, 10, 5})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
