// core/parallel.hpp: elementwise work in blocks fixed by the size only, so the partition (and
// hence every result) is the same for any thread count.
#include "support/catch.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include <iai/core/parallel.hpp>

namespace {
std::vector<std::pair<iai::Index, iai::Index>> blocks(iai::Index extent, iai::Index unit, int threads) {
  Eigen::setNbThreads(threads);
  std::vector<std::pair<iai::Index, iai::Index>> out;
  std::mutex mutex;
  iai::detail::forEachBlock(extent, unit, [&](iai::Index begin, iai::Index n) {
    const std::lock_guard<std::mutex> lock(mutex);
    out.emplace_back(begin, n);
  });
  Eigen::setNbThreads(0);
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("forEachBlock covers the range once, in blocks that do not depend on the thread count",
          "[threads]") {
  for (auto [extent, unit] : {std::pair<iai::Index, iai::Index>{0, 1}, {1, 1}, {7, 100000},
                              {640, 784}, {64, 512}, {3400000, 1}, {100, 1}}) {
    CAPTURE(extent, unit);
    const auto one = blocks(extent, unit, 1), two = blocks(extent, unit, 2);
    CHECK(one == two);
    iai::Index next = 0;
    for (auto [begin, n] : one) {
      CHECK(begin == next);
      CHECK(n > 0);
      next = begin + n;
    }
    CHECK(next == extent);
    // small work stays in one block; the reference sizes are split
    if (extent * unit < 2 * iai::detail::kParallelMinWork) CHECK(one.size() <= 1);
    if (extent >= 64 && extent * unit >= 8 * iai::detail::kParallelMinWork) CHECK(one.size() == 4);
  }
}
