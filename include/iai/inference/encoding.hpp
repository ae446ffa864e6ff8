#pragma once
// Encodings of the ELBO gradient an iterative inference model reads (docs/derivations.md §5.4):
//   LogMagnitudeSign  log(|g| + 1e-5) and sign(g), Andrychowicz et al. (2016)-style, the authors'
//                     MNIST default (two rows per latent dimension);
//   LayerNorm         per example over the latent dimensions: (g − mean_j)/(std_j + 1e-5);
//   BatchStandardize  per latent dimension over the batch: (g − mean_i)/(std_i + 1e-5) (what the
//                     authors' "layer_norm" CIFAR option computes; depends on the batch);
//   Raw               g itself.
#include <cmath>
#include <string>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"

namespace iai {

enum class GradientEncoding { None, Raw, LogMagnitudeSign, LayerNorm, BatchStandardize };

/// Rows an encoding produces for a d-dimensional gradient.
inline Index encodedRows(GradientEncoding e, Index d) {
  switch (e) {
    case GradientEncoding::None: return 0;
    case GradientEncoding::LogMagnitudeSign: return 2 * d;
    default: return d;
  }
}

inline constexpr double kEncodingEpsilon = 1e-5;

/// Writes the encoding of g (d × B) into out (encodedRows(e, d) × B). Sign rows follow the
/// log-magnitude rows. No allocation. Finite for any finite g (log(0 + 1e-5) for g = 0).
/// @throws iai::invalid_argument if out is not encodedRows(e, d) × B.
template <class S>
void encodeGradient(GradientEncoding e, const ConstMatrixRef<S>& g, MatrixRef<S> out) {
  const Index d = g.rows();
  detail::checkShape("encodeGradient", "out", out.rows(), out.cols(), encodedRows(e, d), g.cols(),
                     "encodedRows(e, g.rows()) × g.cols()");
  const S eps = S(kEncodingEpsilon);
  switch (e) {
    case GradientEncoding::None:
      return;
    case GradientEncoding::Raw:
      out = g;
      return;
    case GradientEncoding::LogMagnitudeSign:
      out.topRows(d).array() = (g.array().abs() + eps).log();
      out.bottomRows(d).array() = g.array().sign();
      return;
    case GradientEncoding::LayerNorm:
      for (Index j = 0; j < g.cols(); ++j) {
        const S mean = g.col(j).mean();
        const S var = (g.col(j).array() - mean).square().mean();
        out.col(j).array() = (g.col(j).array() - mean) / (std::sqrt(var) + eps);
      }
      return;
    case GradientEncoding::BatchStandardize:
      for (Index i = 0; i < d; ++i) {
        const S mean = g.row(i).mean();
        const S var = (g.row(i).array() - mean).square().mean();
        out.row(i).array() = (g.row(i).array() - mean) / (std::sqrt(var) + eps);
      }
      return;
  }
}

}  // namespace iai
