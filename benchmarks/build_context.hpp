// Every benchmark program reports the compiler and flags it was built with (IAI_BUILD_COMPILER,
// IAI_BUILD_FLAGS from cmake/iaiPrograms.cmake) in Google Benchmark's context and JSON output.
#pragma once
#include <benchmark/benchmark.h>

namespace bench {
inline const bool kBuildContext = [] {
  benchmark::AddCustomContext("iai_compiler", IAI_BUILD_COMPILER);
  benchmark::AddCustomContext("iai_flags", IAI_BUILD_FLAGS);
  return true;
}();
}  // namespace bench
