// reproduce_table: the aggregator of scripts/reproduce. Reads the runs under --dir
// (DIR/<arm>/seed<k>/result.json: train's final JSON line; run.ckpt.history.jsonl: its epochs) and
// writes DIR/summary.md (mean ± s.e. over seeds of test ELBO, −log p(x) and the amortization gap
// per arm; the paired per-seed differences iterative − standard; wall time; every run's budget),
// DIR/summary.jsonl (the same numbers), DIR/validation_elbo.svg (validation ELBO against epoch,
// mean ± s.e. over seeds as a band) and DIR/gap_vs_iterations.svg (the iterative model's gap after
// t iterations, the standard encoders' gaps as horizontal lines). Unfinished runs are listed with
// the epoch they reached and are left out of the means. Example:
//   build/examples/reproduce_table --dir out/reproduce/mnist-10k-paper --title "MNIST-10k"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <iai/core/errors.hpp>
#include <iai/core/file.hpp>

#include "common/args.hpp"
#include "common/experiment.hpp"
#include "common/json.hpp"
#include "common/stats.hpp"
#include "common/svg.hpp"

namespace {

namespace fs = std::filesystem;
using examples::JsonLine;
using examples::jsonNumber;
using examples::jsonNumbers;
using examples::stats::MeanSe;
using examples::stats::meanSe;

constexpr const char* kSummary =
    "Aggregates DIR/<arm>/seed<k>/{result.json,run.ckpt.history.jsonl} (train's final line and\n"
    "its epoch lines) into DIR/summary.md, DIR/summary.jsonl (JSON lines, docs/training.md: run,\n"
    "arm, difference and validation lines), DIR/validation_elbo.svg and DIR/gap_vs_iterations.svg,\n"
    "and prints the markdown (or, with --console, a compact plain-text summary).";

struct Options {
  std::string dir, title, arms = "standard-s1,standard-s10,iterative-s10";
  bool console = false;
};

std::vector<std::string> splitComma(const std::string& s);

void addOptions(examples::Cli& cli, Options& o) {
  cli.option("dir", o.dir, "DIR", "the folder scripts/reproduce wrote")
      .existingFolder()
      .required("the folder scripts/reproduce wrote");
  cli.option("title", o.title, "TEXT", "the table's title").defaultText("the --dir");
  cli.option("arms", o.arms, "ARM,…", "the arms (folders of --dir), in the table's order")
      .check([](const std::string& v) { splitComma(v); });
  cli.flag("console", o.console, "print a compact plain-text summary instead of the markdown");
  cli.afterParse([&o, &cli] {
    if (!cli.given("title")) o.title = o.dir;
  });
}

struct Run {
  long seed = 0;
  std::string result;                 // the final JSON line ("" while unfinished)
  std::vector<double> validation;     // validation ELBO per epoch
  double value(const std::string& key) const {
    return jsonNumber(result, key).value_or(std::nan(""));
  }
  bool done() const { return !result.empty(); }
};

struct Arm {
  std::string name, label;
  std::vector<Run> runs;
  std::map<long, double> perSeed(const std::string& key) const {
    std::map<long, double> m;
    for (const Run& r : runs)
      if (r.done()) m[r.seed] = r.value(key);
    return m;
  }
  std::vector<double> values(const std::string& key) const {
    std::vector<double> v;
    for (const Run& r : runs)
      if (r.done()) v.push_back(r.value(key));
    return v;
  }
  std::size_t finished() const {
    return static_cast<std::size_t>(std::count_if(runs.begin(), runs.end(), [](const Run& r) { return r.done(); }));
  }
};

std::string label(const std::string& arm) {
  if (arm == "standard-s1") return "standard, S = 1 (authors')";
  if (arm == "standard-s10") return "standard, S = 10 (matched)";
  if (arm == "iterative-s10") return "iterative, S = 10, T = 5";
  // the Gaussian and multinomial tables (train --likelihood): one sample in both arms
  if (arm == "standard") return "standard, S = 1";
  if (arm == "iterative") return "iterative, S = 1, T = 5";
  return arm;
}

/// A derived metric of the final line that some tables have (train --likelihood): a column of
/// its own in the arm, difference and run tables when any finished run reports it.
struct Metric {
  const char* key;
  const char* label;
  int digits;
};
constexpr Metric kMetrics[] = {{"bits_per_dim", "bits/dim (IS)", 3}, {"perplexity", "perplexity (IS)", 0}};

std::string readFirstLine(const fs::path& p) {
  std::ifstream f(p);
  std::string line;
  std::getline(f, line);
  return line;
}

std::vector<double> readValidation(const fs::path& p) {
  std::vector<double> v;
  std::ifstream f(p);
  std::string line;
  while (std::getline(f, line)) v.push_back(jsonNumber(line, "validation_elbo").value_or(std::nan("")));
  return v;
}

std::string fmt(double v, int digits = 2) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string joinLongs(const std::vector<double>& v) {
  std::string s;
  for (double x : v) {
    if (!s.empty()) s += ", ";
    s += std::isfinite(x) ? std::to_string(std::lround(x)) : "–";
  }
  return s;
}

void addMeanSe(JsonLine& line, const std::string& key, const MeanSe& m) {
  line.add(key + "_mean", m.mean).add(key + "_se", m.se).add(key + "_n", static_cast<long>(m.n));
}

int run(const std::string& dir, const std::string& title, const std::vector<std::string>& arm_names,
        bool console, const iai::JsonLine& run_line) {
  IAI_CHECK(fs::is_directory(dir), "arguments", "--dir", dir, "an existing folder of runs");
  std::vector<Arm> arms;
  for (const std::string& name : arm_names) {
    Arm arm{name, label(name), {}};
    const fs::path root = fs::path(dir) / name;
    if (fs::is_directory(root))
      for (const auto& entry : fs::directory_iterator(root)) {
        const std::string seed_dir = entry.path().filename().string();
        if (!entry.is_directory() || seed_dir.rfind("seed", 0) != 0) continue;
        Run r;
        r.seed = std::strtol(seed_dir.c_str() + 4, nullptr, 10);
        if (fs::exists(entry.path() / "result.json")) r.result = readFirstLine(entry.path() / "result.json");
        r.validation = readValidation(entry.path() / "run.ckpt.history.jsonl");
        arm.runs.push_back(std::move(r));
      }
    std::sort(arm.runs.begin(), arm.runs.end(), [](const Run& a, const Run& b) { return a.seed < b.seed; });
    arms.push_back(std::move(arm));
  }

  std::vector<Metric> metrics;
  for (const Metric& m : kMetrics)
    if (std::any_of(arms.begin(), arms.end(), [&](const Arm& a) {
          return std::any_of(a.runs.begin(), a.runs.end(),
                             [&](const Run& r) { return r.done() && jsonNumber(r.result, m.key); });
        }))
      metrics.push_back(m);
  const auto metricHeader = [&] {
    std::string h, rule;
    for (const Metric& m : metrics) h += std::string(" ") + m.label + " |", rule += " --- |";
    return std::pair{h, rule};
  };

  std::ostringstream md, txt;
  char row[256];
  std::snprintf(row, sizeof row, "%-28s %5s %17s %17s %17s\n", "inference model", "runs",
                "test ELBO", "-log p(x)", "amortization gap");
  txt << title << " (mean ± s.e. over seeds)\n" << row;
  std::ostringstream jsonl;  // the run line, then one line per arm, difference and snapshot
  jsonl << run_line.str() << '\n';
  md << "### " << title << "\n\n";
  md << "| inference model | runs done | test ELBO | −log p(x) |" << metricHeader().first
     << " amortized ELBO (gap subset) | refined ELBO | "
        "amortization gap | epochs | stopped early | wall time per run (min) |\n"
     << "| --- | --- | --- | --- |" << metricHeader().second << " --- | --- | --- | --- | --- | --- |\n";
  for (const Arm& a : arms) {
    const MeanSe elbo = meanSe(a.values("test_elbo")), nll = meanSe(a.values("test_nll")),
                 amort = meanSe(a.values("elbo_amortized")), refined = meanSe(a.values("elbo_refined")),
                 gap = meanSe(a.values("amortization_gap"));
    std::vector<double> minutes, epochs, stopped;
    for (const Run& r : a.runs)
      if (r.done()) {
        minutes.push_back((r.value("seconds_train") + r.value("seconds_final")) / 60.0);
        epochs.push_back(r.value("epochs_trained"));
        stopped.push_back(r.result.find("\"stopped_early\":true") != std::string::npos ? 1 : 0);
      }
    const MeanSe wall = meanSe(minutes);
    double n_stopped = 0;
    for (double s : stopped) n_stopped += s;
    md << "| " << a.label << " | " << a.finished() << " of " << a.runs.size() << " | "
       << examples::stats::format(elbo) << " | " << examples::stats::format(nll) << " | ";
    for (const Metric& m : metrics) md << examples::stats::format(meanSe(a.values(m.key)), m.digits) << " | ";
    md << examples::stats::format(amort) << " | " << examples::stats::format(refined) << " | "
       << examples::stats::format(gap) << " | " << joinLongs(epochs) << " | "
       << static_cast<long>(n_stopped) << " of " << stopped.size() << " | "
       << examples::stats::format(wall, 1) << " |\n";
    std::snprintf(row, sizeof row, "%-28s %5s %17s %17s %17s\n", a.label.c_str(),
                  (std::to_string(a.finished()) + "/" + std::to_string(a.runs.size())).c_str(),
                  examples::stats::format(elbo).c_str(), examples::stats::format(nll).c_str(),
                  examples::stats::format(gap).c_str());
    txt << row;
    JsonLine line;
    line.add("type", "arm").add("arm", a.name).add("runs", static_cast<long>(a.runs.size()))
        .add("finished", static_cast<long>(a.finished()));
    addMeanSe(line, "test_elbo", elbo);
    addMeanSe(line, "test_nll", nll);
    addMeanSe(line, "elbo_amortized", amort);
    addMeanSe(line, "elbo_refined", refined);
    addMeanSe(line, "amortization_gap", gap);
    for (const Metric& m : metrics) addMeanSe(line, m.key, meanSe(a.values(m.key)));
    addMeanSe(line, "wall_minutes", wall);
    jsonl << line.str() << '\n';
  }

  // paired differences: every iterative arm minus every standard arm, per seed
  bool header = false;
  for (const Arm& it : arms) {
    if (it.name.rfind("iterative", 0) != 0) continue;
    for (const Arm& st : arms) {
      if (st.name.rfind("standard", 0) != 0) continue;
      if (!header) {
        md << "\nPaired per-seed differences (same test inputs and noise per seed; mean ± s.e. "
              "over seeds; ELBO: > 0 favours iterative; −log p(x) and gap: < 0 favours "
              "iterative):\n\n"
           << "| difference | seeds | test ELBO | −log p(x) |" << metricHeader().first
           << " amortization gap | per seed: −log p(x) |\n"
           << "| --- | --- | --- | --- |" << metricHeader().second << " --- | --- |\n";
        header = true;
      }
      const auto d_elbo = examples::stats::pairedDifferences(it.perSeed("test_elbo"), st.perSeed("test_elbo"));
      const auto d_nll = examples::stats::pairedDifferences(it.perSeed("test_nll"), st.perSeed("test_nll"));
      const auto d_gap = examples::stats::pairedDifferences(it.perSeed("amortization_gap"),
                                                            st.perSeed("amortization_gap"));
      std::string per_seed;
      for (double v : d_nll) per_seed += (per_seed.empty() ? "" : ", ") + std::string(v >= 0 ? "+" : "") + fmt(v);
      if (txt.str().find("paired") == std::string::npos) {
        std::snprintf(row, sizeof row, "%-34s %5s %17s %17s %17s\n",
                      "paired difference (per seed)", "seeds", "test ELBO", "-log p(x)", "gap");
        txt << row;
      }
      std::snprintf(row, sizeof row, "%-34s %5zu %17s %17s %17s\n",
                    ("iterative - " + st.label.substr(0, st.label.find(" ("))).c_str(), d_nll.size(),
                    examples::stats::formatSigned(meanSe(d_elbo)).c_str(),
                    examples::stats::formatSigned(meanSe(d_nll)).c_str(),
                    examples::stats::formatSigned(meanSe(d_gap)).c_str());
      txt << row;
      md << "| " << it.label << " − " << st.label << " | " << d_nll.size() << " | "
         << examples::stats::formatSigned(meanSe(d_elbo)) << " | "
         << examples::stats::formatSigned(meanSe(d_nll)) << " | ";
      for (const Metric& m : metrics)
        md << examples::stats::formatSigned(
                  meanSe(examples::stats::pairedDifferences(it.perSeed(m.key), st.perSeed(m.key))), m.digits)
           << " | ";
      md << examples::stats::formatSigned(meanSe(d_gap)) << " | " << (per_seed.empty() ? "–" : per_seed) << " |\n";
      JsonLine line;
      line.add("type", "difference").add("difference", it.name + " - " + st.name);
      addMeanSe(line, "test_elbo", meanSe(d_elbo));
      addMeanSe(line, "test_nll", meanSe(d_nll));
      addMeanSe(line, "amortization_gap", meanSe(d_gap));
      for (const Metric& m : metrics)
        addMeanSe(line, m.key, meanSe(examples::stats::pairedDifferences(it.perSeed(m.key), st.perSeed(m.key))));
      line.add("test_nll_per_seed", d_nll);
      jsonl << line.str() << '\n';
    }
  }

  // validation ELBO at the last epoch every run has reached (a paired snapshot while runs train)
  std::size_t common = SIZE_MAX;
  for (const Arm& a : arms)
    for (const Run& r : a.runs) common = std::min(common, r.validation.size());
  if (common != SIZE_MAX && common > 0) {
    md << "\nValidation ELBO at epoch " << common
       << ", the last epoch every run has reached (mean ± s.e. over seeds; the validation split "
          "and its binarisation are the same for every arm of a seed):\n\n"
       << "| inference model | validation ELBO at epoch " << common << " |\n| --- | --- |\n";
    std::map<std::string, std::map<long, double>> at;
    for (const Arm& a : arms) {
      std::vector<double> v;
      for (const Run& r : a.runs) v.push_back(r.validation[common - 1]), at[a.name][r.seed] = r.validation[common - 1];
      md << "| " << a.label << " | " << examples::stats::format(meanSe(v)) << " |\n";
    }
    for (const Arm& it : arms) {
      if (it.name.rfind("iterative", 0) != 0) continue;
      for (const Arm& st : arms)
        if (st.name.rfind("standard", 0) == 0)
          md << "| paired: " << it.label << " − " << st.label << " | "
             << examples::stats::formatSigned(meanSe(examples::stats::pairedDifferences(at[it.name], at[st.name])))
             << " |\n";
    }
    JsonLine line;
    line.add("type", "validation").add("validation_epoch_common", static_cast<long>(common));
    for (const Arm& a : arms) {
      std::vector<double> v;
      for (const auto& [seed, value] : at[a.name]) v.push_back(value);
      addMeanSe(line, "validation_elbo_" + a.name, meanSe(v));
    }
    jsonl << line.str() << '\n';
  }

  // every run: its budget and numbers
  md << "\nRuns (epochs trained of the cap; stopped = the validation rule fired; IS s.e. = Monte "
        "Carlo error of the mean −log p(x); gap: refinement steps, converged to the tolerance):\n\n"
     << "| inference model | seed | epochs | stopped | best validation ELBO | test ELBO | −log p(x) "
        "(IS s.e.) |" << metricHeader().first << " gap (steps) | gap after t = 1 … 2T | wall time (min) |\n"
     << "| --- | --- | --- | --- | --- | --- | --- |" << metricHeader().second << " --- | --- | --- |\n";
  for (const Arm& a : arms)
    for (const Run& r : a.runs) {
      if (!r.done()) {
        double best = -INFINITY;
        for (double v : r.validation) best = std::max(best, v);
        md << "| " << a.label << " | " << r.seed << " | " << r.validation.size()
           << " (unfinished) | – | " << fmt(best) << " | – | – |";
        for (std::size_t k = 0; k < metrics.size(); ++k) md << " – |";
        md << " – | – | – |\n";
        continue;
      }
      std::string per_t;
      for (double g : jsonNumbers(r.result, "gap_per_iteration")) per_t += (per_t.empty() ? "" : ", ") + fmt(g);
      md << "| " << a.label << " | " << r.seed << " | " << fmt(r.value("epochs_trained"), 0) << " of "
         << fmt(r.value("max_epochs"), 0) << " | "
         << (r.result.find("\"stopped_early\":true") != std::string::npos ? "yes" : "no") << " | "
         << fmt(r.value("best_validation_elbo")) << " | " << fmt(r.value("test_elbo")) << " | "
         << fmt(r.value("test_nll")) << " (" << fmt(r.value("is_se_of_mean"), 3) << ") | ";
      for (const Metric& m : metrics) md << fmt(r.value(m.key), m.digits) << " | ";
      md << fmt(r.value("amortization_gap")) << " (" << fmt(r.value("gap_refine_steps"), 0)
         << (r.result.find("\"gap_converged\":true") != std::string::npos ? "" : ", not converged")
         << ") | " << (per_t.empty() ? "–" : per_t) << " | "
         << fmt((r.value("seconds_train") + r.value("seconds_final")) / 60.0, 1) << " |\n";
    }
  iai::writeFileAtomically((fs::path(dir) / "summary.md").string(), md.str(), "reproduce_table");
  iai::writeFileAtomically((fs::path(dir) / "summary.jsonl").string(), jsonl.str(), "reproduce_table");
  std::fputs(console ? txt.str().c_str() : md.str().c_str(), stdout);

  // validation ELBO against epoch: mean ± s.e. over the seeds that reached each epoch
  std::vector<examples::svg::Series> series;
  std::vector<examples::svg::Band> bands;
  for (const Arm& a : arms) {
    examples::svg::Series s{a.label, {}, {}};
    examples::svg::Band b;
    std::size_t longest = 0;
    for (const Run& r : a.runs) longest = std::max(longest, r.validation.size());
    for (std::size_t e = 0; e < longest; ++e) {
      std::vector<double> v;
      for (const Run& r : a.runs)
        if (e < r.validation.size()) v.push_back(r.validation[e]);
      const MeanSe m = meanSe(v);
      s.x.push_back(static_cast<double>(e + 1)), s.y.push_back(m.mean);
      b.lo.push_back(std::isfinite(m.se) ? m.mean - m.se : m.mean);
      b.hi.push_back(std::isfinite(m.se) ? m.mean + m.se : m.mean);
    }
    series.push_back(std::move(s));
    bands.push_back(std::move(b));
  }
  // (tables without a validation split, train --likelihood, have no validation figure)
  const bool any_validation = std::any_of(series.begin(), series.end(), [](const auto& s) { return !s.x.empty(); });
  // y-range: from the worst value after the first 10% of epochs (the first epochs dwarf the rest)
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t k = 0; k < series.size(); ++k)
    for (std::size_t i = series[k].x.size() / 10; i < series[k].x.size(); ++i)
      if (std::isfinite(bands[k].lo[i])) lo = std::min(lo, bands[k].lo[i]), hi = std::max(hi, bands[k].hi[i]);
  const bool clip = std::isfinite(lo) && hi > lo;
  if (any_validation)
    examples::svg::linePlot(title + ": validation ELBO (mean ± s.e. over seeds)", "epoch",
                            "validation ELBO (nats)", series, false, 760, 440,
                            clip ? lo - 0.05 * (hi - lo) : std::nan(""),
                            clip ? hi + 0.05 * (hi - lo) : std::nan(""), bands)
        .save((fs::path(dir) / "validation_elbo.svg").string());

  // the amortization gap against inference iterations (issue: the mechanism)
  std::vector<examples::svg::Series> gap_series;
  std::vector<examples::svg::Band> gap_bands;
  std::size_t t_max = 0;
  for (const Arm& a : arms)
    for (const Run& r : a.runs)
      if (r.done()) t_max = std::max(t_max, jsonNumbers(r.result, "gap_per_iteration").size());
  for (const Arm& a : arms) {
    examples::svg::Series s{a.label, {}, {}};
    examples::svg::Band b;
    const bool iterative = a.name.rfind("iterative", 0) == 0;
    for (std::size_t t = 0; t < std::max<std::size_t>(t_max, 1); ++t) {
      std::vector<double> v;
      for (const Run& r : a.runs) {
        if (!r.done()) continue;
        const auto g = jsonNumbers(r.result, "gap_per_iteration");
        v.push_back(iterative ? (t < g.size() ? g[t] : std::nan("")) : r.value("amortization_gap"));
      }
      const MeanSe m = meanSe(v);
      s.x.push_back(static_cast<double>(t + 1)), s.y.push_back(m.mean);
      b.lo.push_back(std::isfinite(m.se) ? m.mean - m.se : m.mean);
      b.hi.push_back(std::isfinite(m.se) ? m.mean + m.se : m.mean);
    }
    if (!s.y.empty() && std::isfinite(s.y.front())) {
      if (!iterative) s.name += " (one pass)";
      gap_series.push_back(std::move(s));
      gap_bands.push_back(std::move(b));
    }
  }
  if (!gap_series.empty())
    examples::svg::linePlot(title + ": amortization gap (mean ± s.e. over seeds)",
                            "inference iterations t (trained with T = 5)", "gap (nats)",
                            gap_series, false, 760, 440, std::nan(""), std::nan(""), gap_bands)
        .save((fs::path(dir) / "gap_vs_iterations.svg").string());
  return 0;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = std::min(s.find(',', start), s.size());
    const std::string item = s.substr(start, comma - start);
    IAI_CHECK(!item.empty(), "arguments", "--arms", s, "a comma-separated list of arm names");
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::guardedMain("reproduce_table", [&] {
    Options o;
    examples::Cli cli("reproduce_table", kSummary);
    addOptions(cli, o);
    if (!cli.parse(argc, argv)) return 0;
    // stdout is the table; the run line opens summary.jsonl
    return run(o.dir, o.title, splitComma(o.arms), o.console, cli.runLine(0));
  });
}
