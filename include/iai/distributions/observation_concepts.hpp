#pragma once
// The ObservationModel concept: p(x | η) for a decoder output η, batched one example per column.
//
// Minimum API, for a model `o` of type O with O::Scalar = S; x is D×B data, η is
// parameterRows(D)×B natural parameters (the decoder's output), B examples:
//   o.parameterRows(D)                 rows of η the decoder must produce
//   o.parameterCount()                 number of the model's own learnable parameters (0 if none)
//   o.bind(params, grads)              point them into flat buffers (parameter/gradient layout)
//   o.initialize(rng)                  write their initial values through the bound pointer
//   o.logDensity(x, η, log_px)         log_px(j) = Σ_i log p(x_ij | η_·j)
//   o.backward(x, η, w, grad_η, pg)    grad_η = w ∂log p(x_j|η_j)/∂η_j (assigned); with
//                                      pg == Accumulate, own grads += w Σ_j ∂log p(x_j|η_j)/∂own
//   o.mean(η, μ)                       E[x | η], D×B
//   o.sample(η, rng, x)                x ~ p(x | η), D×B
//   o.error(x, η, weighting, ε_x)      the bottom-up error of the paper's Sec. 4.1, D×B:
//                                      ErrorWeighting::Raw = x − E[x|η], ::Precision = the same
//                                      divided by Var[x|η] (guarded, see each model)
// Outputs must not alias the inputs.
#include <concepts>
#include <limits>
#include <string>
#include <string_view>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"

namespace iai {

namespace detail {

template <class O, class S>
concept ObservationModelFor =
    requires(O& o, const O& co, Index d, S* buffer, Rng& rng, const ConstMatrixRef<S>& x,
             const ConstMatrixRef<S>& eta, RowVectorRef<S> log_px, MatrixRef<S> out, S weight,
             ParamGrad pg, ErrorWeighting weighting) {
      { co.parameterRows(d) } -> std::convertible_to<Index>;
      { co.parameterCount() } -> std::convertible_to<Index>;
      o.bind(buffer, buffer);
      o.initialize(rng);
      co.logDensity(x, eta, log_px);
      o.backward(x, eta, weight, out, pg);
      co.mean(eta, out);
      co.sample(eta, rng, out);
      co.error(x, eta, weighting, out);
    };

namespace observation {

using ::iai::detail::shapeString;

/// "<function>: <argument>'s shape is RxC, but must be <what> R'xC'".
inline void checkShape(std::string_view function, std::string_view argument, Index rows,
                       Index cols, std::string_view what, Index expected_rows,
                       Index expected_cols) {
  IAI_CHECK(rows == expected_rows && cols == expected_cols, function,
            std::string(argument) + "'s shape", shapeString(rows, cols),
            std::string(what) + " " + shapeString(expected_rows, expected_cols));
}

/// Domain check of every entry of x: lo ≤ x(i, j) ≤ hi (NaN fails), else iai::domain_error
/// "<function>: x(i, j) is <value>, but must be <expected>". Two vectorised NaN-propagating
/// reductions decide; the element loop runs only to name the first offending entry.
template <class S>
void checkEntries(std::string_view function, const ConstMatrixRef<S>& x, S lo, S hi,
                  std::string_view expected);

/// The fast test of checkEntries: lo ≤ x(i, j) ≤ hi for every entry (NaN fails). Passes that read
/// x block by block anyway run it on each block as they go (one read of x), then call
/// checkEntries, which names the first offending entry, only when a block failed.
template <class Derived, class S>
bool entriesIn(const Eigen::DenseBase<Derived>& x, S lo, S hi) {
  return x.size() == 0 || (x.template minCoeff<Eigen::PropagateNaN>() >= lo &&
                           x.template maxCoeff<Eigen::PropagateNaN>() <= hi);
}

template <class S>
void checkEntries(std::string_view function, const ConstMatrixRef<S>& x, S lo, S hi,
                  std::string_view expected) {
  if (entriesIn(x, lo, hi)) return;
  for (Index j = 0; j < x.cols(); ++j)
    for (Index i = 0; i < x.rows(); ++i)
      IAI_CHECK_DOMAIN(x(i, j) >= lo && x(i, j) <= hi, function,
                       "x(" + std::to_string(i) + ", " + std::to_string(j) + ")", x(i, j),
                       expected);
}
/// Every entry finite (not NaN, not ±inf).
template <class S>
void checkFinite(std::string_view function, const ConstMatrixRef<S>& x) {
  checkEntries<S>(function, x, std::numeric_limits<S>::lowest(), std::numeric_limits<S>::max(),
                  "finite (not NaN or ±inf)");
}

}  // namespace observation
}  // namespace detail

namespace concepts {

/// An observation model p(x | η) with hand-written derivatives (see the table above).
template <class O>
concept ObservationModel =
    requires { typename O::Scalar; } && detail::ObservationModelFor<O, typename O::Scalar>;

}  // namespace concepts
}  // namespace iai
