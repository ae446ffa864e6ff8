// libFuzzer target: loadCheckpoint (and readCheckpointInfo) on arbitrary bytes. Each input is
// loaded as it is, then once more with its CRC-32 trailer recomputed, so that the checks behind
// the checksum (sizes against the live model, optimizer layout, flags) are fuzzed as well.
// Guarantee checked: any file is loaded or rejected with iai::io_error / iai::invalid_argument;
// never a crash, undefined behaviour, a leak or an allocation sized by an unchecked field.
#include <vector>

#include "checkpoint_setup.hpp"
#include "fuzz_input.hpp"

namespace {
void load(const std::uint8_t* data, std::size_t size) {
  static iai_fuzz::CheckpointRun run;
  const std::string& path = iai_fuzz::writeInput(data, size);
  try {
    (void)iai::readCheckpointInfo(path);
  } catch (const iai::io_error&) {
  }
  try {
    (void)iai::loadCheckpoint(path, run.em, iai_fuzz::kArchitecture);
  } catch (const iai::io_error&) {
  } catch (const iai::invalid_argument&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  load(data, size);
  if (size >= 8) {
    std::vector<std::uint8_t> fixed(data, data + size);
    iai::detail::Crc32 crc;
    crc.update(fixed.data(), size - 4);
    iai::detail::storeLE(fixed.data() + size - 4, crc.value());
    load(fixed.data(), size);
  }
  return 0;
}
