// Drives iai::mpi::DataParallel for tests/distributed/checks.sh (run under mpirun):
//   data_parallel_check --steps N --out FILE [--reduction ordered|sum] [--shards C]
//                       [--save-at K --checkpoint FILE] [--resume FILE]
//                       [--fail-rank R --fail-step K] [--kill-rank R --kill-step K]
//                       [--corrupt-rank R --corrupt-step K]
//   data_parallel_check --compare A B [--tolerance T]
// Trains a small iterative model (D = 12, latent 3, T = 2, S = 2, batch 32) on fixed binary data
// for N steps; batch k is columns [32·k mod 256, +32). Rank 0 writes θ and φ to FILE and the
// per-step ELBO and KL to FILE.steps (doubles). --compare exits 0 when two such files are bitwise equal (T = 0) or agree to
// a relative tolerance T, and prints the largest difference.
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <iai/distributed/mpi.hpp>
#include <iai/iai.hpp>
#include <iai/training/checkpoint.hpp>

namespace {

using S = float;
using Model = iai::LatentGaussianModel<S>;

struct Options {
  long steps = 6, shards = 4, save_at = -1, fail_rank = -1, fail_step = -1, kill_rank = -1,
       kill_step = -1, corrupt_rank = -1, corrupt_step = -1;
  std::string out, reduction = "ordered", checkpoint, resume;
};

std::vector<double> readDump(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw iai::io_error("data_parallel_check: cannot open " + path);
  std::vector<double> v;
  double x;
  while (in.read(reinterpret_cast<char*>(&x), sizeof x)) v.push_back(x);
  return v;
}

void writeDump(const std::string& path, const std::vector<double>& v) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double)));
  if (!out) throw iai::io_error("data_parallel_check: cannot write " + path);
}

int compare(const std::string& a_path, const std::string& b_path, double tolerance) {
  const std::vector<double> a = readDump(a_path), b = readDump(b_path);
  if (a.size() != b.size() || a.empty()) {
    std::printf("sizes differ: %zu and %zu values\n", a.size(), b.size());
    return 1;
  }
  double worst = 0;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) ++differing;
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1e-3, std::abs(a[i])));
  }
  std::printf("%zu of %zu values differ; largest relative difference %.3g\n", differing, a.size(), worst);
  return (tolerance == 0 ? differing == 0 : worst <= tolerance) ? 0 : 1;
}

int train(const Options& o) {
  const int rank = iai::mpi::rank();
  iai::Rng data_rng(7);
  iai::Matrix<S> data(12, 256);
  for (iai::Index j = 0; j < data.cols(); ++j)
    for (iai::Index i = 0; i < data.rows(); ++i)
      data(i, j) = data_rng.bernoulli(i % 3 == j % 3 ? 0.8 : 0.2) ? S(1) : S(0);
  Model model = Model::mlp(3, 12, {16}, {}, 11);
  iai::IterativeInferenceModel<S> inference(12, 3, {.network = {.hidden = 16, .layers = 1}}, 12);
  iai::TrainingConfig config;
  config.seed = 5;
  config.batch_size = 32;
  config.iterations = 2;
  config.elbo = {.samples = 2};
  config.theta_optimizer.learning_rate = config.phi_optimizer.learning_rate = 1e-2;
  iai::VariationalEM em(model, inference, config);
  if (!o.resume.empty()) iai::loadCheckpoint(o.resume, em, "data_parallel_check");
  const iai::mpi::DataParallelConfig dp_config{
      .shards = o.shards,
      .reduction = o.reduction == "sum" ? iai::mpi::Reduction::Sum : iai::mpi::Reduction::Ordered,
      .check_every = 1};
  iai::mpi::DataParallel dp(em, MPI_COMM_WORLD, dp_config);
  std::vector<double> record;
  double last_elbo = 0;
  while (em.steps() < o.steps) {
    const long k = static_cast<long>(em.steps());
    if (rank == o.fail_rank && k == o.fail_step)
      throw iai::domain_error("data_parallel_check: a failure injected at step " + std::to_string(k));
    if (rank == o.kill_rank && k == o.kill_step) std::raise(SIGKILL);
    const iai::StepStatistics& s = dp.step(data.middleCols((32 * k) % 256, 32));
    record.push_back(s.elbo);
    record.push_back(s.kl);
    last_elbo = s.elbo;
    if (rank == o.corrupt_rank && k == o.corrupt_step) model.theta()(0) += S(1e-3);
    if (em.steps() == o.save_at && rank == 0) iai::saveCheckpoint(o.checkpoint, em, "data_parallel_check");
  }
  if (rank == 0 && !o.out.empty()) {
    std::vector<double> parameters;
    for (S v : model.theta()) parameters.push_back(v);
    for (S v : inference.phi()) parameters.push_back(v);
    writeDump(o.out, parameters);
    writeDump(o.out + ".steps", record);
    std::printf("rank 0 of %d: %ld steps, reduction %s, %ld shards, ELBO %.6f\n", dp.ranks(),
                static_cast<long>(em.steps()), o.reduction.c_str(), o.shards, last_elbo);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--compare")
    return compare(argv[2], argv[3], argc >= 6 ? std::atof(argv[5]) : 0.0);
  iai::mpi::Environment env(argc, argv);
  return iai::mpi::guardedMain("data_parallel_check", [&] {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string key = argv[i], value = argv[i + 1];
      auto number = [&] { return std::stol(value); };
      if (key == "--steps") o.steps = number();
      else if (key == "--shards") o.shards = number();
      else if (key == "--out") o.out = value;
      else if (key == "--reduction") o.reduction = value;
      else if (key == "--save-at") o.save_at = number();
      else if (key == "--checkpoint") o.checkpoint = value;
      else if (key == "--resume") o.resume = value;
      else if (key == "--fail-rank") o.fail_rank = number();
      else if (key == "--fail-step") o.fail_step = number();
      else if (key == "--kill-rank") o.kill_rank = number();
      else if (key == "--kill-step") o.kill_step = number();
      else if (key == "--corrupt-rank") o.corrupt_rank = number();
      else if (key == "--corrupt-step") o.corrupt_step = number();
      else throw iai::invalid_argument("data_parallel_check: unknown option " + key);
    }
    if (argc % 2 == 0) throw iai::invalid_argument("data_parallel_check: an option without a value");
    return train(o);
  });
}
