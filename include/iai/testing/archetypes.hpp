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
  using Scalar = double;
  Index latentDim() const { return 1; }
  Index observedDim() const { return 1; }
  void logLikelihood(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&,
                     RowVectorRef<double> log_px) {
    log_px.setZero();
  }
  void logLikelihoodBackward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&, double,
                             MatrixRef<double> grad_z, ParamGrad) {
    grad_z.setZero();
  }
  void sample(Rng&, MatrixRef<double> z, MatrixRef<double> x) {
    z.setZero();
    x.setZero();
  }
  Vector<double>& theta() { return theta_; }
  Vector<double>& gradTheta() { return grad_theta_; }
  Vector<double> theta_, grad_theta_;
};

/// Models concepts::ErrorSignalModel as well.
struct MinimalErrorSignalModel : MinimalGenerativeModel {
  void observationError(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&,
                        ErrorWeighting, MatrixRef<double> eps_x) const {
    eps_x.setZero();
  }
};

/// Models concepts::InferenceModel.
struct MinimalInferenceModel {
  using Scalar = double;
  Index latentDim() const { return 1; }
  Index observedDim() const { return 1; }
  Vector<double>& phi() { return phi_; }
  Vector<double>& gradPhi() { return grad_phi_; }
  void infer(const ConstMatrixRef<double>&, MatrixRef<double> mean, MatrixRef<double> log_var) {
    mean.setZero();
    log_var.setZero();
  }
  void backward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&) {}
  Vector<double> phi_, grad_phi_;
};

/// Models concepts::IterativeInferenceModel.
struct MinimalIterativeInferenceModel {
  using Scalar = double;
  Index latentDim() const { return 1; }
  Index observedDim() const { return 1; }
  Vector<double>& phi() { return phi_; }
  Vector<double>& gradPhi() { return grad_phi_; }
  SignalRequest signals() const { return {}; }
  void update(const InferenceSignals<double>&, MatrixRef<double> mean, MatrixRef<double> log_var) {
    mean.setZero();
    log_var.setZero();
  }
  void backward(const ConstMatrixRef<double>&, const ConstMatrixRef<double>&) {}
  Vector<double> phi_, grad_phi_;
};

/// Models concepts::BatchSource.
struct MinimalBatchSource {
  using Scalar = double;
  Index size() const { return 1; }
  Index dim() const { return 1; }
  void gather(std::span<const Index>, MatrixRef<double> out, Rng&) { out.setZero(); }
};

}  // namespace iai::testing::archetypes
