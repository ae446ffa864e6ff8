#pragma once
// Gated highway layer as in the code of Marino, Yue & Mandt (2018) (the PyTorch peer's Highway):
//   h = g ⊙ c + (1 − g) ⊙ ELU(W a + b),   g = σ(W_g a + b_g),
// with carry c = P a + p for a projecting layer (the first of a network; in ≠ out allowed) and
// c = a otherwise (in == out). The weights are stacked so one GEMM gives every pre-activation:
//   Wall = [W; W_g; (P)]  (k·out × in, k = 2 or 3),  ball = [b; b_g; (p)]  (k·out).
// Parameter layout in the bound range: Wall (column-major), then ball.
#include <algorithm>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/checks.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/gemm.hpp"
#include "iai/nn/linear.hpp"

namespace iai::nn {

/// Gated highway layer h = g ⊙ c + (1 − g) ⊙ ELU(W a + b), g = σ(W_g a + b_g), with carry
/// c = P a + p (projecting) or c = a; one example per column. Parameters: the stacked
/// Wall = [W; W_g; (P)], then ball.
template <class S>
class Highway {
 public:
  /// The element type (float or double).
  using Scalar = S;

  /// @throws iai::invalid_argument if in or out < 1, or in ≠ out without a projection.
  /// project = true: carry c = P a + p (any in, out); false: c = a (requires in == out).
  Highway(Index in, Index out, bool project) : in_(in), out_(out), project_(project) {
    IAI_CHECK(in > 0, "Highway::Highway", "in", in, "positive");
    IAI_CHECK(out > 0, "Highway::Highway", "out", out, "positive");
    IAI_CHECK(project || in == out, "Highway::Highway", "in", in,
              detail::equalTo("out", out) + " for a non-projecting layer (carry c = a)");
  }

  /// Rows of the input a.
  Index inputSize() const noexcept { return in_; }
  /// Rows of the output h.
  Index outputSize() const noexcept { return out_; }
  /// Whether the carry is a projection P a + p (else c = a).
  bool projects() const noexcept { return project_; }
  /// Number of stacked blocks k: 3 with a projection, 2 without.
  Index blockCount() const noexcept { return project_ ? 3 : 2; }
  /// k · out · (in + 1): the stacked weights and biases.
  Index parameterCount() const noexcept { return blockCount() * out_ * (in_ + 1); }

  /// Use params[0, parameterCount()) and grads[0, parameterCount()) (grads may be nullptr if
  /// gradients are never accumulated). The buffers must outlive the layer's use.
  void bind(S* params, S* grads) {
    IAI_CHECK(params != nullptr, "Highway::bind", "params", "nullptr", "a valid pointer");
    params_ = params;
    grads_ = grads;
  }
  /// Whether bind() has given it a parameter buffer.
  bool bound() const noexcept { return params_ != nullptr; }

  /// Glorot uniform per block (W, then W_g, then P; each out × in, drawn column by column),
  /// biases 0.
  void initialize(Rng& rng) {
    detail::checkBound("Highway::initialize", params_);
    auto w = weight();
    for (Index k = 0; k < blockCount(); ++k)
      detail::glorotUniform(rng, w.middleRows(k * out_, out_), in_, out_);
    std::fill_n(params_ + rows() * in_, rows(), S(0));  // biases 0
  }

  /// Stacked weights Wall = [W; W_g; (P)] (k·out × in) and biases ball (k·out).
  MatrixMap<S> weight() { return {paramsFor("Highway::weight"), rows(), in_}; }
  /// Wall (k·out × in), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  ConstMatrixMap<S> weight() const { return {paramsFor("Highway::weight"), rows(), in_}; }
  /// ball (k·out), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  VectorMap<S> bias() { return {paramsFor("Highway::bias") + rows() * in_, rows()}; }
  /// ball (k·out), a view into the bound parameters.
  /// @throws iai::invalid_argument if unbound.
  ConstVectorMap<S> bias() const { return {paramsFor("Highway::bias") + rows() * in_, rows()}; }
  /// The gradient of Wall (k·out × in).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  MatrixMap<S> gradWeight() { return {gradsFor("Highway::gradWeight"), rows(), in_}; }
  /// The gradient of Wall (k·out × in).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  ConstMatrixMap<S> gradWeight() const { return {gradsFor("Highway::gradWeight"), rows(), in_}; }
  /// The gradient of ball (k·out).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  VectorMap<S> gradBias() { return {gradsFor("Highway::gradBias") + rows() * in_, rows()}; }
  /// The gradient of ball (k·out).
  /// @throws iai::invalid_argument if no gradient buffer is bound.
  ConstVectorMap<S> gradBias() const {
    return {gradsFor("Highway::gradBias") + rows() * in_, rows()};
  }

  /// h = e + g ⊙ (c − e) with e = ELU(W a + b), g = σ(W_g a + b_g). Caches e, g and P a + p for
  /// backward; y must not alias x.
  void forward(const ConstMatrixRef<S>& x, MatrixRef<S> y) {
    detail::checkBound("Highway::forward", params_);
    detail::checkDim("Highway::forward", "x.rows()", x.rows(), "inputSize()", in_);
    detail::checkDim("Highway::forward", "y.rows()", y.rows(), "outputSize()", out_);
    detail::checkDim("Highway::forward", "y.cols()", y.cols(), "x.cols()", x.cols());
    cache_.resize(rows(), x.cols());
    const auto b = bias();
    gemm<S>(cache_, weight(), x, {}, [&](Index row, Index col, Index rows, Index cols) {
      cache_.block(row, col, rows, cols).colwise() += b.segment(row, rows);
    });
    auto e = cache_.topRows(out_);
    auto g = cache_.middleRows(out_, out_);
    Elu::apply<S>(e, e);
    Sigmoid::apply<S>(g, g);
    const ConstMatrixRef<S> c = carry(x);
    y.array() = e.array() + g.array() * (c.array() - e.array());
  }

  /// With δ = dy: ∂z_W = δ ⊙ (1 − g) ⊙ ELU'(z_W), ∂z_g = δ ⊙ (c − e) ⊙ g (1 − g), ∂c = δ ⊙ g
  /// (∂z_P = ∂c when projecting); dx = Wallᵀ ∂z (+ ∂c without projection), assigned.
  /// With Accumulate also dWall += ∂z xᵀ, dball += Σ_columns ∂z. Must follow forward(x, ·).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                const ConstMatrixRef<S>& dy, MatrixRef<S> dx, ParamGrad pg) {
    checkBackward(x, y, dy, pg);
    detail::checkDim("Highway::backward", "dx.rows()", dx.rows(), "inputSize()", in_);
    detail::checkDim("Highway::backward", "dx.cols()", dx.cols(), "x.cols()", x.cols());
    preActivationGradient(x, dy);
    gemm<S>(dx, weight(), dpre_, {.transpose_a = true});
    if (!project_) dx.array() += dy.array() * cache_.middleRows(out_, out_).array();
    accumulate(x, pg);
  }
  /// Parameter gradients only (no input gradient, for a layer whose input is data).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                const ConstMatrixRef<S>& dy, ParamGrad pg) {
    checkBackward(x, y, dy, pg);
    if (pg != ParamGrad::Accumulate) return;
    preActivationGradient(x, dy);
    accumulate(x, pg);
  }

 private:
  Index rows() const noexcept { return blockCount() * out_; }

  S* paramsFor(const char* function) const {
    detail::checkBound(function, params_);
    return params_;
  }
  S* gradsFor(const char* function) const {
    detail::checkBound(function, params_);
    detail::checkGradsBound(function, grads_, ParamGrad::Accumulate);
    return grads_;
  }

  /// c = P a + p (cached) or a.
  ConstMatrixRef<S> carry(const ConstMatrixRef<S>& x) const {
    if (project_) return ConstMatrixRef<S>(cache_.bottomRows(out_));
    return x;
  }

  void checkBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& y,
                     const ConstMatrixRef<S>& dy, ParamGrad pg) const {
    detail::checkBound("Highway::backward", params_);
    detail::checkGradsBound("Highway::backward", grads_, pg);
    IAI_CHECK(cache_.rows() == rows(), "Highway::backward", "the forward cache", "empty",
              "filled by forward() first");
    detail::checkDim("Highway::backward", "x.rows()", x.rows(), "inputSize()", in_);
    detail::checkDim("Highway::backward", "x.cols()", x.cols(),
                     "the batch size of the last forward()", cache_.cols());
    detail::checkDim("Highway::backward", "y.rows()", y.rows(), "outputSize()", out_);
    detail::checkDim("Highway::backward", "y.cols()", y.cols(), "x.cols()", x.cols());
    detail::checkDim("Highway::backward", "dy.rows()", dy.rows(), "outputSize()", out_);
    detail::checkDim("Highway::backward", "dy.cols()", dy.cols(), "x.cols()", x.cols());
  }

  /// dpre_ = ∂L/∂(Wall x + ball), from the cached e, g (and P a + p).
  void preActivationGradient(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy) {
    dpre_.resize(rows(), x.cols());
    const auto e = cache_.topRows(out_).array();
    const auto g = cache_.middleRows(out_, out_).array();
    const ConstMatrixRef<S> c = carry(x);
    const auto d = dy.array();
    // ELU'(z) = min(e, 0) + 1, σ'(z) = g (1 − g)
    dpre_.topRows(out_).array() = d * (S(1) - g) * (e.min(S(0)) + S(1));
    dpre_.middleRows(out_, out_).array() = d * (c.array() - e) * g * (S(1) - g);
    if (project_) dpre_.bottomRows(out_).array() = d * g;
  }

  void accumulate(const ConstMatrixRef<S>& x, ParamGrad pg) {
    if (pg != ParamGrad::Accumulate) return;
    gemm<S>(MatrixMap<S>(grads_, rows(), in_), dpre_, x, {.transpose_b = true, .accumulate = true});
    VectorMap<S>(grads_ + rows() * in_, rows()) += dpre_.rowwise().sum();
  }

  Index in_;
  Index out_;
  bool project_;
  S* params_ = nullptr;
  S* grads_ = nullptr;
  Matrix<S> cache_;  // rows [0, out): e = ELU(W a + b); [out, 2out): g; [2out, 3out): P a + p
  Matrix<S> dpre_;   // ∂L/∂ of the stacked pre-activations, same layout
};

static_assert(concepts::Layer<Highway<float>>);
static_assert(concepts::Layer<Highway<double>>);

}  // namespace iai::nn
