// Baselines for the matrix products:
//  * BM_EigenGemm: plain Eigen float GEMM (c.noalias() = a * b, Eigen's own threading) at a large
//    square size and at the reference decoder's shapes — what the machine reaches on products.
//  * BM_IaiGemm: the same shapes through iai::nn::gemm (fixed partitions, persistent buffers).
//  * BM_ReferenceStepProducts: every matrix product of one iterative training step of the
//    reference configuration (benchmarks/reference.cpp), with the shapes and transposes that
//    Linear and Highway issue, through iai::nn::gemm: the product work of a step on its own.
// Threads: OMP_NUM_THREADS (both Eigen's and iai's products use Eigen::nbThreads()).
#include <benchmark/benchmark.h>

#include "build_context.hpp"

#include <Eigen/Core>

#include <vector>

#include <iai/nn/gemm.hpp>

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

void BM_IaiGemm(benchmark::State& state) {
  const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
  Eigen::MatrixXf a = Eigen::MatrixXf::Random(m, k), b = Eigen::MatrixXf::Random(k, n), c(m, n);
  for (auto _ : state) {
    iai::nn::gemm<float>(c, a, b);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * double(m) * double(k) * double(n),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_IaiGemm)->ArgNames({"m", "k", "n"})->Args({1024, 1024, 1024})
    ->Args({512, 512, 640})->Args({784, 512, 640})->Unit(benchmark::kMillisecond)->UseRealTime();

// One product C (m × n) (+)= op(A) op(B) of depth k, repeated `times` per step.
struct Product {
  Eigen::Index m, n, k;
  bool transpose_a, transpose_b, accumulate;
  int times;
};

// The products of one iterative training step at the reference sizes: decoder 64→512→512→784 on
// N = B·S = 640 columns (T + 1 = 6 evaluations with forward and input gradient, one weight
// gradient), inference network (Highway 1168→512 with projection, Highway 512→512, heads
// 512→4·64) on B = 64 columns (T = 5 updates: forward, weight gradients, input gradients of all
// but the first layer).
std::vector<Product> referenceStepProducts() {
  const Eigen::Index n = 640, b = 64, evals = 6, updates = 5;
  std::vector<Product> p;
  const Eigen::Index dec[][2] = {{64, 512}, {512, 512}, {512, 784}};  // {in, out}
  for (const auto& l : dec) {
    p.push_back({l[1], n, l[0], false, false, false, int(evals)});  // y = W x
    p.push_back({l[0], n, l[1], true, false, false, int(evals)});   // dx = Wᵀ dy
    p.push_back({l[1], l[0], n, false, true, true, 1});             // dW += dy xᵀ
  }
  const Eigen::Index enc[][3] = {{1168, 3 * 512, 0}, {512, 2 * 512, 1}, {512, 4 * 64, 1}};
  for (const auto& l : enc) {  // {in, rows of the stacked weights, has an input gradient}
    p.push_back({l[1], b, l[0], false, false, false, int(updates)});
    p.push_back({l[1], l[0], b, false, true, true, int(updates)});
    if (l[2] != 0) p.push_back({l[0], b, l[1], true, false, false, int(updates)});
  }
  return p;
}

void BM_ReferenceStepProducts(benchmark::State& state) {
  struct Operands {
    Product p;
    Eigen::MatrixXf a, b, c;
  };
  std::vector<Operands> ops;
  double flops = 0;
  for (const Product& p : referenceStepProducts()) {
    Operands o{p, p.transpose_a ? Eigen::MatrixXf::Random(p.k, p.m) : Eigen::MatrixXf::Random(p.m, p.k),
               p.transpose_b ? Eigen::MatrixXf::Random(p.n, p.k) : Eigen::MatrixXf::Random(p.k, p.n),
               Eigen::MatrixXf::Zero(p.m, p.n)};
    ops.push_back(std::move(o));
    flops += 2.0 * double(p.m) * double(p.n) * double(p.k) * p.times;
  }
  for (auto _ : state) {
    for (Operands& o : ops) {
      for (int t = 0; t < o.p.times; ++t) {
        iai::nn::gemm<float>(o.c, o.a, o.b, {.transpose_a = o.p.transpose_a,
                                             .transpose_b = o.p.transpose_b,
                                             .accumulate = o.p.accumulate});
      }
      benchmark::DoNotOptimize(o.c.data());
    }
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP_per_step"] = flops * 1e-9;
}
BENCHMARK(BM_ReferenceStepProducts)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
