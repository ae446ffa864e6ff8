// The buffer bookkeeping shared by the networks: buffers follow the batch size and forward/backward
// allocate nothing once they have it. Allocations are counted by interposing malloc (glibc,
// without sanitizers, which interpose it themselves); elsewhere only buffer reuse is checked.
// Sizes stay small: Eigen's GEMM packs operands larger than EIGEN_STACK_ALLOCATION_LIMIT (128 KB)
// into heap workspace of its own, which iai does not control.
#include "support/catch.hpp"

#include <iai/nn.hpp>

#include <atomic>
#include <cstdlib>

#include "nn_test_utils.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_network_base_test {

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define IAI_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define IAI_TEST_SANITIZED 1
#endif

#if defined(__GLIBC__) && !defined(IAI_TEST_SANITIZED)
#define IAI_TEST_COUNT_MALLOC 1
namespace {
std::atomic<long> g_malloc_calls{0};
}  // namespace
extern "C" void* __libc_malloc(std::size_t size);
// Every operator new and Eigen allocation goes through malloc; free() stays glibc's.
extern "C" void* malloc(std::size_t size) noexcept {
  g_malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
#endif

using iai::Index;
using iai::Matrix;
using iai::ParamGrad;
using iai::Vector;
using namespace iai::nn;

namespace {

long mallocCalls() {
#ifdef IAI_TEST_COUNT_MALLOC
  return g_malloc_calls.load(std::memory_order_relaxed);
#else
  return 0;
#endif
}

/// After a warm-up pass at this batch size, forward + both backward overloads neither move the
/// output buffer nor call malloc.
template <class N>
void checkSteadyState(N& net, Index batch) {
  using S = typename N::Scalar;
  CAPTURE(batch);
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  iai::Rng rng(1);
  net.initialize(rng);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, net.inputSize(), batch);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, net.outputSize(), batch);
  Matrix<S> dx(net.inputSize(), batch);
  net.forward(x);
  net.backward(x, dy, dx, ParamGrad::Accumulate);
  const S* output = net.output().data();

  const long before = mallocCalls();
  for (int repeat = 0; repeat < 3; ++repeat) {
    net.forward(x);
    net.backward(x, dy, dx, ParamGrad::Accumulate);
    net.backward(x, dy, ParamGrad::Accumulate);
    net.backward(x, dy, dx, ParamGrad::Skip);
  }
  CHECK(mallocCalls() - before == 0);
  CHECK(net.output().data() == output);
}

}  // namespace

TEMPLATE_TEST_CASE("networks allocate nothing in forward/backward at a fixed batch size",
                   "[nn][network]", float, double) {
  using S = TestType;
#ifndef IAI_TEST_COUNT_MALLOC
  WARN("malloc counting unavailable here (sanitizer or non-glibc); only buffer reuse is checked");
#endif
  const Index batch = GENERATE(1, 7, 32);
  Sequential sequential(Highway<S>(12, 16, true), Activation<Softplus, S>(16), Linear<S>(16, 8),
                        Activation<Sigmoid, S>(8));
  checkSteadyState(sequential, batch);
  Mlp<S> mlp({8, 24, 24, 12});
  checkSteadyState(mlp, batch);
  HighwayMlp<S> highway(12, 16, 3);
  checkSteadyState(highway, batch);
}

TEMPLATE_TEST_CASE("layers allocate nothing once their caches have the batch size",
                   "[nn][network]", float, double) {
  using S = TestType;
  Linear<S> linear(10, 6);
  Highway<S> highway(10, 6, true);
  Vector<S> params, grads;
  bindParameters(params, grads, linear, highway);
  iai::Rng rng(2);
  linear.initialize(rng);
  highway.initialize(rng);
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 10, 9);
  const Matrix<S> dy = nn_test::randomMatrix<S>(rng, 6, 9);
  Matrix<S> y(6, 9), dx(10, 9);
  highway.forward(x, y);  // sizes the caches
  highway.backward(x, y, dy, dx, ParamGrad::Accumulate);

  const long before = mallocCalls();
  linear.forward(x, y);
  linear.backward(x, y, dy, dx, ParamGrad::Accumulate);
  linear.backward(x, y, dy, ParamGrad::Accumulate);
  highway.forward(x, y);
  highway.backward(x, y, dy, dx, ParamGrad::Accumulate);
  highway.backward(x, y, dy, ParamGrad::Accumulate);
  Elu::apply<S>(y, y);
  Softplus::backward<S>(y, y, y, y);
  CHECK(mallocCalls() - before == 0);
}

TEMPLATE_TEST_CASE("network buffers follow the batch size", "[nn][network]", float, double) {
  using S = TestType;
  Mlp<S> net({3, 4, 2});
  Vector<S> params, grads;
  bindParameters(params, grads, net);
  iai::Rng rng(3);
  net.initialize(rng);
  CHECK(net.output().size() == 0);  // before the first forward
  for (const Index batch : {Index{4}, Index{1}, Index{6}, Index{4}}) {
    const Matrix<S> x = nn_test::randomMatrix<S>(rng, 3, batch);
    const Matrix<S>& y = net.forward(x);
    CHECK(y.rows() == 2);
    CHECK(y.cols() == batch);
    Matrix<S> dx(3, batch);
    net.backward(x, Matrix<S>::Ones(2, batch), dx, ParamGrad::Accumulate);
    CHECK(dx.allFinite());
  }
  // a copy shares the parameters but owns its buffers
  Mlp<S> copy = net;
  const Matrix<S> x = nn_test::randomMatrix<S>(rng, 3, 2);
  const Matrix<S> y = net.forward(x);
  CHECK(copy.forward(x) == y);
  CHECK(copy.output().data() != net.output().data());
  CHECK(copy.linear(0).weight().data() == params.data());
}

}  // namespace iai_test_network_base_test
