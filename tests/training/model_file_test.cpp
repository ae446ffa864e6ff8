// Model-only files (training/model_file.hpp): named tensors with shapes round trip bitwise; θ and
// φ move between runs without the trainer; damaged files are rejected with typed errors.
#include "support/catch.hpp"
#include "support/temp_dir.hpp"

#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_model_file_test {

namespace fs = std::filesystem;
using iai::Index;
using iai::Matrix;
using Bytes = std::vector<char>;

namespace {

using iai_test::TempDir;

Bytes readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
void writeBytes(const std::string& path, const Bytes& bytes) {
  std::error_code ignored;
  fs::remove(path, ignored);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEMPLATE_TEST_CASE("Model files round trip named tensors with their shapes bitwise", "[training]",
                   float, double) {
  using S = TestType;
  TempDir dir;
  const std::string path = dir.file("weights.iai");
  iai::Rng rng(3);
  Matrix<S> a(3, 4), v(5, 1);
  iai::fillNormal(rng, a);
  iai::fillNormal(rng, v);
  iai::saveModelFile<S>(path, {{"decoder.weight", a}, {"theta", v}, {"empty", Matrix<S>(0, 2)}},
                        "arch: test");
  const iai::ModelFile<S> file = iai::readModelFile<S>(path);
  CHECK(file.architecture == "arch: test");
  REQUIRE(file.tensors.size() == 3);
  CHECK(file.tensors[0].name == "decoder.weight");
  CHECK(file.at("decoder.weight").rows() == 3);
  CHECK(file.at("decoder.weight").cols() == 4);
  CHECK((file.at("decoder.weight").array() == a.array()).all());
  CHECK((file.at("theta").array() == v.array()).all());
  CHECK(file.at("empty").rows() == 0);
  CHECK(file.at("empty").cols() == 2);
  CHECK_THROWS_AS(file.at("missing"), iai::invalid_argument);
  // the byte layout of docs/evaluation.md: magic, version, scalar size, architecture, count
  const Bytes bytes = readBytes(path);
  CHECK(std::string(bytes.data(), 8) == "IAIMODEL");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  CHECK(iai::detail::loadLE<std::uint32_t>(u + 8) == 1);
  CHECK(iai::detail::loadLE<std::uint32_t>(u + 12) == sizeof(S));
  CHECK(iai::detail::loadLE<std::uint64_t>(u + 16) == 10);
  CHECK(std::string(bytes.data() + 24, 10) == "arch: test");
  CHECK(iai::detail::loadLE<std::uint64_t>(u + 34) == 3);
  CHECK(bytes.size() == 8 + 4 + 4 + 8 + 10 + 8 + (8 + 14 + 16 + 12 * sizeof(S)) +
                            (8 + 5 + 16 + 5 * sizeof(S)) + (8 + 5 + 16) + 4);
}

TEST_CASE("saveModel and loadModel move theta and phi into a freshly built pair", "[training]") {
  using Model = iai::LinearGaussianModel<double>;
  using Inference = iai::IterativeInferenceModel<double>;
  TempDir dir;
  const std::string path = dir.file("model.iai");
  iai::Rng rng(1);
  Model model = Model::withOrthogonalColumns(6, 2, rng, 0.0);
  Inference inference(6, 2, {.network = {.hidden = 8, .layers = 1}}, 1);
  iai::saveModel(path, model, inference, "linear 6x2, iterative 8x1");

  iai::Rng other(9);
  Model model2 = Model::withOrthogonalColumns(6, 2, other, 0.0);
  Inference inference2(6, 2, {.network = {.hidden = 8, .layers = 1}}, 2);
  REQUIRE_FALSE((model2.theta().array() == model.theta().array()).all());
  iai::loadModel(path, model2, inference2, "linear 6x2, iterative 8x1");
  CHECK((model2.theta().array() == model.theta().array()).all());
  CHECK((inference2.phi().array() == inference.phi().array()).all());

  // inference without the trainer: the same λ from the same x and noise
  Matrix<double> x(6, 3), mean_a(2, 3), log_var_a(2, 3), mean_b(2, 3), log_var_b(2, 3);
  iai::fillNormal(rng, x);
  iai::Elbo<Model> elbo({.samples = 2});
  iai::EStep<Model, Inference> a(model, inference, 3), b(model2, inference2, 3);
  iai::Rng ra(4), rb(4);
  a.run(x, elbo, ra, iai::EStep<Model, Inference>::Mode::Evaluate);
  b.run(x, elbo, rb, iai::EStep<Model, Inference>::Mode::Evaluate);
  CHECK((a.mean().array() == b.mean().array()).all());
  CHECK(a.trace() == b.trace());

  // mismatches are refused and change nothing
  const iai::Vector<double> before = inference2.phi();
  Inference wider(6, 2, {.network = {.hidden = 9, .layers = 1}}, 2);
  CHECK_THROWS_WITH(iai::loadModel(path, model2, wider, "linear 6x2, iterative 8x1"),
                    Catch::Contains("loadModel: the shape of phi of '" + path + "'"));
  CHECK_THROWS_WITH(iai::loadModel(path, model2, inference2, "another"),
                    Catch::Contains("loadModel: the architecture"));
  CHECK_THROWS_AS(iai::readModelFile<float>(path), iai::invalid_argument);  // stored as double
  CHECK((inference2.phi().array() == before.array()).all());
}

TEST_CASE("A damaged model file is rejected with an io_error: every truncation, every flipped "
          "byte",
          "[training]") {
  TempDir dir;
  const std::string good = dir.file("good.iai"), bad = dir.file("bad.iai");
  Matrix<float> a(2, 3);
  a.setConstant(1.5f);
  iai::saveModelFile<float>(good, {{"w", a}}, "arch");
  const Bytes bytes = readBytes(good);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    writeBytes(bad, Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
    CHECK_THROWS_AS(iai::readModelFile<float>(bad), iai::io_error);
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    INFO("byte " << i << " flipped");
    Bytes damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
    writeBytes(bad, damaged);
    // the scalar-size field may turn into the other valid size: invalid_argument; else io_error
    bool typed = false;
    try {
      iai::readModelFile<float>(bad);
    } catch (const iai::io_error&) {
      typed = true;
    } catch (const iai::invalid_argument&) {
      typed = true;
    }
    CHECK(typed);
  }
  CHECK_THROWS_WITH(iai::readModelFile<float>(dir.file("missing")), Catch::Contains("missing"));
  CHECK_THROWS_AS(iai::saveModelFile<float>(good, {{"w", a}, {"w", a}}, "arch"),
                  iai::invalid_argument);
  CHECK_THROWS_AS(iai::saveModelFile<float>(good, {{"", a}}, "arch"), iai::invalid_argument);
  CHECK(readBytes(good) == bytes);
}

TEMPLATE_TEST_CASE("scripts/iai_weights.py reads a model file written from C++ (NumPy)",
                   "[training][python]", float, double) {
  using S = TestType;
  TempDir dir;
  const std::string path = dir.file("python.iai");
  Matrix<S> a(3, 4), v(5, 1);
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 4; ++j) a(i, j) = static_cast<S>(i + 10 * j) + S(0.5);
  for (Index i = 0; i < 5; ++i) v(i, 0) = -static_cast<S>(i);
  iai::saveModelFile<S>(path, {{"a", a}, {"v", v}}, "python round trip");
  // Debian's interpreter, where python3-numpy installs (a pyenv python3 on PATH may lack NumPy)
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3"
                                                                          : "python3";
  const std::string command = python + " " + std::string(IAI_SOURCE_DIR) +
                              "/tests/training/model_file_python_check.py '" + path + "' " +
                              (sizeof(S) == 4 ? "float32" : "float64");
  CHECK(std::system(command.c_str()) == 0);
}

}  // namespace iai_test_model_file_test
