#pragma once
// One flat parameter vector (and one gradient vector of the same layout) shared by several
// components: layers, networks or anything with parameterCount() and bind(S*, S*).
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
  requires(HasParameters<Components, S> && ...)
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

}  // namespace iai::nn
