#pragma once
// Bookkeeping shared by every network (Sequential, Mlp, HighwayMlp): size checks, binding
// consecutive parameter ranges, the activation/delta buffers and the forward/backward sweeps.
// Layer i reads x (i = 0) or outputs_[i − 1] and writes outputs_[i]; backward walks the layers in
// reverse and layer i writes ∂L/∂(its input) into deltas_[i − 1] (into dx, or nothing, for i = 0).
// Buffers are resized only when the batch size changes.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/checks.hpp"

namespace iai::nn::detail {

/// CRTP base. Derived gives it (friend) access to
///   static constexpr std::string_view kName;                    // for error messages
///   std::size_t chainLength() const;                            // number of layers
///   template <class F> void visitLayer(std::size_t i, F&& f);   // calls f(layer i)
///   template <class F> void visitLayer(std::size_t i, F&& f) const;
/// and calls initChain() at the end of its constructor.
template <class Derived, class S>
class NetworkBase {
 public:
  using Scalar = S;

  Index inputSize() const {
    Index n = 0;
    derived().visitLayer(0, [&](const auto& layer) { n = layer.inputSize(); });
    return n;
  }
  Index outputSize() const {
    Index n = 0;
    derived().visitLayer(length() - 1, [&](const auto& layer) { n = layer.outputSize(); });
    return n;
  }
  Index parameterCount() const {
    Index n = 0;
    for (std::size_t i = 0; i < length(); ++i)
      derived().visitLayer(i, [&](const auto& layer) { n += layer.parameterCount(); });
    return n;
  }

  /// Layer i uses params[o_i, o_i + count_i) (and the same range of grads, which may be nullptr)
  /// with o_i the running sum of the previous layers' counts.
  void bind(S* params, S* grads) {
    IAI_CHECK(params != nullptr || parameterCount() == 0, qualified(Derived::kName, "bind"),
              "params", "nullptr", "a valid pointer");
    Index offset = 0;
    for (std::size_t i = 0; i < length(); ++i) {
      derived().visitLayer(i, [&](auto& layer) {
        const Index count = layer.parameterCount();
        if (count > 0) layer.bind(params + offset, grads != nullptr ? grads + offset : nullptr);
        offset += count;
      });
    }
  }

  /// Initializes the layers in order from one generator.
  void initialize(Rng& rng) {
    for (std::size_t i = 0; i < length(); ++i)
      derived().visitLayer(i, [&](auto& layer) { layer.initialize(rng); });
  }

  /// Runs every layer; returns the last layer's output (outputSize() × x.cols()).
  const Matrix<S>& forward(const ConstMatrixRef<S>& x) {
    const Index in = inputSize();
    IAI_CHECK(x.rows() == in, qualified(Derived::kName, "forward"), "x.rows()", x.rows(),
              equalTo("inputSize()", in));
    for (std::size_t i = 0; i < length(); ++i) {
      derived().visitLayer(i, [&](auto& layer) {
        Matrix<S>& y = outputs_[i];
        y.resize(layer.outputSize(), x.cols());  // no-op when the batch size is unchanged
        if (i == 0) {
          layer.forward(x, y);
        } else {
          layer.forward(outputs_[i - 1], y);
        }
      });
    }
    return outputs_.back();
  }
  /// The output of the last forward (empty before the first).
  const Matrix<S>& output() const noexcept { return outputs_.back(); }

  /// dx = ∂L/∂x (assigned) from dy = ∂L/∂output; with Accumulate also adds every layer's
  /// parameter gradient. Must follow forward(x).
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy, MatrixRef<S> dx,
                ParamGrad pg) {
    checkBackward(x, dy);
    const Index in = inputSize();
    IAI_CHECK(dx.rows() == in, qualified(Derived::kName, "backward"), "dx.rows()", dx.rows(),
              equalTo("inputSize()", in));
    IAI_CHECK(dx.cols() == x.cols(), qualified(Derived::kName, "backward"), "dx.cols()",
              dx.cols(), equalTo("x.cols()", x.cols()));
    sweep(x, dy, &dx, pg);
  }
  /// Parameter gradients only: the first layer computes no input gradient.
  void backward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy, ParamGrad pg) {
    checkBackward(x, dy);
    if (pg == ParamGrad::Skip) return;  // nothing to compute
    sweep(x, dy, nullptr, pg);
  }

 protected:
  NetworkBase() = default;

  /// Checks that consecutive layers fit and creates one (empty) buffer per layer boundary.
  void initChain() {
    const std::size_t n = length();
    const auto constructor = [] { return qualified(Derived::kName, Derived::kName); };
    IAI_CHECK(n > 0, constructor(), "the number of layers", n, "positive");
    Index previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
      derived().visitLayer(i, [&](const auto& layer) {
        IAI_CHECK(i == 0 || layer.inputSize() == previous, constructor(),
                  "layer " + std::to_string(i) + " inputSize()", layer.inputSize(),
                  equalTo("layer " + std::to_string(i - 1) + " outputSize()", previous));
        previous = layer.outputSize();
      });
    }
    outputs_.assign(n, Matrix<S>());
    deltas_.assign(n - 1, Matrix<S>());
  }

 private:
  const Derived& derived() const noexcept { return static_cast<const Derived&>(*this); }
  Derived& derived() noexcept { return static_cast<Derived&>(*this); }
  std::size_t length() const noexcept { return derived().chainLength(); }

  void checkBackward(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy) const {
    const Index in = inputSize(), out = outputSize();
    IAI_CHECK(outputs_.back().rows() == out, qualified(Derived::kName, "backward"),
              "the output buffer", "empty", "filled by forward() first");
    IAI_CHECK(x.rows() == in, qualified(Derived::kName, "backward"), "x.rows()", x.rows(),
              equalTo("inputSize()", in));
    IAI_CHECK(x.cols() == outputs_.back().cols(), qualified(Derived::kName, "backward"),
              "x.cols()", x.cols(),
              equalTo("the batch size of the last forward()", outputs_.back().cols()));
    IAI_CHECK(dy.rows() == out, qualified(Derived::kName, "backward"), "dy.rows()", dy.rows(),
              equalTo("outputSize()", out));
    IAI_CHECK(dy.cols() == x.cols(), qualified(Derived::kName, "backward"), "dy.cols()",
              dy.cols(), equalTo("x.cols()", x.cols()));
  }

  /// Reverse sweep; dx == nullptr selects the first layer's no-input-gradient overload.
  void sweep(const ConstMatrixRef<S>& x, const ConstMatrixRef<S>& dy, MatrixRef<S>* dx,
             ParamGrad pg) {
    const std::size_t n = length();
    for (std::size_t i = n; i-- > 0;) {
      derived().visitLayer(i, [&](auto& layer) {
        const ConstMatrixRef<S> dout = (i + 1 == n) ? dy : ConstMatrixRef<S>(deltas_[i]);
        if (i == 0) {
          if (dx != nullptr) {
            layer.backward(x, outputs_[0], dout, *dx, pg);
          } else {
            layer.backward(x, outputs_[0], dout, pg);
          }
          return;
        }
        Matrix<S>& din = deltas_[i - 1];
        din.resize(layer.inputSize(), x.cols());  // no-op when the batch size is unchanged
        layer.backward(outputs_[i - 1], outputs_[i], dout, din, pg);
      });
    }
  }

  std::vector<Matrix<S>> outputs_;  // outputs_[i]: output of layer i
  std::vector<Matrix<S>> deltas_;   // deltas_[i]: ∂L/∂outputs_[i], i < n − 1
};

}  // namespace iai::nn::detail
