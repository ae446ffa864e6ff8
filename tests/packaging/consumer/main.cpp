// Tiny consumer: includes the umbrella header and uses a few pieces.
#include <iai/iai.hpp>

#include <cstdio>

int main() {
  iai::Rng rng(42);
  iai::Matrix<double> z(3, 4);
  iai::fillNormal(rng, z);
  if (!z.allFinite()) return 1;
  std::printf("iai consumer ok: %d.%d.%d\n", IAI_VERSION_MAJOR, IAI_VERSION_MINOR, IAI_VERSION_PATCH);
  return 0;
}
