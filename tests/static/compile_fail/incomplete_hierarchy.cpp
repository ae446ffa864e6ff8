// Must NOT compile: the model declares levels() but has no priorBackward, so it is not a
// HierarchicalGenerativeModel; it must not silently be treated as a single-level model.
#include <iai/iai.hpp>
#include <iai/testing/archetypes.hpp>

struct IncompleteHierarchy : iai::testing::archetypes::MinimalGenerativeModel {
  iai::Index levels() const { return 2; }
  iai::Index levelDim(iai::Index) const { return 1; }
};

int main() {
  IncompleteHierarchy model;
  iai::testing::archetypes::MinimalInferenceModel inference;
  iai::VariationalEM em(model, inference);
  return 0;
}
