// Inference: one iterative update (forward + φ backward) of the reference iterative model, and
// single-example inference (batch 1, T iterations with S samples, no parameter gradients).
#include "bench_common.hpp"

namespace {

void BM_IterativeUpdate(benchmark::State& state) {
  const iai::Index b = state.range(0);
  iai::IterativeInferenceModel<bench::S> model(bench::kD, bench::kLatent, {}, 1);
  iai::Rng rng(2);
  iai::Matrix<bench::S> x = bench::binaryBatch(b), mean(bench::kLatent, b), log_var(bench::kLatent, b);
  iai::Matrix<bench::S> g_mean(bench::kLatent, b), g_log_var(bench::kLatent, b), next(bench::kLatent, b),
      next_lv(bench::kLatent, b);
  for (auto* m : {&mean, &log_var, &g_mean, &g_log_var}) iai::fillNormal(rng, *m);
  iai::InferenceSignals<bench::S> u{x, mean, log_var, g_mean, g_log_var, std::nullopt, std::nullopt};
  for (auto _ : state) {
    model.update(u, next, next_lv);
    model.backward(g_mean, g_log_var);
    benchmark::DoNotOptimize(next.data());
  }
  bench::setRate(state, double(b), 2 * bench::encoderFlops(double(b), 1168, 4 * 64));
}
BENCHMARK(BM_IterativeUpdate)->ArgName("batch")->Arg(1)->Arg(16)->Arg(64)->Arg(256)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_InferOneExample(benchmark::State& state) {
  const iai::Index t = state.range(0), s = state.range(1);
  auto model = bench::referenceModel();
  iai::IterativeInferenceModel<bench::S> inference(bench::kD, bench::kLatent, {}, 1);
  iai::TrainingConfig config;
  config.iterations = t;
  config.elbo.samples = s;
  iai::VariationalEM em(model, inference, config);
  const auto x = bench::binaryBatch(1);
  iai::Matrix<bench::S> mean(bench::kLatent, 1), log_var(bench::kLatent, 1);
  iai::Rng rng(3);
  for (auto _ : state) {
    em.infer(x, mean, log_var, rng);
    benchmark::DoNotOptimize(mean.data());
  }
  // T + 1 decoder forwards, T decoder input-gradients, T encoder forwards
  const double flops = double(t + 1) * bench::decoderFlops(double(s)) +
                       double(t) * bench::decoderFlops(double(s)) +
                       double(t) * bench::encoderFlops(1, 1168, 4 * 64);
  bench::setRate(state, 1, flops);
}
BENCHMARK(BM_InferOneExample)->ArgNames({"T", "S"})->Args({1, 10})->Args({5, 10})->Args({10, 10})
    ->Args({5, 1})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
