// libFuzzer target: readCsv (header auto-detected) on arbitrary bytes. Guarantee checked: a table
// of finite numbers with as many names as rows (or none), or an iai::io_error; nothing else.
#include <cmath>
#include <cstdlib>

#include <iai/data/csv.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const iai::CsvTable t = iai::readCsv(iai_fuzz::writeInput(data, size));
    if (t.values.size() == 0 || !t.values.allFinite()) std::abort();
    if (!t.names.empty() && static_cast<iai::Index>(t.names.size()) != t.values.rows()) std::abort();
  } catch (const iai::io_error&) {
  }
  return 0;
}
