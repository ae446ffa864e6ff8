#pragma once
// What a training step and an epoch report to callbacks.
#include <cstdint>
#include <vector>

#include "iai/core/types.hpp"

namespace iai {

struct StepStatistics {
  std::int64_t step = 0;               ///< global step counter (from 1)
  int epoch = 0;                       ///< epoch the step belongs to (from 0)
  std::vector<double> elbo_per_iteration;  ///< batch-mean L_0 … L_T (standard: one value)
  double elbo = 0;                     ///< batch-mean ELBO of the final estimate
  double reconstruction = 0;           ///< batch-mean (1/S) Σ_s log p(x|z_s) of the final estimate
  double kl = 0;                       ///< batch-mean KL of the final estimate
  double grad_norm_theta = 0;          ///< ‖∂(−mean L)/∂θ‖ before the update
  double grad_norm_phi = 0;            ///< ‖∂φ-loss/∂φ‖ before the update
  double seconds = 0;
  bool finite = true;                  ///< false: non-finite ELBO/gradient, the update was skipped
};

struct EpochStatistics {
  int epoch = 0;
  Index steps = 0;
  double train_elbo = 0;                   ///< mean over the epoch's steps of StepStatistics::elbo
  std::vector<double> elbo_per_iteration;  ///< mean over steps, per inference iteration
  double seconds = 0;
  Index skipped_steps = 0;                 ///< steps with non-finite values
};

}  // namespace iai
