// Catch2 v2 or v3 behind one include: tests write `#include <catch2/catch.hpp>` and use the v2
// spellings `Approx` and `Catch::Contains` (a substring matcher), which v3 renamed.
// tests/CMakeLists.txt defines IAI_CATCH2_V3 when it found Catch2 v3.
#pragma once

#if defined(IAI_CATCH2_V3)
#include <catch2/catch_all.hpp>

#include <string>

using Catch::Approx;
namespace Catch {
inline Matchers::StringContainsMatcher Contains(const std::string& text,
                                                CaseSensitive cs = CaseSensitive::Yes) {
  return Matchers::ContainsSubstring(text, cs);
}
}  // namespace Catch
#else
#include <catch2/catch.hpp>
#endif
