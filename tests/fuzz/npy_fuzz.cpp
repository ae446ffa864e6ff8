// libFuzzer target: readNpy on arbitrary bytes. Guarantee checked: any file gives an NpyArray
// consistent with its header (rank 1 or 2, D × N values, the dtype read) or an iai::io_error;
// never a crash, undefined behaviour, a leak or an allocation sized by an unchecked header field.
#include <cstdlib>

#include <iai/data/npy.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const iai::NpyArray a = iai::readNpy(iai_fuzz::writeInput(data, size));
    if (a.shape.size() != 1 && a.shape.size() != 2) std::abort();
    const std::uint64_t d = a.shape.size() == 2 ? a.shape[1] : 1;
    if (static_cast<std::uint64_t>(a.values.rows()) != d ||
        static_cast<std::uint64_t>(a.values.cols()) != a.shape[0])
      std::abort();
  } catch (const iai::io_error&) {
  }
  return 0;
}
