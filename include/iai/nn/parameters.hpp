#pragma once
// One flat parameter vector (and one gradient vector of the same layout) shared by several
// components: layers, networks or anything with parameterCount() and bind(S*, S*).
#include <cstddef>
#include <tuple>
#include <utility>
#include <vector>

#include "iai/core/types.hpp"
#include "iai/nn/concepts.hpp"

namespace iai::nn {

/// Sizes `params` and `grads` to the components' total parameter count, zeroes `grads` and binds
/// component k to the range [o_k, o_k + count_k) of both, o_k being the sum of the previous
/// counts. `params` keeps its values when it already has the total size (e.g. loaded from a
/// checkpoint); otherwise it is resized and zero-filled, to be filled by initialize().
/// The components keep raw pointers into the two vectors: bind again whenever either is
/// reallocated (resized, assigned from a vector of another size, moved from or destroyed).
template <class S, class... Components>
  requires(concepts::HasParameters<Components, S> && ...)
void bindParameters(Vector<S>& params, Vector<S>& grads, Components&... components) {
  const Index total = (Index{0} + ... + static_cast<Index>(components.parameterCount()));
  if (params.size() != total) params.setZero(total);
  grads.setZero(total);
  Index offset = 0;
  const auto bind_one = [&](auto& component) {
    const Index count = component.parameterCount();
    if (count > 0) component.bind(params.data() + offset, grads.data() + offset);
    offset += count;
  };
  (bind_one(components), ...);
}

/// A run-time number of components of one type (e.g. one network per latent level) as a single
/// component: parameterCount() is the sum, bind() hands out consecutive ranges in order.
template <class C>
class ComponentList {
 public:
  ComponentList() = default;
  /// A list of the given components (bind it before use).
  explicit ComponentList(std::vector<C> items) : items_(std::move(items)) {}

  /// The number of components.
  std::size_t size() const noexcept { return items_.size(); }
  /// Component i (std::vector::at: throws std::out_of_range if i ≥ size()).
  C& operator[](std::size_t i) { return items_.at(i); }
  /// Component i (std::vector::at: throws std::out_of_range if i ≥ size()).
  const C& operator[](std::size_t i) const { return items_.at(i); }
  /// Iterator to the first component.
  auto begin() noexcept { return items_.begin(); }
  /// Iterator past the last component.
  auto end() noexcept { return items_.end(); }
  /// Iterator to the first component.
  auto begin() const noexcept { return items_.begin(); }
  /// Iterator past the last component.
  auto end() const noexcept { return items_.end(); }

  /// The sum of the components' parameter counts.
  Index parameterCount() const {
    Index n = 0;
    for (const C& c : items_) n += static_cast<Index>(c.parameterCount());
    return n;
  }
  /// Binds the components to consecutive ranges of params and grads, in order (grads may be null).
  template <class S>
  void bind(S* params, S* grads) {
    Index offset = 0;
    for (C& c : items_) {
      const Index count = c.parameterCount();
      if (count > 0) c.bind(params + offset, grads != nullptr ? grads + offset : nullptr);
      offset += count;
    }
  }
  /// Initialises the components in order from one generator.
  template <class R>
  void initialize(R& rng) {
    for (C& c : items_) c.initialize(rng);
  }

 private:
  std::vector<C> items_;
};

/// Owns a flat parameter vector, its gradient and the components bound to them, and keeps the
/// components bound to ITS buffers across copies and moves (a copy owns a copy of the values; the
/// gradient of a copy starts at zero). Models hold their θ or φ in one of these.
template <class S, class... Components>
class BoundParameters {
 public:
  /// Takes the components, sizes the buffers to their total count (zero) and binds them.
  explicit BoundParameters(Components... components) : components_(std::move(components)...) {
    rebind();
  }
  /// Copies the components and the values, and binds the copy to its own buffers (gradient zero).
  BoundParameters(const BoundParameters& other)
      : components_(other.components_), params_(other.params_), grads_(other.grads_) {
    rebind();
  }
  /// Takes over the components and buffers and rebinds them (gradient zero).
  BoundParameters(BoundParameters&& other) noexcept
      : components_(std::move(other.components_)), params_(std::move(other.params_)),
        grads_(std::move(other.grads_)) {
    rebind();
  }
  /// Takes over other's components and buffers and rebinds them (gradient zero).
  BoundParameters& operator=(BoundParameters other) noexcept {
    components_ = std::move(other.components_);
    params_ = std::move(other.params_);
    grads_ = std::move(other.grads_);
    rebind();
    return *this;
  }
  ~BoundParameters() = default;

  /// The flat parameter vector (θ or φ).
  Vector<S>& values() { return params_; }
  /// The flat parameter vector (θ or φ).
  const Vector<S>& values() const { return params_; }
  /// The flat gradient vector, same layout as values().
  Vector<S>& gradient() { return grads_; }
  /// Component I (in the order given to the constructor).
  template <std::size_t I>
  auto& get() {
    return std::get<I>(components_);
  }
  /// Component I (in the order given to the constructor).
  template <std::size_t I>
  const auto& get() const {
    return std::get<I>(components_);
  }

 private:
  void rebind() {
    std::apply([this](auto&... c) { bindParameters(params_, grads_, c...); }, components_);
  }
  std::tuple<Components...> components_;
  Vector<S> params_, grads_;
};

}  // namespace iai::nn
