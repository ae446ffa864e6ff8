#pragma once
// iai nn: layers (activations, Linear, Highway), networks (Sequential, Mlp, HighwayMlp), the
// Layer/Network concepts and flat parameter binding. Conventions: include/iai/nn/concepts.hpp.
#include "iai/core.hpp"
#include "iai/nn/activations.hpp"
#include "iai/nn/concepts.hpp"
#include "iai/nn/gemm.hpp"
#include "iai/nn/highway.hpp"
#include "iai/nn/linear.hpp"
#include "iai/nn/mlp.hpp"
#include "iai/nn/network_base.hpp"
#include "iai/nn/parameters.hpp"
#include "iai/nn/sequential.hpp"
