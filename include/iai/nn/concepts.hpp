#pragma once
// The HasParameters, Layer and Network concepts (namespace iai::concepts, with every iai concept),
// and the conventions every nn class follows:
//  * Batches are column-major iai::Matrix<S>, one example per column.
//  * Inputs are `const ConstMatrixRef<S>&` (Eigen::Ref<const Matrix>): a Matrix, a Map or a column
//    block binds without a copy. Outputs are `MatrixRef<S>` of the right shape (never resized),
//    written with noalias() where products are involved, so they must not alias the inputs
//    unless a class says otherwise (the activation functors work in place).
//  * backward(x, y, dy, dx, pg) gets the forward input x, its output y and dy = ∂L/∂y; it ASSIGNS
//    dx = ∂L/∂x and, only with ParamGrad::Accumulate, ADDS ∂L/∂θ into the bound gradient buffer
//    (so several backward calls sum their gradients). backward(x, y, dy, pg) skips dx (for layers
//    whose input is data). Layers that cache intermediate values expect backward to follow the
//    forward of the same x.
//  * Parameters live in ONE flat vector owned by the composer (a model): bind(params, grads)
//    hands a layer raw pointers to its consecutive range [offset, offset + parameterCount()) of
//    the parameter vector and of a gradient vector of the same layout (grads may be nullptr when
//    gradients are never accumulated). Layers map these on the fly, so they stay copyable; a
//    copy shares the parameters. Re-bind after the vectors are reallocated.
//  * iai allocates nothing in forward/backward once the caches have the batch's size: buffers
//    are resized only when the batch size changes, and the matrix products (nn/gemm.hpp) pack
//    their operands into per-thread workspaces that only grow when a larger shape first appears.
//  * Shapes are checked at the public boundary (always on, throwing iai::invalid_argument), and
//    so is using a layer before bind() or backward before forward.
//  * A layer with caches or a network is not safe for concurrent use; a copy shares the
//    parameters but owns its buffers, so each thread can work on its own copy.
#include <concepts>

#include "iai/core/random.hpp"
#include "iai/core/types.hpp"

namespace iai::concepts {

/// Anything that owns a range of the flat parameter vector (layers, networks, models).
template <class C, class S>
concept HasParameters = requires(C& c, const C& cc, S* ptr) {
  { cc.parameterCount() } -> std::convertible_to<Index>;
  c.bind(ptr, ptr);
};

/// A differentiable map from inputSize() to outputSize() rows, applied column by column.
template <class L>
concept Layer = std::floating_point<typename L::Scalar> && std::copyable<L> &&
    HasParameters<L, typename L::Scalar> &&
    requires(L& layer, const L& const_layer, Rng& rng,
             const ConstMatrixRef<typename L::Scalar>& x, MatrixRef<typename L::Scalar> y,
             ParamGrad pg) {
      { const_layer.inputSize() } -> std::same_as<Index>;
      { const_layer.outputSize() } -> std::same_as<Index>;
      { const_layer.parameterCount() } -> std::same_as<Index>;
      layer.initialize(rng);
      layer.forward(x, y);
      layer.backward(x, x, x, y, pg);
      layer.backward(x, x, x, pg);
    };

/// A composition of layers that owns its activation buffers: forward returns (a reference to)
/// the output buffer; backward(x, dy, ...) must follow the forward of the same x.
template <class N>
concept Network = std::floating_point<typename N::Scalar> && std::copyable<N> &&
    HasParameters<N, typename N::Scalar> &&
    requires(N& net, const N& const_net, Rng& rng,
             const ConstMatrixRef<typename N::Scalar>& x, MatrixRef<typename N::Scalar> dx,
             ParamGrad pg) {
      { const_net.inputSize() } -> std::same_as<Index>;
      { const_net.outputSize() } -> std::same_as<Index>;
      { const_net.parameterCount() } -> std::same_as<Index>;
      net.initialize(rng);
      { net.forward(x) } -> std::same_as<const Matrix<typename N::Scalar>&>;
      { const_net.output() } -> std::same_as<const Matrix<typename N::Scalar>&>;
      net.backward(x, x, dx, pg);
      net.backward(x, x, pg);
    };

}  // namespace iai::concepts
