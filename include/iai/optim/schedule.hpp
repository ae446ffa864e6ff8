#pragma once
// Learning-rate schedules. ExponentialDecay is the authors' ExponentialLR: lr_e = lr₀·γ^e with
// γ = 0.999 per epoch, on both the encoder and the decoder optimizer.
#include <cmath>

#include "iai/core/errors.hpp"

namespace iai::optim {

/// lr_e = initial·γ^epoch (PyTorch's ExponentialLR stepped once per epoch).
struct ExponentialDecay {
  double gamma = 0.999;  ///< γ > 0 and finite (the authors: 0.999)

  /// initial·γ^epoch.
  /// @throws iai::invalid_argument unless initial > 0, γ > 0 (both finite) and epoch ≥ 0.
  double rate(double initial, int epoch) const {
    IAI_CHECK(gamma > 0.0 && std::isfinite(gamma), "ExponentialDecay::rate", "gamma", gamma,
              "positive and finite");
    IAI_CHECK(initial > 0.0 && std::isfinite(initial), "ExponentialDecay::rate", "initial",
              initial, "positive and finite");
    IAI_CHECK(epoch >= 0, "ExponentialDecay::rate", "epoch", epoch, "non-negative");
    return initial * std::pow(gamma, epoch);
  }

  /// optimizer.setLearningRate(rate(initial, epoch)); call at the start of each epoch.
  template <class O>
    requires requires(O& o) { o.setLearningRate(1.0); }
  void apply(O& optimizer, double initial, int epoch) const {
    optimizer.setLearningRate(rate(initial, epoch));
  }
};

}  // namespace iai::optim
