#pragma once
// The inference side q_φ(z | x) = N(mean, diag exp(log_var)), λ = (mean, log_var), as concepts.
//
//   InferenceModel (standard, Eq. 5)    λ = f_φ(x):
//     Scalar, latentDim(), observedDim(), phi(), gradPhi(),
//     infer(x, mean, log_var)                    forward pass (caches what backward needs),
//     backward(grad_mean, grad_log_var)          gradPhi() += ∂/∂φ of Σ ⟨upstream, λ⟩.
//   IterativeInferenceModel (Eq. 6)     λ_{t+1} = f_φ(u_t), u_t built from InferenceSignals:
//     Scalar, latentDim(), observedDim(), phi(), gradPhi(),
//     signals()                                  which signals it reads (gradients, errors),
//     update(signals, mean_next, log_var_next)   forward pass (caches),
//     backward(grad_mean_next, grad_log_var_next) gradPhi() += ∂/∂φ; λ_t and the signals are
//                                                inputs only (stop-gradient, as the authors).
// Upstream gradients are ∂(objective)/∂λ per column; parameter gradients accumulate.
#include <concepts>
#include <optional>
#include <string_view>
#include <type_traits>

#include "iai/core/config.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai {

/// What an iterative inference model reads besides x and λ_t; the ELBO computes only these.
struct SignalRequest {
  bool gradients = true;  ///< ∇_λ L (mean and log_var parts)
  bool errors = false;    ///< ε_x and ε_z (Sec. 4.1)
  /// How ε_x and ε_z are weighted when errors are requested.
  ErrorWeighting error_weighting = ErrorWeighting::Raw;
};

/// An optional read-only view of a d × B or D × B matrix with contiguous columns (a Matrix, a
/// Map, a Ref, or a block such as one level's rows of a stacked matrix): it binds without a copy
/// and can be re-pointed by assignment. `*signal` and `signal->` give the view, an
/// `Eigen::Map<const Matrix<S>, 0, Eigen::OuterStride<>>`.
template <class S>
class Signal {
 public:
  /// The view: a read-only map of contiguous columns with an outer stride.
  using View = Eigen::Map<const Matrix<S>, 0, Eigen::OuterStride<>>;

  Signal() = default;
  /// An empty signal (`u.x = std::nullopt`).
  Signal(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): u.x = std::nullopt
  /// Views m (see emplace()).
  template <class Derived>
  Signal(const Eigen::MatrixBase<Derived>& m) {  // NOLINT(google-explicit-constructor)
    emplace(m);
  }
  /// Views the same matrix as `other` (no copy of the data).
  Signal(const Signal& other) { assign(other); }
  /// Re-points to the matrix `other` views (no copy of the data).
  Signal& operator=(const Signal& other) {
    if (this != &other) assign(other);
    return *this;
  }
  ~Signal() = default;

  /// Views m, which must have direct access and contiguous columns (inner stride 1).
  template <class Derived>
  void emplace(const Eigen::MatrixBase<Derived>& m) {
    static_assert(std::is_same_v<typename Derived::Scalar, S>,
                  "iai: a signal must have the inference model's Scalar type");
    static_assert(Derived::IsRowMajor == 0 || Derived::ColsAtCompileTime == 1,
                  "iai: a signal views column-major storage (one example per column)");
    IAI_ASSERT(m.innerStride() == 1);
    view_.reset();
    view_.emplace(m.derived().data(), m.rows(), m.cols(), Eigen::OuterStride<>(m.outerStride()));
  }
  /// Empties the signal.
  void reset() { view_.reset(); }
  /// Whether the signal views a matrix.
  bool has_value() const { return view_.has_value(); }
  /// Whether the signal views a matrix.
  explicit operator bool() const { return view_.has_value(); }
  /// The view (the signal must be set).
  const View& operator*() const { return *view_; }
  /// Member access to the view (the signal must be set).
  const View* operator->() const { return &*view_; }

 private:
  void assign(const Signal& other) {
    view_.reset();
    if (other.view_)
      view_.emplace(other.view_->data(), other.view_->rows(), other.view_->cols(),
                    Eigen::OuterStride<>(other.view_->outerStride()));
  }
  std::optional<View> view_;
};

/// Inputs of one iterative update for a batch of B examples (d latent, D observed dims): views of
/// caller-owned storage. Signals not requested in SignalRequest may be empty.
template <class S>
struct InferenceSignals {
  Signal<S> x;             ///< D × B data
  Signal<S> mean;          ///< d × B, λ_t
  Signal<S> log_var;       ///< d × B, λ_t
  Signal<S> grad_mean;     ///< d × B, ∂L_j/∂mean_j
  Signal<S> grad_log_var;  ///< d × B, ∂L_j/∂log_var_j
  Signal<S> error_x;       ///< D × B, ε_x averaged over samples
  Signal<S> error_z;       ///< d × B, ε_z averaged over samples
};

namespace detail {

/// A signal an update reads must be set and of shape rows × cols (an iai::invalid_argument
/// naming it otherwise).
template <class S>
void checkSignal(std::string_view function, std::string_view argument,
                 const Signal<S>& signal, Index rows, Index cols) {
  IAI_CHECK(signal.has_value(), function, argument, "empty",
            "set (the inference model's configuration reads it)");
  checkShape(function, argument, signal->rows(), signal->cols(), rows, cols);
}

}  // namespace detail

namespace concepts {

template <class I>
concept InferenceModelBase = requires(I& m, const I& cm) {
  typename I::Scalar;
  { cm.latentDim() } -> std::convertible_to<Index>;
  { cm.observedDim() } -> std::convertible_to<Index>;
  { m.phi() } -> std::convertible_to<Vector<typename I::Scalar>&>;
  { m.gradPhi() } -> std::convertible_to<Vector<typename I::Scalar>&>;
};

template <class I>
concept InferenceModel =
    InferenceModelBase<I> &&
    requires(I& m, const Matrix<typename I::Scalar>& x, Matrix<typename I::Scalar>& out) {
      m.infer(x, out, out);
      m.backward(x, x);
    };

template <class I>
concept IterativeInferenceModel =
    InferenceModelBase<I> &&
    requires(I& m, const I& cm, const InferenceSignals<typename I::Scalar>& u,
             const Matrix<typename I::Scalar>& g, Matrix<typename I::Scalar>& out) {
      { cm.signals() } -> std::convertible_to<SignalRequest>;
      m.update(u, out, out);
      m.backward(g, g);
    };


/// Plain-words static checks for an inference model given to VariationalEM.
template <class I>
consteval bool checkInferenceModel() {
  static_assert(requires { typename I::Scalar; },
                "iai: the inference model must declare `using Scalar = float or double;`");
  if constexpr (requires { typename I::Scalar; }) {
    static_assert(InferenceModelBase<I>,
                  "iai: the inference model must provide latentDim(), observedDim(), phi() and "
                  "gradPhi() (flat Vector<Scalar>&; see docs/concepts.md)");
    static_assert(InferenceModel<I> || IterativeInferenceModel<I>,
                  "iai: the inference model must provide either infer(x, mean, log_var) and "
                  "backward(grad_mean, grad_log_var) (a standard InferenceModel) or signals(), "
                  "update(signals, mean, log_var) and backward(grad_mean, grad_log_var) (an "
                  "IterativeInferenceModel); see docs/concepts.md");
  }
  return true;
}

}  // namespace concepts
}  // namespace iai
