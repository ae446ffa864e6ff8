#pragma once
// Shared by the libFuzzer targets: the readers under test take a path, so each input is written
// to one scratch file per process (removed at exit), in /dev/shm when there is one (no disk I/O
// per execution), else in the temp directory.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <iai/data/idx.hpp>

namespace iai_fuzz {

/// Writes `size` bytes to this process's scratch file and returns its path.
inline const std::string& writeInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = [] {
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec)
                                          ? std::filesystem::path("/dev/shm")
                                          : std::filesystem::temp_directory_path();
    std::string p = (dir / ("iai-fuzz-" + std::to_string(::getpid()) + ".bin")).string();
    static std::string keep = p;
    std::atexit([] { std::remove(keep.c_str()); });
    return p;
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  if (std::fclose(f) != 0) std::abort();
  return path;
}

/// Reads the input as an IDX file: either an IdxArray consistent with its header (1 or 3 dims,
/// as many values as they promise) or an iai::io_error; anything else aborts (a finding).
inline void readIdxChecked(const std::uint8_t* data, std::size_t size) {
  try {
    const iai::IdxArray a = iai::readIdx(writeInput(data, size));
    std::uint64_t count = 1;
    for (std::uint32_t d : a.dims) count *= d;
    if ((a.dims.size() != 1 && a.dims.size() != 3) || count != a.data.size()) std::abort();
  } catch (const iai::io_error&) {
  }
}

}  // namespace iai_fuzz
