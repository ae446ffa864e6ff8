#pragma once
// Bernoulli observation model with logits η (one per dimension), for binary or [0, 1] data:
//   log p(x | η) = Σ_i x_i η_i − softplus(η_i),   softplus(η) = max(η, 0) + log1p(e^{−|η|})
//   ∂ log p / ∂η = x − σ(η),                     σ(η) = 1 / (1 + e^{−η})
// The logit form is exact and finite for any finite η (the authors' sigmoid + log(μ + 1e-7) is
// not used). x − σ(η) is both the gradient and the raw error ε_x of the paper's Sec. 4.1.
#include <array>
#include <string_view>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/observation_concepts.hpp"

namespace iai {

/// p(x | η) = Π_i σ(η_i)^{x_i} (1 − σ(η_i))^{1 − x_i}; x has D rows, η has D rows of logits.
/// Data x must lie in [0, 1] (non-binary values give the cross-entropy, as in the authors' code).
/// No learnable parameters of its own.
template <class S>
class Bernoulli {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// Rows of η for D-dimensional data: D logits.
  Index parameterRows(Index observed_dim) const { return observed_dim; }
  /// No learnable parameters: 0.
  Index parameterCount() const { return 0; }
  /// No parameters to bind (no-op).
  void bind(S* /*params*/, S* /*grads*/) {}
  /// No parameters to initialise (no-op).
  void initialize(Rng& /*rng*/) {}

  /// log_px(j) = Σ_i x_ij η_ij − softplus(η_ij). x's range is tested block by block in the same
  /// pass (one read of x); when it fails, log_px is unspecified and the error names the entry.
  /// @throws iai::invalid_argument on a shape mismatch, iai::domain_error if x ∉ [0, 1] or NaN.
  void logDensity(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta,
                  RowVectorRef<S> log_px) const {
    checkInputShapes("Bernoulli::logDensity", x, eta);
    detail::observation::checkShape("Bernoulli::logDensity", "log_px", log_px.rows(),
                                    log_px.cols(), "(1, x.cols()) =", 1, x.cols());
    std::array<bool, iai::detail::kParallelMaxBlocks> bad{};  // x ∉ [0, 1] in a block
    iai::detail::forEachIndexedBlock(x.cols(), x.rows(), [&](Index block, Index j, Index n) {
      bad[static_cast<std::size_t>(block)] =
          !detail::observation::entriesIn(x.middleCols(j, n), S(0), S(1));
      const auto xb = x.middleCols(j, n).array();
      const auto eb = eta.middleCols(j, n).array();
      log_px.segment(j, n) =
          (xb * eb - eb.max(S(0)) - (-eb.abs()).exp().log1p()).colwise().sum().matrix();
    });
    checkEntriesIfBad("Bernoulli::logDensity", x, bad);
  }

  /// grad_eta = weight·(x − σ(η)) (assigned; x tested in the same pass, as in logDensity). No own
  /// parameters, so pg has no effect.
  /// @throws iai::invalid_argument on a shape mismatch, iai::domain_error if x ∉ [0, 1] or NaN.
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, S weight,
                MatrixRef<S> grad_eta, ParamGrad /*pg*/) {
    checkInputShapes("Bernoulli::backward", x, eta);
    checkOutput("Bernoulli::backward", "grad_eta", grad_eta, eta);
    std::array<bool, iai::detail::kParallelMaxBlocks> bad{};  // x ∉ [0, 1] in a block
    iai::detail::forEachIndexedBlock(x.cols(), x.rows(), [&](Index block, Index j, Index n) {
      bad[static_cast<std::size_t>(block)] =
          !detail::observation::entriesIn(x.middleCols(j, n), S(0), S(1));
      grad_eta.middleCols(j, n).array() =
          weight * (x.middleCols(j, n).array() - (S(1) + (-eta.middleCols(j, n).array()).exp()).inverse());
    });
    checkEntriesIfBad("Bernoulli::backward", x, bad);
  }

  /// mu = σ(η) = E[x | η]. (For η → −∞, e^{−η} overflows to +inf and σ = 0, not NaN.)
  /// @throws iai::invalid_argument on a shape mismatch.
  void mean(const ConstMatrixRef<S>& eta, MatrixRef<S> mu) const {
    checkOutput("Bernoulli::mean", "mu", mu, eta);
    mu.array() = (S(1) + (-eta.array()).exp()).inverse();
  }

  /// x_ij ~ Bernoulli(σ(η_ij)) ∈ {0, 1}, drawn column by column.
  /// @throws iai::invalid_argument on a shape mismatch.
  void sample(const ConstMatrixRef<S>& eta, Rng& rng, MatrixRef<S> x) const {
    checkOutput("Bernoulli::sample", "x", x, eta);
    for (Index j = 0; j < eta.cols(); ++j)
      for (Index i = 0; i < eta.rows(); ++i) {
        const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(eta(i, j))));
        x(i, j) = rng.bernoulli(p) ? S(1) : S(0);
      }
  }

  /// Raw: ε_x = x − μ (= ∂ log p/∂η); Precision: ε_x = (x − μ) / max(μ(1 − μ), 1e-5), the
  /// authors' `bottom_norm_error` (∂ log p/∂μ), with μ = σ(η).
  /// @throws iai::invalid_argument on a shape mismatch, iai::domain_error if x ∉ [0, 1] or NaN.
  void error(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, ErrorWeighting weighting,
             MatrixRef<S> eps_x) const {
    checkInputs("Bernoulli::error", x, eta);
    checkOutput("Bernoulli::error", "eps_x", eps_x, eta);
    eps_x.array() = (S(1) + (-eta.array()).exp()).inverse();  // μ, then overwritten in place
    if (weighting == ErrorWeighting::Raw)
      eps_x.array() = x.array() - eps_x.array();
    else
      eps_x.array() = (x.array() - eps_x.array()) /
                      (eps_x.array() * (S(1) - eps_x.array())).max(S(kVarianceFloor));
  }

  /// Guard of the variance μ(1 − μ) in the precision-weighted error.
  static constexpr double kVarianceFloor = 1e-5;

 private:
  static void checkInputShapes(std::string_view function, const ConstMatrixRef<S>& x,
                               const ConstMatrixRef<S>& eta) {
    detail::observation::checkShape(function, "eta", eta.rows(), eta.cols(), "x's shape",
                                    x.rows(), x.cols());
  }
  static void checkInputs(std::string_view function, const ConstMatrixRef<S>& x,
                          const ConstMatrixRef<S>& eta) {
    checkInputShapes(function, x, eta);
    detail::observation::checkEntries<S>(function, x, S(0), S(1), "in [0, 1]");
  }
  /// After a blocked pass that tested its blocks of x (the output is then unspecified): the
  /// domain_error naming the first entry of x outside [0, 1].
  template <std::size_t N>
  static void checkEntriesIfBad(std::string_view function, const ConstMatrixRef<S>& x,
                                const std::array<bool, N>& bad) {
    for (const bool b : bad)
      if (b) detail::observation::checkEntries<S>(function, x, S(0), S(1), "in [0, 1]");
  }
  static void checkOutput(std::string_view function, std::string_view argument,
                          const MatrixRef<S>& out, const ConstMatrixRef<S>& eta) {
    detail::observation::checkShape(function, argument, out.rows(), out.cols(), "eta's shape",
                                    eta.rows(), eta.cols());
  }
};

static_assert(concepts::ObservationModel<Bernoulli<float>>);
static_assert(concepts::ObservationModel<Bernoulli<double>>);

}  // namespace iai
