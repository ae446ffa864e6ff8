#pragma once
// Where training batches come from. A BatchSource knows its size and dimension and gathers the
// examples with the given indices into caller storage (one example per column); it may transform
// them on the way (e.g. dynamic binarisation with the given random stream).
#include <concepts>
#include <span>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"

namespace iai {

namespace concepts {
template <class B>
concept BatchSource = requires(const B& cb, B& b, std::span<const Index> idx,
                               MatrixRef<typename B::Scalar> out, Rng& rng) {
  typename B::Scalar;
  { cb.size() } -> std::convertible_to<Index>;
  { cb.dim() } -> std::convertible_to<Index>;
  b.gather(idx, out, rng);
};
}  // namespace concepts

/// The examples are the columns of a matrix (not copied: the matrix must outlive the source).
template <class S>
class MatrixBatchSource {
 public:
  /// The element type (float or double).
  using Scalar = S;
  /// Views `data`, which must outlive the source.
  explicit MatrixBatchSource(const Matrix<S>& data) : data_(&data) {}
  /// A temporary would dangle: keep the matrix in a variable.
  explicit MatrixBatchSource(Matrix<S>&&) = delete;
  /// The number of examples N (columns).
  Index size() const { return data_->cols(); }
  /// The dimension D of one example (rows).
  Index dim() const { return data_->rows(); }
  /// Copies the columns `idx` into the columns of `out` (dim() × idx.size()); rng is unused.
  /// @throws iai::invalid_argument on a shape mismatch or an index outside [0, size()).
  void gather(std::span<const Index> idx, MatrixRef<S> out, Rng& /*rng*/) const {
    detail::checkShape("MatrixBatchSource::gather", "out shape", out.rows(), out.cols(), dim(),
                       static_cast<Index>(idx.size()), "dim() × number of indices");
    for (std::size_t k = 0; k < idx.size(); ++k) {
      IAI_CHECK(idx[k] >= 0 && idx[k] < size(), "MatrixBatchSource::gather", "index", idx[k],
                "in [0, size() = " + std::to_string(size()) + ")");
      out.col(static_cast<Index>(k)) = data_->col(idx[k]);
    }
  }

 private:
  const Matrix<S>* data_;
};

}  // namespace iai
