// Checkpoint writes are atomic under SIGKILL (issue 6, docs/reliability.md): a forked writer saves
// version after version of a checkpoint (θ, φ and the step counter all encode the version number)
// and is killed at a random moment, 100 times; every time the file then loads and holds one
// complete version, the last one seen before or a newer one, never a mix or a corrupt file.
#include "support/catch.hpp"

#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>
#include <iai/training/checkpoint.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_checkpoint_kill_test {

namespace fs = std::filesystem;

namespace {

const std::string kArch = "kill test: linear-gaussian 6x2, standard hidden=128 layers=2";

/// A run whose checkpoint is about 2 MB (φ has ~70k entries, plus two Adam moments each), so
/// that a random kill often lands while the file is being written.
struct Run {
  using Model = iai::LinearGaussianModel<double>;
  using Inference = iai::StandardInferenceModel<double>;
  Model model{6, 2};
  Inference inference{6, 2, {.hidden = 128, .layers = 2}, 1};
  iai::VariationalEM<Model, Inference> em{model, inference, {.batch_size = 4}};

  void setVersion(std::int64_t v) {
    model.theta().setConstant(static_cast<double>(v));
    inference.phi().setConstant(static_cast<double>(v));
    auto state = em.state();
    state.steps = v;
    em.restore(state);
  }
  /// The version the loaded state encodes, or -1 if θ, φ and the step disagree (a mix).
  std::int64_t version() const {
    const double v = static_cast<double>(em.steps());
    const bool same = (model.theta().array() == v).all() && (inference.phi().array() == v).all();
    return same ? em.steps() : -1;
  }
};

/// Child process (a fork: `run` is its copy of the parent's): saves versions first, first + 1, …
/// to path until killed.
[[noreturn]] void writeForever(Run& run, const std::string& path, std::int64_t first) {
  try {
    for (std::int64_t v = first;; ++v) {
      run.setVersion(v);
      iai::saveCheckpoint(path, run.em, kArch);
    }
  } catch (...) {
    _exit(3);
  }
}

}  // namespace

TEST_CASE(
    "Checkpoint writes survive SIGKILL at random moments: 100 kills, every load finds a "
    "complete earlier or later version",
    "[reliability][checkpoint][kill]") {
  std::random_device rd;
  const fs::path dir =
      fs::temp_directory_path() / ("iai-kill-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(dir);
  const std::string path = (dir / "run.ckpt").string();
  const auto t0 = std::chrono::steady_clock::now();

  // kill delays span about three saves (a save takes ~1 ms in Release, more under sanitizers)
  Run run;
  run.setVersion(0);
  const auto s0 = std::chrono::steady_clock::now();
  for (int k = 0; k < 3; ++k) iai::saveCheckpoint(path, run.em, kArch);
  const auto save_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - s0)
          .count() /
      3;
  std::int64_t last = 0;
  int mid_write = 0, advanced = 0;
  std::mt19937 gen(6);
  std::uniform_int_distribution<std::int64_t> delay_us(0, std::max<std::int64_t>(3 * save_us, 500));
  for (int kill_round = 0; kill_round < 100; ++kill_round) {
    const std::int64_t first = last + 1;
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) writeForever(run, path, first);
    ::usleep(static_cast<useconds_t>(delay_us(gen)));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("kill " << kill_round << ", last version " << last);
    REQUIRE(WIFSIGNALED(status));  // killed while writing, not exited on an error
    REQUIRE(WTERMSIG(status) == SIGKILL);

    // the temporary file of an interrupted save may remain; the checkpoint itself is whole
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename() != "run.ckpt") {
        ++mid_write;
        fs::remove(entry.path());
      }
    Run loaded;
    REQUIRE_NOTHROW(iai::loadCheckpoint(path, loaded.em, kArch));
    const std::int64_t v = loaded.version();
    INFO("loaded version " << v);
    REQUIRE((v == last || v >= first));
    advanced += v != last;
    last = v;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(mid_write << " kills interrupted a save, " << advanced << " found a newer version, "
                 << seconds << " s in all, " << save_us << " us per save");
  CHECK(mid_write > 0);  // the kills did hit saves in progress
  CHECK(advanced > 0);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

}  // namespace iai_test_checkpoint_kill_test
