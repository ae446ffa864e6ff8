#pragma once
// Sparse count lines, the SVMlight/libsvm layout of the RCV1 files the authors read (paper §5,
// documents):
//   <label-or-count> <index>:<count> <index>:<count> ...   [# comment]
// one document per line. Indices are **1-based** (SVMlight's convention: 1 … V), strictly
// ascending within a line (so unique) and at most V; counts are non-negative integers (decimal
// digits, at most 2^24 so that a float holds them exactly). The leading token is any finite
// number, kept as the document's label. Blank lines and '#' comments are skipped; separators are
// spaces or tabs; line endings LF or CRLF.
// The counts stay sparse in memory (CSR: row_start, index, count) and SparseCountSource
// densifies only the requested documents in gather(), so a V × N corpus costs O(nonzeros).
// The file is read whole (at most kMaxTextFileBytes) through iai::InputFile; every fault is an
// iai::io_error naming readSparseCounts, the file, the line and what was expected.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/data/text.hpp"

namespace iai {

/// The largest count a sparse line may hold (exact in float).
inline constexpr std::uint64_t kMaxSparseCount = std::uint64_t{1} << 24;
/// The largest vocabulary (index) a sparse line may name.
inline constexpr std::uint64_t kMaxSparseIndex = std::uint64_t{1} << 31;

/// Documents as compressed sparse rows: document j holds the (0-based) word ids
/// index[row_start[j] .. row_start[j+1]) with their counts.
struct SparseCounts {
  Index vocabulary = 0;                 ///< V (rows of a dense batch)
  std::vector<std::int64_t> row_start;  ///< N + 1 offsets
  std::vector<std::int32_t> index;      ///< 0-based word ids, ascending per document
  std::vector<std::uint32_t> count;     ///< counts ≥ 0
  std::vector<double> label;            ///< the leading token of each line

  /// The number of documents N.
  Index size() const { return row_start.empty() ? 0 : static_cast<Index>(row_start.size()) - 1; }
  /// Σ_v x_v of document j (its number of words).
  std::uint64_t words(Index j) const {
    std::uint64_t w = 0;
    for (auto k = row_start[static_cast<std::size_t>(j)];
         k < row_start[static_cast<std::size_t>(j) + 1]; ++k)
      w += count[static_cast<std::size_t>(k)];
    return w;
  }
};

/// Reads sparse count lines (see the file comment). `vocabulary` = V when > 0 (an index above it
/// is an error); 0 takes V = the largest index in the file.
/// @throws iai::invalid_argument if vocabulary < 0 or > 2^31; iai::io_error for a missing, too
///         large or malformed file, or one without documents.
inline SparseCounts readSparseCounts(const std::string& path, Index vocabulary = 0,
                                     std::uint64_t max_bytes = kMaxTextFileBytes) {
  constexpr std::string_view fn = "readSparseCounts";
  IAI_CHECK(vocabulary >= 0 && static_cast<std::uint64_t>(vocabulary) <= kMaxSparseIndex, fn,
            "vocabulary", vocabulary, "in [0, 2^31] (0: the largest index in the file)");
  InputFile file(path, fn, "sparse count lines (<label> <index>:<count> ...)");
  const std::string text = detail::readText(file, max_bytes);
  detail::LineReader lines(text, file);
  const std::uint64_t max_index =
      vocabulary > 0 ? static_cast<std::uint64_t>(vocabulary) : kMaxSparseIndex;
  SparseCounts out;
  out.row_start.push_back(0);
  std::uint64_t largest = 0;
  std::string_view line;
  while (lines.next(line)) {
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    std::size_t pos = 0, tokens = 0;
    std::uint64_t previous = 0;
    while (pos < line.size()) {
      while (pos < line.size() && detail::isBlank(line[pos])) ++pos;
      if (pos >= line.size()) break;
      std::size_t end = pos;
      while (end < line.size() && !detail::isBlank(line[end])) ++end;
      const std::string_view token = line.substr(pos, end - pos);
      pos = end;
      if (tokens++ == 0) {
        double label;
        if (!detail::parseFinite(token, label))
          lines.fail("a first token " + detail::quoteShort(token),
                     "a finite number (the label or word count of the document)");
        out.label.push_back(label);
        continue;
      }
      const std::size_t colon = token.find(':');
      std::uint64_t index = 0, count = 0;
      if (colon == std::string_view::npos)
        lines.fail("the token " + detail::quoteShort(token), "<index>:<count>");
      if (!detail::parseUnsigned(token.substr(0, colon), max_index, index) || index == 0)
        lines.fail("the index in " + detail::quoteShort(token),
                   "an integer in [1, " + std::to_string(max_index) +
                       "] (1-based word ids, as SVMlight" +
                       (vocabulary > 0 ? ", at most the vocabulary V)" : ")"));
      if (index <= previous)
        lines.fail("the index " + std::to_string(index) + " after " + std::to_string(previous),
                   "strictly ascending within a line (no repeats)");
      if (!detail::parseUnsigned(token.substr(colon + 1), kMaxSparseCount, count))
        lines.fail("the count in " + detail::quoteShort(token),
                   "a non-negative integer count of at most 2^24");
      previous = index;
      if (index > largest) largest = index;
      out.index.push_back(static_cast<std::int32_t>(index - 1));
      out.count.push_back(static_cast<std::uint32_t>(count));
    }
    if (tokens == 0) continue;  // blank or comment-only line
    out.row_start.push_back(static_cast<std::int64_t>(out.index.size()));
  }
  if (out.size() == 0)
    detail::raiseFile(fn, "", path, "without documents",
                      "at least one line '<label> <index>:<count> ...'");
  out.vocabulary = vocabulary > 0 ? vocabulary : static_cast<Index>(largest);
  if (out.vocabulary == 0)
    detail::raiseFile(fn, "the vocabulary", path, "empty (no index:count pair in any line)",
                      "at least one word, or a vocabulary V given by the caller");
  return out;
}

/// A BatchSource over sparse counts: gather() writes the dense V-vectors of the requested
/// documents (zeros, then the document's counts); nothing else is densified.
template <class S>
class SparseCountSource {
  static_assert(std::is_floating_point_v<S>, "SparseCountSource<S>: S must be float or double");

 public:
  /// The element type of gathered batches (float or double).
  using Scalar = S;
  SparseCountSource() = default;
  /// Takes ownership of `counts`.
  explicit SparseCountSource(SparseCounts counts) : counts_(std::move(counts)) {}
  /// readSparseCounts(path, vocabulary) as a source.
  static SparseCountSource load(const std::string& path, Index vocabulary = 0) {
    return SparseCountSource(readSparseCounts(path, vocabulary));
  }

  /// The number of documents N.
  Index size() const { return counts_.size(); }
  /// The vocabulary size V (rows of a batch).
  Index dim() const { return counts_.vocabulary; }
  /// The sparse counts.
  const SparseCounts& counts() const { return counts_; }
  /// The number of words of document j.
  std::uint64_t words(Index j) const { return counts_.words(j); }

  /// out.col(k) = the counts of document idx[k] (V × idx.size()). No allocation.
  /// @throws iai::invalid_argument on a shape mismatch or an index outside [0, size()).
  void gather(std::span<const Index> idx, MatrixRef<S> out, Rng& /*rng*/) const {
    constexpr const char* fn = "SparseCountSource::gather";
    detail::checkShape(fn, "out shape", out.rows(), out.cols(), dim(),
                       static_cast<Index>(idx.size()), "dim() x number of indices");
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const Index j = idx[k];
      IAI_CHECK(j >= 0 && j < size(), fn, "index", j,
                "in [0, size() = " + std::to_string(size()) + ")");
      auto col = out.col(static_cast<Index>(k));
      col.setZero();
      const auto b = static_cast<std::size_t>(j);
      for (auto e = counts_.row_start[b]; e < counts_.row_start[b + 1]; ++e) {
        const auto u = static_cast<std::size_t>(e);
        col(counts_.index[u]) = static_cast<S>(counts_.count[u]);
      }
    }
  }

  /// Documents first … first + count − 1.
  SparseCountSource subset(Index first, Index count) const {
    IAI_CHECK(first >= 0 && first <= size() && count >= 0 && count <= size() - first,
              "SparseCountSource::subset", "first, count",
              std::to_string(first) + ", " + std::to_string(count),
              "a range inside [0, size() = " + std::to_string(size()) + "]");
    SparseCounts c;
    c.vocabulary = counts_.vocabulary;
    const auto f = static_cast<std::size_t>(first), n = static_cast<std::size_t>(count);
    const auto e0 = counts_.row_start[f], e1 = counts_.row_start[f + n];
    c.row_start.reserve(n + 1);
    for (std::size_t j = 0; j <= n; ++j) c.row_start.push_back(counts_.row_start[f + j] - e0);
    c.index.assign(counts_.index.begin() + e0, counts_.index.begin() + e1);
    c.count.assign(counts_.count.begin() + e0, counts_.count.begin() + e1);
    c.label.assign(counts_.label.begin() + first, counts_.label.begin() + first + count);
    return SparseCountSource(std::move(c));
  }

 private:
  SparseCounts counts_;
};

}  // namespace iai
