#pragma once
// The E-step of amortized variational EM (paper Sec. 3), as a component usable without a trainer:
//   standard model (Eq. 5):  λ = f_φ(x), one ELBO evaluation;
//   iterative model (Eq. 6): λ_0 = the prior (ElboFor<M>::initialLambda: N(0, I), or the
//                            ancestral prior of a hierarchy); for t = 0…T−1:
//                            λ_{t+1} = f_φ(u_t), u_t built from x, λ_t and ∇_λ L_t (or the
//                            errors ε_x, ε_z of Sec. 4.1), all inputs detached (stop-gradient).
// Two modes:
//   Mode::Evaluate  λ_T (mean(), logVar()) and the batch-mean ELBO of every estimate (trace():
//                   L_0 … L_T for an iterative model, L for a standard one); no gradient.
//   Mode::Train     additionally accumulates, in the ascent direction (docs/derivations.md §5),
//                     gradPhi()   += Σ_{t=1…T} Σ_j ∂L_t,j/∂φ  — each term flows through the
//                                    update that produced λ_t only (one-step truncation, the
//                                    authors' φ gradient; T = 1 for a standard model);
//                     gradTheta() += Σ_j ∂L_T,j/∂θ          — the final estimate only.
//                   VariationalEM turns these sums into the loss gradients (sign and batch mean,
//                   see training/variational_em.hpp); a user driving the E-step alone can do the
//                   same or use the sums directly.
// The ELBO objective is passed per call, so one E-step serves a training objective (KL warm-up
// β) and an evaluation objective (β = 1). Buffers are owned and sized on first use: after
// warm-up a call does not allocate.
#include <cstddef>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/objectives/elbo_for.hpp"
#include "iai/models/concepts.hpp"

namespace iai {

/// The E-step of amortized variational EM (Sec. 3) for a generative model M and an inference
/// model I, usable without a trainer: λ = f_φ(x) (Eq. 5), or λ_0 = the prior and T updates
/// λ_{t+1} = f_φ(u_t) (Eq. 6). Holds references to the models; owns its buffers.
template <class M, class I>
class EStep {
  static_assert(concepts::checkDifferentiableGenerativeModel<M>());
  static_assert(concepts::checkInferenceModel<I>());

 public:
  /// The models' element type (float or double).
  using Scalar = typename M::Scalar;
  /// Short for Scalar.
  using S = Scalar;
  /// Whether I is an iterative inference model (Eq. 6) rather than a standard one (Eq. 5).
  static constexpr bool kIterative = concepts::IterativeInferenceModel<I>;
  /// Evaluate: λ_T and the ELBO trace only. Train: also accumulates Σ_{t=1…T} ∂L_t/∂φ into
  /// gradPhi() (one-step truncation) and ∂L_T/∂θ into gradTheta() (docs/derivations.md §5).
  enum class Mode { Evaluate, Train };

  /// @param model  the generative model p_θ (referenced, not copied).
  /// @param inference  the inference model q_φ (referenced, not copied).
  /// @param iterations T, the inference iterations of an iterative model (ignored for a
  ///        standard one).
  /// @throws iai::invalid_argument if iterations < 1 or the models' sizes disagree.
  EStep(M& model, I& inference, Index iterations) : model_(&model), inference_(&inference) {
    setIterations(iterations);
    const char* fn = "EStep";
    IAI_CHECK(model.latentDim() == inference.latentDim(), fn, "inference.latentDim()",
              inference.latentDim(), "the model's latentDim() = " + std::to_string(model.latentDim()));
    IAI_CHECK(model.observedDim() == inference.observedDim(), fn, "inference.observedDim()",
              inference.observedDim(),
              "the model's observedDim() = " + std::to_string(model.observedDim()));
  }

  /// The generative model.
  M& model() { return *model_; }
  /// The inference model.
  I& inference() { return *inference_; }
  /// Inference iterations that are run: T for an iterative model, 1 for a standard one.
  Index iterations() const { return kIterative ? iterations_ : 1; }
  /// Sets T (e.g. to run an iterative model past the T it was trained with).
  /// @throws iai::invalid_argument if iterations < 1.
  void setIterations(Index iterations) {
    IAI_CHECK(iterations >= 1, "EStep::setIterations", "iterations", iterations, "≥ 1");
    iterations_ = iterations;
  }

  /// Runs the E-step on x (D × B) with the objective `elbo` and the noise of `rng` (see the file
  /// comment for the modes). If `mean_trace` is given it receives the mean of every estimate
  /// (λ_0 … λ_T, for figures). Shapes are the caller's responsibility (VariationalEM checks them).
  void run(const ConstMatrixRef<S>& x, ElboFor<M>& elbo, Rng& rng, Mode mode,
           std::vector<Matrix<S>>* mean_trace = nullptr) {
    const bool train = mode == Mode::Train;
    if (mean_trace) mean_trace->clear();
    M& model = *model_;
    I& inf = *inference_;
    const Index d = model.latentDim(), b = x.cols();
    mean_.resize(d, b);
    log_var_.resize(d, b);
    if constexpr (kIterative) {
      const SignalRequest want = inf.signals();
      const Index t_max = iterations_;
      trace_.resize(static_cast<std::size_t>(t_max + 1));
      elbo.initialLambda(model, rng, mean_, log_var_);  // λ_0 = the prior
      next_mean_.resize(d, b);
      next_log_var_.resize(d, b);
      for (Index t = 0; t <= t_max; ++t) {
        const bool last = (t == t_max);
        ElboRequest request;
        // ∂L_t/∂λ_t is the next update's input and, in training, φ's upstream gradient
        request.grad_lambda = (!last && want.gradients) || (train && t > 0);
        request.grad_theta = last && train;
        request.errors = want.errors && !last;
        request.error_weighting = want.error_weighting;
        elbo.evaluate(model, x, mean_, log_var_, rng, request);
        trace_[static_cast<std::size_t>(t)] = elbo.meanElbo();
        if (mean_trace) mean_trace->push_back(mean_);
        if (train && t > 0) inf.backward(elbo.gradMean(), elbo.gradLogVar());
        if (last) break;
        InferenceSignals<S> u;
        u.x.emplace(x);
        u.mean.emplace(mean_);
        u.log_var.emplace(log_var_);
        if (want.gradients) {
          u.grad_mean.emplace(elbo.gradMean());
          u.grad_log_var.emplace(elbo.gradLogVar());
        }
        if (want.errors) {
          u.error_x.emplace(elbo.errorX());
          u.error_z.emplace(elbo.errorZ());
        }
        inf.update(u, next_mean_, next_log_var_);
        mean_.swap(next_mean_);
        log_var_.swap(next_log_var_);
      }
    } else {
      trace_.resize(1);
      if constexpr (requires { inf.infer(x, mean_, log_var_, rng); }) {
        inf.infer(x, mean_, log_var_, rng);  // e.g. a bottom-up encoder that reads samples
      } else {
        inf.infer(x, mean_, log_var_);
      }
      elbo.evaluate(model, x, mean_, log_var_, rng, {.grad_lambda = train, .grad_theta = train});
      trace_[0] = elbo.meanElbo();
      if (mean_trace) mean_trace->push_back(mean_);
      if (train) inf.backward(elbo.gradMean(), elbo.gradLogVar());
    }
  }

  /// λ_T of the last run (d × B).
  const Matrix<S>& mean() const { return mean_; }
  /// log_var of λ_T of the last run (d × B).
  const Matrix<S>& logVar() const { return log_var_; }
  /// Batch-mean ELBO of every estimate of the last run (L_0 … L_T, or L for a standard model).
  const std::vector<double>& trace() const { return trace_; }

 private:
  M* model_;
  I* inference_;
  Index iterations_ = 1;
  std::vector<double> trace_;
  Matrix<S> mean_, log_var_, next_mean_, next_log_var_;
};

}  // namespace iai
