// Baseline: plain Eigen float GEMM (C = A·B) at a large square size and at the reference
// configuration's main decoder shape (512×512 by 512×640), to compare the training step's
// GFLOP/s with what the machine reaches on products alone.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

namespace {

void BM_EigenGemm(benchmark::State& state) {
  const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
  Eigen::MatrixXf a = Eigen::MatrixXf::Random(m, k), b = Eigen::MatrixXf::Random(k, n), c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * double(m) * double(k) * double(n),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EigenGemm)->ArgNames({"m", "k", "n"})->Args({1024, 1024, 1024})
    ->Args({512, 512, 640})->Args({784, 512, 640})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
