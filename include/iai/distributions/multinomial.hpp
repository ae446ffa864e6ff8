#pragma once
// Multinomial observation model for counts (e.g. bag-of-words) with logits η over V categories:
//   log p(x | η) = Σ_v x_v log softmax(η)_v,   log softmax(η)_v = η_v − logsumexp(η)
//   ∂ log p / ∂η = x − N softmax(η),          N = Σ_v x_v
// As in the authors' RCV1 model, the multinomial coefficient log(N! / Π_v x_v!) is omitted (it
// does not depend on η). logsumexp(η) = m + log Σ_v e^{η_v − m} with m = max_v η_v (stable).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/observation_concepts.hpp"

namespace iai {

/// Settings of Multinomial.
struct MultinomialConfig {
  Index sample_trials = 1;  ///< N used by sample() and mean(): x ~ Multinomial(N, softmax(η))
};

/// p(x | η) ∝ Π_v softmax(η)_v^{x_v}; x has V rows of non-negative (finite) counts, η has V rows
/// of logits. No learnable parameters of its own.
template <class S>
class Multinomial {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// @throws iai::invalid_argument if config.sample_trials < 0.
  explicit Multinomial(const MultinomialConfig& config = {}) : config_(config) {
    IAI_CHECK(config.sample_trials >= 0, "Multinomial::Multinomial", "config.sample_trials",
              config.sample_trials, "non-negative");
  }

  /// The settings it was made with.
  const MultinomialConfig& config() const { return config_; }

  /// Rows of η for V categories: V logits.
  Index parameterRows(Index observed_dim) const { return observed_dim; }
  /// No learnable parameters: 0.
  Index parameterCount() const { return 0; }
  /// No parameters to bind (no-op).
  void bind(S* /*params*/, S* /*grads*/) {}
  /// No parameters to initialise (no-op).
  void initialize(Rng& /*rng*/) {}

  /// log_px(j) = Σ_v x_vj (η_vj − logsumexp(η_·j)).
  /// @throws iai::invalid_argument on a shape mismatch, iai::domain_error for a negative,
  ///         non-finite or NaN count.
  void logDensity(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta,
                  RowVectorRef<S> log_px) const {
    checkInputs("Multinomial::logDensity", x, eta);
    detail::observation::checkShape("Multinomial::logDensity", "log_px", log_px.rows(),
                                    log_px.cols(), "(1, x.cols()) =", 1, x.cols());
    for (Index j = 0; j < x.cols(); ++j) {
      const S lse = logSumExp(eta.col(j));
      log_px(j) = (x.col(j).array() * (eta.col(j).array() - lse)).sum();
    }
  }

  /// grad_eta = weight·(x − N softmax(η)) per column (assigned). No own parameters.
  /// @throws as logDensity.
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, S weight,
                MatrixRef<S> grad_eta, ParamGrad /*pg*/) {
    checkInputs("Multinomial::backward", x, eta);
    checkOutput("Multinomial::backward", "grad_eta", grad_eta, eta);
    for (Index j = 0; j < x.cols(); ++j) {
      const S lse = logSumExp(eta.col(j));
      const S n = x.col(j).sum();
      grad_eta.col(j).array() = weight * (x.col(j).array() - n * (eta.col(j).array() - lse).exp());
    }
  }

  /// mu = N softmax(η) with N = config.sample_trials: the mean of sample()'s draws.
  /// @throws iai::invalid_argument on a shape mismatch.
  void mean(const ConstMatrixRef<S>& eta, MatrixRef<S> mu) const {
    checkEta("Multinomial::mean", eta);
    checkOutput("Multinomial::mean", "mu", mu, eta);
    const S trials = static_cast<S>(config_.sample_trials);
    for (Index j = 0; j < eta.cols(); ++j) {
      const S lse = logSumExp(eta.col(j));
      mu.col(j).array() = trials * (eta.col(j).array() - lse).exp();
    }
  }

  /// x_·j ~ Multinomial(config.sample_trials, softmax(η_·j)): N categorical draws per column by
  /// inversion of the cumulative probabilities (allocates one V-vector per call).
  /// @throws iai::invalid_argument on a shape mismatch.
  void sample(const ConstMatrixRef<S>& eta, Rng& rng, MatrixRef<S> x) const {
    checkEta("Multinomial::sample", eta);
    checkOutput("Multinomial::sample", "x", x, eta);
    std::vector<double> cumulative(static_cast<std::size_t>(eta.rows()));
    for (Index j = 0; j < eta.cols(); ++j) {
      const double m = static_cast<double>(eta.col(j).maxCoeff());
      double total = 0.0;
      for (Index v = 0; v < eta.rows(); ++v) {
        total += std::exp(static_cast<double>(eta(v, j)) - m);
        cumulative[static_cast<std::size_t>(v)] = total;
      }
      x.col(j).setZero();
      for (Index n = 0; n < config_.sample_trials; ++n) {
        const double u = rng.uniform() * total;
        const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
        const Index v = std::min<Index>(it - cumulative.begin(), eta.rows() - 1);
        x(v, j) += S(1);
      }
    }
  }

  /// Raw: ε_x = x − N p; Precision: ε_x = (x − N p) / max(N p (1 − p), 1e-5), the count's
  /// binomial variance, with p = softmax(η) and N = Σ_v x_v of the column.
  /// @throws as logDensity.
  void error(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, ErrorWeighting weighting,
             MatrixRef<S> eps_x) const {
    checkInputs("Multinomial::error", x, eta);
    checkOutput("Multinomial::error", "eps_x", eps_x, eta);
    for (Index j = 0; j < x.cols(); ++j) {
      const S lse = logSumExp(eta.col(j));
      const S n = x.col(j).sum();
      eps_x.col(j).array() = (eta.col(j).array() - lse).exp();  // p, then overwritten in place
      if (weighting == ErrorWeighting::Raw)
        eps_x.col(j).array() = x.col(j).array() - n * eps_x.col(j).array();
      else
        eps_x.col(j).array() =
            (x.col(j).array() - n * eps_x.col(j).array()) /
            (n * eps_x.col(j).array() * (S(1) - eps_x.col(j).array())).max(S(kVarianceFloor));
    }
  }

  /// Guard of the variance N p (1 − p) in the precision-weighted error.
  static constexpr double kVarianceFloor = 1e-5;

 private:
  /// m + log Σ_v e^{η_v − m}, m = max_v η_v.
  template <class D>
  static S logSumExp(const Eigen::MatrixBase<D>& eta) {
    const S m = eta.maxCoeff();
    return m + std::log((eta.array() - m).exp().sum());
  }

  static void checkEta(std::string_view function, const ConstMatrixRef<S>& eta) {
    IAI_CHECK(eta.rows() >= 1, function, "eta.rows()", eta.rows(), "at least 1 (categories)");
  }
  static void checkInputs(std::string_view function, const ConstMatrixRef<S>& x,
                          const ConstMatrixRef<S>& eta) {
    checkEta(function, eta);
    detail::observation::checkShape(function, "eta", eta.rows(), eta.cols(), "x's shape",
                                    x.rows(), x.cols());
    detail::observation::checkEntries<S>(function, x, S(0), std::numeric_limits<S>::max(),
                                         "a non-negative, finite count");
  }
  static void checkOutput(std::string_view function, std::string_view argument,
                          const MatrixRef<S>& out, const ConstMatrixRef<S>& eta) {
    detail::observation::checkShape(function, argument, out.rows(), out.cols(), "eta's shape",
                                    eta.rows(), eta.cols());
  }

  MultinomialConfig config_;
};

static_assert(concepts::ObservationModel<Multinomial<float>>);
static_assert(concepts::ObservationModel<Multinomial<double>>);

}  // namespace iai
