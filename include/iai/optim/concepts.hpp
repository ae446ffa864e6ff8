#pragma once
// The Optimizer concept (namespace iai::concepts, with every iai concept): what a training loop
// needs from Sgd, RmsProp, Adam or a user optimizer.
//
// Minimum API, for an optimizer `o` of type O with O::Scalar = S (all updates minimise):
//   o.step(params, grad)        params ← params − update(grad), elementwise, for any dense
//                               params/grad of the same shape with size() == parameterCount()
//                               (at least Vector<S> and Matrix<S>); the state is flat, column-major
//   o.learningRate(), o.setLearningRate(double)
//   o.parameterCount()
//   o.stateBuffers()            std::vector<Vector<S>*>: the state to save in a checkpoint
//   o.steps(), o.setSteps(t)    number of steps taken (Adam's bias correction); also checkpointed
//   o.reset()                   zero state and step count
#include <concepts>
#include <cstdint>
#include <vector>

#include "iai/core/types.hpp"

namespace iai {
// The helper concepts live in iai::detail, as the other areas' do: an iai::concepts::detail
// would hide iai::detail from the concepts declared after it in namespace iai::concepts.
namespace detail {

template <class O, class S>
concept OptimizerFor = requires(O& o, const O& co, Vector<S>& v, const Vector<S>& gv, Matrix<S>& m,
                                const Matrix<S>& gm, double lr, std::int64_t t) {
  o.step(v, gv);
  o.step(m, gm);
  { co.learningRate() } -> std::convertible_to<double>;
  o.setLearningRate(lr);
  { co.parameterCount() } -> std::convertible_to<Index>;
  { o.stateBuffers() } -> std::same_as<std::vector<Vector<S>*>>;
  { co.steps() } -> std::same_as<std::int64_t>;
  o.setSteps(t);
  o.reset();
};

}  // namespace detail

namespace concepts {

/// An elementwise first-order optimizer over a flat parameter buffer (see the table above).
template <class O>
concept Optimizer = requires { typename O::Scalar; } && detail::OptimizerFor<O, typename O::Scalar>;

}  // namespace concepts
}  // namespace iai
