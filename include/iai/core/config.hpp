#pragma once
// Feature macros and the debug-only assertion used on hot paths.
#include <cassert>

/// IAI_ASSERT(cond): hot-path invariant, compiled out with NDEBUG (or IAI_NO_DEBUG).
/// Users may define IAI_ASSERT before including iai to route it to their own handler.
#ifndef IAI_ASSERT
#if defined(NDEBUG) || defined(IAI_NO_DEBUG)
#define IAI_ASSERT(cond) ((void)0)
#else
#define IAI_ASSERT(cond) assert(cond)
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IAI_COLD __attribute__((cold, noinline))
#else
#define IAI_COLD
#endif
