// libFuzzer target: readSparseCounts on arbitrary bytes, then a dense gather of every document.
// Guarantee checked: consistent CSR arrays (ascending in-range ids per document, one label per
// document) whose gather writes only inside the batch, or an iai::io_error; nothing else.
#include <cstdlib>
#include <vector>

#include <iai/data/sparse.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    iai::SparseCountSource<float> s(iai::readSparseCounts(iai_fuzz::writeInput(data, size)));
    const iai::SparseCounts& c = s.counts();
    if (s.size() < 1 || c.label.size() != static_cast<std::size_t>(s.size()) || s.dim() < 1)
      std::abort();
    for (iai::Index j = 0; j < s.size(); ++j)
      for (auto e = c.row_start[static_cast<std::size_t>(j)];
           e < c.row_start[static_cast<std::size_t>(j) + 1]; ++e) {
        const auto id = c.index[static_cast<std::size_t>(e)];
        if (id < 0 || id >= s.dim()) std::abort();
        if (e > c.row_start[static_cast<std::size_t>(j)] && c.index[static_cast<std::size_t>(e) - 1] >= id)
          std::abort();
      }
    if (s.dim() <= 4096) {  // a dense batch of at most 4096 x 4 floats
      const iai::Index n = s.size() < 4 ? s.size() : 4;
      iai::Matrix<float> out(s.dim(), n);
      std::vector<iai::Index> idx;
      for (iai::Index j = 0; j < n; ++j) idx.push_back(s.size() - 1 - j);
      iai::Rng rng(0);
      s.gather(idx, out, rng);
    }
  } catch (const iai::io_error&) {
  }
  return 0;
}
