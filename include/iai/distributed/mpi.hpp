#pragma once
// Data-parallel amortized variational EM over MPI (docs/distributed.md). Optional: include it only
// when linking the CMake target iai::mpi (MPI::MPI_CXX); <iai/iai.hpp> never includes it.
//
// A global batch of B columns is cut into C fixed shards (DataParallelConfig::shards; the rank
// count R must divide C); rank r computes shards [r·C/R, (r+1)·C/R). For each shard the trainer's
// computeGradients() runs with the shard's own noise stream Rng(seed, kShardStreams + step·C + k)
// and the global batch size B, so the shard gradients are each a 1/B-scaled sum and their total is
// the global mean (training/variational_em.hpp). Then one collective per step over the
// concatenated flat gradient buffers [∂θ | ∂φ]:
//   Reduction::Ordered  MPI_Allgather of the per-shard buffers; every rank adds shard 0, 1, …,
//                       C−1 in that order. The sum, hence the whole trajectory, is bitwise the same
//                       for every R that divides C. Moves C·P values per rank.
//   Reduction::Sum      each rank adds its own shards in order, then MPI_Allreduce(MPI_SUM) of P
//                       values. The cheap one (a ring moves about 2·P per rank), but the order of
//                       the additions depends on R: trajectories for different R agree only up to
//                       rounding (tests/distributed bounds the difference).
// A small second collective carries the shards' ELBO, reconstruction and KL sums (doubles) for
// the step statistics. Every rank then applies the same optimizer step to the same sums, so θ
// and φ stay identical; a checksum of θ and φ, compared every check_every steps, fails loudly if
// they ever do not.
// The C API only: skip the deprecated MPI-2 C++ bindings (they warn under -Wextra).
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/training/statistics.hpp"

namespace iai::mpi {

/// An MPI call failed, or the ranks disagree (parameters, sizes) where they must not.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw error(std::string("iai::mpi: ") + call + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}
template <class T>
MPI_Datatype datatype() {
  if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return MPI_UINT64_T;
  else static_assert(sizeof(T) == 0, "iai::mpi: no MPI datatype for this type");
}
inline int toInt(Index n, const char* fn, const char* what) {
  IAI_CHECK(n >= 0 && n <= INT_MAX, fn, what, n, "at most INT_MAX values (one MPI count)");
  return static_cast<int>(n);
}
}  // namespace detail

/// MPI_Init_thread (MPI_THREAD_FUNNELED: OpenMP threads inside a rank, MPI from the main thread)
/// and MPI_Finalize, once per process.
class Environment {
 public:
  /// Initialises MPI with the program's arguments.
  /// @throws iai::mpi::error if MPI_Init_thread fails.
  Environment(int& argc, char**& argv) {
    int provided = 0;
    detail::check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  ~Environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
};

/// This process's rank and the rank count of `comm`.
inline int rank(MPI_Comm comm = MPI_COMM_WORLD) {
  int r = 0;
  detail::check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
  return r;
}
/// The rank count of `comm`.
inline int size(MPI_Comm comm = MPI_COMM_WORLD) {
  int s = 1;
  detail::check(MPI_Comm_size(comm, &s), "MPI_Comm_size");
  return s;
}

/// Runs body() and returns its exit code. If it throws, prints one line
/// "<program>: error on rank <r>: <what>" and ends the whole job with MPI_Abort(comm, 1): a rank
/// that fails never leaves the others waiting in a collective.
template <class Body>
int guardedMain(const char* program, Body&& body, MPI_Comm comm = MPI_COMM_WORLD) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    int initialized = 0, finalized = 0, r = -1;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Comm_rank(comm, &r);
    std::fprintf(stderr, "%s: error on rank %d: %s\n", program, r, e.what());
    std::fflush(stderr);
    if (initialized && !finalized) MPI_Abort(comm, 1);
    return 1;
  }
}

/// [begin, begin + count) of part k when `total` items are cut into `parts` contiguous parts whose
/// sizes differ by at most one (the earlier parts are the smaller ones).
inline std::pair<Index, Index> partRange(Index total, Index parts, Index k) {
  const Index begin = k * total / parts, end = (k + 1) * total / parts;
  return {begin, end - begin};
}

/// The items [first, first + count) of `items` that this rank computes (partRange over the ranks).
inline std::pair<Index, Index> myItems(Index items, MPI_Comm comm = MPI_COMM_WORLD) {
  return partRange(items, size(comm), rank(comm));
}

/// `columns` (width × items) holds, on every rank, the columns myItems(items) that it computed;
/// afterwards every rank holds all of them (MPI_Allgatherv in place). Adding the columns in
/// column order then gives bitwise the same sum for every rank count.
template <class T>
void allgatherColumns(Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& columns,
                      MPI_Comm comm = MPI_COMM_WORLD) {
  const char* fn = "iai::mpi::allgatherColumns";
  const int ranks = size(comm);
  if (ranks == 1) return;
  const Index width = columns.rows(), items = columns.cols();
  detail::toInt(width * items, fn, "columns.size()");
  std::vector<int> counts(static_cast<std::size_t>(ranks)), displs(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) {
    const auto [first, count] = partRange(items, ranks, r);
    counts[static_cast<std::size_t>(r)] = static_cast<int>(count * width);
    displs[static_cast<std::size_t>(r)] = static_cast<int>(first * width);
  }
  detail::check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, columns.data(), counts.data(),
                               displs.data(), detail::datatype<T>(), comm),
                "MPI_Allgatherv");
}

/// In-place MPI_Allreduce(MPI_SUM) of v over `comm`.
template <class T>
void allreduceSum(T* v, Index n, MPI_Comm comm = MPI_COMM_WORLD) {
  detail::check(MPI_Allreduce(MPI_IN_PLACE, v, detail::toInt(n, "iai::mpi::allreduceSum", "n"),
                              detail::datatype<T>(), MPI_SUM, comm),
                "MPI_Allreduce");
}

/// FNV-1a over the bytes of the given buffers: equal parameters give equal checksums.
template <class... Buffers>
std::uint64_t checksum(const Buffers&... buffers) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&](const auto& b) {
    const auto* p = reinterpret_cast<const unsigned char*>(b.data());
    const std::size_t n = static_cast<std::size_t>(b.size()) * sizeof(*b.data());
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  };
  (add(buffers), ...);
  return h;
}

/// Throws iai::mpi::error on every rank unless all ranks pass the same value.
inline void checkSame(std::uint64_t value, const std::string& what, MPI_Comm comm = MPI_COMM_WORLD) {
  std::uint64_t v[2] = {value, ~value};  // max of v[1] is ~min(value)
  detail::check(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MAX, comm), "MPI_Allreduce");
  if (v[0] != ~v[1])
    throw error("iai::mpi: " + what + " differ across ranks (checksums from " +
                std::to_string(~v[1]) + " to " + std::to_string(v[0]) + ")");
}

/// How the shards' gradients are combined: Ordered (bitwise the same for every rank count that
/// divides C) or Sum (one MPI_Allreduce, equal only up to rounding across rank counts).
enum class Reduction { Ordered, Sum };

/// Settings of DataParallel.
struct DataParallelConfig {
  Index shards = 4;                 ///< C, fixed parts of every global batch; R must divide it
  /// How the shards' gradient buffers are reduced (Ordered by default).
  Reduction reduction = Reduction::Ordered;
  std::int64_t check_every = 100;   ///< steps between parameter checksums (0: only at the start)
};

/// First stream id of the per-shard noise streams Rng(seed, kShardStreams + step·C + k).
inline constexpr std::uint64_t kShardStreams = 1ULL << 32;

/// Data-parallel training and evaluation for a VariationalEM (any model, inference model and
/// optimizers). Every rank constructs its own VariationalEM with the same configuration and seed,
/// so θ and φ start equal (checked here), and passes the same global batches (fit() shuffles and
/// transforms them with the trainer's own streams, which are equal on every rank).
template <class EM>
class DataParallel {
 public:
  /// The trainer's element type (float or double).
  using S = typename EM::Scalar;

  /// @throws iai::invalid_argument if config.shards < 1, the rank count does not divide it, or
  ///         config.check_every < 0; iai::mpi::error if θ or φ differ across ranks.
  DataParallel(EM& em, MPI_Comm comm = MPI_COMM_WORLD, DataParallelConfig config = {})
      : em_(&em), comm_(comm), config_(config), rank_(mpi::rank(comm)), ranks_(mpi::size(comm)) {
    const char* fn = "DataParallel";
    IAI_CHECK(config.shards >= 1, fn, "config.shards", config.shards, "≥ 1");
    IAI_CHECK(config.shards % ranks_ == 0, fn, "config.shards", config.shards,
              "a multiple of the " + std::to_string(ranks_) + " ranks");
    IAI_CHECK(config.check_every >= 0, fn, "config.check_every", config.check_every, "≥ 0");
    p_theta_ = em.model().theta().size();
    p_phi_ = em.inference().phi().size();
    width_ = p_theta_ + p_phi_;
    trace_ = EM::kIterative ? em.iterations() + 1 : 1;
    const Index cols = config.reduction == Reduction::Ordered ? config.shards : 1;
    grads_.setZero(width_, cols);
    sums_.setZero(4 + trace_, cols);
    shard_.setZero(4 + trace_);
    checkParameters("θ and φ at the start");
  }

  /// This process's rank in the communicator.
  int rank() const { return rank_; }
  /// The rank count R.
  int ranks() const { return ranks_; }
  /// Whether this is rank 0.
  bool root() const { return rank_ == 0; }
  /// The VariationalEM it drives.
  EM& trainer() { return *em_; }
  /// The configuration it was made with.
  const DataParallelConfig& config() const { return config_; }
  /// Seconds spent in the step's collectives (gradients and statistics), summed over steps.
  double reduceSeconds() const { return reduce_seconds_; }

  /// One data-parallel step on the global batch x (D × B, the same on every rank, B ≥ C).
  const StepStatistics& step(const ConstMatrixRef<S>& x) {
    const auto t0 = std::chrono::steady_clock::now();
    const Index b = x.cols(), c = config_.shards;
    IAI_CHECK(b >= c, "DataParallel::step", "x.cols()", b,
              "≥ config.shards = " + std::to_string(c) + " (one column per shard at least)");
    const bool ordered = config_.reduction == Reduction::Ordered;
    const auto [first, count] = partRange(c, ranks_, rank_);
    auto& model = em_->model();
    auto& inference = em_->inference();
    for (Index k = first; k < first + count; ++k) {
      const auto [begin, n] = partRange(b, c, k);
      Rng noise(em_->config().seed, kShardStreams + static_cast<std::uint64_t>(em_->steps()) *
                                                        static_cast<std::uint64_t>(c) +
                                        static_cast<std::uint64_t>(k));
      em_->computeGradients(x.middleCols(begin, n), b, noise);
      const Index col = ordered ? k : 0;
      const bool add = !ordered && k > first;
      if (add) {
        grads_.col(col).head(p_theta_) += model.gradTheta();
        grads_.col(col).tail(p_phi_) += inference.gradPhi();
      } else {
        grads_.col(col).head(p_theta_) = model.gradTheta();
        grads_.col(col).tail(p_phi_) = inference.gradPhi();
      }
      const StepStatistics& s = em_->batchStatistics();
      const double w = static_cast<double>(n);
      shard_(0) = w, shard_(1) = w * s.elbo, shard_(2) = w * s.reconstruction, shard_(3) = w * s.kl;
      for (Index t = 0; t < trace_; ++t)
        shard_(4 + t) = w * s.elbo_per_iteration[static_cast<std::size_t>(t)];
      if (add) sums_.col(col) += shard_;
      else sums_.col(col) = shard_;
    }
    const auto t_reduce = std::chrono::steady_clock::now();
    if (ordered) {
      allgatherColumns(grads_, comm_);
      allgatherColumns(sums_, comm_);
    } else {
      allreduceSum(grads_.data(), grads_.size(), comm_);
      allreduceSum(sums_.data(), sums_.size(), comm_);
    }
    reduce_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_reduce).count();
    // the shards' sums in shard order (one column in the Sum mode)
    model.gradTheta() = grads_.col(0).head(p_theta_);
    inference.gradPhi() = grads_.col(0).tail(p_phi_);
    Eigen::VectorXd& total = shard_;
    total = sums_.col(0);
    for (Index k = 1; k < grads_.cols(); ++k) {
      model.gradTheta() += grads_.col(k).head(p_theta_);
      inference.gradPhi() += grads_.col(k).tail(p_phi_);
      total += sums_.col(k);
    }
    StepStatistics& s = em_->batchStatistics();
    s.batch = b;
    s.elbo = total(1) / total(0), s.reconstruction = total(2) / total(0), s.kl = total(3) / total(0);
    for (Index t = 0; t < trace_; ++t)
      s.elbo_per_iteration[static_cast<std::size_t>(t)] = total(4 + t) / total(0);
    em_->applyUpdate();
    StepStatistics& done = em_->batchStatistics();
    if (config_.check_every > 0 && em_->steps() % config_.check_every == 0)
      checkParameters("θ and φ after step " + std::to_string(em_->steps()));
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return done;
  }

  /// VariationalEM::fit with this step: the same epochs, shuffling, data stream and callbacks
  /// (pass printing callbacks on one rank only, e.g. a ProgressBar writing to nullptr elsewhere).
  template <class Source, class... Callbacks>
  EpochStatistics fit(Source& source, int epochs, Callbacks&&... callbacks) {
    return em_->fitWith([this](const Matrix<S>& x) -> const StepStatistics& { return step(x); },
                        source, epochs, std::forward<Callbacks>(callbacks)...);
  }

  /// Sharded VariationalEM::evaluate: the mean ELBO per inference iteration over the source, in
  /// batches of `batch` columns; batch k is transformed with Rng(data_seed, k) and inferred with
  /// noise Rng(noise_seed, k), and the batches' sums are added in batch order, so the result is
  /// the same for every rank count. Returns the same vector on every rank.
  template <class Source>
  std::vector<double> evaluate(Source& source, Index batch, std::uint64_t data_seed,
                               std::uint64_t noise_seed) {
    IAI_CHECK(batch >= 1, "DataParallel::evaluate", "batch", batch, "≥ 1");
    IAI_CHECK(source.size() >= 1, "DataParallel::evaluate", "source.size()", source.size(),
              "≥ 1 (a non-empty data set)");
    const Index n_batches = (source.size() + batch - 1) / batch;
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(1 + trace_, n_batches);
    const auto [first, count] = myItems(n_batches, comm_);
    std::vector<Index> idx;
    std::vector<double> trace;
    Matrix<S> x, mean, log_var;
    for (Index k = first; k < first + count; ++k) {
      const Index start = k * batch, n = std::min(batch, source.size() - start);
      idx.resize(static_cast<std::size_t>(n));
      std::iota(idx.begin(), idx.end(), start);
      x.resize(source.dim(), n);
      Rng data_rng(data_seed, static_cast<std::uint64_t>(k)), noise(noise_seed, static_cast<std::uint64_t>(k));
      source.gather(idx, x, data_rng);
      mean.resize(em_->model().latentDim(), n);
      log_var.resize(em_->model().latentDim(), n);
      em_->infer(x, mean, log_var, noise, &trace);
      sums(0, k) = static_cast<double>(n);
      for (Index t = 0; t < trace_; ++t) sums(1 + t, k) = static_cast<double>(n) * trace[static_cast<std::size_t>(t)];
    }
    allgatherColumns(sums, comm_);
    std::vector<double> total(static_cast<std::size_t>(trace_), 0.0);
    double examples = 0;
    for (Index k = 0; k < n_batches; ++k) {
      examples += sums(0, k);
      for (Index t = 0; t < trace_; ++t) total[static_cast<std::size_t>(t)] += sums(1 + t, k);
    }
    for (double& v : total) v /= examples;
    return total;
  }

  /// Throws iai::mpi::error on every rank if θ or φ differ across ranks.
  void checkParameters(const std::string& what) {
    checkSame(checksum(em_->model().theta(), em_->inference().phi()), what, comm_);
  }

 private:
  EM* em_;
  MPI_Comm comm_;
  DataParallelConfig config_;
  int rank_, ranks_;
  Index p_theta_ = 0, p_phi_ = 0, width_ = 0, trace_ = 1;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> grads_;  // [∂θ | ∂φ] per shard (Ordered) or summed
  Eigen::MatrixXd sums_;  // per shard: examples, then the ELBO, reconstruction, KL and trace sums
  Eigen::VectorXd shard_;  // one shard's sums, then the total
  double reduce_seconds_ = 0;
};

}  // namespace iai::mpi
