#pragma once
// Eigen aliases templated on Scalar. Batches are column-major matrices, one example per column.
#include <Eigen/Core>

namespace iai {

using Index = Eigen::Index;

template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <class Scalar>
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

template <class Scalar>
using MatrixRef = Eigen::Ref<Matrix<Scalar>>;
template <class Scalar>
using ConstMatrixRef = Eigen::Ref<const Matrix<Scalar>>;
template <class Scalar>
using VectorRef = Eigen::Ref<Vector<Scalar>>;
template <class Scalar>
using ConstVectorRef = Eigen::Ref<const Vector<Scalar>>;
template <class Scalar>
using RowVectorRef = Eigen::Ref<RowVector<Scalar>>;
template <class Scalar>
using ConstRowVectorRef = Eigen::Ref<const RowVector<Scalar>>;

template <class Scalar>
using MatrixMap = Eigen::Map<Matrix<Scalar>>;
template <class Scalar>
using ConstMatrixMap = Eigen::Map<const Matrix<Scalar>>;
template <class Scalar>
using VectorMap = Eigen::Map<Vector<Scalar>>;
template <class Scalar>
using ConstVectorMap = Eigen::Map<const Vector<Scalar>>;

/// Whether a backward pass also accumulates parameter gradients (θ or φ) or only
/// computes the gradient w.r.t. its input (what the inner inference loop needs).
enum class ParamGrad { Skip, Accumulate };

/// How an error signal (ε_x, ε_z of Sec. 4.1) is weighted: raw difference x − E[x|z], or
/// divided by the variance (precision-weighted).
enum class ErrorWeighting { Raw, Precision };

}  // namespace iai
