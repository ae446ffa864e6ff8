// After warm-up, a training step (E-step with T inference iterations, ELBO, backward, both
// optimizers) allocates nothing: Eigen's own check (EIGEN_RUNTIME_NO_MALLOC) plus a counting
// global operator new for everything else. This file is its own executable so that the Eigen
// macro applies to every inline function it uses.
// Small sizes and the full reference configuration (batch 64, S = 10, T = 5, 512-unit networks,
// 784-dimensional data): every product of the layers goes through iai::nn::gemm, whose packing
// buffers are persistent per-thread workspaces (Eigen 3.4 would heap-allocate them inside every
// product larger than EIGEN_STACK_ALLOCATION_LIMIT, 128 KiB). This executable is built without
// OpenMP (one thread); tests/threads checks that the workspaces stop growing on two threads too.
#define EIGEN_RUNTIME_NO_MALLOC
// Keep Eigen's malloc check active in Release builds too (NDEBUG would compile it out), and make
// it throw so that Catch2 reports the failing step instead of aborting.
#include <stdexcept>
#define eigen_assert(x) \
  do {                  \
    if (!(x)) throw std::runtime_error("Eigen assertion failed: " #x); \
  } while (false)
#include "support/catch.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

#include <iai/iai.hpp>

// The replacements below pair malloc/free themselves; GCC 12 flags them anyway.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
}  // namespace

// Under AddressSanitizer the allocator is ASan's own (it pairs every new/delete variant); the
// counter is replaced only in normal builds, and Eigen's check runs in both.
#if !defined(__SANITIZE_ADDRESS__)
#define IAI_COUNTING_NEW 1
void* operator new(std::size_t n) {
  if (g_counting.load()) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load()) ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

namespace {
template <class Em, class Source>
long allocationsInSteps(Em& em, const iai::Matrix<float>& batch, int steps, int warm_up = 2) {
  for (int i = 0; i < warm_up; ++i) em.step(batch);  // warm-up: workspaces get their sizes
  struct Guard {  // re-allows allocation even when a step throws (Eigen's check does)
    Guard() {
      g_allocations = 0;
      g_counting = true;
      Eigen::internal::set_is_malloc_allowed(false);
    }
    ~Guard() {
      Eigen::internal::set_is_malloc_allowed(true);
      g_counting = false;
    }
  };
  {
    const Guard guard;
    for (int i = 0; i < steps; ++i) em.step(batch);
  }
  return g_allocations.load();
}
}  // namespace

TEST_CASE("An iterative training step allocates nothing after warm-up", "[no_alloc]") {
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(8, 64, {32, 32}, {}, 1);
  iai::IterativeInferenceModel<float> inference(64, 8, {.network = {.hidden = 32, .layers = 2}}, 2);
  iai::TrainingConfig config;
  config.iterations = 3;
  config.elbo.samples = 2;
  iai::VariationalEM em(model, inference, config);
  iai::Matrix<float> batch(64, 16);
  iai::Rng rng(3);
  iai::fillUniform(rng, batch);
  batch = (batch.array() > 0.5f).cast<float>().matrix();
  CHECK(allocationsInSteps<decltype(em), void>(em, batch, 3) == 0);
}

TEST_CASE("An iterative training step at the reference sizes allocates nothing after warm-up",
          "[no_alloc]") {
  // benchmarks/reference.cpp's configuration: decoder 64→512→512→784, 2×512 highway inference
  // network on 1168 iterative inputs, batch 64, S = 10, T = 5, Adam.
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(64, 784, {512, 512}, {}, 1);
  iai::IterativeInferenceModel<float> inference(784, 64, {}, 2);
  iai::TrainingConfig config;
  config.iterations = 5;
  config.elbo.samples = 10;
  config.batch_size = 64;
  iai::VariationalEM em(model, inference, config);
  iai::Matrix<float> batch(784, 64);
  iai::Rng rng(5);
  iai::fillUniform(rng, batch);
  batch = (batch.array() < 0.15f).cast<float>().matrix();
  // one warm-up step and one checked step: ~15 GFLOP each, which takes about a minute in an
  // ASan Debug build
  CHECK(allocationsInSteps<decltype(em), void>(em, batch, 1, 1) == 0);
}

TEST_CASE("A standard training step allocates nothing after warm-up", "[no_alloc]") {
  using Model = iai::LatentGaussianModel<float>;
  Model model = Model::mlp(8, 64, {32}, {}, 1);
  iai::StandardInferenceModel<float> inference(64, 8, {.hidden = 32, .layers = 2}, 2);
  iai::VariationalEM em(model, inference, {.elbo = {.samples = 3}});
  iai::Matrix<float> batch(64, 16);
  iai::Rng rng(4);
  iai::fillUniform(rng, batch);
  CHECK(allocationsInSteps<decltype(em), void>(em, batch, 3) == 0);
}

TEST_CASE("Both allocation checks work (the tests above cannot pass vacuously)", "[no_alloc]") {
#if defined(IAI_COUNTING_NEW)
  g_allocations = 0;
  g_counting = true;
  auto* p = new std::vector<int>(100);
  g_counting = false;
  delete p;
  CHECK(g_allocations.load() >= 1);
#else
  WARN("AddressSanitizer build: operator new is not counted, Eigen's malloc check still runs");
#endif
  Eigen::internal::set_is_malloc_allowed(false);
  CHECK_THROWS(Eigen::MatrixXf(50, 50));
  Eigen::internal::set_is_malloc_allowed(true);
}
