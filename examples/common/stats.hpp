// The arithmetic of the results tables (scripts/reproduce → reproduce_table): mean ± standard
// error over seeds, and paired per-seed differences between two arms (each seed's runs share
// their test inputs and noise, docs/results.md "Protocol"), with their mean ± standard error.
#pragma once
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace examples::stats {

struct MeanSe {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();  ///< s.d. / √n (n − 1 in the s.d.)
  std::size_t n = 0;
};

/// Mean and standard error of the mean of the finite values (NaN/inf are skipped). se is NaN for
/// fewer than two values.
inline MeanSe meanSe(const std::vector<double>& values) {
  MeanSe r;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++r.n;
  if (r.n == 0) return r;
  r.mean = sum / static_cast<double>(r.n);
  if (r.n < 2) return r;
  double ss = 0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - r.mean) * (v - r.mean);
  r.se = std::sqrt(ss / static_cast<double>(r.n - 1) / static_cast<double>(r.n));
  return r;
}

/// a[s] − b[s] for every seed s present (and finite) in both, in seed order.
inline std::vector<double> pairedDifferences(const std::map<long, double>& a,
                                             const std::map<long, double>& b) {
  std::vector<double> out;
  for (const auto& [seed, va] : a) {
    const auto it = b.find(seed);
    if (it != b.end() && std::isfinite(va) && std::isfinite(it->second)) out.push_back(va - it->second);
  }
  return out;
}

/// "m ± se" with `digits` decimals ("m" alone for one value, "–" for none).
inline std::string format(const MeanSe& m, int digits = 2) {
  char buf[96];
  if (m.n == 0) return "–";
  if (m.n == 1 || !std::isfinite(m.se)) {
    std::snprintf(buf, sizeof buf, "%.*f", digits, m.mean);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f ± %.*f", digits, m.mean, digits, m.se);
  }
  return buf;
}

/// Signed version of format for differences ("+0.12 ± 0.05").
inline std::string formatSigned(const MeanSe& m, int digits = 2) {
  std::string s = format(m, digits);
  if (m.n > 0 && m.mean >= 0) s = "+" + s;
  return s;
}

}  // namespace examples::stats
