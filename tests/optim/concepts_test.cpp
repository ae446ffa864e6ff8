// The Optimizer concept, and the properties every optimizer shares: elementwise updates of any
// dense shape (matrix = flattened vector, columns = independent optimizers), checkpointing through
// stateBuffers() + steps(), reset(), and refused shape mismatches.
#include "support/catch.hpp"

#include <iai/core/random.hpp>
#include <iai/optim.hpp>
#include <iai/testing/gradient_check.hpp>

#include <limits>
#include <type_traits>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_concepts_test {

using iai::optim::Adam;
using iai::optim::AdamConfig;
using iai::optim::RmsProp;
using iai::optim::RmsPropConfig;
using iai::optim::Sgd;
using iai::optim::SgdConfig;

namespace {

struct NotAnOptimizer {
  using Scalar = double;
  template <class P, class G>
  void step(P&, const G&) {}
  double learningRate() const { return 1.0; }
  void setLearningRate(double) {}
  iai::Index parameterCount() const { return 1; }
  // no stateBuffers(), steps(), setSteps(), reset()
};

static_assert(iai::concepts::Optimizer<Sgd<float>>);
static_assert(iai::concepts::Optimizer<RmsProp<double>>);
static_assert(iai::concepts::Optimizer<Adam<float>>);
static_assert(!iai::concepts::Optimizer<int>);
static_assert(!iai::concepts::Optimizer<NotAnOptimizer>);

/// Settings that use every state buffer (momentum on).
template <class O>
O makeOptimizer(iai::Index n) {
  using S = typename O::Scalar;
  if constexpr (std::is_same_v<O, Sgd<S>>)
    return O(SgdConfig{.learning_rate = 0.05, .momentum = 0.9, .nesterov = true}, n);
  else if constexpr (std::is_same_v<O, RmsProp<S>>)
    return O(RmsPropConfig{.learning_rate = 0.01, .momentum = 0.5}, n);
  else
    return O(AdamConfig{.learning_rate = 0.01}, n);
}

/// A reproducible sequence of gradients of the given shape.
template <class S>
std::vector<iai::Matrix<S>> gradients(iai::Index rows, iai::Index cols, int count) {
  iai::Rng rng(42);
  std::vector<iai::Matrix<S>> out;
  for (int t = 0; t < count; ++t) {
    iai::Matrix<S> g(rows, cols);
    iai::fillNormal(rng, g);
    out.push_back(g);
  }
  return out;
}

template <class S>
double roundingTolerance() {
  return 16 * static_cast<double>(std::numeric_limits<S>::epsilon());
}

}  // namespace

#define IAI_ALL_OPTIMIZERS Sgd<float>, Sgd<double>, RmsProp<float>, RmsProp<double>, Adam<float>, \
                           Adam<double>

TEMPLATE_TEST_CASE("Optimizer: matrix-shaped parameters equal the flattened vector", "[optim]",
                   IAI_ALL_OPTIMIZERS) {
  using S = typename TestType::Scalar;
  const auto grads = gradients<S>(3, 4, 6);
  iai::Matrix<S> p = iai::Matrix<S>::Constant(3, 4, S(0.5));
  iai::Vector<S> v = p.reshaped();
  iai::Matrix<S> big = iai::Matrix<S>::Constant(5, 6, S(-9));
  big.block(1, 2, 3, 4) = p;
  iai::Vector<S> mapped = v;
  auto opt_matrix = makeOptimizer<TestType>(12);
  auto opt_vector = makeOptimizer<TestType>(12);
  auto opt_block = makeOptimizer<TestType>(12);
  auto opt_map = makeOptimizer<TestType>(12);
  for (const auto& g : grads) {
    opt_matrix.step(p, g);
    const iai::Vector<S> g_flat = g.reshaped();
    opt_vector.step(v, g_flat);
    opt_block.step(big.block(1, 2, 3, 4), S(2) * g / S(2));  // rvalue block, expression gradient
    iai::MatrixMap<S> as_matrix(mapped.data(), 3, 4);
    opt_map.step(as_matrix, g);
  }
  const iai::Vector<S> p_flat = p.reshaped();
  CHECK(iai::testing::relativeError(p_flat, v) < roundingTolerance<S>());
  CHECK(iai::testing::relativeError(big.block(1, 2, 3, 4), p) < roundingTolerance<S>());
  CHECK(iai::testing::relativeError(mapped, v) < roundingTolerance<S>());
  CHECK((big.col(0).array() == S(-9)).all());  // outside the block: untouched
  CHECK((big.row(4).array() == S(-9)).all());
  CHECK(p(0, 0) != S(0.5));
}

TEMPLATE_TEST_CASE("Optimizer: the columns of a d x B matrix behave as B independent optimizers",
                   "[optim]", IAI_ALL_OPTIMIZERS) {
  using S = typename TestType::Scalar;
  const iai::Index d = 5, batch = 4;
  const auto grads = gradients<S>(d, batch, 8);
  iai::Matrix<S> joint = iai::Matrix<S>::Zero(d, batch);
  iai::Matrix<S> separate = joint;
  auto opt_joint = makeOptimizer<TestType>(d * batch);
  std::vector<TestType> opt_columns;
  for (iai::Index j = 0; j < batch; ++j) opt_columns.push_back(makeOptimizer<TestType>(d));
  for (const auto& g : grads) {
    opt_joint.step(joint, g);
    for (iai::Index j = 0; j < batch; ++j)
      opt_columns[static_cast<std::size_t>(j)].step(separate.col(j), g.col(j));
  }
  CHECK(iai::testing::relativeError(joint, separate) < roundingTolerance<S>());
}

TEMPLATE_TEST_CASE("Optimizer: copying stateBuffers() and steps() continues identically",
                   "[optim]", IAI_ALL_OPTIMIZERS) {
  using S = typename TestType::Scalar;
  const auto grads = gradients<S>(7, 1, 10);
  iai::Vector<S> p = iai::Vector<S>::Ones(7);
  auto original = makeOptimizer<TestType>(7);
  for (int t = 0; t < 5; ++t) original.step(p, grads[static_cast<std::size_t>(t)]);
  // checkpoint: parameters, buffers and the step count
  iai::Vector<S> p_saved = p;
  std::vector<iai::Vector<S>> saved;
  for (const auto* buffer : original.stateBuffers()) saved.push_back(*buffer);
  const std::int64_t steps = original.steps();
  CHECK(steps == 5);
  // restore into a fresh optimizer
  auto restored = makeOptimizer<TestType>(7);
  auto buffers = restored.stateBuffers();
  REQUIRE(buffers.size() == saved.size());
  REQUIRE_FALSE(buffers.empty());
  for (std::size_t k = 0; k < buffers.size(); ++k) *buffers[k] = saved[k];
  restored.setSteps(steps);
  for (int t = 5; t < 10; ++t) {
    original.step(p, grads[static_cast<std::size_t>(t)]);
    restored.step(p_saved, grads[static_cast<std::size_t>(t)]);
  }
  CHECK(p == p_saved);  // same operations on the same numbers
  CHECK(restored.steps() == 10);
}

TEMPLATE_TEST_CASE("Optimizer: reset() returns to the initial state", "[optim]",
                   IAI_ALL_OPTIMIZERS) {
  using S = typename TestType::Scalar;
  const auto grads = gradients<S>(4, 1, 3);
  auto used = makeOptimizer<TestType>(4);
  iai::Vector<S> p = iai::Vector<S>::Zero(4);
  for (const auto& g : grads) used.step(p, g);
  used.reset();
  CHECK(used.steps() == 0);
  for (const auto* buffer : used.stateBuffers()) CHECK(buffer->isZero(0));
  auto fresh = makeOptimizer<TestType>(4);
  iai::Vector<S> a = iai::Vector<S>::Zero(4), b = a;
  for (const auto& g : grads) {
    used.step(a, g);
    fresh.step(b, g);
  }
  CHECK(a == b);
}

TEMPLATE_TEST_CASE("Optimizer: size and shape mismatches throw iai::invalid_argument", "[optim]",
                   IAI_ALL_OPTIMIZERS) {
  using S = typename TestType::Scalar;
  auto opt = makeOptimizer<TestType>(6);
  iai::Vector<S> p5 = iai::Vector<S>::Zero(5), g5 = p5;
  CHECK_THROWS_AS(opt.step(p5, g5), iai::invalid_argument);
  iai::Matrix<S> p23 = iai::Matrix<S>::Zero(2, 3);
  iai::Matrix<S> g32 = iai::Matrix<S>::Zero(3, 2);
  iai::Vector<S> g6 = iai::Vector<S>::Zero(6);
  CHECK_THROWS_AS(opt.step(p23, g32), iai::invalid_argument);  // transposed
  CHECK_THROWS_AS(opt.step(p23, g6), iai::invalid_argument);   // flattened
  CHECK_THROWS_WITH(opt.step(p23, g32), Catch::Contains("::step: grad's shape is 3x2, but must be "
                                                        "params' shape 2x3"));
  CHECK_THROWS_WITH(opt.step(p5, g5),
                    Catch::Contains("params.size() is 5, but must be parameterCount() = 6"));
  CHECK(opt.steps() == 0);  // nothing happened
  CHECK(p23.isZero(0));
}

}  // namespace iai_test_concepts_test
