#pragma once
// iai data: IDX files (plain or gzip with IAI_HAVE_ZLIB) and image data sets with binarisation.
#include "iai/core.hpp"
#include "iai/data/dataset.hpp"
#include "iai/data/idx.hpp"
