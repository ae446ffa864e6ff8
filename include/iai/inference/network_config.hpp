#pragma once
// The shape of an inference network, shared by the standard (Eq. 5) and iterative (Eq. 6)
// inference models and their hierarchical versions.
#include "iai/core/types.hpp"

namespace iai {

/// `layers` highway layers of `hidden` units (the authors: 2 × 512, paper Sec. 5), reading
/// u = input − input_offset.
struct InferenceNetworkConfig {
  /// Units per highway layer.
  Index hidden = 512;
  /// Number of highway layers.
  Index layers = 2;
  double input_offset = 0.5;  ///< u = x − input_offset (0.5 for data in [0, 1])
};

}  // namespace iai
