#pragma once
// train --distributed (docs/distributed.md): the data-parallel parts of the train example, over
// MPI (iai::mpi, include/iai/distributed/mpi.hpp). Built only when CMake found MPI.
#include <algorithm>
#include <chrono>
#include <vector>

#include <iai/distributed/mpi.hpp>

#include "evaluation.hpp"

namespace examples {

/// finalEvaluation over the ranks of `comm`: batch k of the paired inputs x is scored by one rank,
/// with the per-batch noise streams Rng(derivedSeed(eval_seed, kElbo), k) and
/// Rng(derivedSeed(eval_seed, kImportance), k), and the batches' results are gathered and added in
/// batch order. The numbers are therefore the same for every rank count (they differ from the
/// serial finalEvaluation, whose two streams run through all batches). The amortization gap is
/// computed by rank 0 alone (the other ranks report none). Every rank returns the ELBO and IS part.
template <class M, class I>
FinalResult distributedFinalEvaluation(iai::VariationalEM<M, I>& em,
                                       const iai::Matrix<typename M::Scalar>& x,
                                       const FinalConfig& c, iai::ProgressBar* progress = nullptr,
                                       MPI_Comm comm = MPI_COMM_WORLD) {
  using Em = iai::VariationalEM<M, I>;
  const auto t_is = std::chrono::steady_clock::now();
  const iai::Index n = x.cols(), n_batches = (n + c.batch - 1) / c.batch;
  const iai::Index trace = Em::kIterative ? em.iterations() + 1 : 1;
  const iai::Index width = 2 + trace + 2 * c.batch;  // b, Σ ELBO, Σ per iteration, nll_j, se_j
  Eigen::MatrixXd columns = Eigen::MatrixXd::Zero(width, n_batches);
  iai::ImportanceSampler<M> sampler(c.is_samples, c.is_chunk);
  const std::uint64_t elbo_seed = derivedSeed(c.eval_seed, streams::kElbo),
                      is_seed = derivedSeed(c.eval_seed, streams::kImportance);
  const auto [first, count] = iai::mpi::myItems(n_batches, comm);
  if (progress) progress->onProgress("test ELBO and IS (this rank's batches)", 0, count);
  for (iai::Index k = first; k < first + count; ++k) {
    const iai::Index b = std::min(c.batch, n - k * c.batch);
    ScoredExamples s;
    iai::Rng elbo_rng(elbo_seed, static_cast<std::uint64_t>(k)), is_rng(is_seed, static_cast<std::uint64_t>(k));
    scoreBatch(em, sampler, x.middleCols(k * c.batch, b), elbo_rng, is_rng, s);
    columns(0, k) = static_cast<double>(b);
    columns(1, k) = s.elbo_sum;
    for (iai::Index t = 0; t < trace; ++t) columns(2 + t, k) = s.trace_sums[static_cast<std::size_t>(t)];
    for (iai::Index j = 0; j < b; ++j) {
      columns(2 + trace + j, k) = s.nll[static_cast<std::size_t>(j)];
      columns(2 + trace + c.batch + j, k) = s.is_se[static_cast<std::size_t>(j)];
    }
    if (progress) progress->onProgress("test ELBO and IS (this rank's batches)", k + 1 - first, count);
  }
  iai::mpi::allgatherColumns(columns, comm);
  ScoredExamples all;
  all.trace_sums.assign(static_cast<std::size_t>(trace), 0.0);
  for (iai::Index k = 0; k < n_batches; ++k) {
    all.elbo_sum += columns(1, k);
    for (iai::Index t = 0; t < trace; ++t) all.trace_sums[static_cast<std::size_t>(t)] += columns(2 + t, k);
    for (iai::Index j = 0; j < static_cast<iai::Index>(columns(0, k)); ++j) {
      all.nll.push_back(columns(2 + trace + j, k));
      all.is_se.push_back(columns(2 + trace + c.batch + j, k));
    }
  }
  FinalResult r;
  summarizeScores(all, r);
  r.seconds_is = detail::seconds(t_is);
  if (iai::mpi::rank(comm) == 0) amortizationGapResults(em, x, c, r);
  return r;
}

}  // namespace examples
