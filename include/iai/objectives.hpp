#pragma once
// iai objectives: the ELBO (Eq. 2) of single-level and hierarchical latent Gaussian models, and
// ElboFor<M>, the one that fits a model.
#include "iai/core.hpp"
#include "iai/objectives/elbo.hpp"
#include "iai/objectives/elbo_for.hpp"
#include "iai/objectives/hierarchical_elbo.hpp"
