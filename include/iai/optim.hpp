#pragma once
// iai optim: see include/iai/optim/.
#include "iai/core.hpp"
