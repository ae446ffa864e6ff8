#pragma once
// iai optim: see include/iai/optim/.
#include "iai/core.hpp"
#include "iai/optim/adam.hpp"
#include "iai/optim/clipping.hpp"
#include "iai/optim/concepts.hpp"
#include "iai/optim/rmsprop.hpp"
#include "iai/optim/schedule.hpp"
#include "iai/optim/sgd.hpp"
