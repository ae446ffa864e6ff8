// Must NOT compile: the model lacks logLikelihoodBackward. The error names it in plain words.
#include <iai/iai.hpp>
#include <iai/testing/archetypes.hpp>

struct NoBackward : iai::testing::archetypes::MinimalGenerativeModel {
  void logLikelihoodBackward() = delete;
};

int main() {
  NoBackward model;
  iai::testing::archetypes::MinimalInferenceModel inference;
  iai::VariationalEM em(model, inference);
  return 0;
}
