#pragma once
// Compile-time composition of layers: Sequential<L0, L1, ...> computes L_{n−1}(...L1(L0(x))).
// The layers live in a std::tuple; the network owns one output buffer per layer (see
// network_base.hpp) and binds the layers to consecutive ranges of the flat parameter vector.
//   Sequential net(Linear<float>(784, 512), Activation<Elu, float>(512), Linear<float>(512, 64));
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "iai/nn/activations.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/network_base.hpp"

namespace iai::nn {

namespace detail {
template <class... Layers>
using FirstScalar = typename std::tuple_element_t<0, std::tuple<Layers...>>::Scalar;
}  // namespace detail

/// A network of a compile-time list of layers applied in order (one example per column), with
/// one flat parameter range split over the layers in order. A concepts::Network.
template <class... Layers>
class Sequential
    : public detail::NetworkBase<Sequential<Layers...>, detail::FirstScalar<Layers...>> {
  using S = detail::FirstScalar<Layers...>;
  static_assert((concepts::Layer<Layers> && ...),
                "every element of a Sequential must model concepts::Layer");
  static_assert((std::is_same_v<typename Layers::Scalar, S> && ...),
                "all layers of a Sequential must share one Scalar type");

 public:
  /// Takes the layers by value; consecutive sizes must match (iai::invalid_argument otherwise).
  explicit Sequential(Layers... layers) : layers_(std::move(layers)...) { this->initChain(); }

  /// The number of layers.
  static constexpr std::size_t size() noexcept { return sizeof...(Layers); }
  /// Layer I.
  template <std::size_t I>
  auto& layer() noexcept {
    return std::get<I>(layers_);
  }
  /// Layer I.
  template <std::size_t I>
  const auto& layer() const noexcept {
    return std::get<I>(layers_);
  }

 private:
  friend class detail::NetworkBase<Sequential, S>;
  static constexpr std::string_view kName = "Sequential";

  std::size_t chainLength() const noexcept { return sizeof...(Layers); }
  template <class F>
  void visitLayer(std::size_t i, F&& f) {
    visit(*this, i, f);
  }
  template <class F>
  void visitLayer(std::size_t i, F&& f) const {
    visit(*this, i, f);
  }
  /// f(std::get<i>(layers_)) for a run-time i.
  template <class Self, class F>
  static void visit(Self& self, std::size_t i, F& f) {
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      ((i == Is ? static_cast<void>(f(std::get<Is>(self.layers_))) : void()), ...);
    }(std::index_sequence_for<Layers...>{});
  }

  std::tuple<Layers...> layers_;
};

static_assert(concepts::Network<Sequential<Linear<float>, Activation<Elu, float>, Linear<float>>>);

}  // namespace iai::nn
