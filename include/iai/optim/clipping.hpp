#pragma once
// Gradient clipping by global norm (as torch.nn.utils.clip_grad_norm_, without its 1e-6):
//   n = √(Σ_k ‖g_k‖²);   if n > max_norm: g_k ← g_k·(max_norm / n) for every buffer k.
// The norm is accumulated in double. A non-finite norm is returned without touching the buffers,
// so that the caller can detect it (e.g. stop on non-finite gradients).
#include <cmath>
#include <concepts>
#include <type_traits>

#include <Eigen/Core>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai::optim {
namespace detail {

template <class D>
double squaredNorm(const Eigen::DenseBase<D>& x) {
  double sum = 0.0;
  for (Index j = 0; j < x.cols(); ++j)
    for (Index i = 0; i < x.rows(); ++i) {
      const double v = static_cast<double>(x(i, j));
      sum += v * v;
    }
  return sum;
}

template <class T>
concept WritableDense = std::derived_from<std::remove_cvref_t<T>,
                                          Eigen::DenseBase<std::remove_cvref_t<T>>> &&
                        !std::is_const_v<std::remove_reference_t<T>>;

inline void checkMaxNorm(double max_norm) {
  IAI_CHECK(max_norm > 0.0 && std::isfinite(max_norm), "clipGlobalNorm", "max_norm", max_norm,
            "positive and finite");
}

}  // namespace detail

/// Rescale the buffers g1, g2, ... in place so that their joint norm is at most max_norm.
/// @return the global norm before clipping.
/// @throws iai::invalid_argument unless max_norm is positive and finite.
template <class... Ds>
  requires(sizeof...(Ds) >= 1 && (detail::WritableDense<Ds> && ...))
double clipGlobalNorm(double max_norm, Ds&&... grads) {
  detail::checkMaxNorm(max_norm);
  const double norm = std::sqrt((detail::squaredNorm(grads) + ...));
  if (std::isfinite(norm) && norm > max_norm) {
    const double scale = max_norm / norm;
    ((grads *= static_cast<typename std::remove_cvref_t<Ds>::Scalar>(scale)), ...);
  }
  return norm;
}

/// Rescale grad in place so that its norm is at most max_norm.
/// @return the norm before clipping.
/// @throws iai::invalid_argument unless max_norm is positive and finite.
template <class D>
double clipGlobalNorm(Eigen::DenseBase<D>& grad, double max_norm) {
  return clipGlobalNorm(max_norm, grad.derived());
}
/// Overload for temporaries such as blocks and maps.
template <class D>
double clipGlobalNorm(Eigen::DenseBase<D>&& grad, double max_norm) {
  return clipGlobalNorm(max_norm, grad.derived());
}

}  // namespace iai::optim
