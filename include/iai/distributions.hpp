#pragma once
// iai distributions: the diagonal Gaussian q(z|x) / p(z) and the observation models p(x|z).
#include "iai/core.hpp"
#include "iai/distributions/bernoulli.hpp"
#include "iai/distributions/diagonal_gaussian.hpp"
#include "iai/distributions/gaussian.hpp"
#include "iai/distributions/multinomial.hpp"
#include "iai/distributions/observation_concepts.hpp"
