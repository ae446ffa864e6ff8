// libFuzzer target: readIdx on arbitrary bytes, built without zlib (gzip input is rejected).
// Guarantee checked: any file gives an IdxArray consistent with its header or an iai::io_error;
// never a crash, an out-of-bounds access, undefined behaviour, a leak or an allocation sized by
// an unchecked header field.
#include <iai/data/idx.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  iai_fuzz::readIdxChecked(data, size);
  return 0;
}
