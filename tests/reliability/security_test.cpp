// Security (docs/reliability.md): every reader refuses a FIFO, device or directory with a typed
// error instead of blocking, and checkpoint saving never writes through a planted link.
#include "support/catch.hpp"
#include "support/temp_dir.hpp"

#include <iai/data.hpp>
#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>
#include <iai/training/checkpoint.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_security_test {

namespace fs = std::filesystem;

namespace {

using iai_test::TempDir;

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Runs `read` on a thread and returns its io_error message, or fails if it blocks for 5 s (then
/// opens the FIFO for writing so that the thread can finish).
std::string refusedWithoutBlocking(const std::string& fifo, const std::function<void()>& read) {
  std::atomic<bool> done{false};
  std::string msg = "no iai::io_error";
  std::thread t([&] {
    try {
      read();
    } catch (const iai::io_error& e) {
      msg = e.what();
    } catch (const std::exception& e) {
      msg = std::string("another exception: ") + e.what();
    }
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool blocked = !done;
  if (blocked) std::ofstream unblock(fifo);
  t.join();
  CHECK_FALSE(blocked);
  return msg;
}

using Model = iai::LinearGaussianModel<float>;
using Inference = iai::StandardInferenceModel<float>;
struct Run {
  Model model{6, 2};
  Inference inference{6, 2, {.hidden = 8, .layers = 1}, 1};
  iai::VariationalEM<Model, Inference> em{model, inference, {.batch_size = 4}};
};

}  // namespace

TEST_CASE("Every reader refuses a FIFO without blocking, naming the file", "[reliability][security]") {
  TempDir dir;
  const std::string fifo = dir.file("train-images-idx3-ubyte");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto refused = [&](const std::function<void()>& read) {
    const std::string msg = refusedWithoutBlocking(fifo, read);
    CHECK_THAT(msg, Catch::Contains("'" + fifo + "'") && Catch::Contains("not a regular file"));
  };
  refused([&] { iai::readIdx(fifo); });
  refused([&] { iai::Dataset<float>::fromIdx(fifo); });
  // a folder whose data file is a FIFO: the FIFO is not taken for the data set
  CHECK_THAT(refusedWithoutBlocking(fifo, [&] { iai::Dataset<float>::load(dir.path().string(), true); }),
             Catch::Contains("no train-images-idx3-ubyte[.gz]"));
  refused([&] { iai::readCheckpointInfo(fifo); });
  Run run;
  refused([&] { iai::loadCheckpoint(fifo, run.em, "arch"); });
  refused([&] { iai::readModelFile<float>(fifo); });
}

TEST_CASE("Readers refuse directories and devices with an io_error", "[reliability][security]") {
  TempDir dir;
  Run run;
  for (const std::string& path : {dir.path().string(), std::string("/dev/null")}) {
    INFO(path);
    CHECK_THROWS_WITH(iai::readIdx(path), Catch::Contains("not a regular file"));
    CHECK_THROWS_WITH(iai::readCheckpointInfo(path), Catch::Contains("not a regular file"));
    CHECK_THROWS_WITH(iai::loadCheckpoint(path, run.em, "arch"),
                      Catch::Contains("not a regular file"));
    CHECK_THROWS_WITH(iai::readModelFile<float>(path), Catch::Contains("not a regular file"));
  }
}

TEST_CASE("saveCheckpoint, writeIdx and saveModel never write through links planted at the target or at "
          "the old predictable temporary names",
          "[reliability][security]") {
  TempDir dir;
  const std::string victim = dir.file("victim");
  std::ofstream(victim) << "precious";
  Run run;
  for (const std::string name : {"run.ckpt", "labels", "model.iai"}) {
    const std::string path = dir.file(name);
    fs::create_symlink(victim, path);
    fs::create_symlink(victim, path + ".tmp");
    const long pid = static_cast<long>(::getpid());
    for (long p = pid; p <= pid + 100; ++p) fs::create_symlink(victim, path + ".tmp." + std::to_string(p));
    if (name == "run.ckpt") {
      iai::saveCheckpoint(path, run.em, "arch");
      CHECK(iai::readCheckpointInfo(path).architecture == "arch");
    } else if (name == "labels") {
      iai::writeIdx(path, {3}, {1, 2, 3});
      CHECK(iai::readIdx(path).data == std::vector<std::uint8_t>{1, 2, 3});
    } else {
      iai::saveModel(path, run.model, run.inference, "arch");
      CHECK(iai::readModelFile<float>(path).architecture == "arch");
    }
    CHECK_FALSE(fs::is_symlink(path));
    CHECK(readText(victim) == "precious");
  }
}

}  // namespace iai_test_security_test
