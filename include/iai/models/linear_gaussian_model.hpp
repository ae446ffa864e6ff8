#pragma once
// Linear-Gaussian model (probabilistic PCA / factor analysis with isotropic noise):
//   z ~ N(0, I_d),  x | z ~ N(W z + b, σ² I_D),  θ = (W, b, log σ²).
// Its posterior and marginal are exact, which makes it iai's oracle:
//   p(z | x) = N(Σ Wᵀ(x − b)/σ², Σ),  Σ = (I + WᵀW/σ²)⁻¹,   p(x) = N(b, W Wᵀ + σ² I).
// With orthogonal columns in W, Σ is diagonal, so the optimal diagonal-Gaussian q reaches
// ELBO = log p(x) exactly (withOrthogonalColumns()). Use it to test your own inference code.
#include <cmath>
#include <string>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"

namespace iai {

/// Linear-Gaussian model z ~ N(0, I_d), x | z ~ N(W z + b, σ² I_D), θ = (W, b, log σ²), whose
/// posterior p(z | x) and marginal p(x) are exact: an oracle for testing inference code.
template <class S>
class LinearGaussianModel {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// W = 0, b = 0, log σ² = noise_log_var. θ = [vec(W) (D·d), b (D), log σ² (1)].
  LinearGaussianModel(Index observed_dim, Index latent_dim, S noise_log_var = S(0))
      : observed_(observed_dim), latent_(latent_dim) {
    IAI_CHECK(observed_dim >= 1, "LinearGaussianModel", "observed_dim", observed_dim, "≥ 1");
    IAI_CHECK(latent_dim >= 1, "LinearGaussianModel", "latent_dim", latent_dim, "≥ 1");
    theta_.setZero(observed_ * latent_ + observed_ + 1);
    grad_theta_.setZero(theta_.size());
    theta_(theta_.size() - 1) = noise_log_var;
  }

  /// A model whose W has orthogonal columns with norms drawn in [0.5, 2]·scale, a random bias and
  /// the given noise log-variance: its exact posterior is diagonal.
  static LinearGaussianModel withOrthogonalColumns(Index observed_dim, Index latent_dim, Rng& rng,
                                                   S noise_log_var = S(0), double scale = 1.0) {
    IAI_CHECK(latent_dim <= observed_dim, "LinearGaussianModel::withOrthogonalColumns",
              "latent_dim", latent_dim, "≤ observed_dim = " + std::to_string(observed_dim));
    LinearGaussianModel m(observed_dim, latent_dim, noise_log_var);
    Eigen::MatrixXd g(observed_dim, latent_dim);
    fillNormal(rng, g);
    const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(g).householderQ() *
                              Eigen::MatrixXd::Identity(observed_dim, latent_dim);
    for (Index i = 0; i < latent_dim; ++i)
      m.weight().col(i) = (q.col(i) * scale * (0.5 + 1.5 * rng.uniform())).template cast<S>();
    Eigen::VectorXd b(observed_dim);
    fillNormal(rng, b);
    m.bias() = (0.5 * b).template cast<S>();
    return m;
  }

  /// The latent dimension d.
  Index latentDim() const { return latent_; }
  /// The data dimension D.
  Index observedDim() const { return observed_; }
  /// θ = [vec(W) (D·d), b (D), log σ² (1)].
  Vector<S>& theta() { return theta_; }
  /// θ = [vec(W) (D·d), b (D), log σ² (1)].
  const Vector<S>& theta() const { return theta_; }
  /// The gradient buffer of θ (same layout).
  Vector<S>& gradTheta() { return grad_theta_; }

  /// W (D × d), a view into θ.
  MatrixMap<S> weight() { return {theta_.data(), observed_, latent_}; }
  /// W (D × d), a view into θ.
  ConstMatrixMap<S> weight() const { return {theta_.data(), observed_, latent_}; }
  /// b (D), a view into θ.
  VectorMap<S> bias() { return {theta_.data() + observed_ * latent_, observed_}; }
  /// b (D), a view into θ.
  ConstVectorMap<S> bias() const { return {theta_.data() + observed_ * latent_, observed_}; }
  /// log σ², the last entry of θ.
  S& noiseLogVar() { return theta_(theta_.size() - 1); }
  /// log σ², the last entry of θ.
  S noiseLogVar() const { return theta_(theta_.size() - 1); }

  /// log p(x_j | z_j) = −½ [D (log 2π + log σ²) + ‖x_j − W z_j − b‖² / σ²] per column.
  void logLikelihood(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, RowVectorRef<S> out) {
    checkBatch("LinearGaussianModel::logLikelihood", x, z);
    IAI_CHECK(out.cols() == x.cols(), "LinearGaussianModel::logLikelihood", "log_px.cols()",
              out.cols(), "x.cols() = " + std::to_string(x.cols()));
    residual_.resize(observed_, x.cols());
    residual_.noalias() = x - weight() * z;
    residual_.colwise() -= bias();
    const S s = noiseLogVar();
    out = S(-0.5) * (residual_.colwise().squaredNorm() * std::exp(-s)).array() -
          S(0.5) * static_cast<S>(observed_) * (S(kLog2Pi) + s);
  }

  /// grad_z = scale · Wᵀ r / σ² with r = x − W z − b (from the preceding logLikelihood call);
  /// with ParamGrad::Accumulate: ∂W += scale · r zᵀ/σ², ∂b += scale · Σ_j r_j/σ²,
  /// ∂log σ² += scale · Σ_j (½‖r_j‖²/σ² − D/2).
  void logLikelihoodBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z, S scale,
                             MatrixRef<S> grad_z, ParamGrad pg) {
    checkBatch("LinearGaussianModel::logLikelihoodBackward", x, z);
    IAI_CHECK(residual_.cols() == x.cols(), "LinearGaussianModel::logLikelihoodBackward",
              "x.cols()", x.cols(), "the batch of the preceding logLikelihood call");
    const S inv_var = std::exp(-noiseLogVar());
    grad_z.noalias() = (scale * inv_var) * (weight().transpose() * residual_);
    if (pg == ParamGrad::Accumulate) {
      MatrixMap<S> gw(grad_theta_.data(), observed_, latent_);
      gw.noalias() += (scale * inv_var) * residual_ * z.transpose();
      VectorMap<S>(grad_theta_.data() + observed_ * latent_, observed_) +=
          (scale * inv_var) * residual_.rowwise().sum();
      grad_theta_(grad_theta_.size() - 1) +=
          scale * (S(0.5) * inv_var * residual_.squaredNorm() -
                     S(0.5) * static_cast<S>(observed_ * x.cols()));
    }
  }

  /// ε_x = x − (W z + b), or divided by σ² (Precision), from the preceding logLikelihood call.
  void observationError(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z,
                        ErrorWeighting weighting, MatrixRef<S> eps_x) const {
    (void)z;
    IAI_CHECK(residual_.cols() == x.cols(), "LinearGaussianModel::observationError", "x.cols()",
              x.cols(), "the batch of the preceding logLikelihood call");
    if (weighting == ErrorWeighting::Raw)
      eps_x = residual_;
    else
      eps_x = residual_ * std::exp(-noiseLogVar());
  }

  /// Ancestral sampling: z ~ N(0, I), x ~ N(W z + b, σ² I). z and x must have the batch size.
  void sample(Rng& rng, MatrixRef<S> z, MatrixRef<S> x) const {
    detail::checkShape("LinearGaussianModel::sample", "z", z.rows(), z.cols(), latent_, x.cols(),
                       "latentDim() × x.cols()");
    detail::checkShape("LinearGaussianModel::sample", "x", x.rows(), x.cols(), observed_, z.cols(),
                       "observedDim() × z.cols()");
    fillNormal(rng, z);
    fillNormal(rng, x);
    x *= std::exp(S(0.5) * noiseLogVar());
    x.noalias() += weight() * z;
    x.colwise() += bias();
  }

  // ---- the oracle -------------------------------------------------------------------------

  /// Exact posterior: mean (d × B) and the covariance Σ (d × d, shared by every example).
  void exactPosterior(const ConstMatrixRef<S>& x, MatrixRef<S> mean, MatrixRef<S> covariance) const {
    const Eigen::MatrixXd w = weight().template cast<double>();
    const double inv_var = std::exp(-static_cast<double>(noiseLogVar()));
    const Eigen::MatrixXd precision =
        Eigen::MatrixXd::Identity(latent_, latent_) + inv_var * w.transpose() * w;
    const Eigen::MatrixXd cov = precision.llt().solve(Eigen::MatrixXd::Identity(latent_, latent_));
    Eigen::MatrixXd centred = x.template cast<double>();
    centred.colwise() -= bias().template cast<double>();
    mean = (inv_var * cov * w.transpose() * centred).template cast<S>();
    covariance = cov.template cast<S>();
  }

  /// Exact log p(x_j) = log N(x_j; b, W Wᵀ + σ² I) per column (computed in double).
  void exactLogMarginal(const ConstMatrixRef<S>& x, RowVectorRef<S> out) const {
    const Eigen::MatrixXd w = weight().template cast<double>();
    const Eigen::MatrixXd c = w * w.transpose() + std::exp(static_cast<double>(noiseLogVar())) *
                                                      Eigen::MatrixXd::Identity(observed_, observed_);
    const Eigen::LLT<Eigen::MatrixXd> llt(c);
    const Eigen::MatrixXd l = llt.matrixL();
    const double logdet = 2.0 * l.diagonal().array().log().sum();
    Eigen::MatrixXd centred = x.template cast<double>();
    centred.colwise() -= bias().template cast<double>();
    const Eigen::MatrixXd white = llt.matrixL().solve(centred);
    for (Index j = 0; j < x.cols(); ++j)
      out(j) = static_cast<S>(
          -0.5 * (static_cast<double>(observed_) * kLog2Pi + logdet + white.col(j).squaredNorm()));
  }

  /// Exact ELBO of a diagonal q = N(mean, diag e^{log_var}) per column (no Monte Carlo):
  /// E_q log p(x|z) = −½[D(log 2π + log σ²) + (‖x − Wμ − b‖² + Σ_i (WᵀW)_ii σ_i²)/σ²], minus
  /// KL(q ‖ N(0, I)).
  void exactElbo(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& mean,
                 const ConstMatrixRef<S>& log_var, RowVectorRef<S> out) const {
    const Eigen::MatrixXd w = weight().template cast<double>();
    const double s = static_cast<double>(noiseLogVar());
    Eigen::MatrixXd r = x.template cast<double>() - w * mean.template cast<double>();
    r.colwise() -= bias().template cast<double>();
    const Eigen::VectorXd wtw_diag = w.colwise().squaredNorm().transpose();
    const Eigen::MatrixXd var =
        DiagonalGaussian<double>::clamped(log_var.template cast<double>()).exp().matrix();
    RowVector<double> kl(x.cols());
    DiagonalGaussian<double>::klStandardNormal(mean.template cast<double>(),
                                               log_var.template cast<double>(), kl);
    for (Index j = 0; j < x.cols(); ++j) {
      const double e = r.col(j).squaredNorm() + wtw_diag.dot(var.col(j));
      out(j) = static_cast<S>(-0.5 * (static_cast<double>(observed_) * (kLog2Pi + s) +
                                      e * std::exp(-s)) -
                              kl(j));
    }
  }

 private:
  void checkBatch(const char* fn, const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& z) const {
    IAI_CHECK(x.rows() == observed_, fn, "x.rows()", x.rows(),
              "observedDim() = " + std::to_string(observed_));
    IAI_CHECK(z.rows() == latent_, fn, "z.rows()", z.rows(),
              "latentDim() = " + std::to_string(latent_));
    IAI_CHECK(z.cols() == x.cols(), fn, "z.cols()", z.cols(),
              "x.cols() = " + std::to_string(x.cols()));
  }

  Index observed_;
  Index latent_;
  Vector<S> theta_;
  Vector<S> grad_theta_;
  Matrix<S> residual_;  // x − W z − b of the last logLikelihood call
};

}  // namespace iai
