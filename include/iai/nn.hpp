#pragma once
// iai nn: see include/iai/nn/.
#include "iai/core.hpp"
