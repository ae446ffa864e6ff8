#pragma once
// The one matrix-product entry point of the nn layers: C = op(A) op(B) or C += op(A) op(B), with
// op(X) = X or Xᵀ. Linear and Highway use it for their forward (y = W x), input-gradient
// (dx = Wᵀ dy) and weight-gradient (dW += dy xᵀ) products. Compared with `c.noalias() = a * b`:
//  * No heap allocation after warm-up. Eigen 3.4 heap-allocates its packing buffers (blockA,
//    blockB) inside every product larger than EIGEN_STACK_ALLOCATION_LIMIT (128 KiB). Here they
//    are per-thread workspaces (thread_local, one pair per scalar type and thread) that grow only
//    when a larger block first appears, so a training step allocates nothing once every product
//    shape has been seen on every thread (OpenMP keeps its worker threads alive). thread_local
//    also makes concurrent use safe: two networks used from two threads never share a buffer.
//  * Bitwise independent of the thread count. Eigen derives its blocking (the depth kc of each
//    partial sum) from the number of threads. Here the output is cut into a number of partitions
//    that depends only on the shape (row blocks when C has at least as many rows as columns,
//    column blocks otherwise; at most kGemmMaxPartitions); each partition is one sequential Eigen
//    GEMM whose blocking is computed for one thread. The partitions run on Eigen::nbThreads()
//    threads with OpenMP when the consumer compiles with it (-fopenmp), sequentially otherwise;
//    each partition computes the same bits whichever thread runs it.
// This uses Eigen 3.4's internal general_matrix_matrix_product and level3_blocking. With another
// Eigen version, or with EIGEN_USE_BLAS (products go to the BLAS library, whose allocation and
// threading behaviour then applies), gemm falls back to plain Eigen products; defining
// IAI_GEMM_EIGEN_PRODUCTS forces that fallback (for comparisons). Like Eigen's own macros, these
// (and IAI_GEMM_MAX_PARTITIONS below) must be the same in every translation unit of a program.
#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/checks.hpp"

#if EIGEN_WORLD_VERSION == 3 && EIGEN_MAJOR_VERSION == 4 && !defined(EIGEN_USE_BLAS) && \
    !defined(IAI_GEMM_EIGEN_PRODUCTS)
#define IAI_GEMM_OWN_PATH 1
#else
#define IAI_GEMM_OWN_PATH 0
#endif

namespace iai::nn {

/// Which operands are transposed, and whether the product is added to C or assigned.
struct GemmOptions {
  bool transpose_a = false;  ///< op(A) = Aᵀ
  bool transpose_b = false;  ///< op(B) = Bᵀ
  bool accumulate = false;   ///< C += op(A) op(B) instead of C = op(A) op(B)
};

/// Partitioning limits (shape-only, so results never depend on the thread count): at most
/// kGemmMaxPartitions partitions (a power of two; products use at most that many threads),
/// each at least kGemmMinExtent rows (or columns) and kGemmMinFlops floating-point operations;
/// partition boundaries are multiples of kGemmGranule. A consumer with more cores may define
/// IAI_GEMM_MAX_PARTITIONS (e.g. 8); results are then bitwise those of that setting.
#ifndef IAI_GEMM_MAX_PARTITIONS
#define IAI_GEMM_MAX_PARTITIONS 4
#endif
inline constexpr Index kGemmMaxPartitions = IAI_GEMM_MAX_PARTITIONS;
inline constexpr Index kGemmMinExtent = 64;
inline constexpr double kGemmMinFlops = 1e6;
inline constexpr Index kGemmGranule = 16;

/// How gemm splits an m × n output with depth k: `count` blocks of rows (split_rows) or columns.
struct GemmPartitioning {
  Index count = 1;         ///< number of partitions (a power of two, at most kGemmMaxPartitions)
  bool split_rows = true;  ///< split the rows of the output (m ≥ n), else its columns
};

inline GemmPartitioning gemmPartitioning(Index m, Index n, Index k) {
  GemmPartitioning p;
  p.split_rows = m >= n;
  const Index extent = p.split_rows ? m : n;
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  while (p.count < kGemmMaxPartitions && extent >= 2 * p.count * kGemmMinExtent &&
         flops >= 2.0 * static_cast<double>(p.count) * kGemmMinFlops)
    p.count *= 2;
  return p;
}

/// [begin, end) of partition `part` out of `count` over `extent` (boundaries multiples of
/// kGemmGranule, sizes differing by at most one granule).
inline std::pair<Index, Index> gemmPartitionRange(Index extent, Index count, Index part) {
  const Index units = (extent + kGemmGranule - 1) / kGemmGranule;
  const auto boundary = [&](Index q) { return std::min(extent, (units * q / count) * kGemmGranule); };
  return {boundary(part), boundary(part + 1)};
}

namespace detail {
inline std::atomic<long>& gemmWorkspaceGrowthCounter() {
  static std::atomic<long> counter{0};
  return counter;
}
}  // namespace detail

/// How many times a gemm packing workspace (of any thread) has grown so far: the only heap
/// allocations of gemm. Constant once every product shape has run on every thread (tests).
inline long gemmWorkspaceGrowths() { return detail::gemmWorkspaceGrowthCounter().load(); }

namespace detail {

#if IAI_GEMM_OWN_PATH
/// Packing buffers of one thread, grown (never shrunk) to the largest block seen.
template <class S>
struct GemmWorkspace {
  Vector<S> a, b;
  static S* atLeast(Vector<S>& v, Index n) {
    if (v.size() < n) {
      v.resize(n);
      gemmWorkspaceGrowthCounter().fetch_add(1, std::memory_order_relaxed);
    }
    return v.data();
  }
};
template <class S>
GemmWorkspace<S>& gemmWorkspace() {
  thread_local GemmWorkspace<S> workspace;
  return workspace;
}

/// Eigen's blocking for one thread (kc, mc, nc from computeProductBlockingSizes with
/// num_threads = 1) over the calling thread's persistent buffers.
template <class S>
class GemmBlocking : public Eigen::internal::level3_blocking<S, S> {
 public:
  GemmBlocking(Index rows, Index cols, Index depth) {
    this->m_mc = rows;
    this->m_nc = cols;
    this->m_kc = depth;
    Eigen::internal::computeProductBlockingSizes<S, S, 1>(this->m_kc, this->m_mc, this->m_nc, Index{1});
    GemmWorkspace<S>& w = gemmWorkspace<S>();
    this->m_blockA = GemmWorkspace<S>::atLeast(w.a, this->m_mc * this->m_kc);
    this->m_blockB = GemmWorkspace<S>::atLeast(w.b, this->m_kc * this->m_nc);
  }
};

/// One sequential product on raw storage: res (rows × cols, column stride ldc) (+)= lhs · rhs,
/// lhs rows × depth and rhs depth × cols in the given storage orders.
template <class S, int LhsOrder, int RhsOrder>
void gemmBlock(Index rows, Index cols, Index depth, const S* lhs, Index lda, const S* rhs,
               Index ldb, S* res, Index ldc, bool accumulate) {
  using Eigen::OuterStride;
  if (rows == 0 || cols == 0) return;
  if (!accumulate)
    Eigen::Map<Matrix<S>, 0, OuterStride<>>(res, rows, cols, OuterStride<>(ldc)).setZero();
  if (depth == 0) return;
  if (cols == 1) {  // matrix-vector: Eigen's (sequential, allocation-free) GEMV, no packing
    using Lhs = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, LhsOrder>;
    const Eigen::Map<const Lhs, 0, OuterStride<>> a(lhs, rows, depth, OuterStride<>(lda));
    VectorMap<S> y(res, rows);
    if constexpr (RhsOrder == Eigen::ColMajor) {
      y.noalias() += a * ConstVectorMap<S>(rhs, depth);
    } else {
      y.noalias() +=
          a * Eigen::Map<const Vector<S>, 0, Eigen::InnerStride<>>(rhs, depth,
                                                                  Eigen::InnerStride<>(ldb));
    }
    return;
  }
  GemmBlocking<S> blocking(rows, cols, depth);
  Eigen::internal::general_matrix_matrix_product<Index, S, LhsOrder, false, S, RhsOrder, false,
                                                 Eigen::ColMajor, 1>::run(rows, cols, depth, lhs,
                                                                          lda, rhs, ldb, res, 1,
                                                                          ldc, S(1), blocking,
                                                                          nullptr);
}

/// Runs the partitions of C (+)= lhs · rhs (OpenMP over Eigen::nbThreads() threads when
/// available), then epilogue(row, col, rows, cols) on each partition's block by the same thread.
template <class S, int LhsOrder, int RhsOrder, class Epilogue>
void gemmPartitioned(Index m, Index n, Index k, const S* lhs, Index lda, const S* rhs, Index ldb,
                     S* res, Index ldc, bool accumulate, Epilogue& epilogue) {
  const GemmPartitioning plan = gemmPartitioning(m, n, k);
  const auto run = [&](Index part) {
    const auto [begin, end] = gemmPartitionRange(plan.split_rows ? m : n, plan.count, part);
    if (begin == end) return;
    if (plan.split_rows) {
      const S* a = LhsOrder == Eigen::ColMajor ? lhs + begin : lhs + begin * lda;
      gemmBlock<S, LhsOrder, RhsOrder>(end - begin, n, k, a, lda, rhs, ldb, res + begin, ldc,
                                       accumulate);
      epilogue(begin, Index(0), end - begin, n);
    } else {
      const S* b = RhsOrder == Eigen::ColMajor ? rhs + begin * ldb : rhs + begin;
      gemmBlock<S, LhsOrder, RhsOrder>(m, end - begin, k, lhs, lda, b, ldb, res + begin * ldc, ldc,
                                       accumulate);
      epilogue(Index(0), begin, m, end - begin);
    }
  };
#ifdef _OPENMP
  const int threads = static_cast<int>(std::min<Index>(Eigen::nbThreads(), plan.count));
  if (threads > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (Index part = 0; part < plan.count; ++part) run(part);
    return;
  }
#endif
  for (Index part = 0; part < plan.count; ++part) run(part);
}
#endif  // IAI_GEMM_OWN_PATH

struct NoEpilogue {
  void operator()(Index, Index, Index, Index) const noexcept {}
};

}  // namespace detail

/// C = op(A) op(B), or C += op(A) op(B) with options.accumulate; then, if given,
/// epilogue(row, col, rows, cols) is called once per partition on the block of C it computed
/// (on the thread that computed it; blocks are disjoint and cover C). C must not alias A or B.
/// Shapes are checked (iai::invalid_argument).
template <class S, class Epilogue = detail::NoEpilogue>
void gemm(MatrixRef<S> c, const ConstMatrixRef<S>& a, const ConstMatrixRef<S>& b,
          GemmOptions options = {}, Epilogue epilogue = {}) {
  const Index m = options.transpose_a ? a.cols() : a.rows();
  const Index k = options.transpose_a ? a.rows() : a.cols();
  const Index kb = options.transpose_b ? b.cols() : b.rows();
  const Index n = options.transpose_b ? b.rows() : b.cols();
  detail::checkDim("iai::nn::gemm", "the depth of op(B)", kb, "the depth of op(A)", k);
  detail::checkDim("iai::nn::gemm", "c.rows()", c.rows(), "the rows of op(A)", m);
  detail::checkDim("iai::nn::gemm", "c.cols()", c.cols(), "the columns of op(B)", n);
#if IAI_GEMM_OWN_PATH
  constexpr int Col = Eigen::ColMajor, Row = Eigen::RowMajor;
  const Index lda = a.outerStride(), ldb = b.outerStride(), ldc = c.outerStride();
  const bool acc = options.accumulate;
  // op(X) = Xᵀ of a column-major X is X's storage read row-major.
  if (!options.transpose_a && !options.transpose_b)
    detail::gemmPartitioned<S, Col, Col>(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, acc,
                                         epilogue);
  else if (options.transpose_a && !options.transpose_b)
    detail::gemmPartitioned<S, Row, Col>(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, acc,
                                         epilogue);
  else if (!options.transpose_a && options.transpose_b)
    detail::gemmPartitioned<S, Col, Row>(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, acc,
                                         epilogue);
  else
    detail::gemmPartitioned<S, Row, Row>(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, acc,
                                         epilogue);
#else
  // Fallback: plain Eigen products (thread-count-dependent blocking, Eigen's/BLAS's allocations).
  const auto apply = [&](const auto& lhs, const auto& rhs) {
    if (options.accumulate)
      c.noalias() += lhs * rhs;
    else
      c.noalias() = lhs * rhs;
  };
  if (!options.transpose_a && !options.transpose_b) apply(a, b);
  else if (options.transpose_a && !options.transpose_b) apply(a.transpose(), b);
  else if (!options.transpose_a && options.transpose_b) apply(a, b.transpose());
  else apply(a.transpose(), b.transpose());
  epilogue(Index(0), Index(0), m, n);
#endif
}

}  // namespace iai::nn
