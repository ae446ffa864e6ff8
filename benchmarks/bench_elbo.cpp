// ELBO of the reference model: value only vs value + ∂λ vs value + ∂λ + ∂θ (what the inner
// inference loop pays for vs what the final step pays). Sweeps batch {1, 16, 64, 256}, S {1, 10}.
#include "bench_common.hpp"

namespace {

void elbo(benchmark::State& state, bool grad_lambda, bool grad_theta) {
  const iai::Index b = state.range(0), s = state.range(1);
  auto model = bench::referenceModel();
  iai::Elbo<bench::Model> estimator({.samples = s});
  const auto x = bench::binaryBatch(b);
  iai::Matrix<bench::S> mean = iai::Matrix<bench::S>::Zero(bench::kLatent, b), log_var = mean;
  iai::Rng rng(1);
  const iai::ElboRequest request{.grad_lambda = grad_lambda, .grad_theta = grad_theta};
  for (auto _ : state) {
    estimator.evaluate(model, x, mean, log_var, rng, request);
    benchmark::DoNotOptimize(estimator.elbo().data());
  }
  const double n = double(b * s);
  const double passes = 1 + (grad_lambda || grad_theta ? 1 : 0) + (grad_theta ? 1 : 0);
  bench::setRate(state, double(b), passes * bench::decoderFlops(n));
}

void sweep(benchmark::internal::Benchmark* b) {
  for (long batch : {1, 16, 64, 256})
    for (long samples : {1, 10}) b->Args({batch, samples});
  b->ArgNames({"batch", "S"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

void BM_ElboValue(benchmark::State& s) { elbo(s, false, false); }
void BM_ElboGradLambda(benchmark::State& s) { elbo(s, true, false); }
void BM_ElboGradLambdaTheta(benchmark::State& s) { elbo(s, true, true); }
BENCHMARK(BM_ElboValue)->Apply(sweep);
BENCHMARK(BM_ElboGradLambda)->Apply(sweep);
BENCHMARK(BM_ElboGradLambdaTheta)->Apply(sweep);

}  // namespace

BENCHMARK_MAIN();
