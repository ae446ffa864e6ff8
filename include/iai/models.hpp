#pragma once
// iai models: the GenerativeModel concepts, LatentGaussianModel and the LinearGaussianModel oracle.
#include "iai/core.hpp"
#include "iai/models/concepts.hpp"
#include "iai/models/conditional_gaussian_prior.hpp"
#include "iai/models/hierarchical_latent_gaussian_model.hpp"
#include "iai/models/latent_gaussian_model.hpp"
#include "iai/models/linear_gaussian_model.hpp"
