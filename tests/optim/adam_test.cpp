// Adam: closed-form steps, convergence, settings.
#include "support/catch.hpp"

#include <iai/optim/adam.hpp>

#include <cmath>
#include <limits>

#include "problems.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_adam_test {

using iai::optim::Adam;
using iai::optim::AdamConfig;

TEMPLATE_TEST_CASE("Adam: the first step moves every coordinate by lr·g/(|g| + ε)", "[optim]",
                   float, double) {
  using S = TestType;
  // t = 1: m̂ = g and v̂ = g², so p1 = p0 − lr·g/(|g| + ε). With p0 = 0 the move is compared
  // directly; g = 1e-8 = ε shows ε (the move is lr/2), g = 0 does not move.
  const double lr = 1e-3, eps = 1e-8;
  const double g1[5] = {0.5, -3.0, 1e-8, 0.0, 123.0};
  Adam<S> opt(AdamConfig{.learning_rate = lr, .epsilon = eps}, 5);
  iai::Vector<S> p = iai::Vector<S>::Zero(5), g(5);
  for (int i = 0; i < 5; ++i) g(i) = static_cast<S>(g1[i]);
  opt.step(p, g);
  const double tol = sizeof(S) == 4 ? 1e-6 : 1e-12;
  for (int i = 0; i < 5; ++i) {
    const double expected = -lr * g1[i] / (std::abs(g1[i]) + eps);
    CHECK(static_cast<double>(p(i)) == Approx(expected).epsilon(tol).margin(1e-30));
  }
  CHECK(p(2) == Approx(-lr / 2).epsilon(tol));
  CHECK(p(3) == S(0));
  CHECK(opt.steps() == 1);
}

TEMPLATE_TEST_CASE("Adam: the second step equals the bias-corrected closed form", "[optim]", float,
                   double) {
  using S = TestType;
  // m2 = β1(1 − β1)g1 + (1 − β1)g2,  v2 = β2(1 − β2)g1² + (1 − β2)g2²,
  // p2 = p1 − lr·(m2/(1 − β1²)) / (√(v2/(1 − β2²)) + ε)
  const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6;
  const double g1[3] = {1.0, -2.0, 0.1}, g2[3] = {-0.5, -2.0, 4.0};
  Adam<S> opt(AdamConfig{.learning_rate = lr, .beta1 = b1, .beta2 = b2, .epsilon = eps}, 3);
  iai::Vector<S> p = iai::Vector<S>::Zero(3), g(3);
  for (int i = 0; i < 3; ++i) g(i) = static_cast<S>(g1[i]);
  opt.step(p, g);
  for (int i = 0; i < 3; ++i) g(i) = static_cast<S>(g2[i]);
  opt.step(p, g);
  const double tol = sizeof(S) == 4 ? 1e-5 : 1e-12;
  for (int i = 0; i < 3; ++i) {
    const double p1 = -lr * g1[i] / (std::abs(g1[i]) + eps);
    const double m2 = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
    const double v2 = b2 * (1 - b2) * g1[i] * g1[i] + (1 - b2) * g2[i] * g2[i];
    const double p2 = p1 - lr * (m2 / (1 - b1 * b1)) / (std::sqrt(v2 / (1 - b2 * b2)) + eps);
    CHECK(p(i) == Approx(p2).epsilon(tol));
  }
  CHECK(opt.steps() == 2);
}

TEMPLATE_TEST_CASE("Adam: minimises a 10-D convex quadratic and the Rosenbrock function",
                   "[optim]", float, double) {
  using S = TestType;
  // Adam's steps have size ~lr near the minimum, so the rate decays: ×0.9 every `every` steps.
  SECTION("quadratic: lr 0.05, 3000 steps, ×0.9 every 50; ‖x − x*‖ < 1e-6 (double), 1e-4") {
    const iai_test::Quadratic<S> q;
    auto grad = [&](const iai::Vector<S>& x, iai::Vector<S>& g) { q.gradient(x, g); };
    Adam<S> opt(AdamConfig{.learning_rate = 0.05}, q.n);
    const auto x = iai_test::minimise(opt, grad, iai::Vector<S>::Zero(q.n), 3000, 0.9, 50);
    CHECK(iai_test::distance(x, q.minimiser) < iai_test::quadraticTolerance<S>());
  }
  SECTION("Rosenbrock: lr 0.02, 20000 steps, ×0.9 every 200; ‖x − (1, 1)‖ < 1e-5 (double), 1e-3") {
    iai::Vector<S> x0(2);
    x0 << S(-1.2), S(1);
    auto grad = [](const iai::Vector<S>& x, iai::Vector<S>& g) {
      iai_test::rosenbrockGradient(x, g);
    };
    Adam<S> opt(AdamConfig{.learning_rate = 0.02}, 2);
    const auto x = iai_test::minimise(opt, grad, x0, 20000, 0.9, 200);
    CHECK(iai_test::distance(x, Eigen::VectorXd::Ones(2)) < iai_test::rosenbrockTolerance<S>());
  }
}

TEST_CASE("Adam: bad settings throw iai::invalid_argument", "[optim]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.learning_rate = 0.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.learning_rate = inf}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.beta1 = 1.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.beta1 = -0.1}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.beta2 = 1.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.epsilon = 0.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{.epsilon = inf}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Adam<double>(AdamConfig{}, 0), iai::invalid_argument);
  CHECK_THROWS_WITH(Adam<float>(AdamConfig{.beta2 = 1.5}, 3),
                    "Adam::Adam: config.beta2 is 1.5, but must be in [0, 1)");
  CHECK_THROWS_WITH(Adam<float>(AdamConfig{.learning_rate = -0.001}, 3),
                    "Adam::Adam: config.learning_rate is -0.001, but must be positive and finite");
  Adam<double> opt(AdamConfig{}, 4);
  CHECK_THROWS_AS(opt.setLearningRate(0.0), iai::invalid_argument);
  CHECK(opt.learningRate() == 1e-3);
  CHECK(opt.parameterCount() == 4);
  CHECK(opt.stateBuffers().size() == 2);
}

}  // namespace iai_test_adam_test
