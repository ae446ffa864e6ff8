#include "support/catch.hpp"

#include <iai/inference.hpp>
#include <iai/models/linear_gaussian_model.hpp>
#include <iai/training.hpp>
#include <iai/training/checkpoint.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_checkpoint_test {

namespace fs = std::filesystem;
using iai::Index;
using iai::Matrix;
using iai::Vector;
using Bytes = std::vector<char>;

namespace {

const std::string kArch = "latent=2 observed=6 obs=gaussian inference=iterative hidden=8 T=3";

/// A fresh folder under the system temp directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("iai-checkpoint-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Bytes readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
// Removes the file first: truncating a file with data in place is slow on ext4 (auto_da_alloc
// flushes it), and the corruption tests rewrite the same file hundreds of times.
void writeBytes(const std::string& path, const Bytes& bytes) {
  std::error_code ignored;
  fs::remove(path, ignored);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Training data with a transform that uses the data stream: x + 0.1 ε (so dataRng() matters).
template <class S>
struct NoisySource {
  using Scalar = S;
  const Matrix<S>* data;
  Index size() const { return data->cols(); }
  Index dim() const { return data->rows(); }
  void gather(std::span<const Index> idx, iai::MatrixRef<S> out, iai::Rng& rng) const {
    for (std::size_t k = 0; k < idx.size(); ++k)
      out.col(static_cast<Index>(k)) = data->col(idx[k]);
    Matrix<S> noise(out.rows(), out.cols());
    iai::fillNormal(rng, noise);
    out += S(0.1) * noise;
  }
};

template <class S>
Matrix<S> makeData() {
  iai::Rng rng(1);
  auto teacher = iai::LinearGaussianModel<S>::withOrthogonalColumns(6, 2, rng, S(-1));
  Matrix<S> z(2, 128), x(6, 128);
  teacher.sample(rng, z, x);
  return x;
}

iai::TrainingConfig trainingConfig() {
  iai::TrainingConfig config;
  config.seed = 17;
  config.batch_size = 32;
  config.iterations = 3;
  config.elbo = {.samples = 2};
  config.theta_optimizer.learning_rate = 1e-2;
  config.phi_optimizer.learning_rate = 1e-2;
  config.lr_decay = 0.9;       // the restored epoch sets the learning rates ...
  config.kl_warmup_epochs = 3;  // ... and the KL weight
  return config;
}

/// A model, an iterative inference model and their VariationalEM; `init` seeds θ and φ.
template <class S>
struct Run {
  using Model = iai::LinearGaussianModel<S>;
  using Inference = iai::IterativeInferenceModel<S>;
  Model model;
  Inference inference;
  iai::VariationalEM<Model, Inference> em;
  explicit Run(std::uint64_t init, Index hidden = 8)
      : model(makeModel(init)),
        inference(6, 2, {.network = {.hidden = hidden, .layers = 2}}, init),
        em(model, inference, trainingConfig()) {}
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

 private:
  static Model makeModel(std::uint64_t init) {
    iai::Rng rng(init + 100);
    return Model::withOrthogonalColumns(6, 2, rng, S(0));
  }
};

/// Everything a checkpoint restores, plus the optimizers' learning rates.
template <class S>
struct Snapshot {
  Vector<S> theta, phi;
  std::vector<Vector<S>> optimizer_state;
  std::vector<std::int64_t> optimizer_steps;
  std::vector<double> learning_rates;
  int epoch = 0;
  std::int64_t step = 0;
  std::array<iai::Rng::State, 3> rngs;

  template <class EM>
  explicit Snapshot(EM& em)
      : theta(em.model().theta()), phi(em.inference().phi()), epoch(em.epoch()),
        step(em.steps()),
        rngs{em.rng().state(), em.shuffleRng().state(), em.dataRng().state()} {
    for (const auto& opt : em.state().optimizers) {
      REQUIRE(opt.present);
      for (const Vector<S>& b : opt.buffers) optimizer_state.push_back(b);
      optimizer_steps.push_back(opt.steps);
    }
    learning_rates.push_back(em.thetaOptimizer()->learningRate());
    learning_rates.push_back(em.phiOptimizer()->learningRate());
  }
  // bitwise (no NaN occurs here)
  bool operator==(const Snapshot& o) const {
    auto same = [](const Vector<S>& a, const Vector<S>& b) {
      return a.size() == b.size() && (a.array() == b.array()).all();
    };
    if (!same(theta, o.theta) || !same(phi, o.phi)) return false;
    if (optimizer_state.size() != o.optimizer_state.size()) return false;
    for (std::size_t i = 0; i < optimizer_state.size(); ++i)
      if (!same(optimizer_state[i], o.optimizer_state[i])) return false;
    return optimizer_steps == o.optimizer_steps && learning_rates == o.learning_rates &&
           epoch == o.epoch && step == o.step && rngs == o.rngs;
  }
};

struct RecordElbo {
  std::vector<double>* out;
  void onStep(const iai::StepStatistics& s) { out->push_back(s.elbo); }
};

}  // namespace

TEMPLATE_TEST_CASE("Checkpoint round trip restores theta, phi, optimizer states, epoch, step and "
                   "random streams bitwise",
                   "[training][checkpoint]", float, double) {
  using S = TestType;
  TempDir dir;
  const std::string path = dir.file("run.ckpt");
  const Matrix<S> data = makeData<S>();
  NoisySource<S> source{&data};
  Run<S> a(1);
  a.em.fit(source, 2);
  {  // cover the cached draw of the noise stream
    auto state = a.em.state();
    iai::Rng noise(0);
    noise.setState(state.rngs[0]);
    while (!noise.state().has_cached_normal) noise.normal();
    state.rngs[0] = noise.state();
    a.em.restore(state);
  }
  const Snapshot<S> saved(a.em);
  iai::saveCheckpoint(path, a.em, kArch);
  CHECK(Snapshot<S>(a.em) == saved);  // saving changes nothing

  Run<S> b(2);  // other initial θ, φ
  REQUIRE_FALSE(Snapshot<S>(b.em) == saved);
  const iai::CheckpointInfo info = iai::loadCheckpoint(path, b.em, kArch);
  CHECK(Snapshot<S>(b.em) == saved);
  CHECK(info.version == iai::kCheckpointVersion);
  CHECK(info.scalar_size == sizeof(S));
  CHECK(info.architecture == kArch);
  CHECK(info.epoch == 2);
  CHECK(info.step == 8);  // 128 examples / 32 per batch × 2 epochs

  const iai::CheckpointInfo header = iai::readCheckpointInfo(path);
  CHECK(header.version == 1);
  CHECK(header.scalar_size == sizeof(S));
  CHECK(header.architecture == kArch);
  CHECK(header.epoch == 2);
  CHECK(header.step == 8);
}

TEST_CASE("Resuming from a checkpoint reproduces the uninterrupted run bitwise (theta, phi and "
          "every step's ELBO)",
          "[training][checkpoint]") {
  using S = float;
  TempDir dir;
  const std::string path = dir.file("epoch2.ckpt");
  const Matrix<S> data = makeData<S>();
  NoisySource<S> source{&data};

  // uninterrupted: 4 epochs, checkpointed by a callback at the end of epoch 2
  std::vector<double> elbo_full;
  Run<S> full(1);
  struct SaveAfterSecondEpoch {
    Run<S>* run;
    std::string path;
    void onEpoch(const iai::EpochStatistics& e) {
      if (e.epoch == 1) iai::saveCheckpoint(path, run->em, kArch);
    }
  } saver{&full, path};
  full.em.fit(source, 4, RecordElbo{&elbo_full}, saver);
  REQUIRE(elbo_full.size() == 16);

  // a fresh run (other initial parameters) resumes from the checkpoint for the last 2 epochs
  std::vector<double> elbo_resumed;
  Run<S> resumed(7);
  iai::loadCheckpoint(path, resumed.em, kArch);
  CHECK(resumed.em.epoch() == 2);
  CHECK(resumed.em.steps() == 8);
  resumed.em.fit(source, 2, RecordElbo{&elbo_resumed});
  CHECK(std::vector<double>(elbo_full.begin() + 8, elbo_full.end()) == elbo_resumed);
  CHECK(Snapshot<S>(resumed.em) == Snapshot<S>(full.em));

  // the same run split into fit(2); save; fit(2) also equals it
  std::vector<double> elbo_split;
  Run<S> split(1);
  split.em.fit(source, 2, RecordElbo{&elbo_split});
  iai::saveCheckpoint(dir.file("split.ckpt"), split.em, kArch);
  split.em.fit(source, 2, RecordElbo{&elbo_split});
  CHECK(elbo_split == elbo_full);
  CHECK(Snapshot<S>(split.em) == Snapshot<S>(full.em));
}

TEST_CASE("Checkpoint file layout: header, tagged length-prefixed sections, CRC-32 trailer",
          "[training][checkpoint]") {
  using S = float;
  TempDir dir;
  const std::string path = dir.file("layout.ckpt");
  Run<S> run(1);
  iai::saveCheckpoint(path, run.em, kArch);
  const Bytes bytes = readBytes(path);
  auto u32 = [&](std::size_t at) {
    return iai::detail::loadLE<std::uint32_t>(
        reinterpret_cast<const unsigned char*>(bytes.data() + at));
  };
  auto u64 = [&](std::size_t at) {
    return iai::detail::loadLE<std::uint64_t>(
        reinterpret_cast<const unsigned char*>(bytes.data() + at));
  };
  REQUIRE(bytes.size() > 16);
  CHECK(std::string(bytes.data(), 8) == std::string("IAICKPT\0", 8));
  CHECK(u32(8) == 1);
  CHECK(u32(12) == sizeof(S));
  const std::uint64_t theta = run.model.theta().size(), phi = run.inference.phi().size();
  const std::vector<std::pair<std::string, std::uint64_t>> sections{
      {"ARCH", kArch.size()},
      {"PROG", 16},
      {"RNGS", 144},
      {"THTA", 8 + 4 * theta},
      {"PHI ", 8 + 4 * phi},
      {"OPTT", 24 + 2 * (8 + 4 * theta)},
      {"OPTP", 24 + 2 * (8 + 4 * phi)}};
  std::size_t at = 16;
  for (const auto& [tag, length] : sections) {
    INFO("section " << tag << " at byte " << at);
    REQUIRE(at + 12 <= bytes.size());
    CHECK(std::string(bytes.data() + at, 4) == tag);
    CHECK(u64(at + 4) == length);
    at += 12 + length;
  }
  CHECK(std::string(bytes.data() + 28, kArch.size()) == kArch);
  CHECK(at + 4 == bytes.size());
  iai::detail::Crc32 crc;
  crc.update(reinterpret_cast<const unsigned char*>(bytes.data()), at);
  CHECK(u32(at) == crc.value());
  // the standard CRC-32 check value (zlib's crc32 of "123456789")
  iai::detail::Crc32 check;
  check.update(reinterpret_cast<const unsigned char*>("123456789"), 9);
  CHECK(check.value() == 0xCBF43926u);
}

TEST_CASE("Loading a mismatched or damaged checkpoint throws a clear error and leaves the live "
          "objects unchanged",
          "[training][checkpoint]") {
  using S = float;
  TempDir dir;
  const std::string good = dir.file("good.ckpt"), bad = dir.file("bad.ckpt");
  const Matrix<S> data = makeData<S>();
  NoisySource<S> source{&data};
  Run<S> source_run(1);
  source_run.em.fit(source, 1);
  iai::saveCheckpoint(good, source_run.em, kArch);
  const Bytes bytes = readBytes(good);

  Run<S> live(3);
  live.em.fit(source, 1);  // non-trivial state to protect
  const Snapshot<S> before(live.em);

  SECTION("architecture mismatch") {
    CHECK_THROWS_AS(iai::loadCheckpoint(good, live.em, "latent=3"), iai::invalid_argument);
    CHECK_THROWS_WITH(iai::loadCheckpoint(good, live.em, "latent=3"),
                      Catch::Contains("loadCheckpoint") && Catch::Contains("architecture") &&
                          Catch::Contains(good) && Catch::Contains(kArch) &&
                          Catch::Contains("latent=3"));
  }
  SECTION("parameter sizes differ (same architecture string)") {
    Run<S> other(3, 9);  // hidden 9: φ is larger
    CHECK_THROWS_WITH(iai::loadCheckpoint(good, other.em, kArch),
                      Catch::Contains("size of phi") && Catch::Contains(good));
    CHECK_THROWS_AS(iai::loadCheckpoint(good, other.em, kArch), iai::invalid_argument);
  }
  SECTION("a file of another scalar type") {
    Run<double> run_d(1);
    iai::saveCheckpoint(bad, run_d.em, kArch);
    CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::invalid_argument);
    CHECK_THROWS_WITH(iai::loadCheckpoint(bad, live.em, kArch),
                      Catch::Contains("scalar size") && Catch::Contains("8 (double)") &&
                          Catch::Contains("4 (float)"));
  }
  SECTION("wrong magic") {
    Bytes b = bytes;
    b[3] = 'X';
    writeBytes(bad, b);
    CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::io_error);
    CHECK_THROWS_WITH(iai::loadCheckpoint(bad, live.em, kArch),
                      Catch::Contains("magic") && Catch::Contains(bad) &&
                          Catch::Contains("not an iai checkpoint"));
    CHECK_THROWS_AS(iai::readCheckpointInfo(bad), iai::io_error);
  }
  SECTION("another format version") {
    Bytes b = bytes;
    b[8] = 2;
    writeBytes(bad, b);
    CHECK_THROWS_WITH(iai::loadCheckpoint(bad, live.em, kArch), Catch::Contains("format version"));
  }
  SECTION("a flipped bit anywhere: the checksum (or an earlier structural check) catches it") {
    const auto n = bytes.size();
    CHECK_THROWS_WITH(
        [&] {
          Bytes b = bytes;
          b[n / 2] ^= 0x01;  // inside the parameters
          writeBytes(bad, b);
          iai::loadCheckpoint(bad, live.em, kArch);
        }(),
        Catch::Contains("checksum") && Catch::Contains(bad) && Catch::Contains("corrupted"));
    for (std::size_t i = 0; i < n; i += (i < 256 || i + 16 >= n) ? 1 : 13) {
      Bytes b = bytes;
      b[i] ^= 0x01;
      writeBytes(bad, b);
      INFO("bit 0 of byte " << i << " of " << n << " flipped");
      CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::io_error);
    }
  }
  SECTION("truncated, or with trailing bytes") {
    const auto n = bytes.size();
    for (std::size_t len = 0; len < n; len += (len < 64 || len + 16 >= n) ? 1 : 17) {
      writeBytes(bad, Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len)));
      INFO("truncated to " << len << " of " << n << " bytes");
      CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::io_error);
      CHECK_THROWS_AS(iai::readCheckpointInfo(bad), iai::io_error);
    }
    writeBytes(bad, Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n / 2)));
    CHECK_THROWS_WITH(iai::loadCheckpoint(bad, live.em, kArch),
                      Catch::Contains("truncated or corrupted") && Catch::Contains(bad));
    Bytes longer = bytes;
    longer.push_back('\0');
    writeBytes(bad, longer);
    CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::io_error);
  }
  SECTION("missing file, a directory, a text file") {
    CHECK_THROWS_WITH(iai::loadCheckpoint(dir.file("missing.ckpt"), live.em, kArch),
                      Catch::Contains("missing.ckpt") && Catch::Contains("unreadable"));
    CHECK_THROWS_AS(iai::loadCheckpoint(dir.path().string(), live.em, kArch), iai::io_error);
    writeBytes(bad, Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!',
                          '!', '!', '!', '!', '!', '!', '!', '\n'});
    CHECK_THROWS_AS(iai::loadCheckpoint(bad, live.em, kArch), iai::io_error);
    CHECK_THROWS_AS(iai::readCheckpointInfo(dir.file("missing.ckpt")), iai::io_error);
  }
  CHECK(Snapshot<S>(live.em) == before);
  CHECK_NOTHROW(iai::loadCheckpoint(good, live.em, kArch));  // the intact file still loads
}

TEST_CASE("Saving is atomic: no temporary file remains, an existing checkpoint is replaced, and "
          "a failed save leaves the previous file intact",
          "[training][checkpoint]") {
  using S = float;
  TempDir dir;
  const std::string path = dir.file("run.ckpt");
  const Matrix<S> data = makeData<S>();
  NoisySource<S> source{&data};
  Run<S> run(1);
  run.em.fit(source, 1);
  iai::saveCheckpoint(path, run.em, kArch);
  CHECK(fs::exists(path));
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);

  // saving again replaces it
  run.em.fit(source, 1);
  iai::saveCheckpoint(path, run.em, kArch);
  CHECK(iai::readCheckpointInfo(path).epoch == 2);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  Run<S> reloaded(5);
  iai::loadCheckpoint(path, reloaded.em, kArch);
  CHECK(Snapshot<S>(reloaded.em) == Snapshot<S>(run.em));

  const Bytes previous = readBytes(path);
  run.em.fit(source, 1);
  SECTION("the temporary file cannot be created (a path component is a file)") {
    const std::string blocker = dir.file("blocker");
    writeBytes(blocker, Bytes{'b'});
    CHECK_THROWS_WITH(iai::saveCheckpoint(blocker + "/run.ckpt", run.em, kArch),
                      Catch::Contains("saveCheckpoint") && Catch::Contains("not creatable"));
    CHECK(readBytes(blocker) == Bytes{'b'});
  }
  SECTION("the rename fails (the target is a non-empty directory)") {
    const std::string target = dir.file("occupied");
    fs::create_directory(target);
    writeBytes(target + "/keep", Bytes{'k'});
    CHECK_THROWS_WITH(iai::saveCheckpoint(target, run.em, kArch),
                      Catch::Contains("saveCheckpoint") && Catch::Contains(target));
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 2);
    CHECK(fs::is_directory(target));
  }
  SECTION("the folder does not exist") {
    const std::string missing = dir.file("no/such/folder/run.ckpt");
    CHECK_THROWS_AS(iai::saveCheckpoint(missing, run.em, kArch), iai::io_error);
    CHECK_FALSE(fs::exists(dir.file("no")));
  }
  SECTION("an architecture string that is too long") {
    CHECK_THROWS_AS(iai::saveCheckpoint(path, run.em, std::string(70000, 'a')),
                    iai::invalid_argument);
  }
  CHECK(readBytes(path) == previous);
}

}  // namespace iai_test_checkpoint_test
