// infer: rebuild a trained model from a model-only file (iai::saveModel; θ and φ with names and
// shapes) and run inference without a trainer (iai::EStep), e.g. on test images. The model is
// rebuilt from the same options train was given (they make the architecture string the file
// must match). Also converts a train checkpoint into a model file.
//   build/examples/infer --checkpoint out/run.ckpt --save-model out/model.iai   (convert)
//   build/examples/infer --model out/model.iai --data fashion-mnist --examples 500 [--past 10]
// Prints JSON lines (docs/training.md): the run line, then a "final" line with the test ELBO after
// each inference iteration (λ_0 … λ_T, and past T with --past), on the first --examples test
// examples, statically binarised with --seed.
#include <Eigen/Core>

#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <iai/data.hpp>
#include <iai/iai.hpp>
#include <iai/training/checkpoint.hpp>
#include <iai/training/model_file.hpp>

#include "common/args.hpp"
#include "common/experiment.hpp"

namespace {

using examples::Scalar;
using Data = iai::Dataset<Scalar>;

constexpr const char* kSummary =
    "Rebuilds a trained model from a model file (iai::saveModel) or a train checkpoint and runs\n"
    "inference without a trainer (iai::EStep): the test ELBO after each inference iteration.\n"
    "Give the model options train was given (they make the architecture the file must match);\n"
    "--checkpoint FILE --save-model OUT converts a checkpoint into a model file.";

struct Options {
  examples::Experiment exp;
  std::string model, checkpoint, save_model, data = "fashion-mnist";
  long examples = 500, past = 0;
};

void addOptions(examples::Cli& cli, Options& o) {
  cli.group("Input and output");
  cli.option("model", o.model, "FILE", "the model file to run (iai::saveModel)").existingFile();
  cli.option("checkpoint", o.checkpoint, "FILE", "a train checkpoint to run or convert")
      .existingFile();
  cli.option("save-model", o.save_model, "FILE", "with --checkpoint: write the model file, run nothing");
  cli.option("data", o.data, "NAME|DIR", "fashion-mnist, mnist-10k, or a folder of IDX files");
  cli.option("examples", o.examples, "N", "run on the first N test examples").min(1);
  cli.option("past", o.past, "N", "N inference iterations past the trained T");
  cli.group("Model (as train was given; shared with train, compare_optimizers, "
            "optimization_surface)");
  o.exp.addOptions(cli);
  cli.afterParse([&o] {
    IAI_CHECK(o.model.empty() != o.checkpoint.empty(), "arguments", "--model/--checkpoint",
              "both or neither", "exactly one of them");
    IAI_CHECK(o.save_model.empty() || !o.checkpoint.empty(), "arguments", "--save-model",
              o.save_model, "used with --checkpoint");
  });
}

template <class Model, class Inference>
int run(const Options& o, iai::Index d, Model model, Inference inference) {
  const std::string arch = o.exp.architecture(d);
  if (!o.checkpoint.empty()) {  // a checkpoint holds θ, φ and the training state
    iai::VariationalEM em(model, inference, o.exp.training());
    const iai::CheckpointInfo info = iai::loadCheckpoint(o.checkpoint, em, arch);
    std::fprintf(stderr, "infer: %s (epoch %d)\n", o.checkpoint.c_str(), info.epoch);
    if (!o.save_model.empty()) {
      iai::saveModel(o.save_model, model, inference, arch);
      std::fprintf(stderr, "infer: wrote %s (theta %ld, phi %ld values)\n", o.save_model.c_str(),
                   static_cast<long>(model.theta().size()),
                   static_cast<long>(inference.phi().size()));
      return 0;
    }
  } else {
    iai::loadModel(o.model, model, inference, arch);
    std::fprintf(stderr, "infer: %s, %s\n", o.model.c_str(), arch.c_str());
  }

  Data test = Data::load(o.data, false);
  const iai::Index n = std::min<iai::Index>(o.examples, test.size());
  IAI_CHECK(n >= 1, "infer", "--examples", o.examples, "≥ 1 with a non-empty test set");
  test.setBinarization(iai::Binarization::Static, o.exp.seed + 1);
  iai::Matrix<Scalar> x(d, n);
  std::vector<iai::Index> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), iai::Index{0});
  iai::Rng data_rng(o.exp.seed, 10);
  test.gather(idx, x, data_rng);

  iai::EStep<Model, Inference> e_step(model, inference, o.exp.iterations + o.past);
  iai::ElboFor<Model> elbo(o.exp.evalElbo());
  iai::Rng noise(o.exp.seed, 11);
  e_step.run(x, elbo, noise, decltype(e_step)::Mode::Evaluate);
  iai::JsonLine()
      .add("type", "final")
      .add("examples", static_cast<long>(n))
      .add("trained_iterations", o.exp.iterationsRun())
      .add("test_elbo_per_iteration", e_step.trace())
      .print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("infer", [&] {
    Options o;
    examples::Cli cli("infer", kSummary);
    addOptions(cli, o);
    if (!cli.parse(argc, argv)) return 0;
    cli.runLine(o.exp.seed).print();
    const iai::Index d = Data::load(o.data, false).dim();
    if (o.exp.hierarchical())
      return o.exp.iterative()
                 ? run(o, d, o.exp.makeHierarchicalModel(d), o.exp.makeHierarchicalIterative(d))
                 : run(o, d, o.exp.makeHierarchicalModel(d), o.exp.makeBottomUp(d));
    return o.exp.iterative() ? run(o, d, o.exp.makeModel(d), o.exp.makeIterative(d))
                             : run(o, d, o.exp.makeModel(d), o.exp.makeStandard(d));
  });
}
