#pragma once
// Archetypes: the smallest types that model each iai concept (range-v3 / mp-units style). They
// document the minimum API in code and are checked in tests/static. Not numerically useful.
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/inference/concepts.hpp"
#include "iai/models/concepts.hpp"
#include "iai/training/batch_source.hpp"

namespace iai::testing::archetypes {

/// Models concepts::DifferentiableGenerativeModel (and GenerativeModel).
struct MinimalGenerativeModel {
  /// The element type.
  using Scalar = double;
  /// d = 1.
  Index latentDim() const { return 1; }
  /// D = 1.
  Index observedDim() const { return 1; }
  /// log p(x | z) = 0 for every column.
  void logLikelihood(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&,
                     RowVectorRef<double> log_px) {
    log_px.setZero();
  }
  /// grad_z = 0; no parameter gradient.
  void logLikelihoodBackward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&, double,
                             MatrixRef<double> grad_z, ParamGrad) {
    grad_z.setZero();
  }
  /// z = 0, x = 0.
  void sample(Rng&, MatrixRef<double> z, MatrixRef<double> x) {
    z.setZero();
    x.setZero();
  }
  /// θ (empty).
  Vector<double>& theta() { return theta_; }
  /// The gradient of θ (empty).
  Vector<double>& gradTheta() { return grad_theta_; }
  /// The storage of θ.
  Vector<double> theta_, grad_theta_;
  /// @var grad_theta_
  /// The storage of the gradient of θ.
};

/// Models concepts::ErrorSignalModel as well.
struct MinimalErrorSignalModel : MinimalGenerativeModel {
  /// ε_x = 0.
  void observationError(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&,
                        ErrorWeighting, MatrixRef<double> eps_x) const {
    eps_x.setZero();
  }
};

/// Models concepts::InferenceModel.
struct MinimalInferenceModel {
  /// The element type.
  using Scalar = double;
  /// d = 1.
  Index latentDim() const { return 1; }
  /// D = 1.
  Index observedDim() const { return 1; }
  /// φ (empty).
  Vector<double>& phi() { return phi_; }
  /// The gradient of φ (empty).
  Vector<double>& gradPhi() { return grad_phi_; }
  /// λ = (0, 0).
  void infer(const ConstMatrixRef<double>&, MatrixRef<double> mean, MatrixRef<double> log_var) {
    mean.setZero();
    log_var.setZero();
  }
  /// No parameters: nothing to accumulate.
  void backward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&) {}
  /// The storage of φ.
  Vector<double> phi_, grad_phi_;
  /// @var grad_phi_
  /// The storage of the gradient of φ.
};

/// Models concepts::IterativeInferenceModel.
struct MinimalIterativeInferenceModel {
  /// The element type.
  using Scalar = double;
  /// d = 1.
  Index latentDim() const { return 1; }
  /// D = 1.
  Index observedDim() const { return 1; }
  /// φ (empty).
  Vector<double>& phi() { return phi_; }
  /// The gradient of φ (empty).
  Vector<double>& gradPhi() { return grad_phi_; }
  /// The default SignalRequest (gradients only).
  SignalRequest signals() const { return {}; }
  /// λ_{t+1} = (0, 0).
  void update(const InferenceSignals<double>&, MatrixRef<double> mean, MatrixRef<double> log_var) {
    mean.setZero();
    log_var.setZero();
  }
  /// No parameters: nothing to accumulate.
  void backward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&) {}
  /// The storage of φ.
  Vector<double> phi_, grad_phi_;
  /// @var grad_phi_
  /// The storage of the gradient of φ.
};

/// Models concepts::BatchSource.
struct MinimalBatchSource {
  /// The element type.
  using Scalar = double;
  /// One example.
  Index size() const { return 1; }
  /// Of one dimension.
  Index dim() const { return 1; }
  /// out = 0.
  void gather(std::span<const Index>, MatrixRef<double> out, Rng&) { out.setZero(); }
};

}  // namespace iai::testing::archetypes
