#pragma once
// Fully connected layer y = W x + b on a batch (one example per column).
// Parameter layout in the bound range: W (out × in, column-major), then b (out).
#include <algorithm>
#include <cmath>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/checks.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/gemm.hpp"

namespace iai::nn {
namespace detail {

/// Glorot/Xavier uniform (Glorot & Bengio 2010): w ~ U(−a, a), a = sqrt(6 / (fan_in + fan_out)),
/// drawn column by column with rng.uniform().
template <class Derived>
void glorotUniform(Rng& rng, Eigen::MatrixBase<Derived>& w, Index fan_in, Index fan_out) {
  using S = typename Derived::Scalar;
  const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (Index j = 0; j < w.cols(); ++j)
    for (Index i = 0; i < w.rows(); ++i) w(i, j) = static_cast<S>(a * (2.0 * rng.uniform() - 1.0));
}
template <class Derived>
void glorotUniform(Rng& rng, Eigen::MatrixBase<Derived>&& w, Index fan_in, Index fan_out) {
  glorotUniform(rng, w, fan_in, fan_out);
}

}  // namespace detail

/// Fully connected layer y = W x + b on a batch (one example per column); parameters W (out × in,
/// column-major), then b (out), in a bound range of a flat vector.
template <class S>
class Linear {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// @throws iai::invalid_argument if in or out < 1.
  Linear(Index in, Index out) : in_(in), out_(out) {
    IAI_CHECK(in > 0, "Linear::Linear", "in", in, "positive");
    IAI_CHECK(out > 0, "Linear::Linear", "out", out, "positive");
  }

  /// Rows of x.
  Index inputSize() const noexcept { return in_; }
  /// Rows of y.
  Index outputSize() const noexcept { return out_; }
  /// out · in + out: W and b.
  Index parameterCount() const noexcept { return out_ * in_ + out_; }

  /// Use params[0, parameterCount()) and grads[0, parameterCount()) (grads may be nullptr if
  /// gradients are never accumulated). The buffers must outlive the layer's use.
  void bind(S* params, S* grads) {
    IAI_CHECK(params != nullptr, "Linear::bind", "params", "nullptr", "a valid pointer");
    params_ = params;
    grads_ = grads;
  }
  /// Whether bind() has given it a parameter buffer.
  bool bound() const noexcept { return params_ != nullptr; }

  /// Glorot uniform W, b = 0.
  void initialize(Rng& rng) {
    detail::checkBound("Linear::initialize", params_);
    detail::glorotUniform(rng, weight(), in_, out_);
    std::fill_n(params_ + out_ * in_, out_, S(0));  // b = 0
  }

  /// W (out × in), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  MatrixMap<S> weight() { return {paramsFor("Linear::weight"), out_, in_}; }
  /// W (out × in), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  ConstMatrixMap<S> weight() const { return {paramsFor("Linear::weight"), out_, in_}; }
  /// b (out), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  VectorMap<S> bias() { return {paramsFor("Linear::bias") + out_ * in_, out_}; }
  /// b (out), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  ConstVectorMap<S> bias() const { return {paramsFor("Linear::bias") + out_ * in_, out_}; }
  /// The gradient of W (out × in).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  MatrixMap<S> gradWeight() { return {gradsFor("Linear::gradWeight"), out_, in_}; }
  /// The gradient of W (out × in).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  ConstMatrixMap<S> gradWeight() const { return {gradsFor("Linear::gradWeight"), out_, in_}; }
  /// The gradient of b (out).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  VectorMap<S> gradBias() { return {gradsFor("Linear::gradBias") + out_ * in_, out_}; }
  /// The gradient of b (out).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  ConstVectorMap<S> gradBias() const { return {gradsFor("Linear::gradBias") + out_ * in_, out_}; }

  /// y = W x + b (y is out × batch and must not alias x). All products go through gemm().
  void forward(const ConstMatrixRef<S>& x, MatrixRef<S> y) const {
    detail::checkBound("Linear::forward", params_);
    detail::checkDim("Linear::forward", "x.rows()", x.rows(), "inputSize()", in_);
    detail::checkDim("Linear::forward", "y.rows()", y.rows(), "outputSize()", out_);
    detail::checkDim("Linear::forward", "y.cols()", y.cols(), "x.cols()", x.cols());
    const auto b = bias();
    // the bias is added block by block, right after (and by the thread of) each product block
    gemm<S>(y, weight(), x, {}, [&](Index row, Index col, Index rows, Index cols) {
      y.block(row, col, rows, cols).colwise() += b.segment(row, rows);
    });
  }

  /// dx = Wᵀ dy (assigned); with Accumulate also dW += dy xᵀ, db += Σ_columns dy.
  /// `y` is not needed by this layer (kept for the common Layer signature).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& /*y*/,
                const ConstMatrixRef<S>& dy, MatrixRef<S> dx, ParamGrad pg) {
    checkBackward(x, dy, pg);
    detail::checkDim("Linear::backward", "dx.rows()", dx.rows(), "inputSize()", in_);
    detail::checkDim("Linear::backward", "dx.cols()", dx.cols(), "x.cols()", x.cols());
    gemm<S>(dx, weight(), dy, {.transpose_a = true});
    accumulate(x, dy, pg);
  }
  /// Parameter gradients only (no input gradient, for a layer whose input is data).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& /*y*/,
                const ConstMatrixRef<S>& dy, ParamGrad pg) {
    checkBackward(x, dy, pg);
    accumulate(x, dy, pg);
  }

 private:
  S* paramsFor(const char* function) const {
    detail::checkBound(function, params_);
    return params_;
  }
  S* gradsFor(const char* function) const {
    detail::checkBound(function, params_);
    detail::checkGradsBound(function, grads_, ParamGrad::Accumulate);
    return grads_;
  }
  void checkBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy, ParamGrad pg) const {
    detail::checkBound("Linear::backward", params_);
    detail::checkGradsBound("Linear::backward", grads_, pg);
    detail::checkDim("Linear::backward", "x.rows()", x.rows(), "inputSize()", in_);
    detail::checkDim("Linear::backward", "dy.rows()", dy.rows(), "outputSize()", out_);
    detail::checkDim("Linear::backward", "dy.cols()", dy.cols(), "x.cols()", x.cols());
  }
  void accumulate(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy, ParamGrad pg) {
    if (pg != ParamGrad::Accumulate) return;
    gemm<S>(MatrixMap<S>(grads_, out_, in_), dy, x, {.transpose_b = true, .accumulate = true});
    VectorMap<S>(grads_ + out_ * in_, out_) += dy.rowwise().sum();
  }

  Index in_;
  Index out_;
  S* params_ = nullptr;
  S* grads_ = nullptr;
};

static_assert(concepts::Layer<Linear<float>>);
static_assert(concepts::Layer<Linear<double>>);

}  // namespace iai::nn
