#pragma once
// iai evaluation: importance-sampled log p(x), bits/dim, perplexity and the amortization gap.
#include "iai/core.hpp"
#include "iai/evaluation/amortization_gap.hpp"
#include "iai/evaluation/importance_sampling.hpp"
#include "iai/evaluation/metrics.hpp"
