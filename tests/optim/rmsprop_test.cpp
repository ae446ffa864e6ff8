// RmsProp: closed-form steps, convergence, settings.
#include "support/catch.hpp"

#include <iai/optim/rmsprop.hpp>

#include <cmath>
#include <limits>

#include "problems.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_rmsprop_test {

using iai::optim::RmsProp;
using iai::optim::RmsPropConfig;

TEMPLATE_TEST_CASE("RmsProp: first two steps equal the closed form", "[optim]", float, double) {
  using S = TestType;
  const double lr = 0.01, alpha = 0.9, eps = 1e-8;
  const double tol = sizeof(S) == 4 ? 1e-6 : 1e-13;
  // Reference in double, from the definition (v₀ = 0):
  //   v1 = (1 − α) g1²,          p1 = p0 − lr g1 / (√v1 + ε)
  //   v2 = α v1 + (1 − α) g2²,   p2 = p1 − lr g2 / (√v2 + ε)
  const double g1[3] = {0.5, -3.0, 1e-9}, g2[3] = {-0.25, 1.0, 2.0};
  RmsProp<S> opt(RmsPropConfig{.learning_rate = lr, .alpha = alpha, .epsilon = eps}, 3);
  iai::Vector<S> p = iai::Vector<S>::Zero(3), g(3);
  for (int i = 0; i < 3; ++i) g(i) = static_cast<S>(g1[i]);
  opt.step(p, g);
  for (int i = 0; i < 3; ++i) {
    const double v1 = (1 - alpha) * g1[i] * g1[i];
    const double p1 = -lr * g1[i] / (std::sqrt(v1) + eps);
    CHECK(p(i) == Approx(p1).epsilon(tol));
  }
  for (int i = 0; i < 3; ++i) g(i) = static_cast<S>(g2[i]);
  opt.step(p, g);
  for (int i = 0; i < 3; ++i) {
    const double v1 = (1 - alpha) * g1[i] * g1[i];
    const double v2 = alpha * v1 + (1 - alpha) * g2[i] * g2[i];
    const double p2 = -lr * g1[i] / (std::sqrt(v1) + eps) - lr * g2[i] / (std::sqrt(v2) + eps);
    CHECK(p(i) == Approx(p2).epsilon(tol));
  }
}

TEMPLATE_TEST_CASE("RmsProp: momentum buffer accumulates the normalised gradient", "[optim]", float,
                   double) {
  using S = TestType;
  const double lr = 0.1, alpha = 0.5, eps = 1e-8, mu = 0.5;
  // One coordinate, g1 = 2, g2 = −1:
  //   v1 = 0.5·4 = 2,            b1 = 2/(√2 + ε),            p1 = −lr b1
  //   v2 = 0.5·2 + 0.5·1 = 1.5,  b2 = μ b1 − 1/(√1.5 + ε),   p2 = p1 − lr b2
  RmsProp<S> opt(RmsPropConfig{.learning_rate = lr, .alpha = alpha, .epsilon = eps, .momentum = mu},
                 1);
  iai::Vector<S> p = iai::Vector<S>::Zero(1), g(1);
  g(0) = S(2);
  opt.step(p, g);
  const double b1 = 2 / (std::sqrt(2.0) + eps);
  CHECK(p(0) == Approx(-lr * b1).epsilon(1e-6));
  g(0) = S(-1);
  opt.step(p, g);
  const double b2 = mu * b1 - 1 / (std::sqrt(1.5) + eps);
  CHECK(p(0) == Approx(-lr * b1 - lr * b2).epsilon(1e-6));
  REQUIRE(opt.stateBuffers().size() == 2);
  CHECK((*opt.stateBuffers()[0])(0) == Approx(1.5).epsilon(1e-6));
  CHECK((*opt.stateBuffers()[1])(0) == Approx(b2).epsilon(1e-6));
}

TEMPLATE_TEST_CASE("RmsProp: minimises a 10-D convex quadratic and the Rosenbrock function",
                   "[optim]", float, double) {
  using S = TestType;
  // RMSProp's steps have size ~lr near the minimum, so the rate decays: ×0.9 every `every` steps.
  SECTION("quadratic: lr 0.01, 3000 steps, ×0.9 every 50; ‖x − x*‖ < 1e-6 (double), 1e-4") {
    const iai_test::Quadratic<S> q;
    auto grad = [&](const iai::Vector<S>& x, iai::Vector<S>& g) { q.gradient(x, g); };
    RmsProp<S> opt(RmsPropConfig{.learning_rate = 0.01}, q.n);
    const auto x = iai_test::minimise(opt, grad, iai::Vector<S>::Zero(q.n), 3000, 0.9, 50);
    CHECK(iai_test::distance(x, q.minimiser) < iai_test::quadraticTolerance<S>());
  }
  SECTION("Rosenbrock: lr 0.01, 20000 steps, ×0.9 every 200; ‖x − (1, 1)‖ < 1e-5 (double), 1e-3") {
    iai::Vector<S> x0(2);
    x0 << S(-1.2), S(1);
    auto grad = [](const iai::Vector<S>& x, iai::Vector<S>& g) {
      iai_test::rosenbrockGradient(x, g);
    };
    RmsProp<S> opt(RmsPropConfig{.learning_rate = 0.01}, 2);
    const auto x = iai_test::minimise(opt, grad, x0, 20000, 0.9, 200);
    CHECK(iai_test::distance(x, Eigen::VectorXd::Ones(2)) < iai_test::rosenbrockTolerance<S>());
  }
}

TEST_CASE("RmsProp: bad settings throw iai::invalid_argument", "[optim]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.learning_rate = 0.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.learning_rate = nan}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.alpha = 1.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.alpha = -0.5}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.epsilon = 0.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{.momentum = 1.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(RmsProp<double>(RmsPropConfig{}, 0), iai::invalid_argument);
  CHECK_THROWS_WITH(RmsProp<double>(RmsPropConfig{.epsilon = -1.0}, 3),
                    "RmsProp::RmsProp: config.epsilon is -1, but must be positive and finite");
  RmsProp<float> opt(RmsPropConfig{}, 3);
  CHECK_THROWS_AS(opt.setLearningRate(-1.0), iai::invalid_argument);
  CHECK(opt.stateBuffers().size() == 1);  // v only, without momentum
}

}  // namespace iai_test_rmsprop_test
