// Must NOT compile: the inference model is neither standard nor iterative (no update/infer).
#include <iai/iai.hpp>
#include <iai/testing/archetypes.hpp>

struct NoUpdate : iai::testing::archetypes::MinimalIterativeInferenceModel {
  void update() = delete;
};

int main() {
  iai::testing::archetypes::MinimalGenerativeModel model;
  NoUpdate inference;
  iai::VariationalEM em(model, inference);
  return 0;
}
