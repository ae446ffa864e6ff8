#pragma once
// iai inference: the ELBO, standard / iterative inference models and gradient inference.
#include "iai/core.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/elbo.hpp"
#include "iai/inference/hierarchical_elbo.hpp"
#include "iai/inference/encoding.hpp"
#include "iai/inference/gradient_inference.hpp"
#include "iai/inference/hierarchical_inference.hpp"
#include "iai/inference/iterative_inference_model.hpp"
#include "iai/inference/standard_inference_model.hpp"
