// fillNormal draws its uniforms in sequence and runs the Box–Muller transform over blocks fixed by
// the size (core/random.hpp): its output, and the engine state after it, are the bits of calling
// rng.normal() for every element in turn, for any thread count, size, cached-draw state and target
// (whole matrix or a strided block).
#include "support/catch.hpp"

#include <Eigen/Core>

#include <cstring>

#include <iai/core/random.hpp>

namespace iai_test_fill_normal_test {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// the reference: rng.normal() element by element, column by column
template <class S>
Mat<S> serial(iai::Rng& rng, iai::Index rows, iai::Index cols) {
  Mat<S> m(rows, cols);
  for (iai::Index j = 0; j < cols; ++j)
    for (iai::Index i = 0; i < rows; ++i) m(i, j) = static_cast<S>(rng.normal());
  return m;
}

template <class S>
bool sameBits(const Mat<S>& a, const Mat<S>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(S) * static_cast<std::size_t>(a.size())) == 0;
}

TEMPLATE_TEST_CASE("fillNormal gives the bits and the engine state of rng.normal() in turn, for any "
                   "thread count",
                   "[threads][core]", float, double) {
  using S = TestType;
  // small (one block), odd and even counts, and large enough for 4 blocks (64 × 640: one
  // reference ELBO's ε)
  const iai::Index shapes[][2] = {{1, 1}, {1, 2}, {3, 1}, {7, 5}, {64, 640}, {65, 1001}};
  for (const auto& shape : shapes)
    for (const bool cached : {false, true})
      for (const int threads : {1, 2}) {
        CAPTURE(shape[0], shape[1], cached, threads);
        iai::Rng a(7, 3), b(7, 3);
        if (cached) a.normal(), b.normal();  // leaves a cached second draw
        const Mat<S> expected = serial<S>(a, shape[0], shape[1]);
        Eigen::setNbThreads(threads);
        Mat<S> got(shape[0], shape[1]);
        iai::fillNormal(b, got);
        Eigen::setNbThreads(0);
        CHECK(sameBits(got, expected));
        CHECK(a.state() == b.state());
        CHECK(a.normal() == b.normal());  // the cache and the stream continue alike
      }
}

TEST_CASE("fillNormal into a strided block writes only the block, column by column", "[threads][core]") {
  iai::Rng a(11), b(11);
  const Mat<double> expected = serial<double>(a, 300, 450);
  Mat<double> big = Mat<double>::Constant(310, 460, 42.0);
  Eigen::setNbThreads(2);
  iai::fillNormal(b, big.block(5, 7, 300, 450));
  Eigen::setNbThreads(0);
  CHECK(sameBits<double>(big.block(5, 7, 300, 450), expected));
  CHECK((big.topRows(5).array() == 42.0).all());
  CHECK((big.leftCols(7).array() == 42.0).all());
  CHECK(a.state() == b.state());
}

}  // namespace iai_test_fill_normal_test
