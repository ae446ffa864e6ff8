#pragma once
// CIFAR-10's binary format (data_batch_1.bin … data_batch_5.bin, test_batch.bin): records of
// 1 label byte (0 … 9) and 3072 pixel bytes, channel-major: the 1024 red values of the 32 × 32
// image row by row, then the green, then the blue. A file holds a whole number of records, so its
// size must be a positive multiple of 3073 bytes; this is checked before anything is allocated.
// Pixels stay in the file's order (row c·1024 + r·32 + col for channel c, pixel (r, col)).
// Every fault is an iai::io_error naming readCifar10, the file and the fault.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iai/core/binary_io.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"

namespace iai {

inline constexpr std::size_t kCifarPixels = 3 * 32 * 32;
inline constexpr std::size_t kCifarRecord = 1 + kCifarPixels;

/// The records of CIFAR-10 binary batch files: labels and 32 × 32 RGB pixels, N records.
struct CifarBatch {
  std::vector<std::uint8_t> labels;  ///< N labels in 0 … 9
  std::vector<std::uint8_t> pixels;  ///< N · 3072 bytes, record after record
  /// The number of records N.
  std::size_t size() const { return labels.size(); }
};

/// Reads one CIFAR-10 binary batch file and appends its records to `out`.
/// @throws iai::io_error if the file is missing, not a positive multiple of 3073 bytes, or has a
///         label above 9 (a CIFAR-100 file has 2 label bytes per record and is rejected).
inline void readCifar10(const std::string& path, CifarBatch& out) {
  constexpr std::string_view fn = "readCifar10";
  InputFile file(path, fn, "a CIFAR-10 binary batch (records of 1 + 3072 bytes)");
  const std::uint64_t size = file.size();
  if (size == 0 || size % kCifarRecord != 0)
    detail::raiseFile(fn, "the size", path, std::to_string(size) + " bytes",
                      "a positive multiple of 3073 bytes (1 label + 3072 pixels per record; " +
                          std::to_string(size / kCifarRecord) + " whole records and " +
                          std::to_string(size % kCifarRecord) + " bytes over)");
  const std::uint64_t n = size / kCifarRecord;
  std::uint64_t pixel_bytes = 0;
  if (!detail::mulChecked(n, kCifarPixels, pixel_bytes) ||
      pixel_bytes > std::uint64_t{1} << 40)
    detail::raiseFile(fn, "the size", path, std::to_string(size) + " bytes", "at most 2^40 bytes");
  const std::size_t first = out.size();
  out.labels.resize(first + static_cast<std::size_t>(n));
  out.pixels.resize((first + static_cast<std::size_t>(n)) * kCifarPixels);
  unsigned char record[kCifarRecord];
  for (std::uint64_t j = 0; j < n; ++j) {
    file.readExact(record, kCifarRecord);
    if (record[0] > 9) {
      out.labels.resize(first);
      out.pixels.resize(first * kCifarPixels);
      detail::raiseFile(fn, "the label of record " + std::to_string(j), path,
                        std::to_string(record[0]), "in 0 … 9 (CIFAR-10; is it a CIFAR-100 file?)");
    }
    const auto k = first + static_cast<std::size_t>(j);
    out.labels[k] = record[0];
    std::copy(record + 1, record + kCifarRecord, out.pixels.begin() + static_cast<std::ptrdiff_t>(k * kCifarPixels));
  }
}

inline CifarBatch readCifar10(const std::string& path) {
  CifarBatch b;
  readCifar10(path, b);
  return b;
}

/// Writes records in CIFAR-10's binary format through iai::AtomicFileWriter (used by tests and
/// scripts/get-data's patches; pixels record after record, 3072 bytes each).
/// @throws iai::invalid_argument on inconsistent sizes or a label above 9; iai::io_error.
inline void writeCifar10(const std::string& path, const CifarBatch& batch) {
  constexpr std::string_view fn = "writeCifar10";
  IAI_CHECK(batch.pixels.size() == batch.labels.size() * kCifarPixels && !batch.labels.empty(), fn,
            "pixels.size()", batch.pixels.size(), "3072 x labels.size() > 0");
  AtomicFileWriter out(path, fn);
  for (std::size_t j = 0; j < batch.size(); ++j) {
    IAI_CHECK(batch.labels[j] <= 9, fn, "labels[" + std::to_string(j) + "]", int(batch.labels[j]),
              "in 0 … 9");
    out.write(&batch.labels[j], 1);
    out.write(batch.pixels.data() + j * kCifarPixels, kCifarPixels);
  }
  out.commit();
}

}  // namespace iai
