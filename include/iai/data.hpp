#pragma once
// iai data: IDX files (plain or gzip with IAI_HAVE_ZLIB), CIFAR-10 batches, .npy, CSV and sparse
// count lines, and data sets whose range follows the likelihood (binarisation, dequantisation).
#include "iai/core.hpp"
#include "iai/data/cifar.hpp"
#include "iai/data/csv.hpp"
#include "iai/data/dataset.hpp"
#include "iai/data/idx.hpp"
#include "iai/data/npy.hpp"
#include "iai/data/sparse.hpp"
#include "iai/data/text.hpp"
