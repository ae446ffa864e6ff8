// A latent Gaussian model written by a user, only against iai's documented concept
// (docs/concepts.md): x = A tanh(z) + c + N(0, σ² I), z ~ N(0, I), θ = (A, c, log σ²).
// No iai base class: the members below are the whole contract.
#pragma once
#include <iai/core.hpp>

#include <cmath>
#include <numbers>

namespace my {

class TanhDecoderModel {
 public:
  using Scalar = double;  // float works too
  using ConstRef = Eigen::Ref<const Eigen::MatrixXd>;

  TanhDecoderModel(Eigen::Index observed, Eigen::Index latent, std::uint64_t seed)
      : dx_(observed), dz_(latent), theta_(observed * latent + observed + 1),
        grad_(Eigen::VectorXd::Zero(theta_.size())) {
    iai::Rng rng(seed);
    iai::fillNormal(rng, theta_);
    theta_ *= 0.5;
    theta_(theta_.size() - 1) = 0.0;  // log σ²
  }

  // --- the concept: sizes, θ and its gradient as flat vectors ---
  Eigen::Index latentDim() const { return dz_; }
  Eigen::Index observedDim() const { return dx_; }
  Eigen::VectorXd& theta() { return theta_; }
  Eigen::VectorXd& gradTheta() { return grad_; }

  /// log p(x_j | z_j) per column; keeps tanh(z) and the residual for the backward pass.
  void logLikelihood(const ConstRef& x, const ConstRef& z, Eigen::Ref<Eigen::RowVectorXd> out) {
    tz_ = z.array().tanh().matrix();
    r_ = x - a() * tz_;
    r_.colwise() -= c();
    const double s = logVar();
    out = -0.5 * (r_.colwise().squaredNorm().array() * std::exp(-s) +
                  static_cast<double>(dx_) * (std::log(2 * std::numbers::pi) + s));
  }

  /// grad_z = scale · ∂log p/∂z (assigned); with Accumulate, gradTheta() += scale · Σ_j ∂/∂θ.
  void logLikelihoodBackward(const ConstRef& /*x*/, const ConstRef& /*z*/, double scale,
                             Eigen::Ref<Eigen::MatrixXd> grad_z, iai::ParamGrad pg) {
    const double w = scale * std::exp(-logVar());
    grad_z = ((w * a().transpose() * r_).array() * (1.0 - tz_.array().square())).matrix();
    if (pg == iai::ParamGrad::Accumulate) {
      Eigen::Map<Eigen::MatrixXd>(grad_.data(), dx_, dz_) += w * r_ * tz_.transpose();
      grad_.segment(dx_ * dz_, dx_) += w * r_.rowwise().sum();
      grad_(grad_.size() - 1) +=
          scale * (0.5 * std::exp(-logVar()) * r_.squaredNorm() - 0.5 * dx_ * r_.cols());
    }
  }

  /// Ancestral sampling: z ~ N(0, I), x ~ p(x | z).
  void sample(iai::Rng& rng, Eigen::Ref<Eigen::MatrixXd> z, Eigen::Ref<Eigen::MatrixXd> x) const {
    iai::fillNormal(rng, z);
    iai::fillNormal(rng, x);
    x *= std::exp(0.5 * logVar());
    x += a() * z.array().tanh().matrix();
    x.colwise() += c();
  }

 private:
  Eigen::Map<const Eigen::MatrixXd> a() const { return {theta_.data(), dx_, dz_}; }
  Eigen::Map<const Eigen::VectorXd> c() const { return {theta_.data() + dx_ * dz_, dx_}; }
  double logVar() const { return theta_(theta_.size() - 1); }

  Eigen::Index dx_, dz_;
  Eigen::VectorXd theta_, grad_;
  Eigen::MatrixXd tz_, r_;
};

}  // namespace my
