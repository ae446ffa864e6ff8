#pragma once
// Latent levels of a hierarchical model (paper Sec. 4.1) as the inference models see them: L
// levels z_1 … z_L (level ℓ = 0 … L − 1, ℓ = 0 next to x), every latent quantity stacked level by
// level: level ℓ in rows [o_ℓ, o_ℓ + d_ℓ), o_ℓ = Σ_{k<ℓ} d_k (see models/concepts.hpp).
#include <cstddef>
#include <string>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai {

namespace detail {

/// Checks level_dims / per-level hidden widths and returns the hidden width of every level.
inline std::vector<Index> levelHidden(const char* fn, const std::vector<Index>& level_dims,
                                      const std::vector<Index>& hidden, Index default_hidden) {
  IAI_CHECK(!level_dims.empty(), fn, "level_dims.size()", level_dims.size(), "≥ 1");
  for (std::size_t l = 0; l < level_dims.size(); ++l)
    IAI_CHECK(level_dims[l] >= 1, fn, "level_dims[" + std::to_string(l) + "]", level_dims[l],
              "≥ 1");
  if (hidden.empty()) return std::vector<Index>(level_dims.size(), default_hidden);
  IAI_CHECK(hidden.size() == level_dims.size(), fn, "config.hidden.size()", hidden.size(),
            "0 or the number of levels " + std::to_string(level_dims.size()));
  for (std::size_t l = 0; l < hidden.size(); ++l)
    IAI_CHECK(hidden[l] >= 1, fn, "config.hidden[" + std::to_string(l) + "]", hidden[l], "≥ 1");
  return hidden;
}

/// o_ℓ = Σ_{k<ℓ} d_k for ℓ = 0 … L (o_L = Σ d).
inline std::vector<Index> levelOffsets(const std::vector<Index>& level_dims) {
  std::vector<Index> offsets(level_dims.size() + 1, 0);
  for (std::size_t l = 0; l < level_dims.size(); ++l) offsets[l + 1] = offsets[l] + level_dims[l];
  return offsets;
}

}  // namespace detail

}  // namespace iai
