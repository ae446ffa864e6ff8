// Two translation units include <iai/iai.hpp>; linking them proves the headers define nothing
// twice (every non-template function is inline).
#include <iai/iai.hpp>

double otherTranslationUnit();

int main() {
  iai::Rng rng(7);
  const double here = rng.normal();
  return (here == otherTranslationUnit()) ? 0 : 1;
}
