#pragma once
// The ELBO of a hierarchical latent Gaussian model (docs/derivations.md §4.4), with λ and z
// stacked by level, q(z | x) = Π_ℓ N(z_ℓ; μ_ℓ, diag σ_ℓ²) independent per level,
// z_s = μ + σ ⊙ ε_s (all levels):
//   L_j = (1/S) Σ_s [ log p(x_j | z_s) − β Σ_{ℓ<L−1} Σ_i max(kl_min, k_{s,ℓ,i}) ] − β KL_top,j
//   k_{s,ℓ,i} = log q(z_{s,ℓ,i}) − log p(z_{s,ℓ,i} | z_{s,ℓ+1})   (single-sample, per element),
//   KL_top analytic against N(0, I), or sampled (1/S) Σ_s Σ_i k_{s,L−1,i} with p = N(0, I).
// The conditional prior of level ℓ is evaluated at the sample of level ℓ+1 ("ancestral"), so
// ∂L/∂z_{ℓ+1} receives the prior's input gradient: with a constant σ_p this gives the paper's
// ∇_{μ_ℓ} L = J^ℓᵀ ε_z^{ℓ−1} − ε_z^ℓ (Sec. 4.1). An element clamped at kl_min passes no gradient.
// Errors (averaged over samples): ε_x from the model, ε_z stacked, ε_z^ℓ = z_ℓ − μ_p^ℓ (Raw) or
// (z_ℓ − μ_p^ℓ)/σ_p^{2,ℓ} (Precision), μ_p = 0, σ_p = 1 at the top. Same API as Elbo; ElboFor<M>
// (objectives/elbo_for.hpp) picks the right one for a model.
#include <limits>
#include <string>
#include <type_traits>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/objectives/elbo.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// The ELBO of a hierarchical latent Gaussian model M (docs/derivations.md §4.4): λ and z stacked
/// by level, conditional priors evaluated at the sample of the level above, optional per-element
/// KL floor kl_min. Same API as Elbo.
template <class M>
class HierarchicalElbo : public detail::ElboBase<HierarchicalElbo<M>, typename M::Scalar> {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  static_assert(concepts::HierarchicalGenerativeModel<M>,
                "iai: HierarchicalElbo needs levels(), levelDim(l), prior(l, z_above, mean_p, "
                "log_var_p) and priorBackward(...) (see concepts::HierarchicalGenerativeModel)");
  using Base = detail::ElboBase<HierarchicalElbo<M>, typename M::Scalar>;
  friend Base;

 public:
  /// The model's element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;
  /// The name in error messages.
  static constexpr const char* kName = "HierarchicalElbo";
  /// true: the model's conditional priors p(z_ℓ | z_{ℓ+1}).
  static constexpr bool kHierarchical = true;

  /// @throws iai::invalid_argument if config.samples < 1, config.kl_weight < 0 or NaN, or
  ///         config.kl_min is neither a finite number nor −∞.
  explicit HierarchicalElbo(ElboConfig config = {}) { this->setConfig(config); }

  /// λ_0 = the prior (docs/derivations.md §4.3): the top level N(0, I); each lower level the mean
  /// over S ancestral prior samples of μ_p^ℓ(z_{ℓ+1}) and log σ_p^{2,ℓ}(z_{ℓ+1}).
  void initialLambda(M& model, Rng& rng, MatrixRef<S> mean, MatrixRef<S> log_var) {
    const Index b = mean.cols(), n_s = config_.samples, n = n_s * b, top = model.levels() - 1;
    IAI_CHECK(mean.rows() == model.latentDim() && log_var.rows() == model.latentDim() &&
                  log_var.cols() == b,
              "HierarchicalElbo::initialLambda", "mean/log_var rows", mean.rows(),
              "latentDim() = " + std::to_string(model.latentDim()) + " with equal columns");
    const S inv_s = S(1) / static_cast<S>(n_s);
    mean.setZero();
    log_var.setZero();
    init_z_.resize(model.latentDim(), n);
    init_eps_.resize(model.latentDim(), n);
    fillNormal(rng, init_eps_);
    init_z_.middleRows(offset(model, top), model.levelDim(top)) =
        init_eps_.middleRows(offset(model, top), model.levelDim(top));
    for (Index l = top - 1; l >= 0; --l) {
      const Index o = offset(model, l), d = model.levelDim(l);
      init_mean_.resize(d, n);
      init_log_var_.resize(d, n);
      model.prior(l, init_z_.middleRows(offset(model, l + 1), model.levelDim(l + 1)), init_mean_,
                  init_log_var_);
      DiagonalGaussian<S>::sample(init_mean_, init_log_var_, init_eps_.middleRows(o, d),
                                  init_z_.middleRows(o, d));
      for (Index s = 0; s < n_s; ++s) {
        mean.middleRows(o, d) += inv_s * init_mean_.middleCols(s * b, b);
        log_var.middleRows(o, d).array() +=
            inv_s * DiagonalGaussian<S>::clamped(init_log_var_.middleCols(s * b, b));
      }
    }
  }

 private:
  using Base::config_, Base::eps_, Base::z_, Base::x_rep_, Base::prior_mean_, Base::prior_log_var_,
      Base::grad_mean_, Base::grad_log_var_, Base::reconstruction_, Base::kl_, Base::elbo_;

  static Index offset(const M& model, Index level) {
    Index o = 0;
    for (Index k = 0; k < level; ++k) o += model.levelDim(k);
    return o;
  }

  void evaluateImpl(M& model, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                    const ConstMatrixRef<S>& log_var, const ElboRequest& request) {
    const Index d = model.latentDim(), b = x.cols(), top = model.levels() - 1;
    const Index n_s = config_.samples, n = n_s * b;
    const Index d_low = offset(model, top);  // rows of the lower levels (the top comes last)
    const bool analytic_top = config_.kl == KlEstimator::Analytic;
    const S inv_s = S(1) / static_cast<S>(n_s);
    const S beta = static_cast<S>(config_.kl_weight);

    this->sampleAndReconstruct(model, x, mean, log_var);

    // priors of every sample: p(z_ℓ | z_{ℓ+1}) for lower levels, N(0, I) at the top
    prior_mean_.resize(d, n);
    prior_log_var_.resize(d, n);
    prior_mean_.bottomRows(d - d_low).setZero();
    prior_log_var_.bottomRows(d - d_low).setZero();
    for (Index l = 0; l < top; ++l) {
      const Index o = offset(model, l), d_l = model.levelDim(l);
      model.prior(l, z_.middleRows(o + d_l, model.levelDim(l + 1)), prior_mean_.middleRows(o, d_l),
                  prior_log_var_.middleRows(o, d_l));
    }

    // per-element k = log q(z) − log p(z | z_above) for every sample (log 2π cancels)
    mean_rep_.resize(d, n);
    log_var_rep_.resize(d, n);
    for (Index s = 0; s < n_s; ++s) {
      mean_rep_.middleCols(s * b, b) = mean;
      log_var_rep_.middleCols(s * b, b) = log_var;
    }
    k_.resize(d, n);
    {
      const auto s_q = DiagonalGaussian<S>::clamped(log_var_rep_);
      const auto s_p = DiagonalGaussian<S>::clamped(prior_log_var_);
      k_.array() = S(0.5) * ((s_p - s_q) + (z_ - prior_mean_).array().square() * (-s_p).exp() -
                             (z_ - mean_rep_).array().square() * (-s_q).exp());
    }
    // active_ = 1 where an element counts (and passes gradient): lower levels above the floor,
    // the top only for the sampled estimator
    const S kl_min = config_.kl_min == -std::numeric_limits<double>::infinity()
                         ? -std::numeric_limits<S>::infinity()
                         : static_cast<S>(config_.kl_min);
    active_.resize(d, n);
    active_.topRows(d_low) = (k_.topRows(d_low).array() > kl_min).template cast<S>().matrix();
    active_.bottomRows(d - d_low).setConstant(analytic_top ? S(0) : S(1));
    k_.topRows(d_low) = k_.topRows(d_low).cwiseMax(kl_min);  // the floor (a no-op at −∞)
    kl_.setZero(b);
    for (Index s = 0; s < n_s; ++s) {
      kl_ += inv_s * k_.topRows(d_low).middleCols(s * b, b).colwise().sum();
      if (!analytic_top)
        kl_ += inv_s * k_.bottomRows(d - d_low).middleCols(s * b, b).colwise().sum();
    }
    if (analytic_top) {
      kl_top_.resize(b);
      DiagonalGaussian<S>::klStandardNormal(mean.bottomRows(d - d_low),
                                            log_var.bottomRows(d - d_low), kl_top_);
      kl_ += kl_top_;
    }
    elbo_ = reconstruction_ - beta * kl_;

    if (request.errors) this->computeErrors(model, request.error_weighting, b);

    if (!request.grad_lambda && !request.grad_theta) return;
    const ParamGrad pg = request.grad_theta ? ParamGrad::Accumulate : ParamGrad::Skip;
    // G = ∂L/∂z (d × S·B): the reconstruction, then −(β/S) a ⊙ ∂k/∂z
    grad_z_.resize(d, n);
    model.logLikelihoodBackward(x_rep_, z_, inv_s, grad_z_, pg);
    grad_zq_.resize(d, n);
    grad_mq_.resize(d, n);
    grad_sq_.resize(d, n);
    grad_zp_.resize(d, n);
    grad_mp_.resize(d, n);
    grad_sp_.resize(d, n);
    DiagonalGaussian<S>::logDensityGradient(mean_rep_, log_var_rep_, z_, grad_zq_, grad_mq_,
                                            grad_sq_);
    DiagonalGaussian<S>::logDensityGradient(prior_mean_, prior_log_var_, z_, grad_zp_, grad_mp_,
                                            grad_sp_);
    const S c = beta * inv_s;
    grad_z_.array() -= c * active_.array() * (grad_zq_ - grad_zp_).array();
    // the conditional priors: ∂(−β/S a k)/∂(μ_p, s_p) = (β/S) a ∂ log p/∂(μ_p, s_p), passed back
    // through the prior network into z_{ℓ+1}
    grad_mp_.array() *= c * active_.array();
    grad_sp_.array() *= c * active_.array();
    for (Index l = 0; l < top; ++l) {
      const Index o = offset(model, l), d_l = model.levelDim(l), d_up = model.levelDim(l + 1);
      grad_above_.resize(d_up, n);
      model.priorBackward(l, z_.middleRows(o + d_l, d_up), grad_mp_.middleRows(o, d_l),
                          grad_sp_.middleRows(o, d_l), grad_above_, pg);
      grad_z_.middleRows(o + d_l, d_up) += grad_above_;
    }
    if (!request.grad_lambda) return;

    // λ: the path through z (sampleBackward) plus the direct −(β/S) a ∂ log q/∂λ
    grad_mean_.setZero(d, b);
    grad_log_var_.setZero(d, b);
    tmp_mean_.resize(d, b);
    tmp_log_var_.resize(d, b);
    for (Index s = 0; s < n_s; ++s) {
      const auto cols = [&](Matrix<S>& m) { return m.middleCols(s * b, b); };
      DiagonalGaussian<S>::sampleBackward(log_var, eps_.middleCols(s * b, b), cols(grad_z_),
                                          tmp_mean_, tmp_log_var_);
      grad_mean_ += tmp_mean_;
      grad_log_var_ += tmp_log_var_;
      grad_mean_.array() -= c * cols(active_).array() * cols(grad_mq_).array();
      grad_log_var_.array() -= c * cols(active_).array() * cols(grad_sq_).array();
    }
    if (analytic_top) {
      DiagonalGaussian<S>::klStandardNormalGradient(
          mean.bottomRows(d - d_low), log_var.bottomRows(d - d_low),
          tmp_mean_.bottomRows(d - d_low), tmp_log_var_.bottomRows(d - d_low));
      grad_mean_.bottomRows(d - d_low) -= beta * tmp_mean_.bottomRows(d - d_low);
      grad_log_var_.bottomRows(d - d_low) -= beta * tmp_log_var_.bottomRows(d - d_low);
    }
  }

  Matrix<S> mean_rep_, log_var_rep_, k_, active_, grad_z_, grad_above_;
  Matrix<S> grad_zq_, grad_mq_, grad_sq_, grad_zp_, grad_mp_, grad_sp_, tmp_mean_, tmp_log_var_;
  Matrix<S> init_z_, init_eps_, init_mean_, init_log_var_;
  RowVector<S> kl_top_;
};

}  // namespace iai
