// The file formats of data/{npy,csv,cifar,sparse}.hpp and the likelihood-dependent ranges and
// dequantisation of Dataset: valid files, and truncated, lying and malformed ones (each an
// iai::io_error naming the reader, the file and the fault; nothing half-read).
#include "support/catch.hpp"

#include <iai/data.hpp>
#include <iai/training/batch_source.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "test_helpers.hpp"

using iai_test::Bytes;
using iai_test::checkContains;
using iai_test::ioErrorMessage;

namespace {

void writeText(const std::string& path, const std::string& text) {
  iai_test::writeBytes(path, Bytes(text.begin(), text.end()));
}

/// An .npy file with the given header dict (padded as NumPy pads it) and raw payload.
Bytes npyBytes(const std::string& dict, const Bytes& payload, int major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  const auto len = static_cast<std::uint32_t>(header.size());
  b.push_back(static_cast<std::uint8_t>(len & 0xFF));
  b.push_back(static_cast<std::uint8_t>((len >> 8) & 0xFF));
  if (major != 1) {
    b.push_back(static_cast<std::uint8_t>((len >> 16) & 0xFF));
    b.push_back(static_cast<std::uint8_t>(len >> 24));
  }
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes floatsLE(const std::vector<float>& v) {
  Bytes b;
  for (float f : v) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int s = 0; s < 32; s += 8) b.push_back(static_cast<std::uint8_t>(u >> s));
  }
  return b;
}
Bytes doublesLE(const std::vector<double>& v) {
  Bytes b;
  for (double f : v) {
    std::uint64_t u;
    std::memcpy(&u, &f, 8);
    for (int s = 0; s < 64; s += 8) b.push_back(static_cast<std::uint8_t>(u >> s));
  }
  return b;
}

/// CIFAR-10 records: label j % 10 and pixel bytes (j + k) % 256.
iai::CifarBatch cifarRecords(std::size_t n) {
  iai::CifarBatch b;
  for (std::size_t j = 0; j < n; ++j) {
    b.labels.push_back(static_cast<std::uint8_t>(j % 10));
    for (std::size_t k = 0; k < iai::kCifarPixels; ++k)
      b.pixels.push_back(static_cast<std::uint8_t>((j + k) % 256));
  }
  return b;
}

}  // namespace

// --- .npy -----------------------------------------------------------------------------------

TEST_CASE("readNpy reads <f4, <f8 and |u1 arrays, C order, rows becoming columns", "[data][npy]") {
  iai_test::TempDir dir("npy");
  // (N = 2, D = 3) float32: rows {1,2,3}, {4,5,6} → columns.
  iai_test::writeBytes(dir.file("f4.npy"),
                       npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                floatsLE({1, 2, 3, 4, 5, 6.5f})));
  const iai::NpyArray a = iai::readNpy(dir.file("f4.npy"));
  CHECK(a.type == iai::NpyType::Float32);
  CHECK(a.shape == std::vector<std::uint64_t>{2, 3});
  REQUIRE(a.values.rows() == 3);
  REQUIRE(a.values.cols() == 2);
  CHECK(a.values(0, 0) == 1.0);
  CHECK(a.values(2, 0) == 3.0);
  CHECK(a.values(0, 1) == 4.0);
  CHECK(a.values(2, 1) == 6.5);

  // float64, keys in another order, version 2.0 header.
  iai_test::writeBytes(dir.file("f8.npy"),
                       npyBytes("{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}",
                                doublesLE({-1.25, 0.0, 1e300}), 2));
  const iai::NpyArray b = iai::readNpy(dir.file("f8.npy"));
  CHECK(b.type == iai::NpyType::Float64);
  CHECK(b.values.rows() == 1);  // 1-D: N examples of dimension 1
  CHECK(b.values.cols() == 3);
  CHECK(b.values(0, 0) == -1.25);
  CHECK(b.values(0, 2) == 1e300);

  // uint8, version 3.0.
  iai_test::writeBytes(dir.file("u1.npy"),
                       npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }",
                                Bytes{0, 255, 7, 128}, 3));
  const iai::NpyArray c = iai::readNpy(dir.file("u1.npy"));
  CHECK(c.type == iai::NpyType::UInt8);
  CHECK(c.values(1, 0) == 255.0);
  CHECK(c.values(0, 1) == 7.0);

  // writeNpy round-trips.
  iai::Matrix<float> m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  iai::writeNpy(dir.file("w.npy"), m);
  const iai::NpyArray w = iai::readNpy(dir.file("w.npy"));
  CHECK(w.shape == std::vector<std::uint64_t>{3, 2});
  CHECK(w.values.cast<float>() == m);
}

TEST_CASE("readNpy rejects malformed, lying and unsupported files with iai::io_error",
          "[data][npy]") {
  iai_test::TempDir dir("npy-bad");
  const std::string f = dir.file("x.npy");
  const auto message = [&](const Bytes& bytes) {
    iai_test::writeBytes(f, bytes);
    return ioErrorMessage([&] { iai::readNpy(f); });
  };
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  const Bytes payload = floatsLE({1, 2, 3, 4});
  const Bytes good = npyBytes(ok, payload);
  CHECK_NOTHROW(iai::readNpy((iai_test::writeBytes(f, good), f)));

  checkContains(message(npyBytes(ok, floatsLE({1, 2, 3}))),
                {"readNpy", f, "is 140 bytes", "144 bytes as its header claims", "truncated"});
  checkContains(message([&] {
                  Bytes b = good;
                  b.push_back(0);
                  return b;
                }()),
                {"readNpy", "trailing bytes"});
  // A header that claims 2^40 rows over 16 bytes is rejected before allocating.
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                 "(1099511627776, 2), }",
                                 payload)),
                {"readNpy", "the size", "as its header claims", "truncated"});
  checkContains(message(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                 "(9223372036854775807, 9223372036854775807), }",
                                 payload)),
                {"readNpy", "the element count", "addressable"});
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                                 payload)),
                {"readNpy", "fortran_order", "True", "C order"});
  checkContains(message(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }",
                                 payload)),
                {"readNpy", "the dtype", "'>f4'", "'<f4'"});
  checkContains(message(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }",
                                 payload)),
                {"the dtype", "'<i4'"});
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }",
                                 payload)),
                {"the shape's rank", "3"});
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }",
                                 Bytes{})),
                {"the shape", "at least 1 x 1"});
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': False}", payload)),
                {"the header", "'shape'"});
  checkContains(message(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), "
                                 "'extra': 1}",
                                 payload)),
                {"the key 'extra'"});
  checkContains(message(npyBytes("['descr']", payload)), {"the header", "dict"});
  checkContains(message(Bytes{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}), {"the magic", "not an .npy"});
  checkContains(message([&] {
                  Bytes b = good;
                  b[6] = 4;
                  return b;
                }()),
                {"the format version", "4.0"});
  checkContains(message([&] {  // header length beyond the file
                  Bytes b = good;
                  b[8] = 0xFF;
                  b[9] = 0xFF;
                  return b;
                }()),
                {"the header length", "65535 bytes"});
  checkContains(message([&] {  // header not ended by '\n'
                  Bytes b = good;
                  b[good.size() - payload.size() - 1] = ' ';  // the header's final newline
                  return b;
                }()),
                {"the header", "ended by"});
  checkContains(message(Bytes{}), {"the magic"});
}

// --- CSV ------------------------------------------------------------------------------------

TEST_CASE("readCsv: one example per line, header detected or stated, CRLF, blank lines",
          "[data][csv]") {
  iai_test::TempDir dir("csv");
  writeText(dir.file("h.csv"), "a, b,c\r\n1,2,3\r\n\r\n-4.5, 5e-1 ,+6\r\n");
  const iai::CsvTable t = iai::readCsv(dir.file("h.csv"));
  CHECK(t.names == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.values.rows() == 3);
  REQUIRE(t.values.cols() == 2);
  CHECK(t.values(0, 0) == 1.0);
  CHECK(t.values(2, 0) == 3.0);
  CHECK(t.values(0, 1) == -4.5);
  CHECK(t.values(1, 1) == 0.5);
  CHECK(t.values(2, 1) == 6.0);

  writeText(dir.file("n.csv"), "1;2\n3;4");  // no header, no final newline, ';'
  const iai::CsvTable u = iai::readCsv(dir.file("n.csv"), {.delimiter = ';'});
  CHECK(u.names.empty());
  CHECK(u.values.cols() == 2);
  CHECK(u.values(1, 1) == 4.0);
  // A numeric first line is data unless the caller says it is a header.
  const iai::CsvTable v = iai::readCsv(dir.file("n.csv"), {.header = iai::CsvOptions::Header::Yes, .delimiter = ';'});
  CHECK(v.names == std::vector<std::string>{"1", "2"});
  CHECK(v.values.cols() == 1);
}

TEST_CASE("readCsv rejects ragged lines, non-numbers, NaN and empty files", "[data][csv]") {
  iai_test::TempDir dir("csv-bad");
  const std::string f = dir.file("x.csv");
  const auto message = [&](const std::string& text, iai::CsvOptions o = {}) {
    writeText(f, text);
    return ioErrorMessage([&] { iai::readCsv(f, o); });
  };
  checkContains(message("1,2\n3\n"), {"readCsv", f, "line 2", "1 fields", "2 fields"});
  checkContains(message("x,y\n1,2,3\n"), {"line 2", "3 fields", "(the header)"});
  checkContains(message("1,2\n3,abc\n"), {"line 2", "field 2 = \"abc\"", "finite decimal"});
  checkContains(message("1,2\n3,nan\n"), {"line 2", "\"nan\""});
  checkContains(message("1,2\n3,inf\n"), {"\"inf\""});
  checkContains(message("1,2\n3,1e999\n"), {"\"1e999\""});
  checkContains(message("1,2\n3,\n"), {"field 2 = \"\""});
  checkContains(message("1,2\n3,0x10\n"), {"\"0x10\""});
  checkContains(message(""), {"readCsv", "without data lines"});
  checkContains(message("a,b\n\n"), {"without data lines"});
  checkContains(message(std::string("1,2\n3,4\0\n", 9)), {"line 2", "NUL"});
  checkContains(message("1,2\n", {.max_bytes = 3}), {"the size", "4 bytes", "at most 3 bytes"});
  CHECK_THROWS_AS(iai::readCsv(f, {.delimiter = '.'}), iai::invalid_argument);
}

// --- CIFAR-10 -------------------------------------------------------------------------------

TEST_CASE("readCifar10 reads records of 1 + 3072 bytes and Dataset::loadCifar10 reads a folder",
          "[data][cifar]") {
  iai_test::TempDir dir("cifar");
  iai::writeCifar10(dir.file("data_batch_1.bin"), cifarRecords(3));
  iai::writeCifar10(dir.file("data_batch_2.bin"), cifarRecords(2));
  iai::writeCifar10(dir.file("test_batch.bin"), cifarRecords(4));
  CHECK(std::filesystem::file_size(dir.file("test_batch.bin")) == 4 * 3073);
  const iai::CifarBatch b = iai::readCifar10(dir.file("data_batch_1.bin"));
  CHECK(b.size() == 3);
  CHECK(b.labels == Bytes{0, 1, 2});
  CHECK(b.pixels[3072 + 5] == 6);  // record 1, red pixel (0, 5)

  const auto train = iai::Dataset<float>::loadCifar10(dir.path().string(), "train");
  CHECK(train.size() == 5);
  CHECK(train.dim() == 3072);
  CHECK(train.labels() == std::vector<int>{0, 1, 2, 0, 1});
  CHECK(train.imageRows() == 96);
  CHECK(train.values()(2048, 1) == Approx((1 + 2048) % 256 / 255.0));  // blue (0, 0) of record 1
  CHECK(train.likelihood() == iai::Likelihood::Gaussian);
  CHECK(train.eightBit());
  CHECK(iai::Dataset<float>::loadCifar10(dir.path().string(), "test").size() == 4);
  checkContains(ioErrorMessage([&] {
                  iai::Dataset<float>::loadCifar10(dir.path().string(), "validation");
                }),
                {"Dataset::loadCifar10", "validation_batch.bin"});
}

TEST_CASE("readCifar10 rejects sizes that are not whole records and labels above 9",
          "[data][cifar]") {
  iai_test::TempDir dir("cifar-bad");
  const std::string f = dir.file("x.bin");
  iai::writeCifar10(f, cifarRecords(2));
  Bytes good = iai_test::readBytes(f);
  iai_test::writeBytes(f, Bytes(good.begin(), good.end() - 1));
  checkContains(ioErrorMessage([&] { iai::readCifar10(f); }),
                {"readCifar10", f, "6145 bytes", "multiple of 3073", "1 whole records and 3072 bytes over"});
  iai_test::writeBytes(f, Bytes{});
  checkContains(ioErrorMessage([&] { iai::readCifar10(f); }), {"0 bytes"});
  good[3073] = 10;
  iai_test::writeBytes(f, good);
  iai::CifarBatch partial = cifarRecords(1);
  checkContains(ioErrorMessage([&] { iai::readCifar10(f, partial); }),
                {"the label of record 1", "10", "CIFAR-100"});
  CHECK(partial.size() == 1);  // nothing of the bad file was appended
  CHECK(partial.pixels.size() == 3072);
}

// --- sparse count lines ---------------------------------------------------------------------

TEST_CASE("readSparseCounts: 1-based ascending indices, counts kept sparse, dense per gather",
          "[data][sparse]") {
  iai_test::TempDir dir("sparse");
  writeText(dir.file("d.txt"), "3 1:2 4:1  # a comment\n\n0\n7\t2:5\r\n# only a comment\n");
  const iai::SparseCounts c = iai::readSparseCounts(dir.file("d.txt"));
  REQUIRE(c.size() == 3);
  CHECK(c.vocabulary == 4);
  CHECK(c.label == std::vector<double>{3, 0, 7});
  CHECK(c.words(0) == 3);
  CHECK(c.words(1) == 0);
  CHECK(c.words(2) == 5);
  CHECK(c.index == std::vector<std::int32_t>{0, 3, 1});  // 0-based in memory

  iai::SparseCountSource<float> source(iai::readSparseCounts(dir.file("d.txt"), 6));
  static_assert(iai::concepts::BatchSource<iai::SparseCountSource<float>>);
  CHECK(source.dim() == 6);
  iai::Matrix<float> out = iai::Matrix<float>::Constant(6, 2, 9.0f);
  const std::vector<iai::Index> idx{2, 0};
  iai::Rng rng(1);
  source.gather(idx, out, rng);
  iai::Matrix<float> expected = iai::Matrix<float>::Zero(6, 2);
  expected(1, 0) = 5;
  expected(0, 1) = 2;
  expected(3, 1) = 1;
  CHECK(out == expected);
  CHECK_THROWS_AS(source.gather(std::vector<iai::Index>{3, 0}, out, rng), iai::invalid_argument);
  const auto tail = source.subset(1, 2);
  CHECK(tail.size() == 2);
  CHECK(tail.words(1) == 5);
  iai::Matrix<float> one(6, 1);
  tail.gather(std::vector<iai::Index>{1}, one, rng);
  CHECK(one.col(0) == expected.col(0));
}

TEST_CASE("readSparseCounts rejects bad indices, counts and labels with the line number",
          "[data][sparse]") {
  iai_test::TempDir dir("sparse-bad");
  const std::string f = dir.file("x.txt");
  const auto message = [&](const std::string& text, iai::Index v = 0) {
    writeText(f, text);
    return ioErrorMessage([&] { iai::readSparseCounts(f, v); });
  };
  checkContains(message("1 1:1\n1 0:3\n"), {"readSparseCounts", f, "line 2", "the index", "1-based"});
  checkContains(message("1 3:1 2:1\n"), {"line 1", "the index 2 after 3", "strictly ascending"});
  checkContains(message("1 3:1 3:4\n"), {"the index 3 after 3"});
  checkContains(message("1 2:1.5\n"), {"the count in \"2:1.5\"", "non-negative integer"});
  checkContains(message("1 2:-1\n"), {"the count"});
  checkContains(message("1 2:16777217\n"), {"the count"});
  checkContains(message("1 2\n"), {"the token \"2\"", "<index>:<count>"});
  checkContains(message("x 2:1\n"), {"a first token \"x\"", "finite number"});
  checkContains(message("1 5:1\n", 4), {"the index", "[1, 4]"});
  checkContains(message("1 99999999999999999999:1\n"), {"the index"});
  checkContains(message(""), {"without documents"});
  checkContains(message("# nothing\n\n"), {"without documents"});
  checkContains(message("1\n2\n"), {"the vocabulary", "empty"});
  CHECK_THROWS_AS(iai::readSparseCounts(f, -1), iai::invalid_argument);
}

// --- Dataset: ranges by likelihood, dequantisation ------------------------------------------

TEST_CASE("Dataset's range follows the likelihood, outside it is an iai::domain_error",
          "[data][dataset]") {
  using D = iai::Dataset<double>;
  iai::Matrix<double> x(2, 2);
  x << 0.5, -3.0, 1e6, 0.0;
  CHECK_THROWS_AS(D::fromMatrix(x), iai::domain_error);  // Bernoulli: [0, 1]
  CHECK_THROWS_WITH(D::fromMatrix(x, iai::Likelihood::Bernoulli),
                    Catch::Contains("Dataset::fromMatrix: values(1, 0) is 1000000, but must be in [0, 1]"));
  const D g = D::fromMatrix(x, iai::Likelihood::Gaussian);
  CHECK(g.likelihood() == iai::Likelihood::Gaussian);
  CHECK(g.values() == x);
  CHECK_THROWS_WITH(D::fromMatrix(x, iai::Likelihood::Multinomial),
                    Catch::Contains("values(0, 0) is 0.5, but must be a non-negative integer"));
  x << 1, 2, 3, 16777216;
  CHECK(D::fromMatrix(x, iai::Likelihood::Multinomial).size() == 2);
  x(0, 1) = -1;
  CHECK_THROWS_AS(D::fromMatrix(x, iai::Likelihood::Multinomial), iai::domain_error);
  x(0, 1) = std::nan("");
  CHECK_THROWS_AS(D::fromMatrix(x, iai::Likelihood::Gaussian), iai::domain_error);
  x(0, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(D::fromMatrix(x, iai::Likelihood::Gaussian), iai::domain_error);
  // Binarisation is for Bernoulli data only.
  x << 0, 2, 3, 4;
  D m = D::fromMatrix(x, iai::Likelihood::Multinomial);
  CHECK_THROWS_AS(m.setBinarization(iai::Binarization::Dynamic), iai::invalid_argument);
  // setLikelihood re-checks the range and leaves the data set unchanged on failure.
  D grey = D::fromMatrix(iai::Matrix<double>::Constant(2, 2, 0.25));
  grey.setBinarization(iai::Binarization::Dynamic);
  grey.setLikelihood(iai::Likelihood::Gaussian);
  CHECK(grey.likelihood() == iai::Likelihood::Gaussian);
  CHECK(grey.binarization() == iai::Binarization::None);
  CHECK_THROWS_AS(grey.setLikelihood(iai::Likelihood::Multinomial), iai::domain_error);
  CHECK(grey.likelihood() == iai::Likelihood::Gaussian);
  CHECK(iai::likelihoodFromName("gaussian") == iai::Likelihood::Gaussian);
  CHECK_THROWS_AS(iai::likelihoodFromName("poisson"), iai::invalid_argument);

  // Files go through the same check, naming the file.
  iai_test::TempDir dir("ranges");
  writeText(dir.file("g.csv"), "-1.5,2\n0.25,3\n");
  const auto c = iai::Dataset<float>::fromCsv(dir.file("g.csv"), iai::Likelihood::Gaussian);
  CHECK(c.dim() == 2);
  CHECK(c.values()(0, 0) == -1.5f);
  CHECK_THROWS_WITH(iai::Dataset<float>::fromCsv(dir.file("g.csv"), iai::Likelihood::Bernoulli),
                    Catch::Contains("Dataset::fromCsv('" + dir.file("g.csv") + "'): values(0, 0) is -1.5"));
  iai_test::writeBytes(dir.file("u.npy"),
                       npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }",
                                Bytes{0, 1, 255, 3, 4, 5}));
  const auto counts = iai::Dataset<float>::fromNpy(dir.file("u.npy"), iai::Likelihood::Multinomial);
  CHECK(counts.values()(2, 0) == 255.0f);  // uint8 as counts
  CHECK_FALSE(counts.eightBit());
  const auto pixels = iai::Dataset<float>::fromNpy(dir.file("u.npy"), iai::Likelihood::Gaussian);
  CHECK(pixels.values()(2, 0) == 1.0f);  // uint8 as pixels b/255
  CHECK(pixels.eightBit());
  iai_test::writeBytes(dir.file("f.npy"),
                       npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
                                floatsLE({0.5f, 2.0f})));
  CHECK_THROWS_AS(iai::Dataset<float>::fromNpy(dir.file("f.npy"), iai::Likelihood::Bernoulli),
                  iai::domain_error);
  CHECK_THROWS_AS(iai::Dataset<float>::fromNpy(dir.file("f.npy"), iai::Likelihood::Multinomial),
                  iai::domain_error);
  CHECK(iai::Dataset<float>::fromNpy(dir.file("f.npy"), iai::Likelihood::Gaussian).dim() == 2);
}

TEST_CASE("Uniform dequantisation: x = (b + u)/256 inside byte b's bin, Static is fixed per column",
          "[data][dataset]") {
  std::vector<std::uint8_t> bytes{0, 1, 128, 255, 7, 9};
  auto d = iai::Dataset<double>::fromBytes(bytes.data(), 3, 2, iai::Likelihood::Gaussian);
  CHECK(d.values()(2, 0) == Approx(128.0 / 255.0));
  iai::Rng rng(5);
  const std::vector<iai::Index> idx{0, 1};
  iai::Matrix<double> a(3, 2), b(3, 2);
  d.setDequantization(iai::Dequantization::Dynamic);
  d.gather(idx, a, rng);
  d.gather(idx, b, rng);
  for (iai::Index k = 0; k < 6; ++k) {
    const double lo = bytes[static_cast<std::size_t>(k)] / 256.0;
    CHECK(a.data()[k] >= lo);
    CHECK(a.data()[k] < lo + 1.0 / 256.0);
  }
  CHECK(a != b);  // fresh noise each gather
  d.setDequantization(iai::Dequantization::Static, 42);
  d.gather(idx, a, rng);
  d.gather(std::vector<iai::Index>{1, 0}, b, rng);
  CHECK(a.col(0) == b.col(1));  // column j's noise depends on (seed, j) only
  CHECK(a.col(1) == b.col(0));
  const auto sub = d.subset(0, 2);
  CHECK(sub.dequantization() == iai::Dequantization::Static);
  // Not 8-bit data, or binarised: an error.
  auto real = iai::Dataset<double>::fromMatrix(iai::Matrix<double>::Zero(2, 2), iai::Likelihood::Gaussian);
  CHECK_THROWS_AS(real.setDequantization(iai::Dequantization::Dynamic), iai::invalid_argument);
  auto bern = iai::Dataset<double>::fromBytes(bytes.data(), 3, 2, iai::Likelihood::Bernoulli);
  bern.setBinarization(iai::Binarization::Dynamic);
  CHECK_THROWS_AS(bern.setDequantization(iai::Dequantization::Dynamic), iai::invalid_argument);
}

// --- every reader refuses a FIFO without blocking -------------------------------------------

namespace {
/// Runs `read` on a thread; fails (and unblocks it) if it has not returned within 5 s.
std::string readWithDeadline(const std::string& fifo, const std::function<void()>& read) {
  std::atomic<bool> done{false};
  std::string msg = "no iai::io_error";
  std::thread t([&] {
    msg = ioErrorMessage(read);
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool blocked = !done;
  if (blocked) std::ofstream unblock(fifo);
  t.join();
  CHECK_FALSE(blocked);
  return msg;
}
}  // namespace

TEST_CASE("The .npy, CSV, CIFAR-10 and sparse readers refuse a FIFO without blocking",
          "[data][security]") {
  iai_test::TempDir dir("fifo");
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  checkContains(readWithDeadline(fifo, [&] { iai::readNpy(fifo); }), {"readNpy", "not a regular file"});
  checkContains(readWithDeadline(fifo, [&] { iai::readCsv(fifo); }), {"readCsv", "not a regular file"});
  checkContains(readWithDeadline(fifo, [&] { iai::readCifar10(fifo); }),
                {"readCifar10", "not a regular file"});
  checkContains(readWithDeadline(fifo, [&] { iai::readSparseCounts(fifo); }),
                {"readSparseCounts", "not a regular file"});
  checkContains(readWithDeadline(fifo, [&] { iai::readCsv(dir.path().string()); }),
                {"readCsv", "not a regular file"});  // a directory
  checkContains(ioErrorMessage([&] { iai::readNpy(dir.file("missing.npy")); }),
                {"readNpy", "missing.npy", "unreadable"});
}
