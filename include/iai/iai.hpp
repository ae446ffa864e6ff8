#pragma once
// Umbrella header: everything in iai.
#include "iai/version.hpp"
#include "iai/core.hpp"
#include "iai/distributions.hpp"
#include "iai/nn.hpp"
#include "iai/optim.hpp"
#include "iai/models.hpp"
#include "iai/objectives.hpp"
#include "iai/inference.hpp"
#include "iai/training.hpp"
#include "iai/data.hpp"
#include "iai/evaluation.hpp"
