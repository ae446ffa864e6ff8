#pragma once
// What a training step and an epoch report to callbacks.
#include <cstdint>
#include <vector>

#include "iai/core/types.hpp"

namespace iai {

/// What one training step reports to callbacks (onStep).
struct StepStatistics {
  std::int64_t step = 0;               ///< global step counter (from 1)
  int epoch = 0;                       ///< epoch the step belongs to (from 0)
  Index batch = 0;                     ///< examples in the step's batch (this process's shard)
  std::vector<double> elbo_per_iteration;  ///< batch-mean L_0 … L_T (standard: one value)
  double elbo = 0;                     ///< batch-mean ELBO of the final estimate
  double reconstruction = 0;           ///< batch-mean (1/S) Σ_s log p(x|z_s) of the final estimate
  double kl = 0;                       ///< batch-mean KL of the final estimate
  double grad_norm_theta = 0;          ///< ‖∂(−mean L)/∂θ‖ before the update
  double grad_norm_phi = 0;            ///< ‖∂φ-loss/∂φ‖ before the update
  double seconds = 0;                  ///< wall-clock seconds of the step (gradients and update)
  bool finite = true;                  ///< false: non-finite ELBO/gradient, the update was skipped
};

/// What one epoch reports to callbacks (onEpoch): means over its finite steps.
struct EpochStatistics {
  int epoch = 0;                           ///< the epoch's index (from 0)
  Index steps = 0;                         ///< steps with finite values (the others: skipped_steps)
  Index examples = 0;                      ///< examples of the finite steps
  double train_elbo = 0;                   ///< mean over the epoch's steps of StepStatistics::elbo
  double reconstruction = 0;               ///< mean over steps of StepStatistics::reconstruction
  double kl = 0;                           ///< mean over steps of StepStatistics::kl
  std::vector<double> elbo_per_iteration;  ///< mean over steps, per inference iteration
  double grad_norm_theta = 0;              ///< mean over steps of StepStatistics::grad_norm_theta
  double grad_norm_phi = 0;                ///< mean over steps of StepStatistics::grad_norm_phi
  double theta_learning_rate = 0;          ///< θ's optimizer learning rate in this epoch (0: none)
  double phi_learning_rate = 0;            ///< φ's optimizer learning rate in this epoch (0: none)
  double seconds = 0;                      ///< wall-clock seconds of the epoch
  Index skipped_steps = 0;                 ///< steps with non-finite values
};

}  // namespace iai
