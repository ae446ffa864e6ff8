#pragma once
// ElboFor<M>: the ELBO objective that fits a generative model, for the generic machinery (the
// E-step, VariationalEM, GradientInference, amortizationGap). A single-level user who wants only
// the ELBO includes objectives/elbo.hpp.
#include <type_traits>

#include "iai/models/concepts.hpp"
#include "iai/objectives/elbo.hpp"
#include "iai/objectives/hierarchical_elbo.hpp"

namespace iai {

/// HierarchicalElbo for a concepts::HierarchicalGenerativeModel, Elbo otherwise.
template <class M>
using ElboFor = typename std::conditional_t<concepts::HierarchicalGenerativeModel<M>,
                                            std::type_identity<HierarchicalElbo<M>>,
                                            std::type_identity<Elbo<M>>>::type;

}  // namespace iai
