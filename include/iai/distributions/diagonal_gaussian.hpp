#pragma once
// Diagonal Gaussian N(mean, diag exp(log_var)) on batches (one distribution per column):
// the approximate posterior q(z|x) and the (conditional) priors p(z). log_var is clamped to
// [kLogVarMin, kLogVarMax] as the authors do; gradients w.r.t. log_var are zero where the
// clamp is active (strictly outside the interval), like the derivative of torch.clamp.
#include <cmath>
#include <numbers>
#include <string>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai {

inline constexpr double kLogVarMin = -15.0;
inline constexpr double kLogVarMax = 15.0;
inline constexpr double kLog2Pi = 1.8378770664093454836;  // log(2π)

/// Diagonal Gaussian N(mean, diag exp(log_var)), one distribution per column: the approximate
/// posterior q(z|x) with λ = (mean, log_var), and the (conditional) priors p(z); log_var is
/// clamped to [kLogVarMin, kLogVarMax].
template <class S>
struct DiagonalGaussian {
  /// log_var clamped to [kLogVarMin, kLogVarMax] (lazy expression; evaluate once per use).
  template <class D>
  static auto clamped(const Eigen::MatrixBase<D>& log_var) {
    return log_var.array().cwiseMax(S(kLogVarMin)).cwiseMin(S(kLogVarMax));
  }
  /// 1 where the clamp passes the gradient (lo ≤ s ≤ hi), 0 elsewhere.
  template <class D>
  static auto clampMask(const Eigen::MatrixBase<D>& log_var) {
    return (log_var.array() >= S(kLogVarMin) && log_var.array() <= S(kLogVarMax)).template cast<S>();
  }

  /// Reparameterised sample z = mean + exp(½ log_var) ⊙ eps (all of the same shape).
  static void sample(const ConstMatrixRef<S>& mean, const ConstMatrixRef<S>& log_var,
                     const ConstMatrixRef<S>& eps, MatrixRef<S> z) {
    checkSame("DiagonalGaussian::sample", mean, log_var, eps);
    checkShape("DiagonalGaussian::sample", "z", z, mean.rows(), mean.cols());
    z.array() = mean.array() + (S(0.5) * clamped(log_var)).exp() * eps.array();
  }

  /// Backward of sample(): given g = ∂f/∂z, grad_mean = g and
  /// grad_log_var = g ⊙ eps ⊙ ½ exp(½ log_var) (masked by the clamp). Both assigned.
  static void sampleBackward(const ConstMatrixRef<S>& log_var, const ConstMatrixRef<S>& eps,
                             const ConstMatrixRef<S>& grad_z, MatrixRef<S> grad_mean,
                             MatrixRef<S> grad_log_var) {
    grad_mean = grad_z;
    grad_log_var.array() = grad_z.array() * eps.array() * S(0.5) *
                           (S(0.5) * clamped(log_var)).exp() * clampMask(log_var);
  }

  /// log N(z; mean, diag σ²) per column: −½ Σ_i [log 2π + s_i + (z_i − μ_i)² e^{−s_i}].
  static void logDensity(const ConstMatrixRef<S>& mean, const ConstMatrixRef<S>& log_var,
                         const ConstMatrixRef<S>& z, RowVectorRef<S> out) {
    checkSame("DiagonalGaussian::logDensity", mean, log_var, z);
    checkCols("DiagonalGaussian::logDensity", out, mean.cols());
    const S d = static_cast<S>(mean.rows());
    for (Index j = 0; j < mean.cols(); ++j) {
      const auto s = clamped(log_var.col(j));
      out(j) = S(-0.5) * (d * S(kLog2Pi) + s.sum() +
                          ((z.col(j) - mean.col(j)).array().square() * (-s).exp()).sum());
    }
  }

  /// Gradients of Σ_j logDensity_j (assigned): ∂z = −(z−μ)e^{−s}, ∂μ = (z−μ)e^{−s},
  /// ∂s = ½((z−μ)² e^{−s} − 1) (masked by the clamp).
  static void logDensityGradient(const ConstMatrixRef<S>& mean, const ConstMatrixRef<S>& log_var,
                                 const ConstMatrixRef<S>& z, MatrixRef<S> grad_z,
                                 MatrixRef<S> grad_mean, MatrixRef<S> grad_log_var) {
    checkSame("DiagonalGaussian::logDensityGradient", mean, log_var, z);
    grad_mean.array() = (z - mean).array() * (-clamped(log_var)).exp();
    grad_z = -grad_mean;
    grad_log_var.array() =
        S(0.5) * ((z - mean).array() * grad_mean.array() - S(1)) * clampMask(log_var);
  }

  /// Entropy per column: ½ Σ_i (1 + log 2π + s_i). ∂/∂s_i = ½ (masked).
  static void entropy(const ConstMatrixRef<S>& log_var, RowVectorRef<S> out) {
    checkCols("DiagonalGaussian::entropy", out, log_var.cols());
    const S c = S(0.5) * static_cast<S>(log_var.rows()) * S(1 + kLog2Pi);
    for (Index j = 0; j < log_var.cols(); ++j) out(j) = c + S(0.5) * clamped(log_var.col(j)).sum();
  }

  /// Analytic KL(N(μ_q, e^{s_q}) ‖ N(μ_p, e^{s_p})) per column:
  /// ½ Σ_i [s_p − s_q + (e^{s_q} + (μ_q − μ_p)²) e^{−s_p} − 1].
  static void kl(const ConstMatrixRef<S>& mean_q, const ConstMatrixRef<S>& log_var_q,
                 const ConstMatrixRef<S>& mean_p, const ConstMatrixRef<S>& log_var_p,
                 RowVectorRef<S> out) {
    checkSame("DiagonalGaussian::kl", mean_q, log_var_q, mean_p);
    checkSame("DiagonalGaussian::kl", mean_q, log_var_p, mean_p);
    checkCols("DiagonalGaussian::kl", out, mean_q.cols());
    for (Index j = 0; j < mean_q.cols(); ++j) {
      const auto sq = clamped(log_var_q.col(j));
      const auto sp = clamped(log_var_p.col(j));
      out(j) = S(0.5) * (sp - sq + (sq.exp() + (mean_q.col(j) - mean_p.col(j)).array().square()) *
                                       (-sp).exp() -
                         S(1))
                            .sum();
    }
  }

  /// Gradients of Σ_j kl_j w.r.t. both sides (assigned):
  /// ∂μ_q = (μ_q−μ_p)e^{−s_p} = −∂μ_p, ∂s_q = ½(e^{s_q−s_p} − 1),
  /// ∂s_p = ½(1 − (e^{s_q} + (μ_q−μ_p)²) e^{−s_p}); log-variance parts masked by the clamp.
  static void klGradient(const ConstMatrixRef<S>& mean_q, const ConstMatrixRef<S>& log_var_q,
                         const ConstMatrixRef<S>& mean_p, const ConstMatrixRef<S>& log_var_p,
                         MatrixRef<S> grad_mean_q, MatrixRef<S> grad_log_var_q,
                         MatrixRef<S> grad_mean_p, MatrixRef<S> grad_log_var_p) {
    checkSame("DiagonalGaussian::klGradient", mean_q, log_var_q, mean_p);
    checkSame("DiagonalGaussian::klGradient", mean_q, log_var_p, mean_p);
    const auto sq = clamped(log_var_q);
    const auto sp = clamped(log_var_p);
    grad_mean_q.array() = (mean_q - mean_p).array() * (-sp).exp();
    grad_mean_p = -grad_mean_q;
    grad_log_var_q.array() = S(0.5) * ((sq - sp).exp() - S(1)) * clampMask(log_var_q);
    grad_log_var_p.array() =
        S(0.5) * (S(1) - (sq.exp() + (mean_q - mean_p).array().square()) * (-sp).exp()) *
        clampMask(log_var_p);
  }

  /// KL(N(μ, e^s) ‖ N(0, I)) per column: ½ Σ_i (μ_i² + e^{s_i} − s_i − 1).
  static void klStandardNormal(const ConstMatrixRef<S>& mean, const ConstMatrixRef<S>& log_var,
                               RowVectorRef<S> out) {
    checkSame("DiagonalGaussian::klStandardNormal", mean, log_var, mean);
    checkCols("DiagonalGaussian::klStandardNormal", out, mean.cols());
    for (Index j = 0; j < mean.cols(); ++j) {
      const auto s = clamped(log_var.col(j));
      out(j) = S(0.5) * (mean.col(j).array().square() + s.exp() - s - S(1)).sum();
    }
  }

  /// Gradients of Σ_j klStandardNormal_j (assigned): ∂μ = μ, ∂s = ½(e^s − 1) (masked).
  static void klStandardNormalGradient(const ConstMatrixRef<S>& mean,
                                       const ConstMatrixRef<S>& log_var, MatrixRef<S> grad_mean,
                                       MatrixRef<S> grad_log_var) {
    checkSame("DiagonalGaussian::klStandardNormalGradient", mean, log_var, mean);
    grad_mean = mean;
    grad_log_var.array() = S(0.5) * (clamped(log_var).exp() - S(1)) * clampMask(log_var);
  }

 private:
  static void checkShape(const char* fn, const char* arg, const ConstMatrixRef<S>& m, Index rows,
                         Index cols) {
    detail::checkShape(fn, arg, m.rows(), m.cols(), rows, cols);
  }
  static void checkSame(const char* fn, const ConstMatrixRef<S>& a, const ConstMatrixRef<S>& b,
                        const ConstMatrixRef<S>& c) {
    checkShape(fn, "second argument", b, a.rows(), a.cols());
    checkShape(fn, "third argument", c, a.rows(), a.cols());
  }
  static void checkCols(const char* fn, const RowVectorRef<S>& out, Index cols) {
    IAI_CHECK(out.cols() == cols, fn, "out.cols()", out.cols(),
              "the batch size " + std::to_string(cols));
  }
};

}  // namespace iai
