#pragma once
// iai inference: the inference models (standard Eq. 5, iterative Eq. 6, and their hierarchical
// versions), the E-step that runs them, and gradient inference (Eq. 4). Includes the objectives
// they optimise (iai/objectives.hpp).
#include "iai/core.hpp"
#include "iai/inference/bottom_up_inference_model.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/inference/e_step.hpp"
#include "iai/inference/encoding.hpp"
#include "iai/inference/gaussian_encoder.hpp"
#include "iai/inference/gradient_inference.hpp"
#include "iai/inference/hierarchical_iterative_inference_model.hpp"
#include "iai/inference/iterative_inference_model.hpp"
#include "iai/inference/levels.hpp"
#include "iai/inference/network_config.hpp"
#include "iai/inference/standard_inference_model.hpp"
#include "iai/objectives.hpp"
