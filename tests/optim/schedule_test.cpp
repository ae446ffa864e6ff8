#include "support/catch.hpp"

#include <iai/optim/adam.hpp>
#include <iai/optim/schedule.hpp>

#include <cmath>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_schedule_test {

using iai::optim::ExponentialDecay;

TEST_CASE("ExponentialDecay: rate = initial·γ^epoch, the authors' ×0.999 per epoch", "[optim]") {
  const ExponentialDecay decay;  // γ = 0.999
  CHECK(decay.gamma == 0.999);
  CHECK(decay.rate(2e-4, 0) == 2e-4);
  CHECK(decay.rate(2e-4, 1) == Approx(2e-4 * 0.999).epsilon(1e-15));
  CHECK(decay.rate(1e-4, 1000) == Approx(1e-4 * std::pow(0.999, 1000)).epsilon(1e-14));
  // 0.999^1000 = e^{1000 ln 0.999} ≈ 0.367695
  CHECK(decay.rate(1.0, 1000) == Approx(0.367695).epsilon(1e-5));
  CHECK(ExponentialDecay{0.5}.rate(8.0, 3) == 1.0);
}

TEST_CASE("ExponentialDecay: apply sets the optimizer's learning rate", "[optim]") {
  iai::optim::Adam<float> adam(iai::optim::AdamConfig{.learning_rate = 2e-4}, 3);
  const ExponentialDecay decay{0.5};
  decay.apply(adam, 2e-4, 2);
  CHECK(adam.learningRate() == Approx(5e-5).epsilon(1e-15));
  decay.apply(adam, 2e-4, 0);
  CHECK(adam.learningRate() == 2e-4);
}

TEST_CASE("ExponentialDecay: bad arguments throw iai::invalid_argument", "[optim]") {
  CHECK_THROWS_AS(ExponentialDecay{0.0}.rate(1.0, 1), iai::invalid_argument);
  CHECK_THROWS_AS(ExponentialDecay{-0.9}.rate(1.0, 1), iai::invalid_argument);
  CHECK_THROWS_AS(ExponentialDecay{}.rate(0.0, 1), iai::invalid_argument);
  CHECK_THROWS_AS(ExponentialDecay{}.rate(1.0, -1), iai::invalid_argument);
  CHECK_THROWS_WITH(ExponentialDecay{}.rate(1.0, -3),
                    "ExponentialDecay::rate: epoch is -3, but must be non-negative");
}

}  // namespace iai_test_schedule_test
