#pragma once
// Diagonal Gaussian observation model with an identity mean link and a clamped log-variance:
//   s_i = clamp(log σ_i², log_var_min, log_var_max)
//   log p(x | μ, s) = Σ_i −½ (log 2π + s_i + (x_i − μ_i)² e^{−s_i})   [− D log 256, optional]
//   ∂/∂μ_i = (x_i − μ_i) e^{−s_i}
//   ∂/∂log σ_i² = −½ + ½ (x_i − μ_i)² e^{−s_i}  inside [log_var_min, log_var_max], 0 strictly
//                 outside (the clamp's derivative, as torch.clamp)
// The authors add 1e-5 to σ² in the quadratic term; with s ≥ log_var_min the exact density is
// finite, so it is used here. Discretization offset: for 8-bit data dequantised into bins of
// width 1/256 in [0, 1] (Dataset::setDequantization), the log-probability of a byte is bounded by
// the density minus log 256 per dimension, so that the NLL converts to bits/dim (CIFAR-10;
// docs/derivations.md §3.2).
#include <algorithm>
#include <cmath>
#include <string>
#include <numbers>
#include <string_view>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/distributions/observation_concepts.hpp"

namespace iai {

/// Where the log-variance log σ² comes from.
enum class LogVarMode {
  Fixed,      ///< a constant, GaussianConfig::log_var
  Global,     ///< a learned per-dimension vector (D parameters), initialised to log_var
  PerExample  ///< data-dependent: η has 2D rows, the top D are μ, the bottom D are log σ²
};

/// Settings of Gaussian.
struct GaussianConfig {
  /// Where log σ² comes from.
  LogVarMode mode = LogVarMode::Global;
  double log_var = 0.0;                ///< fixed value (Fixed) or initial value (Global)
  bool discretization_offset = false;  ///< subtract log 256 per dimension (8-bit data in [0, 1])
  double log_var_min = -7.0;           ///< clamp of log σ² (the authors' CIFAR-10 decoder)
  double log_var_max = 15.0;           ///< upper clamp of log σ²
};

/// p(x | η) = Π_i N(x_i; μ_i, σ_i²) with μ = the top D rows of η (identity link; put a sigmoid
/// in the decoder for data in [0, 1], as the authors do) and log σ² per LogVarMode. Data x must
/// be finite.
/// In LogVarMode::Global the D log-variances are the model's own parameters: bind() them into
/// the flat parameter/gradient buffers before use, then initialize(). A copy keeps pointing at
/// the same buffers until it is bound again.
template <class S>
class Gaussian {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// @throws iai::invalid_argument if observed_dim < 1, the clamp range is empty or not finite,
  ///         or (Fixed, Global) log_var lies outside [log_var_min, log_var_max].
  Gaussian(const GaussianConfig& config, Index observed_dim)
      : config_(config), observed_dim_(observed_dim) {
    IAI_CHECK(observed_dim >= 1, "Gaussian::Gaussian", "observed_dim", observed_dim, "at least 1");
    IAI_CHECK(std::isfinite(config.log_var_min), "Gaussian::Gaussian", "config.log_var_min",
              config.log_var_min, "finite");
    IAI_CHECK(std::isfinite(config.log_var_max) && config.log_var_max > config.log_var_min,
              "Gaussian::Gaussian", "config.log_var_max", config.log_var_max,
              "finite and greater than config.log_var_min");
    IAI_CHECK(config.mode == LogVarMode::PerExample ||
                  (config.log_var >= config.log_var_min && config.log_var <= config.log_var_max),
              "Gaussian::Gaussian", "config.log_var", config.log_var,
              "in [config.log_var_min, config.log_var_max]");
  }

  /// The settings it was made with.
  const GaussianConfig& config() const { return config_; }
  /// The data dimension D.
  Index observedDim() const { return observed_dim_; }

  /// Rows of η for D-dimensional data: D (μ), or 2D (μ; log σ²) in LogVarMode::PerExample.
  Index parameterRows(Index observed_dim) const {
    return config_.mode == LogVarMode::PerExample ? 2 * observed_dim : observed_dim;
  }
  /// D learned log-variances in LogVarMode::Global, otherwise 0.
  Index parameterCount() const { return config_.mode == LogVarMode::Global ? observed_dim_ : 0; }

  /// Point the Global log-variances at params[0, D) and their gradient at grads[0, D) (grads may
  /// be null if backward() is only called with ParamGrad::Skip). No-op in the other modes.
  /// @throws iai::invalid_argument if params is null in LogVarMode::Global.
  void bind(S* params, S* grads) {
    if (config_.mode != LogVarMode::Global) return;
    IAI_CHECK(params != nullptr, "Gaussian::bind", "params", "null", "a buffer of D entries");
    params_ = params;
    grads_ = grads;
  }
  /// Global: log σ² ← config.log_var (deterministic; rng unused). No-op otherwise.
  void initialize(Rng& /*rng*/) {
    if (config_.mode != LogVarMode::Global) return;
    checkBound("Gaussian::initialize");
    VectorMap<S>(params_, observed_dim_).setConstant(static_cast<S>(config_.log_var));
  }

  /// log_px(j) = Σ_i −½ (log 2π + s_ij + (x_ij − μ_ij)² e^{−s_ij}) [− D log 256].
  /// @throws iai::invalid_argument on a shape mismatch or unbound Global parameters,
  ///         iai::domain_error if an entry of x is NaN or ±inf.
  void logDensity(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta,
                  RowVectorRef<S> log_px) const {
    checkInputs("Gaussian::logDensity", x, eta);
    detail::observation::checkShape("Gaussian::logDensity", "log_px", log_px.rows(),
                                    log_px.cols(), "(1, x.cols()) =", 1, x.cols());
    const S log_two_pi = static_cast<S>(std::log(2.0 * std::numbers::pi));
    const S offset = config_.discretization_offset
                         ? static_cast<S>(static_cast<double>(observed_dim_) * std::log(256.0))
                         : S(0);
    const Index d = observed_dim_;
    forEachColumn(eta, [&](Index j, const auto& s_raw) {
      log_px(j) = S(-0.5) * (log_two_pi + clamped(s_raw) +
                             (x.col(j) - eta.col(j).head(d)).array().square() *
                                 (-clamped(s_raw)).exp())
                                .sum() -
                  offset;
    });
  }

  /// grad_eta (assigned): top D rows weight·(x − μ) e^{−s}; in PerExample the bottom D rows
  /// weight·(−½ + ½ (x − μ)² e^{−s})·1[s inside the clamp]. Global with pg == Accumulate: the
  /// bound gradient += weight·Σ_j (−½ + ½ (x_j − μ_j)² e^{−s})·1[s inside the clamp].
  /// @throws iai::invalid_argument on a shape mismatch, unbound Global parameters, or a null
  ///         gradient buffer with ParamGrad::Accumulate; iai::domain_error if x has NaN or ±inf.
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, S weight,
                MatrixRef<S> grad_eta, ParamGrad pg) {
    checkInputs("Gaussian::backward", x, eta);
    checkOutput("Gaussian::backward", "grad_eta", grad_eta, eta, eta.rows(), "eta's shape");
    const bool accumulate = config_.mode == LogVarMode::Global && pg == ParamGrad::Accumulate;
    IAI_CHECK(!accumulate || grads_ != nullptr, "Gaussian::backward", "the bound gradient buffer",
              "null", "bound with bind(params, grads) for ParamGrad::Accumulate");
    const Index d = observed_dim_;
    forEachColumn(eta, [&](Index j, const auto& s_raw) {
      grad_eta.col(j).head(d).array() =
          weight * (x.col(j) - eta.col(j).head(d)).array() * (-clamped(s_raw)).exp();
      if (config_.mode == LogVarMode::PerExample) {
        grad_eta.col(j).tail(d).array() = weight * logVarGradient(x.col(j), eta.col(j), s_raw);
      } else if (accumulate) {
        VectorMap<S>(grads_, d).array() += weight * logVarGradient(x.col(j), eta.col(j), s_raw);
      }
    });
  }

  /// mu = the top D rows of η.
  /// @throws iai::invalid_argument on a shape mismatch.
  void mean(const ConstMatrixRef<S>& eta, MatrixRef<S> mu) const {
    checkEta("Gaussian::mean", eta);
    checkOutput("Gaussian::mean", "mu", mu, eta, observed_dim_, "(D, eta.cols()) =");
    mu = eta.topRows(observed_dim_);
  }

  /// x_ij = μ_ij + e^{s_ij / 2} ε_ij with ε_ij ~ N(0, 1), drawn column by column.
  /// @throws iai::invalid_argument on a shape mismatch or unbound Global parameters.
  void sample(const ConstMatrixRef<S>& eta, Rng& rng, MatrixRef<S> x) const {
    checkEta("Gaussian::sample", eta);
    checkBound("Gaussian::sample");
    checkOutput("Gaussian::sample", "x", x, eta, observed_dim_, "(D, eta.cols()) =");
    forEachColumn(eta, [&](Index j, const auto& s_raw) {
      for (Index i = 0; i < observed_dim_; ++i) {
        const S s = std::clamp(static_cast<S>(s_raw(i)), logVarMin(), logVarMax());
        x(i, j) = eta(i, j) + std::exp(S(0.5) * s) * static_cast<S>(rng.normal());
      }
    });
  }

  /// Raw: ε_x = x − μ; Precision: ε_x = (x − μ)/σ² = (x − μ) e^{−s} (the paper's ε_x).
  /// @throws iai::invalid_argument on a shape mismatch or unbound Global parameters,
  ///         iai::domain_error if x has NaN or ±inf.
  void error(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& eta, ErrorWeighting weighting,
             MatrixRef<S> eps_x) const {
    checkInputs("Gaussian::error", x, eta);
    checkOutput("Gaussian::error", "eps_x", eps_x, eta, observed_dim_, "(D, eta.cols()) =");
    const Index d = observed_dim_;
    if (weighting == ErrorWeighting::Raw) {
      eps_x = x - eta.topRows(d);
      return;
    }
    forEachColumn(eta, [&](Index j, const auto& s_raw) {
      eps_x.col(j).array() = (x.col(j) - eta.col(j).head(d)).array() * (-clamped(s_raw)).exp();
    });
  }

 private:
  S logVarMin() const { return static_cast<S>(config_.log_var_min); }
  S logVarMax() const { return static_cast<S>(config_.log_var_max); }

  /// s = clamp(s_raw, log_var_min, log_var_max), a lazy array expression (it nests its argument
  /// by value; used within one full expression of the caller).
  template <class D>
  auto clamped(const Eigen::MatrixBase<D>& s_raw) const {
    return s_raw.array().max(logVarMin()).min(logVarMax());
  }

  /// (−½ + ½ (x − μ)² e^{−s})·1[log_var_min ≤ s_raw ≤ log_var_max] for one column, a lazy array
  /// expression like clamped().
  template <class X, class E, class D>
  auto logVarGradient(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<E>& eta,
                      const Eigen::MatrixBase<D>& s_raw) const {
    const Index d = observed_dim_;
    return (S(0.5) * (x - eta.head(d)).array().square() * (-clamped(s_raw)).exp() - S(0.5)) *
           (s_raw.array() >= logVarMin() && s_raw.array() <= logVarMax()).template cast<S>();
  }

  /// Calls f(j, s_raw) for every column j of η, with s_raw column j's unclamped log-variances
  /// (a D-vector expression; nothing is allocated).
  template <class F>
  void forEachColumn(const ConstMatrixRef<S>& eta, F&& f) const {
    const Index d = observed_dim_;
    switch (config_.mode) {
      case LogVarMode::Fixed:
        for (Index j = 0; j < eta.cols(); ++j)
          f(j, Vector<S>::Constant(d, static_cast<S>(config_.log_var)));
        break;
      case LogVarMode::Global: {
        const ConstVectorMap<S> s(params_, d);
        for (Index j = 0; j < eta.cols(); ++j) f(j, s);
        break;
      }
      case LogVarMode::PerExample:
        for (Index j = 0; j < eta.cols(); ++j) f(j, eta.col(j).tail(d));
        break;
    }
  }

  void checkBound(std::string_view function) const {
    IAI_CHECK(config_.mode != LogVarMode::Global || params_ != nullptr, function,
              "the Global log-variance buffer", "unbound", "bound with bind() first");
  }
  void checkEta(std::string_view function, const ConstMatrixRef<S>& eta) const {
    IAI_CHECK(eta.rows() == parameterRows(observed_dim_), function, "eta.rows()", eta.rows(),
              "parameterRows(D) = " + std::to_string(parameterRows(observed_dim_)));
  }
  void checkInputs(std::string_view function, const ConstMatrixRef<S>& x,
                   const ConstMatrixRef<S>& eta) const {
    detail::observation::checkShape(function, "x", x.rows(), x.cols(), "(D, eta.cols()) =",
                                    observed_dim_, eta.cols());
    checkEta(function, eta);
    checkBound(function);
    detail::observation::checkFinite<S>(function, x);
  }
  static void checkOutput(std::string_view function, std::string_view argument,
                          const MatrixRef<S>& out, const ConstMatrixRef<S>& eta, Index rows,
                          std::string_view what) {
    detail::observation::checkShape(function, argument, out.rows(), out.cols(), what, rows,
                                    eta.cols());
  }

  GaussianConfig config_;
  Index observed_dim_;
  S* params_ = nullptr;  // Global: D log-variances (bound)
  S* grads_ = nullptr;   // Global: their gradient (bound, may be null)
};

static_assert(concepts::ObservationModel<Gaussian<float>>);
static_assert(concepts::ObservationModel<Gaussian<double>>);

}  // namespace iai
