// Sgd: hand-computed steps, convergence, settings. Shape and checkpoint properties common to all
// optimizers are in concepts_test.cpp.
#include "support/catch.hpp"

#include <iai/optim/sgd.hpp>

#include <limits>
#include <string>

#include "problems.hpp"

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_sgd_test {

using iai::optim::Sgd;
using iai::optim::SgdConfig;

namespace {
template <class S>
double valueTolerance() {
  return sizeof(S) == 4 ? 1e-6 : 1e-14;
}
}  // namespace

TEMPLATE_TEST_CASE("Sgd: plain step is p − lr·g", "[optim]", float, double) {
  using S = TestType;
  Sgd<S> opt(SgdConfig{.learning_rate = 0.5}, 3);
  iai::Vector<S> p(3), g(3);
  p << S(1), S(-2), S(0.25);
  g << S(0.5), S(4), S(-1);
  opt.step(p, g);
  // (1 − 0.25, −2 − 2, 0.25 + 0.5), exact in binary
  CHECK(p(0) == S(0.75));
  CHECK(p(1) == S(-4));
  CHECK(p(2) == S(0.75));
  CHECK(opt.steps() == 1);
  CHECK(opt.stateBuffers().empty());
}

TEMPLATE_TEST_CASE("Sgd: momentum matches two hand-computed steps", "[optim]", float, double) {
  using S = TestType;
  // lr = 0.1, μ = 0.9, p0 = (1, −2), g1 = (0.5, −1), g2 = (1, 2):
  //   b1 = g1,                        p1 = p0 − 0.1 b1 = (0.95, −1.9)
  //   b2 = 0.9 b1 + g2 = (1.45, 1.1), p2 = p1 − 0.1 b2 = (0.805, −2.01)
  Sgd<S> opt(SgdConfig{.learning_rate = 0.1, .momentum = 0.9}, 2);
  iai::Vector<S> p(2), g1(2), g2(2);
  p << S(1), S(-2);
  g1 << S(0.5), S(-1);
  g2 << S(1), S(2);
  opt.step(p, g1);
  CHECK(p(0) == Approx(0.95).epsilon(valueTolerance<S>()));
  CHECK(p(1) == Approx(-1.9).epsilon(valueTolerance<S>()));
  opt.step(p, g2);
  CHECK(p(0) == Approx(0.805).epsilon(valueTolerance<S>()));
  CHECK(p(1) == Approx(-2.01).epsilon(valueTolerance<S>()));
  REQUIRE(opt.stateBuffers().size() == 1);
  CHECK((*opt.stateBuffers()[0])(0) == Approx(1.45).epsilon(valueTolerance<S>()));
  CHECK((*opt.stateBuffers()[0])(1) == Approx(1.1).epsilon(valueTolerance<S>()));
}

TEMPLATE_TEST_CASE("Sgd: Nesterov matches two hand-computed steps", "[optim]", float, double) {
  using S = TestType;
  // Same data; the update is g + μ b:
  //   b1 = g1,  p1 = p0 − 0.1 (g1 + 0.9 b1) = p0 − 0.19 g1 = (0.905, −1.81)
  //   b2 = (1.45, 1.1),  p2 = p1 − 0.1 (g2 + 0.9 b2) = p1 − 0.1 (2.305, 2.99) = (0.6745, −2.109)
  Sgd<S> opt(SgdConfig{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}, 2);
  iai::Vector<S> p(2), g1(2), g2(2);
  p << S(1), S(-2);
  g1 << S(0.5), S(-1);
  g2 << S(1), S(2);
  opt.step(p, g1);
  CHECK(p(0) == Approx(0.905).epsilon(valueTolerance<S>()));
  CHECK(p(1) == Approx(-1.81).epsilon(valueTolerance<S>()));
  opt.step(p, g2);
  CHECK(p(0) == Approx(0.6745).epsilon(valueTolerance<S>()));
  CHECK(p(1) == Approx(-2.109).epsilon(valueTolerance<S>()));
}

TEMPLATE_TEST_CASE("Sgd: minimises a 10-D convex quadratic", "[optim]", float, double) {
  using S = TestType;
  const iai_test::Quadratic<S> q;
  auto grad = [&](const iai::Vector<S>& x, iai::Vector<S>& g) { q.gradient(x, g); };
  const iai::Vector<S> x0 = iai::Vector<S>::Zero(q.n);
  const double tol = iai_test::quadraticTolerance<S>();  // ‖x − x*‖ < 1e-6 (double), 1e-4 (float)
  SECTION("plain, lr 0.3, 300 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 0.3}, q.n);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 300), q.minimiser) < tol);
  }
  SECTION("momentum 0.9, lr 0.1, 300 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 0.1, .momentum = 0.9}, q.n);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 300), q.minimiser) < tol);
  }
  SECTION("Nesterov 0.9, lr 0.1, 300 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}, q.n);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 300), q.minimiser) < tol);
  }
}

TEMPLATE_TEST_CASE("Sgd: minimises the Rosenbrock function", "[optim]", float, double) {
  using S = TestType;
  iai::Vector<S> x0(2);
  x0 << S(-1.2), S(1);
  const Eigen::VectorXd target = Eigen::VectorXd::Ones(2);
  auto grad = [](const iai::Vector<S>& x, iai::Vector<S>& g) {
    iai_test::rosenbrockGradient(x, g);
  };
  // ‖x − (1, 1)‖ < 1e-5 (double), 1e-3 (float)
  const double tol = iai_test::rosenbrockTolerance<S>();
  SECTION("plain, lr 1e-3, 50000 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 1e-3}, 2);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 50000), target) < tol);
  }
  SECTION("momentum 0.9, lr 1e-4, 50000 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 1e-4, .momentum = 0.9}, 2);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 50000), target) < tol);
  }
  SECTION("Nesterov 0.9, lr 1e-4, 50000 steps") {
    Sgd<S> opt(SgdConfig{.learning_rate = 1e-4, .momentum = 0.9, .nesterov = true}, 2);
    CHECK(iai_test::distance(iai_test::minimise(opt, grad, x0, 50000), target) < tol);
  }
}

TEST_CASE("Sgd: bad settings throw iai::invalid_argument", "[optim]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.learning_rate = 0.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.learning_rate = -1e-3}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.learning_rate = nan}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.learning_rate = inf}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.momentum = -0.1}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.momentum = 1.0}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{.nesterov = true}, 3), iai::invalid_argument);
  CHECK_THROWS_AS(Sgd<double>(SgdConfig{}, 0), iai::invalid_argument);
  CHECK_THROWS_WITH(Sgd<double>(SgdConfig{.momentum = 1.5}, 3),
                    "Sgd::Sgd: config.momentum is 1.5, but must be in [0, 1)");
  CHECK_THROWS_WITH(Sgd<float>(SgdConfig{}, -2),
                    "Sgd::Sgd: parameter_count is -2, but must be at least 1");
  Sgd<float> opt(SgdConfig{}, 3);
  CHECK_THROWS_AS(opt.setLearningRate(0.0), iai::invalid_argument);
  CHECK_THROWS_AS(opt.setSteps(-1), iai::invalid_argument);
  opt.setLearningRate(0.25);
  CHECK(opt.learningRate() == 0.25);
  CHECK(opt.config().learning_rate == 0.25);
}

}  // namespace iai_test_sgd_test
