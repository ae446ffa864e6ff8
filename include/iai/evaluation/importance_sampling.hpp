#pragma once
// Importance-sampled log-likelihood (docs/derivations.md §6.2), with the final approximate
// posterior q(z|x) = N(mean, diag e^{log_var}) as the proposal, per example j:
//   log p̂(x_j) = logsumexp_k [log p(x_j|z_k) + log p(z_k) − log q(z_k|x_j)] − log K,  z_k ~ q,
// p(z) = N(0, I); for a hierarchical model (concepts::HierarchicalGenerativeModel)
// log p(z) = log N(z_top; 0, I) + Σ_{ℓ<L−1} log p(z_ℓ | z_{ℓ+1}) at the stacked sample.
// The estimate is a lower bound in expectation (Jensen: E log p̂ ≤ log p(x)),
// consistent as K → ∞ and never looser on average than the ELBO (K = 1 is the sampled-KL ELBO).
// The authors use K = 5000. Samples are drawn in chunks of `chunk` (sample-major, like Elbo) and
// the log-weights are folded into a running log-sum-exp in double, so memory is O(chunk · B)
// whatever K is. The noise is drawn in the same order for every chunk size: for a given rng
// state, the chunk changes the estimate only through the rounding of the model's batched
// logLikelihood (bitwise equal when that is column-wise), and leaves the same rng state.
//
// bits/dim = NLL / (D ln 2). For 8-bit data scaled to [0, 1] (CIFAR-10), the NLL must be that of
// the discretised data, i.e. include the −log 256 per dimension of a bin of width 1/256: build the
// Gaussian observation model with GaussianConfig::discretization_offset = true (or add D log 256
// to a density NLL) before converting.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/distributions/observation_concepts.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// Bits per dimension of a negative log-likelihood in nats: nll / (dims · ln 2).
/// @throws iai::invalid_argument if dims < 1.
inline double bitsPerDim(double nll_nats, Index dims) {
  IAI_CHECK(dims >= 1, "bitsPerDim", "dims", dims, "≥ 1");
  return nll_nats / (static_cast<double>(dims) * std::numbers::ln2);
}

/// Importance-sampled log p(x) with K samples of the proposal q (see the file comment). Owns its
/// workspace: after the first call for a given (batch, K, chunk) the sampler does not allocate
/// (the model's logLikelihood may).
template <class M>
class ImportanceSampler {
  static_assert(concepts::GenerativeModel<M>,
                "iai: ImportanceSampler needs a generative model with Scalar, latentDim(), "
                "observedDim() and logLikelihood(x, z, log_px) (see docs/concepts.md)");

 public:
  /// The model's element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;

  /// @throws iai::invalid_argument if samples (K) < 1 or chunk < 1.
  explicit ImportanceSampler(Index samples, Index chunk = 100) : samples_(samples), chunk_(chunk) {
    IAI_CHECK(samples >= 1, "ImportanceSampler", "samples", samples, "≥ 1");
    IAI_CHECK(chunk >= 1, "ImportanceSampler", "chunk", chunk, "≥ 1");
  }

  /// K, the importance samples per example.
  Index samples() const { return samples_; }
  /// Samples drawn per chunk: memory is O(chunk · B) whatever K is.
  Index chunk() const { return chunk_; }

  /// log_px_out(j) = log p̂(x_j) for x (D × B) and the proposal (mean, log_var) (d × B), drawing
  /// K · B · d normals from rng. If std_error is given, std_error(j) receives the delta-method
  /// standard error of log p̂(x_j): sqrt(Var(w)/K) / mean(w) with the unbiased sample variance of
  /// the weights, i.e. sqrt((K Σw² / (Σw)² − 1) / (K − 1)) (scale-free, so computed from weights
  /// relative to the running maximum); +∞ for K = 1. It is 0 when all weights are equal
  /// (q = the exact posterior) and underestimates the error when the weights are heavy-tailed.
  /// A NaN log-weight makes that example's estimate NaN.
  /// @throws iai::invalid_argument on a shape mismatch or an empty batch, iai::domain_error if
  ///         an entry of x is NaN or ±inf.
  void logMarginal(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                   const ConstMatrixRef<S>& log_var, Rng& rng, RowVectorRef<S> log_px_out,
                   RowVectorRef<S>* std_error = nullptr) {
    const char* fn = "ImportanceSampler::logMarginal";
    const Index d = model.latentDim(), n_x = model.observedDim(), b = x.cols();
    detail::checkPosteriorBatch(fn, model, x, mean, log_var);
    IAI_CHECK(log_px_out.cols() == b, fn, "log_px_out.cols()", log_px_out.cols(),
              "the batch size " + std::to_string(b));
    if (std_error)
      IAI_CHECK(std_error->cols() == b, fn, "std_error->cols()", std_error->cols(),
                "the batch size " + std::to_string(b));
    detail::observation::checkFinite<S>(fn, x);

    const Index full = std::min(chunk_, samples_);
    const Index tail = samples_ % full;
    prepare(full_, d, n_x, full, b, x);
    if (tail > 0) prepare(tail_, d, n_x, tail, b, x);
    prior_zero_.setZero(d, b);
    max_.setConstant(b, -std::numeric_limits<double>::infinity());
    sum_.setZero(b);
    sum_sq_.setZero(b);

    for (Index done = 0; done < samples_;) {
      Workspace& w = (samples_ - done >= full) ? full_ : tail_;
      accumulate(model, w, mean, log_var, rng, b);
      done += w.samples;
    }

    // log p̂ = m + log Σ e^{log w − m} − log K
    const double k = static_cast<double>(samples_);
    const double log_k = std::log(k);
    for (Index j = 0; j < b; ++j) {
      log_px_out(j) = static_cast<S>(max_(j) + std::log(sum_(j)) - log_k);
      if (std_error) {
        double se = std::numeric_limits<double>::infinity();
        if (samples_ > 1) {
          // K Σw²/(Σw)² − 1 = (K − 1)/K · Var(w)/mean(w)² (unbiased Var)
          const double ratio = k * sum_sq_(j) / (sum_(j) * sum_(j)) - 1.0;
          se = std::sqrt(std::max(ratio, 0.0) / (k - 1.0));
          if (std::isnan(ratio)) se = ratio;
        }
        (*std_error)(j) = static_cast<S>(se);
      }
    }
  }

 private:
  struct Workspace {
    Index samples = 0;  // samples per example in this chunk
    Matrix<S> eps, z, x_rep, prior_mean, prior_log_var;  // the last two: hierarchical models
    RowVector<S> log_px, log_q, log_prior, row;
  };

  // Buffers for `n_s` samples of B examples; x repeated once per sample (as Elbo does).
  static void prepare(Workspace& w, Index d, Index n_x, Index n_s, Index b,
                      const ConstMatrixRef<S>& x) {
    const Index n = n_s * b;
    w.samples = n_s;
    w.eps.resize(d, n);
    w.z.resize(d, n);
    w.x_rep.resize(n_x, n);
    w.log_px.resize(n);
    w.log_q.resize(n);
    w.log_prior.resize(n);
    for (Index s = 0; s < n_s; ++s) w.x_rep.middleCols(s * b, b) = x;
  }

  // One chunk: z_k = μ + σ ⊙ ε_k, log w_k = log p(x|z_k) + log p(z_k) − log q(z_k), folded into
  // the running (max, Σ e^{log w − max}, Σ e^{2(log w − max)}) per example, sample by sample.
  void accumulate(M& model, Workspace& w, const ConstMatrixRef<S>& mean,
                  const ConstMatrixRef<S>& log_var, Rng& rng, Index b) {
    fillNormal(rng, w.eps);
    const Index d = mean.rows(), d_top = topDim(model);  // N(0, I) covers the top d_top rows
    for (Index s = 0; s < w.samples; ++s) {
      const Index c = s * b;
      DiagonalGaussian<S>::sample(mean, log_var, w.eps.middleCols(c, b), w.z.middleCols(c, b));
      DiagonalGaussian<S>::logDensity(mean, log_var, w.z.middleCols(c, b), w.log_q.segment(c, b));
      DiagonalGaussian<S>::logDensity(prior_zero_.bottomRows(d_top), prior_zero_.bottomRows(d_top),
                                      w.z.middleCols(c, b).bottomRows(d_top),
                                      w.log_prior.segment(c, b));
    }
    if constexpr (concepts::HierarchicalGenerativeModel<M>) {
      // + Σ_{ℓ<L−1} log p(z_ℓ | z_{ℓ+1}), the conditional priors at the sample of the level above
      w.prior_mean.resize(d, w.z.cols());
      w.prior_log_var.resize(d, w.z.cols());
      w.row.resize(b);
      for (Index l = 0, o = 0; l + 1 < model.levels(); o += model.levelDim(l), ++l) {
        const Index d_l = model.levelDim(l);
        model.prior(l, w.z.middleRows(o + d_l, model.levelDim(l + 1)),
                    w.prior_mean.middleRows(o, d_l), w.prior_log_var.middleRows(o, d_l));
        for (Index s = 0; s < w.samples; ++s) {
          const Index c = s * b;
          DiagonalGaussian<S>::logDensity(w.prior_mean.block(o, c, d_l, b),
                                          w.prior_log_var.block(o, c, d_l, b),
                                          w.z.block(o, c, d_l, b), w.row);
          w.log_prior.segment(c, b) += w.row;
        }
      }
    }
    model.logLikelihood(w.x_rep, w.z, w.log_px);
    for (Index s = 0; s < w.samples; ++s) {
      for (Index j = 0; j < b; ++j) {
        const Index c = s * b + j;
        const double log_w = static_cast<double>(w.log_px(c)) +
                             static_cast<double>(w.log_prior(c)) - static_cast<double>(w.log_q(c));
        double& m = max_(j);
        if (log_w > m) {  // new maximum: rescale the sums (e^{−∞} = 0 for the first weight)
          const double f = std::exp(m - log_w);
          sum_(j) = sum_(j) * f + 1.0;
          sum_sq_(j) = sum_sq_(j) * f * f + 1.0;
          m = log_w;
        } else {  // equal infinities count as e^0; a NaN log-weight makes the sums NaN
          const double e = (log_w == m) ? 1.0 : std::exp(log_w - m);
          sum_(j) += e;
          sum_sq_(j) += e * e;
        }
      }
    }
  }

  // Rows of the top level, whose prior is N(0, I): all of z for a single-level model.
  static Index topDim(const M& model) {
    if constexpr (concepts::HierarchicalGenerativeModel<M>) {
      return model.levelDim(model.levels() - 1);
    } else {
      return model.latentDim();
    }
  }

  Index samples_;
  Index chunk_;
  Workspace full_, tail_;
  Matrix<S> prior_zero_;  // mean and log-variance of p(z) = N(0, I)
  RowVector<double> max_, sum_, sum_sq_;
};

}  // namespace iai
