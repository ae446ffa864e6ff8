// A concepts header first, then the umbrella: the headers do not depend on the order in which
// they are included (an iai::concepts::detail once hid iai::detail from the concepts declared
// after it).
#include <iai/optim/concepts.hpp>
#include <iai/iai.hpp>

double otherTranslationUnit() {
  iai::Rng rng(7);
  return rng.normal();
}
