#pragma once
// Conditional Gaussian prior of a lower latent level (paper Sec. 4.1; docs/derivations.md §4.3):
//   p_θ(z_ℓ | z_{ℓ+1}) = N(μ_p(z_{ℓ+1}), diag exp(s_p(z_{ℓ+1}))),
// μ_p and s_p = log σ_p² are linear heads on an ELU MLP of z_{ℓ+1} (the authors'
// DenseLatentLevel); with `constant_log_var` s_p is a learned per-unit constant instead of a head
// (their `constant_prior_variances`). A component with parameterCount()/bind()/initialize(), so a
// model can hold several in one flat θ.
#include <string>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"

namespace iai {

/// Conditional Gaussian prior p_θ(z_ℓ | z_{ℓ+1}) = N(μ_p(z_{ℓ+1}), diag exp(s_p(z_{ℓ+1}))) of a
/// lower latent level (Sec. 4.1): linear heads μ_p, s_p on an ELU MLP of z_{ℓ+1}, or a learned
/// constant s_p. A parameter component (parameterCount()/bind()/initialize()) of a model's θ.
template <class S>
class ConditionalGaussianPrior {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// p(z | z_above) with z of `dim` rows, z_above of `above_dim` rows and hidden ELU layers of
  /// the given widths (at least one).
  ConditionalGaussianPrior(Index dim, Index above_dim, const std::vector<Index>& hidden,
                           bool constant_log_var = false)
      : dim_(dim),
        constant_log_var_(constant_log_var),
        net_(sizes(dim, above_dim, hidden), /*activate_output=*/true),
        heads_(hidden.back(), constant_log_var ? dim : 2 * dim) {}

  /// Rows d_ℓ of z_ℓ.
  Index dim() const { return dim_; }
  /// Rows of z_{ℓ+1}, the level above.
  Index aboveDim() const { return net_.inputSize(); }
  /// Whether s_p is a learned per-unit constant rather than a head.
  bool constantLogVar() const { return constant_log_var_; }
  /// The ELU MLP of z_{ℓ+1} that feeds the heads.
  const nn::Mlp<S, nn::Elu>& network() const { return net_; }

  /// Entries of θ it owns: network, heads and (constantLogVar()) the d_ℓ log-variances.
  Index parameterCount() const {
    return net_.parameterCount() + heads_.parameterCount() + (constant_log_var_ ? dim_ : 0);
  }
  /// [network | heads | constant log-variance], consecutive.
  void bind(S* params, S* grads) {
    Index offset = 0;
    const auto at = [&](S* p) { return p != nullptr ? p + offset : nullptr; };
    net_.bind(at(params), at(grads));
    offset += net_.parameterCount();
    heads_.bind(at(params), at(grads));
    offset += heads_.parameterCount();
    log_var_ = at(params);
    grad_log_var_ = at(grads);
  }
  /// Glorot-uniform weights, zero biases, constant log-variance 0 (σ_p = 1).
  void initialize(Rng& rng) {
    net_.initialize(rng);
    heads_.initialize(rng);
    if (constant_log_var_) logVarMap().setZero();
  }

  /// mean_p, log_var_p (dim × N) for z_above (aboveDim × N); caches for backward().
  void forward(const ConstMatrixRef<S>& z_above, MatrixRef<S> mean_p, MatrixRef<S> log_var_p) {
    const char* fn = "ConditionalGaussianPrior::forward";
    detail::checkShape(fn, "mean_p", mean_p.rows(), mean_p.cols(), dim_, z_above.cols(),
                       "dim() × z_above.cols()");
    detail::checkShape(fn, "log_var_p", log_var_p.rows(), log_var_p.cols(), dim_, z_above.cols(),
                       "dim() × z_above.cols()");
    const Matrix<S>& h = net_.forward(z_above);
    out_.resize(heads_.outputSize(), z_above.cols());
    heads_.forward(h, out_);
    mean_p = out_.topRows(dim_);
    if (constant_log_var_) {
      log_var_p = logVarMap().replicate(1, z_above.cols());
    } else {
      log_var_p = out_.bottomRows(dim_);
    }
  }

  /// grad_z_above = ∂/∂z_above Σ_j ⟨grad_mean_p, mean_p⟩ + ⟨grad_log_var_p, log_var_p⟩ (assigned);
  /// θ's gradient added with ParamGrad::Accumulate. Follows forward(z_above).
  void backward(const ConstMatrixRef<S>& z_above, const ConstMatrixRef<S>& grad_mean_p,
                const ConstMatrixRef<S>& grad_log_var_p, MatrixRef<S> grad_z_above, ParamGrad pg) {
    const Index n = z_above.cols();
    detail::checkShape("ConditionalGaussianPrior::backward", "grad_mean_p", grad_mean_p.rows(),
                       grad_mean_p.cols(), dim_, out_.cols(),
                       "dim() × the batch of the preceding forward()");
    detail::checkShape("ConditionalGaussianPrior::backward", "grad_log_var_p",
                       grad_log_var_p.rows(), grad_log_var_p.cols(), dim_, out_.cols(),
                       "dim() × the batch of the preceding forward()");
    IAI_CHECK(out_.cols() == n, "ConditionalGaussianPrior::backward", "the batch", n,
              "that of the preceding forward()");
    d_out_.resize(heads_.outputSize(), n);
    d_out_.topRows(dim_) = grad_mean_p;
    if (constant_log_var_) {
      if (pg == ParamGrad::Accumulate)
        Eigen::Map<Vector<S>>(grad_log_var_, dim_) += grad_log_var_p.rowwise().sum();
    } else {
      d_out_.bottomRows(dim_) = grad_log_var_p;
    }
    dh_.resize(heads_.inputSize(), n);
    heads_.backward(net_.output(), out_, d_out_, dh_, pg);
    net_.backward(z_above, dh_, grad_z_above, pg);
  }

 private:
  static std::vector<Index> sizes(Index dim, Index above_dim, const std::vector<Index>& hidden) {
    const char* fn = "ConditionalGaussianPrior";
    IAI_CHECK(dim >= 1, fn, "dim", dim, "≥ 1");
    IAI_CHECK(above_dim >= 1, fn, "above_dim", above_dim, "≥ 1");
    IAI_CHECK(!hidden.empty(), fn, "hidden", "empty", "at least one hidden layer width");
    std::vector<Index> s{above_dim};
    s.insert(s.end(), hidden.begin(), hidden.end());
    return s;
  }
  Eigen::Map<Vector<S>> logVarMap() {
    IAI_CHECK(log_var_ != nullptr, "ConditionalGaussianPrior", "parameters", "unbound",
              "bound with bind() before use");
    return Eigen::Map<Vector<S>>(log_var_, dim_);
  }

  Index dim_;
  bool constant_log_var_;
  nn::Mlp<S, nn::Elu> net_;
  nn::Linear<S> heads_;  // [mean; log_var] stacked (one GEMM), or [mean] with a constant log_var
  S* log_var_ = nullptr;
  S* grad_log_var_ = nullptr;
  Matrix<S> out_, d_out_, dh_;
};

}  // namespace iai
