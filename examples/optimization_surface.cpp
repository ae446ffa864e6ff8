// optimization_surface: the paper's Figure 1 / "visualizing optimization" — the ELBO of one test
// example as a function of the approximate posterior mean μ = (μ1, μ2) of a model with a 2-D latent
// space, with three ways of reaching its maximum drawn on top: the standard inference model's
// one-pass estimate, gradient ascent on λ from the prior (Eq. 4) and the iterative inference
// model's steps t = 0…T (Eq. 6).
// The generative model is trained together with a standard inference model; then an iterative
// inference model is trained against that fixed model (TrainingConfig::update_theta = false), so
// both inference models face the same surface. The surface holds log σ² at the iterative model's
// final estimate and uses one fixed noise matrix for every grid point (common random numbers), so
// it is smooth. Example:
//   build/examples/optimization_surface --data mnist-10k --out out
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <iai/data.hpp>
#include <iai/iai.hpp>

#include "common/args.hpp"
#include "common/experiment.hpp"
#include "common/json.hpp"
#include "common/svg.hpp"

namespace {

using examples::JsonLine;
using examples::Model;
using examples::Scalar;
using Data = iai::Dataset<Scalar>;
using Mat = iai::Matrix<Scalar>;

constexpr const char* kSummary =
    "Trains a model with a 2-D latent space (decoder 2→hidden→D) with a standard inference model\n"
    "for --epochs, then an iterative one against the fixed model for --iterative-epochs, and draws\n"
    "the ELBO of test example --example over μ (log σ² fixed at the iterative model's final\n"
    "estimate; --surface-samples samples shared by all grid points) with the standard model's\n"
    "estimate, --gd-steps of gradient ascent from the prior and the iterative model's steps.\n"
    "Colours follow log(1 + max − ELBO). JSON lines on stdout (docs/training.md): run, epoch,\n"
    "evaluation, point and final lines. Writes optimization_surface.svg and\n"
    "optimization_surface_zoom.svg (the region of the final estimates) to --out.";

struct Options {
  Options() {  // the model: latent 2, smaller networks, a larger learning rate
    exp.latent = {2};
    exp.hidden = {256, 256};
    exp.inference_hidden = {256};
    exp.lr = 1e-3;
  }
  examples::Experiment exp;
  std::string data = "fashion-mnist", out = "out", optimizer = "sgd", range_text = "auto";
  long epochs = 3, iterative_epochs = 3, train_examples = 10000, eval_examples = 1000;
  long example = 0, grid = 80, surface_samples = 100, gd_steps = 200, threads = 1;
  double step_size = 0.005;
  std::vector<double> range;  // empty: automatic
};

std::vector<double> parseRange(const std::string& range) {
  std::vector<double> out;
  if (range == "auto") return out;
  std::size_t start = 0;
  while (start <= range.size()) {
    const std::size_t comma = std::min(range.find(',', start), range.size());
    const std::string item = range.substr(start, comma - start);
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    IAI_CHECK(!item.empty() && *end == '\0' && std::isfinite(v), "arguments", "--range", range,
              "auto or four numbers MU1_LO,MU1_HI,MU2_LO,MU2_HI");
    out.push_back(v);
    start = comma + 1;
  }
  IAI_CHECK(out.size() == 4 && out[0] < out[1] && out[2] < out[3], "arguments", "--range", range,
            "auto or four numbers MU1_LO,MU1_HI,MU2_LO,MU2_HI");
  return out;
}

void addOptions(examples::Cli& cli, Options& o) {
  cli.forbid("inference", "absent: optimization_surface trains both a standard and an iterative model");
  cli.group("Data and output");
  cli.option("data", o.data, "NAME|DIR", "fashion-mnist, mnist-10k, or a folder of IDX files");
  cli.option("train-examples", o.train_examples, "N", "use the first N training examples (0: all)");
  cli.option("eval-examples", o.eval_examples, "N",
             "test examples of both models' test ELBO (0: no evaluation)");
  cli.option("out", o.out, "DIR", "folder for the figures");
  cli.option("threads", o.threads, "N", "threads of Eigen's products").min(1);
  cli.group("Training");
  cli.option("epochs", o.epochs, "N", "epochs of the model with the standard inference model");
  cli.option("iterative-epochs", o.iterative_epochs, "N",
             "epochs of the iterative inference model against the fixed model")
      .defaultText("the --epochs");
  cli.group("Surface");
  cli.option("example", o.example, "N", "the test example whose ELBO is drawn");
  cli.option("grid", o.grid, "N", "grid points per axis").min(2);
  cli.option("surface-samples", o.surface_samples, "S", "noise samples shared by all grid points")
      .min(1);
  cli.option("range", o.range_text, "auto|MU1_LO,MU1_HI,MU2_LO,MU2_HI",
             "the region of μ drawn (auto: around the prior, the estimates and the path)")
      .check([](const std::string& v) { parseRange(v); });
  cli.option("optimizer", o.optimizer, "sgd|momentum|rmsprop|adam", "gradient ascent's optimizer")
      .oneOf({"sgd", "momentum", "rmsprop", "adam"});
  cli.option("step-size", o.step_size, "X", "gradient ascent's step size").positive();
  cli.option("gd-steps", o.gd_steps, "N", "gradient ascent steps from the prior").min(1);
  cli.group("Model (shared with train, infer, compare_optimizers; latent 2)");
  o.exp.addOptions(cli, /*with_inference=*/false);
  cli.afterParse([&o, &cli] {
    if (!cli.given("iterative-epochs")) o.iterative_epochs = o.epochs;
    IAI_CHECK(o.exp.latentDim() == 2 && !o.exp.hierarchical(), "arguments", "--latent",
              o.exp.latentDim(), "2 (the surface is drawn over a 2-D latent space)");
    o.range = parseRange(o.range_text);
  });
}

// random streams (with --seed)
constexpr std::uint64_t kExampleStream = 201, kInferStream = 202, kSurfaceStream = 203,
                        kPathStream = 204, kEvalStream = 205, kStandardStream = 206;

template <class... T>
std::string cat(const T&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, format, a, b, c);
  return buf;
}

std::vector<double> toVector(const Mat& m) {
  return {m.data(), m.data() + m.size()};
}

iai::LambdaOptimizer parseOptimizer(const std::string& name) {
  if (name == "sgd") return iai::LambdaOptimizer::Sgd;
  if (name == "momentum") return iai::LambdaOptimizer::Momentum;
  if (name == "rmsprop") return iai::LambdaOptimizer::RmsProp;
  IAI_CHECK(name == "adam", "arguments", "--optimizer", name, "sgd, momentum, rmsprop or adam");
  return iai::LambdaOptimizer::Adam;
}

/// The ELBO of one example x at many λ = (mean_j, log_var_j), all with the same S noise vectors
/// (common random numbers): a deterministic function of λ.
class Surface {
 public:
  Surface(Model& model, const Mat& x, Mat noise)
      : model_(&model), x_(x), noise_(std::move(noise)),
        elbo_({.samples = noise_.cols()}) {}

  /// ELBO at every column of (mean, log_var), in chunks (the decoder sees S · chunk columns).
  std::vector<double> values(const Mat& mean, const Mat& log_var) {
    std::vector<double> out(static_cast<std::size_t>(mean.cols()));
    const iai::Index chunk = 64;
    for (iai::Index start = 0; start < mean.cols(); start += chunk) {
      const iai::Index b = std::min(chunk, mean.cols() - start);
      prepare(b);
      elbo_.evaluateWithNoise(*model_, xs_, mean.middleCols(start, b), log_var.middleCols(start, b),
                              eps_, {.grad_lambda = false});
      for (iai::Index j = 0; j < b; ++j)
        out[static_cast<std::size_t>(start + j)] = static_cast<double>(elbo_.elbo()(j));
    }
    return out;
  }
  double value(const Mat& mean, const Mat& log_var) { return values(mean, log_var)[0]; }

  /// Maximises the surface over the mean of one λ (log_var fixed) by Adam from `mean`, with a
  /// step size falling geometrically from `lr` to lr/1000.
  void refineMaximum(Mat& mean, const Mat& log_var, double lr, int steps) {
    iai::optim::Adam<Scalar> adam({.learning_rate = lr}, mean.size());
    Mat neg_grad(mean.rows(), 1);
    prepare(1);
    for (int k = 0; k < steps; ++k) {
      adam.setLearningRate(lr * std::pow(1e-3, static_cast<double>(k) / steps));
      elbo_.evaluateWithNoise(*model_, xs_, mean, log_var, eps_, {.grad_lambda = true});
      neg_grad = -elbo_.gradMean();
      adam.step(mean, neg_grad);
    }
  }

 private:
  void prepare(iai::Index b) {
    if (xs_.cols() == b) return;
    const iai::Index n_s = noise_.cols();
    xs_ = x_.replicate(1, b);
    eps_.resize(noise_.rows(), n_s * b);
    for (iai::Index s = 0; s < n_s; ++s) eps_.middleCols(s * b, b) = noise_.col(s).replicate(1, b);
  }

  Model* model_;
  Mat x_, noise_, xs_, eps_;
  iai::Elbo<Model> elbo_;
};

/// Gradient ascent on λ from the prior, keeping every λ_n (means in `path`, log σ² in
/// `log_vars`): the loop of GradientInference::run (same noise draws, same updates), which
/// returns only the ELBO trace.
template <class Opt>
void ascentPath(Model& model, const Mat& x, Opt mean_opt, Opt log_var_opt, long steps,
                long samples, iai::Rng& rng, std::vector<double>& trace, std::vector<Mat>& path,
                std::vector<Mat>& log_vars) {
  iai::Elbo<Model> elbo({.samples = samples});
  Mat mean = Mat::Zero(model.latentDim(), 1), log_var = Mat::Zero(model.latentDim(), 1), neg_grad;
  path.assign(1, mean);
  log_vars.assign(1, log_var);
  trace.clear();
  for (long n = 0; n <= steps; ++n) {
    const bool last = (n == steps);
    elbo.evaluate(model, x, mean, log_var, rng, {.grad_lambda = !last});
    trace.push_back(elbo.meanElbo());
    if (last) break;
    neg_grad = -elbo.gradMean();
    mean_opt.step(mean, neg_grad);
    neg_grad = -elbo.gradLogVar();
    log_var_opt.step(log_var, neg_grad);
    path.push_back(mean);
    log_vars.push_back(log_var);
  }
}

void ascentPath(Model& model, const Mat& x, const Options& o, iai::Rng& rng,
                std::vector<double>& trace, std::vector<Mat>& path, std::vector<Mat>& log_vars) {
  const iai::Index n = model.latentDim();
  auto go = [&](auto mean_opt, auto log_var_opt) {
    ascentPath(model, x, std::move(mean_opt), std::move(log_var_opt), o.gd_steps, o.exp.samples,
               rng, trace, path, log_vars);
  };
  const double lr = o.step_size;
  switch (parseOptimizer(o.optimizer)) {
    case iai::LambdaOptimizer::Sgd:
      return go(iai::optim::Sgd<Scalar>({.learning_rate = lr}, n),
                iai::optim::Sgd<Scalar>({.learning_rate = lr}, n));
    case iai::LambdaOptimizer::Momentum:
      return go(iai::optim::Sgd<Scalar>({.learning_rate = lr, .momentum = 0.9}, n),
                iai::optim::Sgd<Scalar>({.learning_rate = lr, .momentum = 0.9}, n));
    case iai::LambdaOptimizer::RmsProp:
      return go(iai::optim::RmsProp<Scalar>({.learning_rate = lr}, n),
                iai::optim::RmsProp<Scalar>({.learning_rate = lr}, n));
    case iai::LambdaOptimizer::Adam:
      return go(iai::optim::Adam<Scalar>({.learning_rate = lr}, n),
                iai::optim::Adam<Scalar>({.learning_rate = lr}, n));
  }
}

template <class Em>
void trainPhase(Em& em, Data& train, long epochs, const char* phase) {
  iai::ProgressBar progress;
  for (long e = 0; e < epochs; ++e) {
    const iai::EpochStatistics stats = em.fit(train, 1, progress);
    iai::JsonLinesLogger::epochLine(stats).add("phase", phase).print();  // epoch e + 1
  }
}

// ---- drawing ----------------------------------------------------------------------------------

std::string star(double cx, double cy, double r, const std::string& fill) {
  std::string pts;
  for (int k = 0; k < 10; ++k) {
    const double a = -std::numbers::pi / 2 + k * std::numbers::pi / 5, rr = (k % 2 == 0) ? r : 0.45 * r;
    pts += fmt("%.2f,%.2f ", cx + rr * std::cos(a), cy + rr * std::sin(a));
  }
  return cat("<polygon points='", pts, "' fill='", fill, "' stroke='black' stroke-width='1'/>");
}
std::string diamond(double cx, double cy, double r, const std::string& fill) {
  return cat("<polygon points='", fmt("%.2f,%.2f ", cx, cy - r), fmt("%.2f,%.2f ", cx + r, cy),
             fmt("%.2f,%.2f ", cx, cy + r), fmt("%.2f,%.2f", cx - r, cy), "' fill='", fill,
             "' stroke='black' stroke-width='1'/>");
}
std::string square(double cx, double cy, double r, const std::string& fill) {
  return cat("<rect x='", fmt("%.2f", cx - r), "' y='", fmt("%.2f", cy - r), "' width='",
             fmt("%.2f", 2 * r), "' height='", fmt("%.2f", 2 * r), "' fill='", fill,
             "' stroke='black' stroke-width='1'/>");
}

/// A rectangle [x0, x1] × [y0, y1] of μ.
struct Box {
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  void include(const Mat& m) {
    if (!std::isfinite(m(0)) || !std::isfinite(m(1))) return;
    x0 = std::min<double>(x0, m(0)), x1 = std::max<double>(x1, m(0));
    y0 = std::min<double>(y0, m(1)), y1 = std::max<double>(y1, m(1));
  }
  /// The square with the same centre, side = margin × max(width, height, min_side).
  Box squared(double margin, double min_side) const {
    const double side = margin * std::max({x1 - x0, y1 - y0, min_side});
    const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return {cx - side / 2, cx + side / 2, cy - side / 2, cy + side / 2};
  }
};

/// The surface on a g × g grid of cell centres (row 0 at the top: the largest μ2).
struct Grid {
  Box box;
  Eigen::MatrixXd values;
  Mat argmax;
  double max = 0;
};

Grid evaluateGrid(Surface& surface, const Box& box, iai::Index g, const Mat& log_var) {
  Mat mean(2, g * g), log_vars(2, g * g);
  for (iai::Index i = 0; i < g; ++i)
    for (iai::Index j = 0; j < g; ++j) {
      mean(0, i * g + j) = static_cast<Scalar>(box.x0 + (box.x1 - box.x0) * (j + 0.5) / g);
      mean(1, i * g + j) = static_cast<Scalar>(box.y1 - (box.y1 - box.y0) * (i + 0.5) / g);
      log_vars.col(i * g + j) = log_var;
    }
  const std::vector<double> v = surface.values(mean, log_vars);
  Grid grid{box, Eigen::MatrixXd(g, g), Mat(), -std::numeric_limits<double>::infinity()};
  iai::Index best = 0;
  for (iai::Index k = 0; k < g * g; ++k) {
    grid.values(k / g, k % g) = v[static_cast<std::size_t>(k)];
    if (v[static_cast<std::size_t>(k)] > v[static_cast<std::size_t>(best)]) best = k;
  }
  grid.argmax = mean.col(best);
  grid.max = v[static_cast<std::size_t>(best)];
  return grid;
}

struct Overlays {
  const Mat& standard;
  const std::vector<Mat>& iterative;
  const std::vector<Mat>& path;
  const Mat& maximum;
  const Options& o;
};

examples::svg::Document drawFigure(const Grid& grid, const std::string& title, const Overlays& ov,
                                   bool zoom) {
  const Box& b = grid.box;
  examples::svg::HeatMap map =
      examples::svg::heatMap(grid.values, b.x0, b.x1, b.y0, b.y1, title, "μ1", "μ2",
                             grid.values.minCoeff(), grid.values.maxCoeff(), 230, true);
  auto px = [&](const Mat& m) { return map.toPixel(m(0), m(1)); };
  const std::string clip = "clip-path='url(#surface)'";
  map.doc.raw(cat("<defs><clipPath id='surface'><rect x='", fmt("%g", map.left), "' y='",
                  fmt("%g", map.top), "' width='", fmt("%g", map.pw), "' height='",
                  fmt("%g", map.ph), "'/></clipPath></defs>"));
  {  // gradient ascent: a polyline, a dot every tenth step
    std::vector<double> xs, ys;
    for (const Mat& m : ov.path) {
      const auto [u, v] = px(m);
      xs.push_back(u), ys.push_back(v);
    }
    const std::string style = zoom ? cat(clip, " stroke-opacity='0.6'") : clip;
    map.doc.polyline(xs, ys, "#ff5a5a", zoom ? 1.0 : 1.5, style);
    for (std::size_t k = 0; k < xs.size(); k += 10) map.doc.circle(xs[k], ys[k], 2.2, "#ff5a5a", clip);
  }
  {  // iterative model: diamonds joined by lines, labelled t where there is room
    std::vector<double> xs, ys;
    for (const Mat& m : ov.iterative) {
      const auto [u, v] = px(m);
      xs.push_back(u), ys.push_back(v);
    }
    map.doc.polyline(xs, ys, "#00e5ff", 2, clip);
    std::vector<std::pair<double, double>> labelled;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      map.doc.raw(cat("<g ", clip, ">", diamond(xs[t], ys[t], 6, "#00e5ff"), "</g>"));
      bool room = true;
      for (const auto& [u, v] : labelled) room = room && std::hypot(xs[t] - u, ys[t] - v) > 22;
      if (!room) continue;
      labelled.emplace_back(xs[t], ys[t]);
      map.doc.text(xs[t] + 8, ys[t] - 6, cat("t=", std::to_string(t)), 12, "start",
                   cat("fill='white' stroke='black' stroke-width='0.4' font-weight='bold' ", clip));
    }
  }
  {
    const auto [u, v] = px(ov.standard);
    map.doc.raw(cat("<g ", clip, ">", square(u, v, 6, "#ff00ff"), "</g>"));
  }
  {
    const auto [u, v] = px(ov.maximum);
    map.doc.raw(cat("<g ", clip, ">", star(u, v, 11, "#ff2020"), "</g>"));
  }
  // legend, right of the colour bar
  const double lx = 700, ly = 60;
  map.doc.text(lx, ly, "ELBO (nats); colour scale:", 12);
  map.doc.text(lx, ly + 14, "log(1 + max − ELBO)", 11);
  map.doc.raw(square(lx + 8, ly + 38, 6, "#ff00ff"));
  map.doc.text(lx + 22, ly + 42, "standard inference model", 11);
  map.doc.raw(diamond(lx + 8, ly + 62, 6, "#00e5ff"));
  map.doc.text(lx + 22, ly + 66,
               cat("iterative model, t = 0…", std::to_string(ov.iterative.size() - 1)), 11);
  map.doc.line(lx, ly + 86, lx + 16, ly + 86, "#ff5a5a", 2);
  map.doc.text(lx + 22, ly + 90,
               cat("gradient ascent (", ov.o.optimizer, fmt(", lr %g,", ov.o.step_size)), 11);
  map.doc.text(lx + 22, ly + 104, cat(std::to_string(ov.o.gd_steps), " steps, dot every 10)"), 11);
  map.doc.raw(star(lx + 8, ly + 126, 9, "#ff2020"));
  map.doc.text(lx + 22, ly + 130, "maximum of the surface", 11);
  map.doc.text(lx, ly + 160,
               fmt("%.0f×%.0f grid, S = %.0f samples", static_cast<double>(grid.values.rows()),
                   static_cast<double>(grid.values.cols()),
                   static_cast<double>(ov.o.surface_samples)),
               11);
  map.doc.text(lx, ly + 174, "(the same for every point)", 11);
  if (zoom) map.doc.text(lx, ly + 198, "zoom on the final estimates", 11);
  return std::move(map.doc);
}

int run(const Options& o) {
  const auto t_start = std::chrono::steady_clock::now();
  Data train = Data::load(o.data, true), test = Data::load(o.data, false);
  if (o.train_examples > 0 && o.train_examples < train.size()) train = train.subset(0, o.train_examples);
  IAI_CHECK(o.example < test.size(), "arguments", "--example", o.example,
            cat("below the ", std::to_string(test.size()), " test examples of ", o.data));
  train.setBinarization(iai::Binarization::Dynamic, o.exp.seed);
  test.setBinarization(iai::Binarization::Dynamic, o.exp.seed + 1);
  const iai::Index d = train.dim();
  std::fprintf(stderr, "optimization_surface: %s, %ld train examples, latent 2, decoder 2→",
               o.data.c_str(), static_cast<long>(train.size()));
  for (long h : o.exp.hidden) std::fprintf(stderr, "%ld→", h);
  std::fprintf(stderr, "%ld, inference nets %ldx%ld, S = %ld, %d thread(s)\n",
               static_cast<long>(d), o.exp.inference_hidden.front(), o.exp.inference_layers,
               o.exp.samples, Eigen::nbThreads());
  std::fprintf(stderr, "optimization_surface: built by %s with %s\n", IAI_BUILD_COMPILER,
               IAI_BUILD_FLAGS);

  // 1. the generative model with a standard inference model, then an iterative inference model
  //    against the fixed generative model
  Model model = o.exp.makeModel(d);
  iai::StandardInferenceModel<Scalar> standard = o.exp.makeStandard(d);
  iai::IterativeInferenceModel<Scalar> iterative = o.exp.makeIterative(d);
  iai::TrainingConfig config = o.exp.training();
  iai::VariationalEM em_standard(model, standard, config);
  trainPhase(em_standard, train, o.epochs, "standard");
  config.update_theta = false;
  iai::VariationalEM em_iterative(model, iterative, config);
  trainPhase(em_iterative, train, o.iterative_epochs, "iterative");
  if (o.eval_examples > 0) {
    Data eval = test.subset(0, std::min<iai::Index>(o.eval_examples, test.size()));
    iai::Rng rng(o.exp.seed, kEvalStream);
    const std::vector<double> s = em_standard.evaluate(eval, 500, rng);
    rng.reseed(o.exp.seed, kEvalStream);
    const std::vector<double> it = em_iterative.evaluate(eval, 500, rng);
    JsonLine()
        .add("type", "evaluation")
        .add("test_examples", static_cast<long>(eval.size()))
        .add("standard_test_elbo", s.back())
        .add("iterative_test_elbo_per_iteration", it)
        .print();
  }

  // 2. the example and the three inference procedures
  Mat x(d, 1);
  {
    iai::Rng rng(o.exp.seed, kExampleStream);
    const std::vector<iai::Index> idx{o.example};
    test.gather(idx, x, rng);
  }
  Mat mean_std(2, 1), log_var_std(2, 1), mean_it(2, 1), log_var_it(2, 1);
  std::vector<double> trace_it;
  std::vector<Mat> means_it, log_vars_it;  // λ_0 … λ_T
  {
    // the E-step alone (inference/e_step.hpp), with the evaluation ELBO (β = 1)
    iai::ElboFor<Model> elbo(o.exp.evalElbo());
    iai::EStep<Model, iai::StandardInferenceModel<Scalar>> e_standard(model, standard, 1);
    iai::Rng rng(o.exp.seed, kStandardStream);
    e_standard.run(x, elbo, rng, decltype(e_standard)::Mode::Evaluate);
    mean_std = e_standard.mean();
    log_var_std = e_standard.logVar();
    iai::EStep<Model, iai::IterativeInferenceModel<Scalar>> e_iterative(model, iterative,
                                                                       o.exp.iterations);
    rng.reseed(o.exp.seed, kInferStream);
    e_iterative.run(x, elbo, rng, decltype(e_iterative)::Mode::Evaluate, &means_it);
    mean_it = e_iterative.mean();
    log_var_it = e_iterative.logVar();
    trace_it = e_iterative.trace();
    // the run traces only the means; λ_t is also the result of t iterations with the same noise
    log_vars_it.push_back(Mat::Zero(2, 1));
    for (long t = 1; t <= o.exp.iterations; ++t) {
      e_iterative.setIterations(t);
      rng.reseed(o.exp.seed, kInferStream);
      e_iterative.run(x, elbo, rng, decltype(e_iterative)::Mode::Evaluate);
      log_vars_it.push_back(e_iterative.logVar());
    }
  }
  std::vector<double> trace_gd;
  std::vector<Mat> path, path_log_vars;
  iai::Rng path_rng(o.exp.seed, kPathStream);
  ascentPath(model, x, o, path_rng, trace_gd, path, path_log_vars);
  {  // the path is GradientInference's: same noise, same updates
    iai::GradientInference<Model> gi({.optimizer = parseOptimizer(o.optimizer),
                                      .learning_rate = o.step_size,
                                      .momentum = 0.9,
                                      .steps = o.gd_steps},
                                     {.samples = o.exp.samples});
    Mat m(2, 1), lv(2, 1);
    iai::Rng rng(o.exp.seed, kPathStream);
    gi.initializeFromPrior(model, rng, m, lv);
    gi.run(model, x, m, lv, rng);
    const double diff = (m - path.back()).cwiseAbs().maxCoeff();
    if (!(diff <= 1e-5))
      std::fprintf(stderr, "optimization_surface: warning: path differs from GradientInference "
                           "by %g\n", diff);
  }

  // 3. the surface over μ, log σ² fixed at the iterative model's final estimate
  Mat noise(2, o.surface_samples);
  {
    iai::Rng rng(o.exp.seed, kSurfaceStream);
    iai::fillNormal(rng, noise);
  }
  Surface surface(model, x, noise);
  Box box;
  if (o.range.size() == 4) {
    box = {o.range[0], o.range[1], o.range[2], o.range[3]};
  } else {  // a square around the prior, both estimates and the whole path
    box = {0, 0, 0, 0};
    box.include(mean_std);
    for (const Mat& m : means_it) box.include(m);
    for (const Mat& m : path) box.include(m);
    box = box.squared(1.3, 1.0);
  }
  const auto t_surface = std::chrono::steady_clock::now();
  Grid grid = evaluateGrid(surface, box, o.grid, log_var_it);
  Mat mean_max = grid.argmax;
  surface.refineMaximum(mean_max, log_var_it, (box.x1 - box.x0) / static_cast<double>(o.grid), 500);
  if (!(surface.value(mean_max, log_var_it) >= grid.max)) mean_max = grid.argmax;
  // the zoom: a square around the maximum and the final estimates
  Box zoom_box{mean_max(0), mean_max(0), mean_max(1), mean_max(1)};
  zoom_box.include(mean_std);
  for (std::size_t t = 1; t < means_it.size(); ++t) zoom_box.include(means_it[t]);
  zoom_box.include(path.back());
  zoom_box = zoom_box.squared(1.4, 0.02 * (box.x1 - box.x0));
  const Grid zoom = evaluateGrid(surface, zoom_box, o.grid, log_var_it);
  if (zoom.max > surface.value(mean_max, log_var_it)) mean_max = zoom.argmax;
  std::fprintf(stderr, "optimization_surface: 2 surfaces %ldx%ld, S = %ld: %.1f s\n", o.grid, o.grid,
               o.surface_samples,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t_surface).count());

  // 4. measurements: the ELBO (same fixed noise) at every marked point, with the point's own
  //    log σ² ("elbo") and on the drawn surface ("surface_elbo")
  auto report = [&](const std::string& point, const Mat& m, const Mat& lv, long step) {
    JsonLine line;
    line.add("type", "point").add("point", point);
    if (step >= 0) line.add("step", step);
    line.add("mu", toVector(m)).add("log_var", toVector(lv));
    line.add("elbo", surface.value(m, lv)).add("surface_elbo", surface.value(m, log_var_it));
    line.print();
  };
  report("standard", mean_std, log_var_std, -1);
  for (std::size_t t = 0; t < means_it.size(); ++t)
    report("iterative", means_it[t], log_vars_it[t], static_cast<long>(t));
  for (long n : {0L, 1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1000L})
    if (n < o.gd_steps)
      report("gradient_ascent", path[static_cast<std::size_t>(n)],
             path_log_vars[static_cast<std::size_t>(n)], n);
  report("gradient_ascent", path.back(), path_log_vars.back(), o.gd_steps);
  report("surface_max", mean_max, log_var_it, -1);

  // 5. the figures: the whole surface, and a zoom on the region of the final estimates
  Overlays overlays{mean_std, means_it, path, mean_max, o};
  const std::string title = cat("ELBO over μ, test example ", std::to_string(o.example),
                                fmt(" (log σ² = %.2f, %.2f)", log_var_it(0), log_var_it(1)));
  const std::string path_svg = o.out + "/optimization_surface.svg";
  drawFigure(grid, title, overlays, false).save(path_svg);
  const std::string zoom_svg = o.out + "/optimization_surface_zoom.svg";
  drawFigure(zoom, cat(title, ", zoom"), overlays, true).save(zoom_svg);
  JsonLine()
      .add("type", "final")
      .add("data", o.data)
      .add("example", o.example)
      .add("mu1_range", std::vector<double>{box.x0, box.x1})
      .add("mu2_range", std::vector<double>{box.y0, box.y1})
      .add("zoom_mu1_range", std::vector<double>{zoom_box.x0, zoom_box.x1})
      .add("zoom_mu2_range", std::vector<double>{zoom_box.y0, zoom_box.y1})
      .add("grid", o.grid)
      .add("surface_samples", o.surface_samples)
      .add("surface_log_var", toVector(log_var_it))
      .add("surface_max", surface.value(mean_max, log_var_it))
      .add("surface_grid_max", grid.max)
      .add("surface_grid_min", grid.values.minCoeff())
      .add("optimizer", o.optimizer)
      .add("step_size", o.step_size)
      .add("gd_steps", o.gd_steps)
      .add("iterative_elbo_trace", trace_it)
      .add("gradient_ascent_elbo_trace_last", trace_gd.back())
      .add("seconds",
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count())
      .print();
  std::fprintf(stderr, "optimization_surface: %s, %s\n", path_svg.c_str(), zoom_svg.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("optimization_surface", [&] {
    Options o;
    examples::Cli cli("optimization_surface", kSummary);
    addOptions(cli, o);
    if (!cli.parse(argc, argv)) return 0;
    cli.runLine(o.exp.seed).print();
    Eigen::setNbThreads(static_cast<int>(o.threads));
    std::filesystem::create_directories(o.out);
    return run(o);
  });
}
