#pragma once
// iai core: Eigen aliases, errors and checks, random numbers, files (durable writes, regular-file
// reads) and byte coding.
#include "iai/core/binary_io.hpp"
#include "iai/core/config.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/parallel.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
