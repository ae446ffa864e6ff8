#pragma once
// iai distributions: see include/iai/distributions/.
#include "iai/core.hpp"
