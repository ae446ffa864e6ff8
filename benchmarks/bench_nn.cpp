// nn layers in float: forward vs forward + backward (input gradient and accumulated parameter
// gradients), for the paper's shapes 784 → 512 (data → hidden; the Highway projects) and
// 512 → 512 (hidden → hidden), at batch sizes 1 (one example), 64 (a minibatch) and 640 (a
// minibatch of 64 × 10 samples through the decoder).
// Counters: items = examples per second; GFLOP/s counts 2·in·rows·batch per GEMM (forward: one
// GEMM with rows = out for Linear, k·out for Highway; backward adds dx = Wᵀ dy and dW += dy xᵀ),
// ignoring the element-wise work.
// GCC 12's avx512fintrin.h trips -Wmaybe-uninitialized under -march=native on AVX-512 machines
// (GCC bug 105593, fixed in GCC 13); the warning is about the compiler's own header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <benchmark/benchmark.h>

#include "build_context.hpp"

#include <cstdint>
#include <utility>

#include <iai/nn.hpp>

namespace {

using S = float;
using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;

/// A bound, initialized layer with a random input batch and output gradient.
template <class L>
struct Setup {
  L layer;
  Vector<S> params, grads;
  Matrix<S> x, y, dy, dx;

  Setup(L l, Index batch) : layer(std::move(l)) {
    iai::nn::bindParameters(params, grads, layer);
    iai::Rng rng(1);
    layer.initialize(rng);
    x.resize(layer.inputSize(), batch);
    dy.resize(layer.outputSize(), batch);
    iai::fillNormal(rng, x);
    iai::fillNormal(rng, dy);
    y.resize(layer.outputSize(), batch);
    dx.resize(layer.inputSize(), batch);
  }
};

void setCounters(benchmark::State& state, Index batch, double flops_per_iteration) {
  state.SetItemsProcessed(static_cast<std::int64_t>(batch) * state.iterations());
  // reported per second of CPU time; scaled so that the value reads in GFLOP/s
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

template <class L>
void forwardOnly(benchmark::State& state, L layer, double gemm_flops) {
  const Index batch = state.range(2);
  Setup<L> s(std::move(layer), batch);
  for (auto _ : state) {
    s.layer.forward(s.x, s.y);
    benchmark::DoNotOptimize(s.y.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, batch, gemm_flops);
}

template <class L>
void forwardBackward(benchmark::State& state, L layer, double gemm_flops) {
  const Index batch = state.range(2);
  Setup<L> s(std::move(layer), batch);
  for (auto _ : state) {
    s.layer.forward(s.x, s.y);
    s.layer.backward(s.x, s.y, s.dy, s.dx, ParamGrad::Accumulate);
    benchmark::DoNotOptimize(s.dx.data());
    benchmark::DoNotOptimize(s.grads.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, batch, 3 * gemm_flops);
}

/// 2·in·rows·batch for one GEMM producing rows × batch from in × batch.
double gemmFlops(Index in, Index rows, Index batch) {
  return 2.0 * static_cast<double>(in) * static_cast<double>(rows) * static_cast<double>(batch);
}

void BM_LinearForward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1), batch = state.range(2);
  forwardOnly(state, iai::nn::Linear<S>(in, out), gemmFlops(in, out, batch));
}
void BM_LinearForwardBackward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1), batch = state.range(2);
  forwardBackward(state, iai::nn::Linear<S>(in, out), gemmFlops(in, out, batch));
}
/// Projecting (k = 3) when in ≠ out, as the first layer of the inference network.
void BM_HighwayForward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1), batch = state.range(2);
  const iai::nn::Highway<S> layer(in, out, in != out);
  forwardOnly(state, layer, gemmFlops(in, layer.blockCount() * out, batch));
}
void BM_HighwayForwardBackward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1), batch = state.range(2);
  const iai::nn::Highway<S> layer(in, out, in != out);
  forwardBackward(state, layer, gemmFlops(in, layer.blockCount() * out, batch));
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"in", "out", "batch"});
  for (const std::int64_t in : {784, 512})
    for (const std::int64_t batch : {1, 64, 640}) b->Args({in, 512, batch});
}

}  // namespace

BENCHMARK(BM_LinearForward)->Apply(shapes);
BENCHMARK(BM_LinearForwardBackward)->Apply(shapes);
BENCHMARK(BM_HighwayForward)->Apply(shapes);
BENCHMARK(BM_HighwayForwardBackward)->Apply(shapes);

BENCHMARK_MAIN();
