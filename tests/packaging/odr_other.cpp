#include <iai/iai.hpp>

double otherTranslationUnit() {
  iai::Rng rng(7);
  return rng.normal();
}
