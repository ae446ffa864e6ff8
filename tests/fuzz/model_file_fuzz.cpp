// libFuzzer target: readModelFile on arbitrary bytes, then again with the CRC-32 trailer
// recomputed (to reach the parser behind the checksum). Guarantee checked: any file gives a
// ModelFile whose tensors hold as many values as their shapes say, or an iai::io_error /
// iai::invalid_argument (the other scalar type); never a crash, an out-of-bounds access,
// undefined behaviour, a leak or an allocation sized by an unchecked field.
#include <cstdlib>
#include <vector>

#include <iai/core/binary_io.hpp>
#include <iai/training/model_file.hpp>

#include "fuzz_input.hpp"

namespace {

void readChecked(const std::uint8_t* data, std::size_t size) {
  const std::string& path = iai_fuzz::writeInput(data, size);
  try {
    const iai::ModelFile<float> file = iai::readModelFile<float>(path);
    for (const auto& t : file.tensors)
      if (t.name.empty() || t.values.size() != t.values.rows() * t.values.cols()) std::abort();
  } catch (const iai::io_error&) {
  } catch (const iai::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  readChecked(data, size);
  if (size >= 4) {  // the same bytes with a valid checksum
    std::vector<std::uint8_t> fixed(data, data + size);
    iai::detail::Crc32 crc;
    crc.update(fixed.data(), size - 4);
    iai::detail::storeLE(fixed.data() + size - 4, crc.value());
    readChecked(fixed.data(), fixed.size());
  }
  return 0;
}
