#pragma once
// Umbrella header: everything in iai.
#include "iai/version.hpp"
#include "iai/core.hpp"
#include "iai/distributions.hpp"
#include "iai/nn.hpp"
#include "iai/optim.hpp"
