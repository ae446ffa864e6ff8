#include "support/catch.hpp"

#include <iai/data/idx.hpp>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "test_helpers.hpp"

using Catch::Contains;
using iai_test::Bytes;

namespace {

// A valid 3 × 2 × 2 image file and a 3-label file (IDX magic 0x00000803 / 0x00000801).
const Bytes kImages = iai_test::idxBytes(0x803, {3, 2, 2}, iai_test::ramp(12));
const Bytes kLabels = iai_test::idxBytes(0x801, {3}, Bytes{7, 0, 9});

}  // namespace

TEST_CASE("writeIdx then readIdx round-trips images (rank 3) and labels (rank 1)", "[data]") {
  iai_test::TempDir dir("roundtrip");
  const Bytes pixels = iai_test::ramp(5 * 28 * 28);
  iai::writeIdx(dir.file("images"), {5, 28, 28}, pixels);
  iai::writeIdx(dir.file("labels"), {5}, Bytes{1, 2, 3, 4, 255});

  const iai::IdxArray images = iai::readIdx(dir.file("images"));
  CHECK(images.dims == std::vector<std::uint32_t>{5, 28, 28});
  CHECK(images.data == pixels);
  const iai::IdxArray labels = iai::readIdx(dir.file("labels"));
  CHECK(labels.dims == std::vector<std::uint32_t>{5});
  CHECK(labels.data == Bytes{1, 2, 3, 4, 255});

  // The exact bytes: big-endian magic and dimensions, then the data.
  CHECK(iai_test::readBytes(dir.file("labels")) == Bytes{0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 255});
  CHECK(iai_test::readBytes(dir.file("images")).size() == 16 + pixels.size());
}

TEST_CASE("writeIdx replaces an existing file through path.tmp and leaves no .tmp behind",
          "[data]") {
  iai_test::TempDir dir("replace");
  const std::string path = dir.file("labels");
  iai::writeIdx(path, {2}, Bytes{1, 2});
  iai::writeIdx(path, {3}, Bytes{4, 5, 6});
  CHECK(iai::readIdx(path).data == Bytes{4, 5, 6});
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  // An unwritable destination is an io_error naming the file.
  const std::string bad = dir.file("no-such-folder/labels");
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::writeIdx(bad, {1}, Bytes{0}); }),
             Contains("writeIdx") && Contains(bad));
}

TEST_CASE("writeIdx rejects inconsistent arguments with iai::invalid_argument", "[data]") {
  iai_test::TempDir dir("write-args");
  const std::string path = dir.file("x");
  CHECK_THROWS_AS(iai::writeIdx(path, {2, 2}, Bytes(4)), iai::invalid_argument);
  CHECK_THROWS_WITH(iai::writeIdx(path, {2, 0, 3}, Bytes{}),
                    Contains("writeIdx: dims[1] is 0, but must be at least 1"));
  CHECK_THROWS_WITH(iai::writeIdx(path, {2, 2, 2}, Bytes(7)),
                    Contains("writeIdx: data.size() is 7, but must be the product of dims = 8"));
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("readIdx rejects a missing file or a folder with iai::io_error", "[data]") {
  iai_test::TempDir dir("missing");
  const std::string missing = dir.file("train-images-idx3-ubyte");
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::readIdx(missing); }),
             Contains("readIdx: the file '" + missing + "' is unreadable (No such file or directory)"));
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::readIdx(dir.path().string()); }),
             Contains("is not a regular file"));
}

TEST_CASE("readIdx rejects corrupted plain files with an io_error naming the file and the fault",
          "[data]") {
  iai_test::TempDir dir("corrupt");
  const std::string path = dir.file("bad-idx");
  // Writes `bytes` to `path`, reads it, and checks the io_error names readIdx, the file and `what`.
  const auto expect = [&](const Bytes& bytes, std::initializer_list<std::string> what) {
    iai_test::writeBytes(path, bytes);
    const std::string msg = iai_test::ioErrorMessage([&] { iai::readIdx(path); });
    iai_test::checkContains(msg, {"readIdx: ", "'" + path + "'"});
    iai_test::checkContains(msg, what);
  };
  using iai_test::idxBytes;

  SECTION("wrong magic (not starting with two zero bytes)") {
    expect(idxBytes(0x12340803, {3, 2, 2}, iai_test::ramp(12)),
           {"the magic number", "is 0x12340803", "not an IDX file"});
  }
  SECTION("wrong type byte (0x0D = float)") {
    expect(idxBytes(0x00000D03, {3, 2, 2}, Bytes(48)),
           {"the data type byte", "is 0x0D", "0x08 (unsigned byte)"});
  }
  SECTION("rank 2") {
    expect(idxBytes(0x802, {3, 4}, Bytes(12)), {"the rank", "is 2, but must be 1"});
  }
  SECTION("zero dimension") {
    expect(idxBytes(0x803, {3, 0, 2}, Bytes{}), {"dimension 1", "is 0, but must be at least 1"});
  }
  SECTION("empty file and truncated header") {
    expect(Bytes{}, {"the header length", "is 0 bytes", "truncated"});
    expect(Bytes{0, 0, 8, 3, 0, 0, 0, 3, 0, 0},
           {"the header length", "is 10 bytes", "16 bytes for rank 3", "truncated"});
  }
  SECTION("truncated body") {
    Bytes bytes = kImages;
    bytes.pop_back();
    expect(bytes, {"the size", "is 27 bytes", "16 + 3·2·2 = 28 bytes", "truncated"});
  }
  SECTION("trailing bytes") {
    Bytes bytes = kLabels;
    bytes.push_back(0);
    expect(bytes, {"the size", "is 12 bytes", "8 + 3 = 11 bytes", "trailing bytes"});
  }
  SECTION("a header claiming 2^31 images over a 100-byte body (rejected before allocating)") {
    expect(idxBytes(0x803, {0x80000000u, 28, 28}, Bytes(100)),
           {"is 116 bytes", "2147483648·28·28", "truncated"});
  }
  SECTION("dimensions whose product overflows 64 bits") {
    expect(idxBytes(0x803, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, Bytes(8)),
           {"the element count", "corrupted header"});
  }
}

#ifdef IAI_HAVE_ZLIB

TEST_CASE("readIdx reads gzip files (detected by content) the same as plain ones", "[data]") {
  const std::string fixtures = iai_test::fixtureDir();
  const iai::IdxArray plain =
      iai::readIdx(fixtures + "/fashion-mnist-t10k-32/t10k-images-idx3-ubyte");
  const iai::IdxArray gz =
      iai::readIdx(fixtures + "/fashion-mnist-t10k-32-gz/t10k-images-idx3-ubyte.gz");
  CHECK(plain.dims == std::vector<std::uint32_t>{32, 28, 28});
  CHECK(gz.dims == plain.dims);
  CHECK(gz.data == plain.data);
  const iai::IdxArray labels =
      iai::readIdx(fixtures + "/fashion-mnist-t10k-32-gz/t10k-labels-idx1-ubyte.gz");
  CHECK(labels.data == Bytes{9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1,
                             2, 4, 8, 0, 2, 5, 7, 9, 1, 4, 6, 0, 9, 3, 8, 8});

  // Detection is by the magic bytes 1f 8b, not by the name; concatenated members are one stream.
  iai_test::TempDir dir("gz-roundtrip");
  const Bytes payload = iai_test::ramp(4 * 9 * 7);
  const Bytes idx = iai_test::idxBytes(0x803, {4, 9, 7}, payload);
  iai_test::writeBytes(dir.file("images-without-suffix"), iai_test::gzipBytes(idx));
  CHECK(iai::readIdx(dir.file("images-without-suffix")).data == payload);
  Bytes two = iai_test::gzipBytes(Bytes(idx.begin(), idx.begin() + 50));
  const Bytes rest = iai_test::gzipBytes(Bytes(idx.begin() + 50, idx.end()));
  two.insert(two.end(), rest.begin(), rest.end());
  iai_test::writeBytes(dir.file("two-members.gz"), two);
  CHECK(iai::readIdx(dir.file("two-members.gz")).data == payload);
}

TEST_CASE("readIdx rejects corrupted gzip files with an io_error naming the file and the fault",
          "[data]") {
  iai_test::TempDir dir("corrupt-gz");
  const std::string path = dir.file("bad-idx.gz");
  const auto expect = [&](const Bytes& gz, std::initializer_list<std::string> what) {
    iai_test::writeBytes(path, gz);
    const std::string msg = iai_test::ioErrorMessage([&] { iai::readIdx(path); });
    iai_test::checkContains(msg, {"readIdx: ", "'" + path + "'"});
    iai_test::checkContains(msg, what);
  };
  using iai_test::gzipBytes;
  using iai_test::idxBytes;

  SECTION("wrong magic inside the gzip stream") {
    expect(gzipBytes(idxBytes(0x01000803, {3, 2, 2}, Bytes(12))), {"the magic number"});
  }
  SECTION("wrong type byte and rank 2 inside the gzip stream") {
    expect(gzipBytes(idxBytes(0x00000903, {3, 2, 2}, Bytes(12))), {"the data type byte"});
    expect(gzipBytes(idxBytes(0x802, {3, 4}, Bytes(12))), {"the rank", "is 2"});
  }
  SECTION("zero dimension inside the gzip stream") {
    expect(gzipBytes(idxBytes(0x801, {0}, Bytes{})), {"dimension 0", "is 0"});
  }
  SECTION("decompressed body shorter than the header claims") {
    Bytes idx = kImages;
    idx.pop_back();
    expect(gzipBytes(idx),
           {"the decompressed payload", "is 11 bytes", "exactly 3·2·2 = 12 bytes", "truncated"});
  }
  SECTION("decompressed body longer than the header claims") {
    Bytes idx = kImages;
    idx.push_back(0);
    expect(gzipBytes(idx), {"the decompressed payload", "is more than 12 bytes", "trailing bytes"});
  }
  SECTION("a header claiming 2^31 images over a 100-byte body") {
    // The reader grows its buffer with the decompressed data (cap: the claim + 1 byte), so this
    // is rejected after allocating 64 KiB, not 1.6 TB.
    expect(gzipBytes(idxBytes(0x803, {0x80000000u, 28, 28}, Bytes(100))),
           {"is 100 bytes", "2147483648·28·28", "truncated"});
  }
  SECTION("compressed stream cut short") {
    Bytes gz = gzipBytes(idxBytes(0x803, {2, 28, 28}, iai_test::ramp(1568)));
    gz.resize(gz.size() - 12);
    expect(gz, {"gzip stream", "ends early", "truncated"});
  }
  SECTION("garbage after the gzip stream") {
    Bytes gz = gzipBytes(kLabels);
    gz.push_back(0);
    gz.push_back(0);
    expect(gz, {"trailing bytes after its gzip stream"});
  }
  SECTION("corrupted CRC-32") {
    Bytes gz = gzipBytes(kImages);
    gz[gz.size() - 8] ^= 0xFF;  // the trailer is CRC-32 then ISIZE, 4 bytes each
    expect(gz, {"not valid gzip", "incorrect data check"});
  }
}

#else  // built without zlib

TEST_CASE("readIdx without zlib rejects a gzip file with a message saying how to enable it",
          "[data]") {
  const std::string gz =
      iai_test::fixtureDir() + "/fashion-mnist-t10k-32-gz/t10k-images-idx3-ubyte.gz";
  CHECK_THAT(iai_test::ioErrorMessage([&] { iai::readIdx(gz); }),
             Contains("'" + gz + "'") && Contains("built without zlib") &&
                 Contains("define IAI_HAVE_ZLIB and link ZLIB::ZLIB"));
  // Plain files still work.
  CHECK(
      iai::readIdx(iai_test::fixtureDir() + "/fashion-mnist-t10k-32/t10k-labels-idx1-ubyte").dims ==
      std::vector<std::uint32_t>{32});
}

#endif
