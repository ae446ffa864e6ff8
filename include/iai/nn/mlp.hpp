#pragma once
// Networks whose depth is chosen at run time, with the same API as Sequential:
//   Mlp<S, Act>(sizes, activate_output)  Linear + Act after every layer but the last (unless
//                                        activate_output), e.g. the decoder 64→512→512→784;
//   HighwayMlp<S>(in, hidden, layers)    a projecting Highway in→hidden, then layers − 1
//                                        non-projecting Highway hidden→hidden (the authors' 2×512
//                                        inference network).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/types.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/highway.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/network_base.hpp"

namespace iai::nn {

/// Multilayer perceptron: Linear + Act after every layer but the last (unless activate_output),
/// e.g. the decoder 64 → 512 → 512 → 784; one example per column. A concepts::Network.
template <class S, class Act = Elu>
class Mlp : public detail::NetworkBase<Mlp<S, Act>, S> {
 public:
  /// sizes = {in, hidden..., out} (at least two entries, all positive).
  /// @throws iai::invalid_argument otherwise.
  explicit Mlp(std::vector<Index> sizes, bool activate_output = false)
      : sizes_(std::move(sizes)), activate_output_(activate_output) {
    IAI_CHECK(sizes_.size() >= 2, "Mlp::Mlp", "sizes.size()", sizes_.size(), "at least 2");
    for (std::size_t i = 0; i < sizes_.size(); ++i)
      IAI_CHECK(sizes_[i] > 0, "Mlp::Mlp", "sizes[" + std::to_string(i) + "]", sizes_[i],
                "positive");
    linears_.reserve(sizes_.size() - 1);
    activations_.reserve(sizes_.size() - 1);
    for (std::size_t i = 0; i + 1 < sizes_.size(); ++i) {
      linears_.emplace_back(sizes_[i], sizes_[i + 1]);
      if (i + 2 < sizes_.size() || activate_output_) activations_.emplace_back(sizes_[i + 1]);
    }
    this->initChain();
  }

  /// {in, hidden..., out}.
  const std::vector<Index>& sizes() const noexcept { return sizes_; }
  /// Whether Act follows the last Linear layer too.
  bool activatesOutput() const noexcept { return activate_output_; }
  /// The number of Linear layers, sizes().size() − 1.
  std::size_t linearCount() const noexcept { return linears_.size(); }
  /// The i-th Linear layer (i < linearCount()).
  Linear<S>& linear(std::size_t i) {
    checkIndex(i);
    return linears_[i];
  }
  /// The i-th Linear layer (i < linearCount()).
  /// @throws iai::invalid_argument if i ≥ linearCount().
  const Linear<S>& linear(std::size_t i) const {
    checkIndex(i);
    return linears_[i];
  }

 private:
  friend class detail::NetworkBase<Mlp, S>;
  static constexpr std::string_view kName = "Mlp";

  void checkIndex(std::size_t i) const {
    IAI_CHECK(i < linears_.size(), "Mlp::linear", "i", i,
              "less than linearCount() = " + std::to_string(linears_.size()));
  }

  // The chain alternates Linear, Act, Linear, ... : even positions are linears_[i / 2].
  std::size_t chainLength() const noexcept { return linears_.size() + activations_.size(); }
  template <class F>
  void visitLayer(std::size_t i, F&& f) {
    if (i % 2 == 0) {
      f(linears_[i / 2]);
    } else {
      f(activations_[i / 2]);
    }
  }
  template <class F>
  void visitLayer(std::size_t i, F&& f) const {
    if (i % 2 == 0) {
      f(linears_[i / 2]);
    } else {
      f(activations_[i / 2]);
    }
  }

  std::vector<Index> sizes_;
  bool activate_output_;
  std::vector<Linear<S>> linears_;
  std::vector<Activation<Act, S>> activations_;
};

/// Highway network: a projecting Highway in → hidden, then layers − 1 non-projecting Highway
/// hidden → hidden (the authors' 2 × 512 inference network). A concepts::Network.
template <class S>
class HighwayMlp : public detail::NetworkBase<HighwayMlp<S>, S> {
 public:
  /// @throws iai::invalid_argument if layers < 1 (or in, hidden < 1).
  HighwayMlp(Index in, Index hidden, Index layers) {
    IAI_CHECK(layers > 0, "HighwayMlp::HighwayMlp", "layers", layers, "positive");
    layers_.reserve(static_cast<std::size_t>(layers));
    layers_.emplace_back(in, hidden, true);
    for (Index i = 1; i < layers; ++i) layers_.emplace_back(hidden, hidden, false);
    this->initChain();
  }

  /// The number of Highway layers.
  std::size_t layerCount() const noexcept { return layers_.size(); }
  /// The i-th Highway layer (i < layerCount()); layer 0 projects.
  Highway<S>& layer(std::size_t i) {
    checkIndex(i);
    return layers_[i];
  }
  /// The i-th Highway layer (i < layerCount()); layer 0 projects.
  /// @throws iai::invalid_argument if i ≥ layerCount().
  const Highway<S>& layer(std::size_t i) const {
    checkIndex(i);
    return layers_[i];
  }

 private:
  friend class detail::NetworkBase<HighwayMlp, S>;
  static constexpr std::string_view kName = "HighwayMlp";

  void checkIndex(std::size_t i) const {
    IAI_CHECK(i < layers_.size(), "HighwayMlp::layer", "i", i,
              "less than layerCount() = " + std::to_string(layers_.size()));
  }

  std::size_t chainLength() const noexcept { return layers_.size(); }
  template <class F>
  void visitLayer(std::size_t i, F&& f) {
    f(layers_[i]);
  }
  template <class F>
  void visitLayer(std::size_t i, F&& f) const {
    f(layers_[i]);
  }

  std::vector<Highway<S>> layers_;
};

static_assert(concepts::Network<Mlp<float>>);
static_assert(concepts::Network<Mlp<double, Tanh>>);
static_assert(concepts::Network<HighwayMlp<float>>);
static_assert(concepts::Network<HighwayMlp<double>>);

}  // namespace iai::nn
