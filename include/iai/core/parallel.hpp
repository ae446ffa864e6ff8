#pragma once
// Elementwise work split into a FIXED number of contiguous blocks that depends only on the size,
// never on the thread count (as nn/gemm.hpp does for products): each block computes the same bits
// whichever thread runs it, so results are identical for any Eigen::nbThreads(). Blocks run with
// OpenMP when the consumer compiles with it (-fopenmp), one after the other otherwise. The body
// must not throw (check arguments before calling).
#include <algorithm>

#include <Eigen/Core>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "iai/core/types.hpp"

namespace iai::detail {

inline constexpr Index kParallelMaxBlocks = 4;
inline constexpr Index kParallelMinWork = Index{1} << 16;  ///< elements per block, at least

/// Calls body(begin, count) for blocks covering [0, extent); `unit` elements of work per index
/// (e.g. the rows of a column when splitting columns).
template <class Body>
void forEachBlock(Index extent, Index unit, Body&& body) {
  Index count = 1;
  while (count < kParallelMaxBlocks && extent >= 2 * count &&
         extent * unit >= 2 * count * kParallelMinWork)
    count *= 2;
  const auto run = [&](Index part) {
    const Index begin = extent * part / count, end = extent * (part + 1) / count;
    if (end > begin) body(begin, end - begin);
  };
#ifdef _OPENMP
  const int threads = static_cast<int>(std::min<Index>(Eigen::nbThreads(), count));
  if (threads > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (Index part = 0; part < count; ++part) run(part);
    return;
  }
#endif
  for (Index part = 0; part < count; ++part) run(part);
}

}  // namespace iai::detail
