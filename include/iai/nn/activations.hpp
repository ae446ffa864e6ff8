#pragma once
// Element-wise activation functions and the parameter-free Activation<F, S> layer.
// A functor F has two static members, templated on the scalar type (pass it explicitly when the
// arguments are not Refs already: Elu::apply<double>(x, y)):
//   apply(x, y)             y = f(x)            (y may alias x: in place works)
//   backward(x, y, dy, dx)  dx = dy ⊙ f'(x)     (from y where that is cheaper; dx may alias dy)
// All four matrices must have the same shape (checked, iai::invalid_argument otherwise).
#include <string>
#include <string_view>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/checks.hpp"
#include "iai/nn/concepts.hpp"

namespace iai::nn {
namespace detail {

/// `other` (named `argument`) must have the shape of `x`.
template <class S>
void checkSameShape(std::string_view function, std::string_view argument,
                    const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& other) {
  IAI_CHECK(other.rows() == x.rows(), function, std::string(argument) + ".rows()", other.rows(),
            equalTo("x.rows()", x.rows()));
  IAI_CHECK(other.cols() == x.cols(), function, std::string(argument) + ".cols()", other.cols(),
            equalTo("x.cols()", x.cols()));
}

template <class S>
void checkBackwardShapes(std::string_view function, const ConstMatrixRef<S>& x,
                         const ConstMatrixRef<S>& y, const ConstMatrixRef<S>& dy,
                         const ConstMatrixRef<S>& dx) {
  checkSameShape<S>(function, "y", x, y);
  checkSameShape<S>(function, "dy", x, dy);
  checkSameShape<S>(function, "dx", x, dx);
}

}  // namespace detail

/// ELU with α = 1 (Clevert et al. 2016): f(x) = x for x > 0, expm1(x) otherwise.
struct Elu {
  /// y = max(x, 0) + expm1(min(x, 0)), branch-free and finite for any x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Elu::apply", "y", x, y);
    iai::detail::forEachBlock(x.cols(), x.rows(), [&](Index j, Index n) {
      const auto xb = x.middleCols(j, n).array();
      y.middleCols(j, n).array() = xb.max(S(0)) + xb.min(S(0)).expm1();
    });
  }
  /// f'(x) = 1 for y > 0, y + 1 otherwise, i.e. min(y, 0) + 1.
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Elu::backward", x, y, dy, dx);
    iai::detail::forEachBlock(x.cols(), x.rows(), [&](Index j, Index n) {
      dx.middleCols(j, n).array() =
          dy.middleCols(j, n).array() * (y.middleCols(j, n).array().min(S(0)) + S(1));
    });
  }
};

/// ReLU: f(x) = max(x, 0), with f'(0) = 0.
struct Relu {
  /// y = max(x, 0) elementwise; y may alias x.
  /// @throws iai::invalid_argument unless y has the shape of x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Relu::apply", "y", x, y);
    y.array() = x.array().max(S(0));
  }
  /// f'(x) = [x > 0].
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Relu::backward", x, y, dy, dx);
    dx.array() = (x.array() > S(0)).select(dy.array(), S(0));
  }
};

/// Hyperbolic tangent.
struct Tanh {
  /// y = tanh(x) elementwise; y may alias x.
  /// @throws iai::invalid_argument unless y has the shape of x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Tanh::apply", "y", x, y);
    y.array() = x.array().tanh();
  }
  /// f'(x) = 1 − y².
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Tanh::backward", x, y, dy, dx);
    dx.array() = dy.array() * (S(1) - y.array().square());
  }
};

/// Logistic sigmoid σ(x) = 1 / (1 + exp(−x)). For x → −∞, exp(−x) overflows to +inf (or a clamped
/// huge value) and 1 / inf = 0; for x → +∞, exp(−x) = 0: finite, in [0, 1], never NaN.
struct Sigmoid {
  /// y = σ(x) elementwise; y may alias x.
  /// @throws iai::invalid_argument unless y has the shape of x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Sigmoid::apply", "y", x, y);
    y.array() = (S(1) + (-x.array()).exp()).inverse();
  }
  /// σ'(x) = y (1 − y).
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Sigmoid::backward", x, y, dy, dx);
    dx.array() = dy.array() * y.array() * (S(1) - y.array());
  }
};

/// Softplus f(x) = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(−|x|)) (no overflow).
struct Softplus {
  /// y = softplus(x) elementwise; y may alias x.
  /// @throws iai::invalid_argument unless y has the shape of x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Softplus::apply", "y", x, y);
    y.array() = x.array().max(S(0)) + (-x.array().abs()).exp().log1p();
  }
  /// f'(x) = σ(x).
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Softplus::backward", x, y, dy, dx);
    dx.array() = dy.array() * (S(1) + (-x.array()).exp()).inverse();
  }
};

/// f(x) = x.
struct Identity {
  /// y = x (no copy if y is x).
  /// @throws iai::invalid_argument unless y has the shape of x.
  template <class S>
  static void apply(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkSameShape<S>("Identity::apply", "y", x, y);
    if (y.data() != x.data()) y = x;
  }
  /// f'(x) = 1.
  template <class S>
  static void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                       const ConstMatrixRef<S>& dy, MatrixRef<S> dx) {
    detail::checkBackwardShapes<S>("Identity::backward", x, y, dy, dx);
    if (dx.data() != dy.data()) dx = dy;
  }
};

/// Parameter-free layer y = F(x) on `size` rows (F one of the functors above).
template <class F, class S>
class Activation {
 public:
  /// The element type (float or double).
  using Scalar = S;
  /// The elementwise function F.
  using Function = F;

  /// @throws iai::invalid_argument if size < 1.
  explicit Activation(Index size) : size_(size) {
    IAI_CHECK(size > 0, "Activation::Activation", "size", size, "positive");
  }

  /// Rows of x: `size`.
  Index inputSize() const noexcept { return size_; }
  /// Rows of y: `size`.
  Index outputSize() const noexcept { return size_; }
  /// No learnable parameters: 0.
  Index parameterCount() const noexcept { return 0; }
  /// No parameters to bind (no-op).
  void bind(S* /*params*/, S* /*grads*/) noexcept {}
  /// No parameters to initialise (no-op).
  void initialize(Rng& /*rng*/) noexcept {}

  /// y = F(x); y may alias x.
  void forward(const ConstMatrixRef<S>& x, MatrixRef<S> y) const {
    detail::checkDim("Activation::forward", "x.rows()", x.rows(), "inputSize()", size_);
    F::template apply<S>(x, y);
  }
  /// dx = dy ⊙ F'(x); no parameters, so `pg` has nothing to accumulate.
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                const ConstMatrixRef<S>& dy, MatrixRef<S> dx, ParamGrad /*pg*/) const {
    detail::checkDim("Activation::backward", "x.rows()", x.rows(), "inputSize()", size_);
    F::template backward<S>(x, y, dy, dx);
  }
  /// Without an input gradient there is nothing to compute (no parameters).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                const ConstMatrixRef<S>& dy, ParamGrad /*pg*/) const {
    detail::checkDim("Activation::backward", "x.rows()", x.rows(), "inputSize()", size_);
    detail::checkSameShape<S>("Activation::backward", "y", x, y);
    detail::checkSameShape<S>("Activation::backward", "dy", x, dy);
  }

 private:
  Index size_;
};

static_assert(concepts::Layer<Activation<Elu, float>>);
static_assert(concepts::Layer<Activation<Identity, double>>);

}  // namespace iai::nn
