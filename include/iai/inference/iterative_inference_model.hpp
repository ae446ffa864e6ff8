#pragma once
// Iterative inference model (Eq. 6): λ_{t+1} = f_φ(u_t), u_t = [x − 0.5, λ_t, encoded ∇_λ L_t,
// ε_x, ε_z] (each part optional), a highway ELU MLP h = MLP_φ(u_t) and linear heads on h.
// Update forms (docs/derivations.md §5.3), with s = log_var and stop-gradient on λ_t:
//   Gated (authors' default)  μ' = g_μ ⊙ μ + (1 − g_μ) ⊙ Δμ,
//                             s' = clamp(g_s ⊙ s + (1 − g_s) ⊙ clamp(Δs)),  g = sigmoid(W_g h + b_g)
//   Residual                  μ' = μ + Δμ,  s' = clamp(s + Δs)
//   Direct                    μ' = Δμ,      s' = clamp(Δs)
// Δ = W h + b. Clamps are [−15, 15]; backward passes no gradient through an active clamp.
// IterativeUpdate<S> is this map as a bindable component (network, heads and buffers, its φ a
// range of someone else's flat vector); IterativeInferenceModel<S> owns one together with its φ,
// HierarchicalIterativeInferenceModel<S> one per latent level.
#include <cstdint>
#include <string>
#include <string_view>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/encoding.hpp"
#include "iai/inference/network_config.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/parameters.hpp"

namespace iai {

/// How the heads' output updates λ_t: Gated (the authors' default), Residual or Direct (see the
/// file comment; docs/derivations.md §5.3).
enum class UpdateForm { Gated, Residual, Direct };

/// Inputs and update form of an iterative inference model. Defaults follow the authors' MNIST
/// configuration: x, λ, log-magnitude and sign of both gradients, gated update, 2 × 512 highway.
struct IterativeInferenceConfig {
  /// The highway network's shape and the data offset.
  InferenceNetworkConfig network{};
  bool data = true;    ///< x − input_offset (the authors always feed the data)
  bool lambda = true;  ///< mean and log_var of λ_t
  /// How ∇_λ L_t is encoded as an input (log-magnitude and sign by default).
  GradientEncoding gradient = GradientEncoding::LogMagnitudeSign;
  bool batch_mean_gradients = false;  ///< divide ∇_λ by B first (the authors' batch-mean ELBO)
  bool errors = false;                ///< ε_x and ε_z (Sec. 4.1)
  /// How ε_x and ε_z are weighted when `errors` is set.
  ErrorWeighting error_weighting = ErrorWeighting::Raw;
  /// The update form (Gated by default).
  UpdateForm update = UpdateForm::Gated;
};

/// The update λ_{t+1} = f_φ(u_t) of the header comment as a component (concepts::HasParameters): it
/// holds the network, the heads and the buffers, not φ. Bind it, then initialize(rng).
/// `name` (a string literal) prefixes its error messages, e.g. "IterativeInferenceModel".
template <class S>
class IterativeUpdate {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// An update for D = observed_dim and d = latent_dim.
  /// @throws iai::invalid_argument if observed_dim or latent_dim < 1, or config enables no input.
  IterativeUpdate(Index observed_dim, Index latent_dim, IterativeInferenceConfig config = {},
                  const char* name = "IterativeUpdate")
      : observed_(observed_dim),
        latent_(latent_dim),
        config_(config),
        update_fn_(std::string(name) + "::update"),
        backward_fn_(std::string(name) + "::backward"),
        net_(checkedInputSize(observed_dim, latent_dim, config, name), config.network.hidden,
             config.network.layers),
        heads_(config.network.hidden, headCount(config.update) * latent_dim) {}

  // --- component: φ is [network, heads [Δμ; Δs; (gate_μ; gate_s)] stacked (one GEMM)] ---
  /// Entries of φ it uses: network, then heads [Δμ; Δs; (gate_μ; gate_s)].
  Index parameterCount() const { return net_.parameterCount() + heads_.parameterCount(); }
  /// Points the network at params[0, n) and the heads after it (grads likewise, may be null).
  void bind(S* params, S* grads) {
    const Index n = net_.parameterCount();
    net_.bind(params, grads);
    heads_.bind(params + n, grads != nullptr ? grads + n : nullptr);
  }
  /// Network first, then heads, from one generator.
  void initialize(Rng& rng) {
    net_.initialize(rng);
    heads_.initialize(rng);
  }

  /// The latent dimension d.
  Index latentDim() const { return latent_; }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// Rows of the network's input u_t.
  Index inputSize() const { return net_.inputSize(); }
  /// The configuration it was made with.
  const IterativeInferenceConfig& config() const { return config_; }

  /// The signals its configuration reads (gradients, errors and their weighting).
  SignalRequest signals() const {
    return {.gradients = config_.gradient != GradientEncoding::None,
            .errors = config_.errors,
            .error_weighting = config_.error_weighting};
  }

  /// λ_{t+1} from the signals of λ_t (see the header comment); caches what backward() needs.
  void update(const InferenceSignals<S>& u, MatrixRef<S> mean_next, MatrixRef<S> log_var_next) {
    const std::string_view fn = update_fn_;
    IAI_CHECK(u.mean && u.log_var, fn, "signals.mean/log_var", "empty",
              "set (λ_t is always needed)");
    const Index b = u.mean->cols(), d = latent_;
    IAI_CHECK(b >= 1, fn, "batch", b, "≥ 1");
    detail::checkSignal<S>(fn, "signals.mean", u.mean, d, b);
    detail::checkSignal<S>(fn, "signals.log_var", u.log_var, d, b);
    detail::checkShape(fn, "mean_next", mean_next.rows(), mean_next.cols(), d, b);
    detail::checkShape(fn, "log_var_next", log_var_next.rows(), log_var_next.cols(), d, b);

    // u_t
    input_.resize(inputSize(), b);
    Index r = 0;
    if (config_.data) {
      detail::checkSignal<S>(fn, "signals.x", u.x, observed_, b);
      input_.middleRows(r, observed_).array() =
          u.x->array() - static_cast<S>(config_.network.input_offset);
      r += observed_;
    }
    if (config_.lambda) {
      input_.middleRows(r, d) = *u.mean;
      input_.middleRows(r + d, d) = *u.log_var;
      r += 2 * d;
    }
    if (config_.gradient != GradientEncoding::None) {
      detail::checkSignal<S>(fn, "signals.grad_mean", u.grad_mean, d, b);
      detail::checkSignal<S>(fn, "signals.grad_log_var", u.grad_log_var, d, b);
      const S scale = config_.batch_mean_gradients ? S(1) / static_cast<S>(b) : S(1);
      scaled_grad_.resize(d, b);
      if (config_.gradient == GradientEncoding::LogMagnitudeSign) {
        // [log|g_μ|, log|g_s|, sign g_μ, sign g_s] as the authors order them
        encoded_.resize(2 * d, b);
        scaled_grad_ = scale * *u.grad_mean;
        encodeGradient<S>(config_.gradient, scaled_grad_, encoded_);
        input_.middleRows(r, d) = encoded_.topRows(d);
        input_.middleRows(r + 2 * d, d) = encoded_.bottomRows(d);
        scaled_grad_ = scale * *u.grad_log_var;
        encodeGradient<S>(config_.gradient, scaled_grad_, encoded_);
        input_.middleRows(r + d, d) = encoded_.topRows(d);
        input_.middleRows(r + 3 * d, d) = encoded_.bottomRows(d);
        r += 4 * d;
      } else {
        scaled_grad_ = scale * *u.grad_mean;
        encodeGradient<S>(config_.gradient, scaled_grad_, input_.middleRows(r, d));
        scaled_grad_ = scale * *u.grad_log_var;
        encodeGradient<S>(config_.gradient, scaled_grad_, input_.middleRows(r + d, d));
        r += 2 * d;
      }
    }
    if (config_.errors) {
      detail::checkSignal<S>(fn, "signals.error_x", u.error_x, observed_, b);
      detail::checkSignal<S>(fn, "signals.error_z", u.error_z, d, b);
      input_.middleRows(r, observed_) = *u.error_x;
      input_.middleRows(r + observed_, d) = *u.error_z;
      r += observed_ + d;
    }
    IAI_ASSERT(r == input_.rows());

    // h = MLP_φ(u_t), heads
    const Matrix<S>& h = net_.forward(input_);
    out_.resize(heads_.outputSize(), b);
    heads_.forward(h, out_);
    mean_prev_ = *u.mean;
    log_var_prev_ = *u.log_var;
    const auto delta_mean = out_.topRows(d);
    const auto delta_log_var = out_.middleRows(d, d);
    switch (config_.update) {
      case UpdateForm::Gated: {
        gate_.resize(2 * d, b);
        gate_.array() = S(1) / (S(1) + (-out_.bottomRows(2 * d).array()).exp());
        mean_next.array() = gate_.topRows(d).array() * mean_prev_.array() +
                            (S(1) - gate_.topRows(d).array()) * delta_mean.array();
        pre_clamp_.resize(d, b);
        pre_clamp_.array() =
            gate_.bottomRows(d).array() * log_var_prev_.array() +
            (S(1) - gate_.bottomRows(d).array()) * DiagonalGaussian<S>::clamped(delta_log_var);
        break;
      }
      case UpdateForm::Residual:
        mean_next = mean_prev_ + delta_mean;
        pre_clamp_ = log_var_prev_ + delta_log_var;
        break;
      case UpdateForm::Direct:
        mean_next = delta_mean;
        pre_clamp_ = delta_log_var;
        break;
    }
    log_var_next = DiagonalGaussian<S>::clamped(pre_clamp_).matrix();
  }

  /// φ's gradient += ∂/∂φ Σ_j ⟨grad_mean_j, mean'_j⟩ + ⟨grad_log_var_j, log_var'_j⟩ through this
  /// step only (λ_t and the signals are constants). Follows update().
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    const Index d = latent_, b = out_.cols();
    detail::checkShape(backward_fn_, "grad_mean", grad_mean.rows(), grad_mean.cols(), d, b,
                       "latentDim() × the batch of the preceding update()");
    detail::checkShape(backward_fn_, "grad_log_var", grad_log_var.rows(), grad_log_var.cols(), d,
                       b, "latentDim() × the batch of the preceding update()");
    d_out_.resize(out_.rows(), b);
    // gradient at s' before its clamp
    grad_pre_.resize(d, b);
    grad_pre_.array() = grad_log_var.array() * DiagonalGaussian<S>::clampMask(pre_clamp_);
    switch (config_.update) {
      case UpdateForm::Gated: {
        const auto g_mu = gate_.topRows(d).array();
        const auto g_s = gate_.bottomRows(d).array();
        const auto delta_mean = out_.topRows(d).array();
        const auto delta_log_var = out_.middleRows(d, d);
        d_out_.topRows(d).array() = grad_mean.array() * (S(1) - g_mu);
        d_out_.middleRows(d, d).array() =
            grad_pre_.array() * (S(1) - g_s) * DiagonalGaussian<S>::clampMask(delta_log_var);
        // σ'(a) = g(1 − g)
        d_out_.middleRows(2 * d, d).array() =
            grad_mean.array() * (mean_prev_.array() - delta_mean) * g_mu * (S(1) - g_mu);
        d_out_.bottomRows(d).array() =
            grad_pre_.array() *
            (log_var_prev_.array() - DiagonalGaussian<S>::clamped(delta_log_var)) * g_s *
            (S(1) - g_s);
        break;
      }
      case UpdateForm::Residual:
      case UpdateForm::Direct:
        d_out_.topRows(d) = grad_mean;
        d_out_.bottomRows(d) = grad_pre_;
        break;
    }
    dh_.resize(net_.outputSize(), b);
    heads_.backward(net_.output(), out_, d_out_, dh_, ParamGrad::Accumulate);
    net_.backward(input_, dh_, ParamGrad::Accumulate);
  }

 private:
  static Index headCount(UpdateForm f) { return f == UpdateForm::Gated ? 4 : 2; }
  static Index checkedInputSize(Index observed, Index latent, const IterativeInferenceConfig& c,
                                const char* fn) {
    IAI_CHECK(observed >= 1, fn, "observed_dim", observed, "≥ 1");
    IAI_CHECK(latent >= 1, fn, "latent_dim", latent, "≥ 1");
    const Index n = (c.data ? observed : 0) + (c.lambda ? 2 * latent : 0) +
                    2 * encodedRows(c.gradient, latent) + (c.errors ? observed + latent : 0);
    IAI_CHECK(n >= 1, fn, "config", "no inputs",
              "at least one of data, lambda, gradient, errors enabled");
    return n;
  }
  Index observed_;
  Index latent_;
  IterativeInferenceConfig config_;
  std::string update_fn_, backward_fn_;  // function names for messages, built once
  nn::HighwayMlp<S> net_;
  nn::Linear<S> heads_;
  Matrix<S> input_, scaled_grad_, encoded_, out_, gate_, pre_clamp_, mean_prev_, log_var_prev_;
  Matrix<S> d_out_, grad_pre_, dh_;
};

static_assert(concepts::HasParameters<IterativeUpdate<float>, float>);

/// The iterative inference model of Eq. 6: one IterativeUpdate and its φ (one flat vector).
template <class S>
class IterativeInferenceModel {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// A model for D = observed_dim and d = latent_dim, φ initialised from `seed`.
  /// @throws iai::invalid_argument if observed_dim or latent_dim < 1, or config enables no input.
  IterativeInferenceModel(Index observed_dim, Index latent_dim,
                          IterativeInferenceConfig config = {}, std::uint64_t seed = 0)
      : phi_(IterativeUpdate<S>(observed_dim, latent_dim, config, "IterativeInferenceModel")) {
    Rng rng(seed);
    step().initialize(rng);  // network, then heads
  }

  /// The latent dimension d.
  Index latentDim() const { return step().latentDim(); }
  /// The data dimension D.
  Index observedDim() const { return step().observedDim(); }
  /// Rows of the network's input u_t.
  Index inputSize() const { return step().inputSize(); }
  /// The configuration it was made with.
  const IterativeInferenceConfig& config() const { return step().config(); }
  /// φ: all parameters in one flat vector.
  Vector<S>& phi() { return phi_.values(); }
  /// φ: all parameters in one flat vector.
  const Vector<S>& phi() const { return phi_.values(); }
  /// The gradient buffer of φ (same layout), accumulated by backward().
  Vector<S>& gradPhi() { return phi_.gradient(); }

  /// The signals its configuration reads (gradients, errors and their weighting).
  SignalRequest signals() const { return step().signals(); }

  /// λ_{t+1} from the signals of λ_t (see the header comment); caches what backward() needs.
  void update(const InferenceSignals<S>& u, MatrixRef<S> mean_next, MatrixRef<S> log_var_next) {
    step().update(u, mean_next, log_var_next);
  }

  /// gradPhi() += ∂/∂φ Σ_j ⟨grad_mean_j, mean'_j⟩ + ⟨grad_log_var_j, log_var'_j⟩ through this
  /// step only (λ_t and the signals are constants). Follows update().
  void backward(const ConstMatrixRef<S>& grad_mean, const ConstMatrixRef<S>& grad_log_var) {
    step().backward(grad_mean, grad_log_var);
  }

 private:
  IterativeUpdate<S>& step() { return phi_.template get<0>(); }
  const IterativeUpdate<S>& step() const { return phi_.template get<0>(); }

  nn::BoundParameters<S, IterativeUpdate<S>> phi_;
};

}  // namespace iai
