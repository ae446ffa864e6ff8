#pragma once
// iai core: Eigen aliases, errors and checks, random numbers.
#include "iai/core/config.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
