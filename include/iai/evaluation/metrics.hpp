#pragma once
// The paper's reported metrics (§5) from per-example log-likelihoods (importance-sampled, see
// importance_sampling.hpp, or ELBOs for the corresponding bounds):
//   bits/dim of 8-bit images:  (−log p(x) + D log 256) / (D ln 2) when log p(x) is the density
//       of the dequantised data x = (b + u)/256 ∈ [0, 1)^D; the D log 256 term turns the
//       density into the probability of the bin of width 1/256 that holds the bytes b (Theis et
//       al. 2016). A Gaussian observation model built with GaussianConfig::discretization_offset
//       already includes it: then use bitsPerDim(nll, D) of importance_sampling.hpp.
//   perplexity of documents:   exp(−Σ_docs log p(x_d) / Σ_docs N_d), N_d the words of document d.
// Because the IS estimate is a stochastic lower bound on log p(x) (and the ELBO a lower bound),
// both metrics computed from it are upper bounds in expectation.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai {

/// Bits/dim of discretised `levels`-level data (256 for 8-bit) from the negative log-DENSITY
/// (nats, per example) of its dequantised version scaled to [0, 1)^D:
/// (nll_density + D log levels) / (D ln 2).
/// @throws iai::invalid_argument if dims < 1 or levels < 2.
inline double discretizedBitsPerDim(double nll_density_nats, Index dims, double levels = 256) {
  IAI_CHECK(dims >= 1, "discretizedBitsPerDim", "dims", dims, "≥ 1");
  IAI_CHECK(levels >= 2, "discretizedBitsPerDim", "levels", levels, "≥ 2");
  const double d = static_cast<double>(dims);
  return (nll_density_nats + d * std::log(levels)) / (d * std::numbers::ln2);
}

/// exp(−Σ_d log_px[d] / Σ_d words[d]) over documents d (log p in nats).
/// @throws iai::invalid_argument if the spans differ in length or are empty, a word count is
///         negative, or there are no words; iai::domain_error if a log p is NaN or +inf.
inline double perplexity(std::span<const double> log_px, std::span<const double> words) {
  constexpr const char* fn = "perplexity";
  IAI_CHECK(!log_px.empty() && log_px.size() == words.size(), fn, "log_px.size()", log_px.size(),
            "words.size() = " + std::to_string(words.size()) + " and ≥ 1");
  double sum = 0, total = 0;
  for (std::size_t d = 0; d < log_px.size(); ++d) {
    IAI_CHECK(words[d] >= 0, fn, "words[" + std::to_string(d) + "]", words[d], "≥ 0");
    IAI_CHECK_DOMAIN(!std::isnan(log_px[d]) && log_px[d] != INFINITY, fn,
                     "log_px[" + std::to_string(d) + "]", log_px[d], "a log-probability (≤ 0 for counts)");
    sum += log_px[d];
    total += words[d];
  }
  IAI_CHECK(total > 0, fn, "the total word count", total, "> 0");
  return std::exp(-sum / total);
}

}  // namespace iai
