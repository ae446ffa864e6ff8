#pragma once
// Elementwise work split into a FIXED number of contiguous blocks that depends only on the size,
// never on the thread count (as nn/gemm.hpp does for products): each block computes the same bits
// whichever thread runs it, and reductions add the per-block results in block order, so results
// are identical for any Eigen::nbThreads(). Blocks run with OpenMP when the consumer compiles with
// it (-fopenmp), one after the other otherwise. Bodies must not throw (check arguments first).
#include <algorithm>
#include <cmath>
#include <cstddef>

#include <Eigen/Core>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "iai/core/types.hpp"

namespace iai::detail {

inline constexpr Index kParallelMaxBlocks = 4;
inline constexpr Index kParallelMinWork = Index{1} << 16;  ///< elements per block, at least

/// Calls body(block, begin, count) for the blocks covering [0, extent); `unit` elements of work
/// per index (e.g. the rows of a column when splitting columns). block < kParallelMaxBlocks.
template <class Body>
void forEachIndexedBlock(Index extent, Index unit, Body&& body) {
  Index count = 1;
  while (count < kParallelMaxBlocks && extent >= 2 * count &&
         extent * unit >= 2 * count * kParallelMinWork)
    count *= 2;
  const auto run = [&](Index part) {
    const Index begin = extent * part / count, end = extent * (part + 1) / count;
    if (end > begin) body(part, begin, end - begin);
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

/// Calls body(begin, count) for the blocks covering [0, extent) (see forEachIndexedBlock).
template <class Body>
void forEachBlock(Index extent, Index unit, Body&& body) {
  forEachIndexedBlock(extent, unit, [&](Index, Index begin, Index n) { body(begin, n); });
}

/// v ← a·v (a = 0 zeroes, whatever v held).
template <class S>
void scaleInPlace(Vector<S>& v, S a) {
  forEachBlock(v.size(), 1, [&](Index begin, Index n) {
    if (a == S(0)) {
      v.segment(begin, n).setZero();
    } else {
      v.segment(begin, n) *= a;
    }
  });
}

/// ‖v‖₂ in double, per-block sums of squares added in block order.
template <class S>
double blockedNorm(const Vector<S>& v) {
  double partial[kParallelMaxBlocks] = {};
  forEachIndexedBlock(v.size(), 1, [&](Index part, Index begin, Index n) {
    partial[static_cast<std::size_t>(part)] =
        v.segment(begin, n).template cast<double>().squaredNorm();
  });
  double sum = 0;
  for (double p : partial) sum += p;
  return std::sqrt(sum);
}

}  // namespace iai::detail
