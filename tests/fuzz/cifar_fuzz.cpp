// libFuzzer target: readCifar10 on arbitrary bytes. Guarantee checked: N whole records (labels
// 0 … 9, 3072 pixels each) or an iai::io_error; nothing else.
#include <cstdlib>

#include <iai/data/cifar.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const iai::CifarBatch b = iai::readCifar10(iai_fuzz::writeInput(data, size));
    if (b.size() == 0 || b.pixels.size() != b.size() * iai::kCifarPixels) std::abort();
    for (std::uint8_t l : b.labels)
      if (l > 9) std::abort();
  } catch (const iai::io_error&) {
  }
  return 0;
}
