#pragma once
// The evidence lower bound (Eq. 2) of a single-level latent Gaussian model, estimated with S
// reparameterised samples z_s = μ + σ ⊙ ε_s (Kingma & Welling 2014), per example j:
//   L_j = (1/S) Σ_s log p_θ(x_j | z_sj) − β · KL_j,
//   KL_j analytic: KL(q(z|x_j) ‖ N(0, I));  sampled: (1/S) Σ_s [log q(z_sj) − log p(z_sj)].
// Gradients (only those requested): ∂L_j/∂λ_j for λ = (mean, log_var) — the log_var clamp of
// DiagonalGaussian passes no gradient outside [−15, 15] —, θ's gradient accumulated into
// model.gradTheta() as Σ_j ∂L_j/∂θ (ascent direction, not averaged over the batch), and the error
// signals of Sec. 4.1 averaged over samples: ε_x (from the model) and ε_z = (z − μ_p)/σ_p².
// Noise layout: ε is d × (S·B), sample s occupying columns [s·B, (s+1)·B).
#include <cmath>
#include <limits>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/distributions/observation_concepts.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// How the KL term of the ELBO is estimated: analytically against N(0, I), or from the samples.
enum class KlEstimator { Analytic, Sampled };

/// Settings of the ELBO estimate (Elbo, HierarchicalElbo).
struct ElboConfig {
  Index samples = 1;                       ///< S, reparameterised samples per example
  KlEstimator kl = KlEstimator::Analytic;  ///< analytic KL to N(0, I) or the sampled estimate
  double kl_weight = 1.0;                  ///< β (KL warm-up); 1 for the true bound
  /// Per-element floor of the sampled KL of the lower levels of a hierarchical model
  /// (HierarchicalElbo; the authors used 0); −∞ = off. Single-level models have no lower level.
  double kl_min = -std::numeric_limits<double>::infinity();
};

/// What one evaluation computes besides the values.
struct ElboRequest {
  bool grad_lambda = true;  ///< ∂L_j/∂mean_j, ∂L_j/∂log_var_j
  bool grad_theta = false;  ///< model.gradTheta() += Σ_j ∂L_j/∂θ
  bool errors = false;      ///< ε_x, ε_z (needs a concepts::ErrorSignalModel)
  /// How ε_x and ε_z are weighted when `errors` is set.
  ErrorWeighting error_weighting = ErrorWeighting::Raw;
};

namespace detail {

/// What Elbo and HierarchicalElbo share: the configuration, the noise, the results and their
/// accessors, and the argument checks. Derived implements evaluateImpl(model, x, mean, log_var,
/// request) reading eps_.
template <class Derived, class S>
class ElboBase {
 public:
  using Scalar = S;

  const ElboConfig& config() const { return config_; }
  void setConfig(const ElboConfig& config) {
    IAI_CHECK(config.samples >= 1, Derived::kName, "config.samples", config.samples, "≥ 1");
    IAI_CHECK(config.kl_weight >= 0.0 && config.kl_weight == config.kl_weight, Derived::kName,
              "config.kl_weight", config.kl_weight, "≥ 0");
    if constexpr (Derived::kHierarchical) {
      IAI_CHECK(config.kl_min == config.kl_min && config.kl_min < 1e300, Derived::kName,
                "config.kl_min", config.kl_min, "a finite number or −∞ (off)");
    } else {
      IAI_CHECK(config.kl_min == -std::numeric_limits<double>::infinity(), Derived::kName,
                "config.kl_min", config.kl_min,
                "−∞ (off): the floor applies to the lower levels of a hierarchical model");
    }
    config_ = config;
  }
  void setKlWeight(double beta) {
    ElboConfig c = config_;
    c.kl_weight = beta;
    setConfig(c);
  }

  /// Draws fresh noise ε ~ N(0, I) from rng, then evaluateWithNoise().
  template <class M>
  void evaluate(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                const ConstMatrixRef<S>& log_var, Rng& rng, const ElboRequest& request = {}) {
    eps_.resize(model.latentDim(), config_.samples * x.cols());
    fillNormal(rng, eps_);
    checkArguments(model, x, mean, log_var, request);
    derived().evaluateImpl(model, x, mean, log_var, request);
  }

  /// Evaluates with the given noise (d × S·B): deterministic, for finite differences and common
  /// random numbers.
  template <class M>
  void evaluateWithNoise(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                         const ConstMatrixRef<S>& log_var, const ConstMatrixRef<S>& eps,
                         const ElboRequest& request = {}) {
    detail::checkShape("Elbo::evaluateWithNoise", "eps", eps.rows(), eps.cols(), model.latentDim(),
                       config_.samples * x.cols(), "latentDim() × (samples · batch)");
    eps_ = eps;
    checkArguments(model, x, mean, log_var, request);
    derived().evaluateImpl(model, x, mean, log_var, request);
  }

  // ---- results of the last evaluation (per example: one column / entry per example) ----
  const RowVector<S>& elbo() const { return elbo_; }
  const RowVector<S>& reconstruction() const {
    return reconstruction_;
  }  ///< (1/S) Σ_s log p(x|z_s)
  const RowVector<S>& kl() const { return kl_; }
  const Matrix<S>& gradMean() const { return grad_mean_; }
  const Matrix<S>& gradLogVar() const { return grad_log_var_; }
  const Matrix<S>& errorX() const { return error_x_; }
  const Matrix<S>& errorZ() const { return error_z_; }
  const Matrix<S>& noise() const { return eps_; }
  const Matrix<S>& samples() const { return z_; }  ///< z, d × (S·B)
  /// Batch means, in double.
  double meanElbo() const { return elbo_.template cast<double>().mean(); }
  double meanReconstruction() const { return reconstruction_.template cast<double>().mean(); }
  double meanKl() const { return kl_.template cast<double>().mean(); }

 protected:
  ElboBase() = default;

  template <class M>
  static void checkArguments(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                             const ConstMatrixRef<S>& log_var, const ElboRequest& request) {
    const char* fn = "Elbo::evaluate";
    detail::checkPosteriorBatch(fn, model, x, mean, log_var);
    detail::observation::checkFinite<S>(fn, x);
    if constexpr (!concepts::ErrorSignalModel<M>) {
      IAI_CHECK(!request.errors, fn, "request.errors", "true",
                "false: the model has no observationError() (see concepts::ErrorSignalModel)");
    }
  }

  /// z = μ + σ ⊙ ε for every sample (sample s in columns [s·B, (s+1)·B)), x repeated once per
  /// sample, and the reconstruction term (1/S) Σ_s log p(x | z_s) (the model caches its pass).
  template <class M>
  void sampleAndReconstruct(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                            const ConstMatrixRef<S>& log_var) {
    const Index b = x.cols(), n_s = config_.samples;
    z_.resize(mean.rows(), n_s * b);
    x_rep_.resize(x.rows(), n_s * b);
    for (Index s = 0; s < n_s; ++s) {
      DiagonalGaussian<S>::sample(mean, log_var, eps_.middleCols(s * b, b),
                                  z_.middleCols(s * b, b));
      x_rep_.middleCols(s * b, b) = x;
    }
    log_px_.resize(n_s * b);
    model.logLikelihood(x_rep_, z_, log_px_);
    reconstruction_.setZero(b);
    for (Index s = 0; s < n_s; ++s) reconstruction_ += log_px_.middleCols(s * b, b);
    reconstruction_ *= S(1) / static_cast<S>(n_s);
  }

  /// ε_x averaged over samples into error_x_ (the model's observationError at the decoder pass
  /// of the last logLikelihood call), ε_z = (1/S) Σ_s (z_s − μ_p,s) [/ σ_p,s²] into error_z_ with
  /// prior_mean_/prior_log_var_ (d × S·B) holding the prior of every sample.
  template <class M>
  void computeErrors(M& model, ErrorWeighting weighting, Index b) {
    if constexpr (concepts::ErrorSignalModel<M>) {
      const Index n_s = config_.samples;
      const S inv_s = S(1) / static_cast<S>(n_s);
      error_x_rep_.resize(model.observedDim(), n_s * b);
      model.observationError(x_rep_, z_, weighting, error_x_rep_);
      error_z_rep_.resize(z_.rows(), n_s * b);
      error_z_rep_ = z_ - prior_mean_;
      if (weighting == ErrorWeighting::Precision)
        error_z_rep_.array() *= (-DiagonalGaussian<S>::clamped(prior_log_var_)).exp();
      error_x_.setZero(model.observedDim(), b);
      error_z_.setZero(z_.rows(), b);
      for (Index s = 0; s < n_s; ++s) {
        error_x_ += error_x_rep_.middleCols(s * b, b);
        error_z_ += error_z_rep_.middleCols(s * b, b);
      }
      error_x_ *= inv_s;
      error_z_ *= inv_s;
    }
  }

  ElboConfig config_;
  Matrix<S> eps_, z_, x_rep_, prior_mean_, prior_log_var_;
  Matrix<S> grad_mean_, grad_log_var_, error_x_rep_, error_z_rep_, error_x_, error_z_;
  RowVector<S> log_px_, reconstruction_, kl_, elbo_;

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }
};

}  // namespace detail

/// The ELBO (Eq. 2) of a single-level latent Gaussian model M, estimated per example with S
/// reparameterised samples, and its gradients w.r.t. λ = (mean, log_var) and θ on request
/// (ElboRequest); see the file comment.
template <class M>
class Elbo : public detail::ElboBase<Elbo<M>, typename M::Scalar> {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  // a model that declares levels but misses a hierarchical member must not silently become a
  // single-level model with an N(0, I) prior on every level
  static_assert(
      !requires(const M& m) { m.levels(); } || concepts::HierarchicalGenerativeModel<M>,
      "iai: the model declares levels() but is not a complete "
      "HierarchicalGenerativeModel: it needs levelDim(l), prior(l, z_above, mean_p, "
      "log_var_p) and priorBackward(l, z_above, grad_mean_p, grad_log_var_p, "
      "grad_z_above, ParamGrad) (see docs/concepts.md)");
  using Base = detail::ElboBase<Elbo<M>, typename M::Scalar>;
  friend Base;

 public:
  /// The model's element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;
  /// The name in error messages.
  static constexpr const char* kName = "Elbo";
  /// false: a single-level model with the prior N(0, I).
  static constexpr bool kHierarchical = false;

  /// @throws iai::invalid_argument if config.samples < 1, config.kl_weight < 0 or NaN, or
  ///         config.kl_min is not −∞ (a single-level model has no lower level).
  explicit Elbo(ElboConfig config = {}) { this->setConfig(config); }

  /// λ_0 = the prior N(0, I): mean = 0, log_var = 0 (rng unused).
  void initialLambda(M& /*model*/, Rng& /*rng*/, MatrixRef<S> mean, MatrixRef<S> log_var) {
    mean.setZero();
    log_var.setZero();
  }

 private:
  using Base::config_, Base::eps_, Base::z_, Base::x_rep_, Base::prior_mean_, Base::prior_log_var_,
      Base::grad_mean_, Base::grad_log_var_, Base::reconstruction_, Base::kl_, Base::elbo_;

  // Eq. 2 with S samples (see the header comment); arguments checked by ElboBase.
  void evaluateImpl(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                    const ConstMatrixRef<S>& log_var, const ElboRequest& request) {
    const Index d = model.latentDim(), b = x.cols();
    const Index n_s = config_.samples, n = n_s * b;
    const S inv_s = S(1) / static_cast<S>(n_s);
    const S beta = static_cast<S>(config_.kl_weight);

    this->sampleAndReconstruct(model, x, mean, log_var);

    // KL to the prior N(0, I)
    prior_mean_.setZero(d, n);
    prior_log_var_.setZero(d, n);
    kl_.resize(b);
    if (config_.kl == KlEstimator::Analytic) {
      DiagonalGaussian<S>::klStandardNormal(mean, log_var, kl_);
    } else {
      kl_.setZero();
      row_q_.resize(b);
      row_p_.resize(b);
      for (Index s = 0; s < n_s; ++s) {
        const auto z_s = z_.middleCols(s * b, b);
        DiagonalGaussian<S>::logDensity(mean, log_var, z_s, row_q_);
        DiagonalGaussian<S>::logDensity(prior_mean_.middleCols(s * b, b),
                                        prior_log_var_.middleCols(s * b, b), z_s, row_p_);
        kl_ += inv_s * (row_q_ - row_p_);
      }
    }
    elbo_ = reconstruction_ - beta * kl_;

    if (request.errors) this->computeErrors(model, request.error_weighting, b);

    if (!request.grad_lambda && !request.grad_theta) return;
    grad_z_.resize(d, n);
    model.logLikelihoodBackward(x_rep_, z_, inv_s, grad_z_,
                                request.grad_theta ? ParamGrad::Accumulate : ParamGrad::Skip);
    if (!request.grad_lambda) return;

    // reconstruction part through the reparameterisation (DiagonalGaussian::sampleBackward)
    grad_mean_.setZero(d, b);
    grad_log_var_.setZero(d, b);
    tmp_mean_.resize(d, b);
    tmp_log_var_.resize(d, b);
    for (Index s = 0; s < n_s; ++s) {
      DiagonalGaussian<S>::sampleBackward(log_var, eps_.middleCols(s * b, b),
                                          grad_z_.middleCols(s * b, b), tmp_mean_, tmp_log_var_);
      grad_mean_ += tmp_mean_;
      grad_log_var_ += tmp_log_var_;
    }
    // KL part
    if (config_.kl == KlEstimator::Analytic) {
      DiagonalGaussian<S>::klStandardNormalGradient(mean, log_var, tmp_mean_, tmp_log_var_);
      grad_mean_ -= beta * tmp_mean_;
      grad_log_var_ -= beta * tmp_log_var_;
    } else {
      // d/dλ [log q(z_s; λ) − log p(z_s)] with z_s = z_s(λ): direct ∂λ log q plus the path
      // through z of ∂z (log q − log p).
      grad_zq_.resize(d, b);
      grad_zp_.resize(d, b);
      direct_mean_.resize(d, b);
      direct_log_var_.resize(d, b);
      unused_mean_.resize(d, b);
      unused_log_var_.resize(d, b);
      for (Index s = 0; s < n_s; ++s) {
        const auto z_s = z_.middleCols(s * b, b);
        DiagonalGaussian<S>::logDensityGradient(mean, log_var, z_s, grad_zq_, direct_mean_,
                                                direct_log_var_);
        DiagonalGaussian<S>::logDensityGradient(prior_mean_.middleCols(s * b, b),
                                                prior_log_var_.middleCols(s * b, b), z_s, grad_zp_,
                                                unused_mean_, unused_log_var_);
        grad_zq_ -= grad_zp_;
        DiagonalGaussian<S>::sampleBackward(log_var, eps_.middleCols(s * b, b), grad_zq_, tmp_mean_,
                                            tmp_log_var_);
        grad_mean_ -= (beta * inv_s) * (tmp_mean_ + direct_mean_);
        grad_log_var_ -= (beta * inv_s) * (tmp_log_var_ + direct_log_var_);
      }
    }
  }

  Matrix<S> grad_z_, tmp_mean_, tmp_log_var_;
  Matrix<S> grad_zq_, grad_zp_, direct_mean_, direct_log_var_, unused_mean_, unused_log_var_;
  RowVector<S> row_q_, row_p_;
};

}  // namespace iai
