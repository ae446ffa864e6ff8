// Training you can watch (training/json_lines.hpp, training/callbacks.hpp, PeriodicCheckpoint,
// TrainingConfig::lr_schedule): JSON escaping, the logger's schema, epoch statistics, early
// stopping, periodic checkpoints and learning-rate schedules.
#include "support/catch.hpp"

#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_json_lines_test {

namespace fs = std::filesystem;
using iai::Index;
using iai::Matrix;

namespace {

using Model = iai::LinearGaussianModel<double>;
using Inference = iai::IterativeInferenceModel<double>;

Matrix<double> makeData() {
  iai::Rng rng(1);
  auto teacher = Model::withOrthogonalColumns(6, 2, rng, -1.0);
  Matrix<double> z(2, 64), x(6, 64);
  teacher.sample(rng, z, x);
  return x;
}

struct Run {
  Model model;
  Inference inference{6, 2, {.network = {.hidden = 8, .layers = 1}}, 3};
  iai::VariationalEM<Model, Inference> em;
  explicit Run(iai::TrainingConfig config) : model(makeModel()), em(model, inference, config) {}
  static Model makeModel() {
    iai::Rng rng(5);
    return Model::withOrthogonalColumns(6, 2, rng, 0.0);
  }
};

iai::TrainingConfig smallConfig() {
  iai::TrainingConfig c;
  c.batch_size = 16;
  c.iterations = 2;
  c.elbo = {.samples = 2};
  c.seed = 4;
  return c;
}

/// Everything written to a temporary FILE*.
std::vector<std::string> lines(std::FILE* f) {
  std::rewind(f);
  std::vector<std::string> out;
  char buf[1 << 14];
  while (std::fgets(buf, sizeof buf, f)) {
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("JsonLine escapes quotes, backslashes and every control character, and writes non-finite as null",
          "[training][json]") {
  std::string all_controls;
  for (int c = 1; c < 0x20; ++c) all_controls += static_cast<char>(c);
  all_controls += '\x7f';
  const std::string s = iai::JsonLine()
                            .add("q", "a\"b\\c")
                            .add("c", all_controls)
                            .add("nan", std::nan(""))
                            .add("inf", HUGE_VAL)
                            .add("v", std::vector<double>{1.5, -2.0})
                            .add("n", 3)
                            .add("b", true)
                            .str();
  CHECK(s.find(R"("q":"a\"b\\c")") != std::string::npos);
  CHECK(s.find(R"(\u0001\u0002)") != std::string::npos);
  CHECK(s.find(R"(\b\t\n\u000b\f\r)") != std::string::npos);
  CHECK(s.find(R"(\u001f\u007f")") != std::string::npos);
  CHECK(s.find(R"("nan":null,"inf":null)") != std::string::npos);
  CHECK(s.find(R"("v":[1.5,-2],"n":3,"b":true)") != std::string::npos);
  for (char c : s) CHECK(static_cast<unsigned char>(c) >= 0x20);  // no raw control characters
}

TEST_CASE("JsonLinesLogger writes a run line, then one epoch line with the documented keys",
          "[training][json]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const Matrix<double> x = makeData();
  iai::MatrixBatchSource<double> source(x);
  Run run(smallConfig());
  iai::RunInfo info{.program = "test\nprogram", .configuration = {}, .seed = 4};
  info.configuration.add("batch", 16).add("note", "tab\there");
  iai::JsonLinesLogger logger(f, info, /*every_steps=*/2);
  const iai::EpochStatistics e = run.em.fit(source, 2, logger);
  const std::vector<std::string> out = lines(f);
  std::fclose(f);
  // 1 run line, 2 epochs × (4 steps / 2 = 2 step lines + 1 epoch line)
  REQUIRE(out.size() == 1 + 2 * 3);
  CHECK(out[0].find(R"("type":"run","program":"test\nprogram","iai_version":"0.)") == 1);
  CHECK(out[0].find(R"("configuration":{"batch":16,"note":"tab\there"})") != std::string::npos);
  CHECK(out[0].find(R"("compiler":")") != std::string::npos);
  CHECK(out[0].find(R"("flags":")") != std::string::npos);
  // epochs count from 1 in the lines: steps 2 and 4 of the first epoch, then its epoch line
  CHECK(out[1].find(R"("type":"step","step":2,"epoch":1,)") != std::string::npos);
  CHECK(out[3].find(R"("type":"epoch","epoch":1,)") == 1);
  const std::string& epoch = out[6];
  for (const char* key : {R"("type":"epoch","epoch":2,)", R"("elbo":)", R"("reconstruction":)",
                          R"("kl":)", R"("elbo_per_iteration":[)", R"("grad_norm_theta":)",
                          R"("grad_norm_phi":)", R"("learning_rate_theta":)",
                          R"("learning_rate_phi":)", R"("seconds":)", R"("examples_per_second":)"})
    CHECK(epoch.find(key) != std::string::npos);
  // epochLine is the line onEpoch printed, for programs that add keys of their own
  CHECK(iai::JsonLinesLogger::epochLine(e).str() == epoch);
  CHECK(iai::JsonLinesLogger::epochLine(e).add("validation_elbo", -1.5).str() ==
        epoch.substr(0, epoch.size() - 1) + R"(,"validation_elbo":-1.5})");
  // the epoch statistics behind it: 4 steps of 16, ELBO = reconstruction − KL (β = 1)
  CHECK(e.steps == 4);
  CHECK(e.examples == 64);
  CHECK(e.train_elbo == Approx(e.reconstruction - e.kl).epsilon(1e-12));
  CHECK(e.elbo_per_iteration.size() == 3);
  CHECK(e.grad_norm_theta > 0);
  CHECK(e.grad_norm_phi > 0);
  CHECK(e.phi_learning_rate == Approx(2e-4 * 0.999).epsilon(1e-12));  // epoch 1
}

TEST_CASE("EarlyStopping stops once the last patience epochs gain less than min_gain",
          "[training][callbacks]") {
  // gains of 1, 1, then 0.05 per epoch: with patience 3 and min_gain 0.1 the rule needs 3
  // epochs after the plateau starts
  const std::vector<double> values{-10, -9, -8, -7.95, -7.9, -7.85, -7.8};
  std::size_t k = 0;
  iai::EarlyStopping stop([&] { return values[k++]; }, 3, 0.1);
  const iai::EpochStatistics e;
  std::vector<bool> decisions;
  for (std::size_t i = 0; i < values.size(); ++i) decisions.push_back(stop.onEpoch(e));
  // after 4 values: recent best −7.95 vs before −10: gain 2.05; after 5: −7.9 vs −9; after 6:
  // −7.85 vs −8 (0.15); after 7: −7.8 vs −7.95 (0.15 ≥ 0.1): continue; the gains per 3 epochs
  // are 0.15, so it never stops here
  CHECK(decisions == std::vector<bool>(values.size(), false));
  iai::EarlyStopping flat([&] { return -5.0; }, 3, 0.1);
  int epochs = 0;
  while (!flat.onEpoch(e)) ++epochs;
  CHECK(epochs == 3);  // stops at the 4th value: the last 3 gained 0 over the first
  CHECK(flat.best() == -5.0);
  // a resumed rule continues from its history
  iai::EarlyStopping resumed([&] { return -5.0; }, 3, 0.1, {-5.0, -5.0, -5.0});
  CHECK(resumed.onEpoch(e));
  CHECK_THROWS_AS(iai::EarlyStopping([] { return 0.0; }, 0, 0.1), iai::invalid_argument);
  CHECK_THROWS_AS(iai::EarlyStopping([] { return 0.0; }, 3, -1.0), iai::invalid_argument);
}

TEST_CASE("EarlyStopping stops VariationalEM::fit on a validation ELBO", "[training][callbacks]") {
  const Matrix<double> x = makeData();
  const Matrix<double> x_train = x.leftCols(48), x_validation = x.rightCols(16);
  iai::MatrixBatchSource<double> train(x_train), validation(x_validation);
  Run run(smallConfig());
  iai::Rng rng(9);
  // min_gain so large that the second epoch already fails the rule (patience 1)
  iai::EarlyStopping stop(
      [&] {
        iai::Rng r(9);
        return run.em.evaluate(validation, 16, r).back();
      },
      1, 1e6);
  run.em.fit(train, 50, stop);
  CHECK(stop.stopped());
  CHECK(run.em.epoch() == 2);
  CHECK(stop.history().size() == 2);
}

TEST_CASE("PeriodicCheckpoint saves at epoch boundaries that resume exactly",
          "[training][callbacks]") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("iai-periodic-" + std::to_string(rd()));
  fs::create_directories(dir);
  const std::string path = (dir / "run.ckpt").string();
  const Matrix<double> x = makeData();
  iai::MatrixBatchSource<double> source(x);
  Run full(smallConfig());
  iai::PeriodicCheckpoint every2(full.em, path, "arch", 2);
  full.em.fit(source, 4, every2);  // saves after epochs 2 and 4
  CHECK(every2.saved() == 2);
  CHECK(iai::readCheckpointInfo(path).epoch == 4);
  Run again(smallConfig());
  again.em.fit(source, 2);
  Run resumed(smallConfig());
  iai::saveCheckpoint(path, again.em, "arch");
  iai::loadCheckpoint(path, resumed.em, "arch");
  resumed.em.fit(source, 2);
  CHECK((resumed.model.theta().array() == full.model.theta().array()).all());
  CHECK((resumed.inference.phi().array() == full.inference.phi().array()).all());
  CHECK_THROWS_AS(iai::PeriodicCheckpoint(full.em, "", "arch"), iai::invalid_argument);
  CHECK_THROWS_AS(iai::PeriodicCheckpoint(full.em, path, "arch", 0), iai::invalid_argument);
  fs::remove_all(dir);
}

TEST_CASE("TrainingConfig::lr_schedule sets the learning rate of every epoch, also after a resume",
          "[training][callbacks]") {
  iai::TrainingConfig c = smallConfig();
  c.lr_schedule = [](int epoch) { return epoch < 2 ? 1.0 : 0.1; };
  const Matrix<double> x = makeData();
  iai::MatrixBatchSource<double> source(x);
  Run run(c);
  std::vector<double> rates;
  struct Record {
    std::vector<double>* out;
    void onEpoch(const iai::EpochStatistics& e) { out->push_back(e.theta_learning_rate); }
  } record{&rates};
  run.em.fit(source, 3, record);
  CHECK(rates == std::vector<double>{2e-4, 2e-4, 2e-4 * 0.1});
  Run resumed(c);
  resumed.em.restore(run.em.state());
  CHECK(resumed.em.thetaOptimizer()->learningRate() == 2e-4 * 0.1);
  // a schedule that gives a non-positive rate is refused before anything changes
  iai::TrainingConfig bad = smallConfig();
  bad.lr_schedule = [](int epoch) { return epoch < 3 ? 1.0 : 0.0; };
  Run bad_run(bad);
  auto state = bad_run.em.state();
  state.epoch = 3;
  CHECK_THROWS_AS(bad_run.em.restore(state), iai::invalid_argument);
  CHECK(bad_run.em.epoch() == 0);
}

TEST_CASE("ProgressBar formats durations and reports evaluation progress", "[training][callbacks]") {
  CHECK(iai::ProgressBar::duration(12.4) == "12s");
  CHECK(iai::ProgressBar::duration(185) == "3m05s");
  CHECK(iai::ProgressBar::duration(3720) == "1h02m");
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  iai::ProgressBar bar(0.0, f);  // not a terminal: plain lines
  bar.onProgress("importance sampling", 0, 4);
  bar.onProgress("importance sampling", 4, 4);
  const std::vector<std::string> out = lines(f);
  std::fclose(f);
  REQUIRE(out.size() == 2);
  CHECK(out[1].find("importance sampling 4/4") == 0);
}

}  // namespace iai_test_json_lines_test
