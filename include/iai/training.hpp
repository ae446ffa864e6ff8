#pragma once
// iai training: the amortized variational EM loop, batch sources, callbacks, checkpoints and
// model files.
#include "iai/core.hpp"
#include "iai/training/batch_source.hpp"
#include "iai/training/callbacks.hpp"
#include "iai/training/checkpoint.hpp"
#include "iai/training/json_lines.hpp"
#include "iai/training/model_file.hpp"
#include "iai/training/statistics.hpp"
#include "iai/training/variational_em.hpp"
