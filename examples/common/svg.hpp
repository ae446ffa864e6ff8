// A small SVG writer for the example programs' figures: line plots and heat maps with overlaid
// paths (a heat map's cells are one embedded PNG, png.hpp; image grids are PNG files). Files are
// written atomically (tmp + rename).
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <iai/core/errors.hpp>
#include <iai/core/file.hpp>

#include "png.hpp"

namespace examples::svg {

inline const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                 "#8c564b", "#e377c2", "#17becf"};

inline std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

class Document {
 public:
  Document(double width, double height) : w_(width), h_(height) {}
  Document& raw(const std::string& s) {
    body_ << s << '\n';
    return *this;
  }
  Document& rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& extra = "") {
    body_ << "<rect x='" << x << "' y='" << y << "' width='" << w << "' height='" << h
          << "' fill='" << fill << "' " << extra << "/>\n";
    return *this;
  }
  Document& line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 double width = 1) {
    body_ << "<line x1='" << x1 << "' y1='" << y1 << "' x2='" << x2 << "' y2='" << y2
          << "' stroke='" << stroke << "' stroke-width='" << width << "'/>\n";
    return *this;
  }
  Document& polyline(const std::vector<double>& xs, const std::vector<double>& ys,
                     const std::string& stroke, double width = 1.5, const std::string& extra = "") {
    body_ << "<polyline fill='none' stroke='" << stroke << "' stroke-width='" << width << "' "
          << extra << " points='";
    for (std::size_t i = 0; i < xs.size(); ++i)
      if (std::isfinite(xs[i]) && std::isfinite(ys[i])) body_ << xs[i] << ',' << ys[i] << ' ';
    body_ << "'/>\n";
    return *this;
  }
  Document& circle(double x, double y, double r, const std::string& fill,
                   const std::string& extra = "") {
    body_ << "<circle cx='" << x << "' cy='" << y << "' r='" << r << "' fill='" << fill << "' "
          << extra << "/>\n";
    return *this;
  }
  Document& text(double x, double y, const std::string& s, double size = 12,
                 const std::string& anchor = "start", const std::string& extra = "") {
    body_ << "<text x='" << x << "' y='" << y << "' font-family='sans-serif' font-size='" << size
          << "' text-anchor='" << anchor << "' " << extra << ">" << esc(s) << "</text>\n";
    return *this;
  }
  std::string str() const {
    std::ostringstream os;
    os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w_ << "' height='" << h_
       << "' viewBox='0 0 " << w_ << ' ' << h_ << "'>\n<rect width='100%' height='100%' fill='white'/>\n"
       << body_.str() << "</svg>\n";
    return os.str();
  }
  /// Writes atomically and durably, never through a planted link (iai::writeFileAtomically).
  void save(const std::string& path) const {
    iai::writeFileAtomically(path, str(), "svg::Document::save");
  }

 private:
  double w_, h_;
  std::ostringstream body_;
};

struct Series {
  std::string name;
  std::vector<double> x, y;
};

/// A shaded band [lo, hi] at the x of the series with the same index (e.g. mean ± s.e. over seeds).
struct Band {
  std::vector<double> lo, hi;
};

/// Line plot with axes, ticks and a legend; `log_x` uses a log10 x-axis (x > 0). `y_lo`/`y_hi`,
/// when finite, fix the y-range (instead of the data's); the lines are then clipped to the plot.
/// `bands[k]` (optional, one per series or fewer) shades [lo, hi] around series k in its colour.
inline Document linePlot(const std::string& title, const std::string& x_label,
                         const std::string& y_label, const std::vector<Series>& series,
                         bool log_x = false, double width = 640, double height = 420,
                         double y_lo = std::numeric_limits<double>::quiet_NaN(),
                         double y_hi = std::numeric_limits<double>::quiet_NaN(),
                         const std::vector<Band>& bands = {}) {
  const double left = 70, right = 160, top = 40, bottom = 50;
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto tx = [&](double x) { return log_x ? std::log10(x) : x; };
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (log_x && s.x[i] <= 0)) continue;
      x0 = std::min(x0, tx(s.x[i])), x1 = std::max(x1, tx(s.x[i]));
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  for (std::size_t k = 0; k < bands.size() && k < series.size(); ++k)
    for (std::size_t i = 0; i < series[k].x.size() && i < bands[k].lo.size() && i < bands[k].hi.size(); ++i) {
      if (log_x && series[k].x[i] <= 0) continue;
      if (std::isfinite(bands[k].lo[i])) y0 = std::min(y0, bands[k].lo[i]);
      if (std::isfinite(bands[k].hi[i])) y1 = std::max(y1, bands[k].hi[i]);
    }
  const bool clip = std::isfinite(y_lo) || std::isfinite(y_hi);
  if (std::isfinite(y_lo)) y0 = y_lo;
  if (std::isfinite(y_hi)) y1 = y_hi;
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const double pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + (tx(x) - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * ph; };
  Document d(width, height);
  d.text(width / 2 - right / 2, 24, title, 15, "middle");
  d.rect(left, top, pw, ph, "none", "stroke='#444'");
  if (clip) {
    std::ostringstream os;
    os << "<defs><clipPath id='plot-area'><rect x='" << left << "' y='" << top << "' width='" << pw
       << "' height='" << ph << "'/></clipPath></defs>";
    d.raw(os.str());
  }
  const std::string clip_attr = clip ? "clip-path='url(#plot-area)'" : "";
  for (int k = 0; k <= 5; ++k) {
    const double yv = y0 + (y1 - y0) * k / 5.0, yy = py(yv);
    d.line(left - 4, yy, left, yy, "#444").line(left, yy, left + pw, yy, "#eee");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", yv);
    d.text(left - 6, yy + 4, buf, 11, "end");
    if (log_x) continue;  // below: ticks at 1, 2, 5 × 10^k
    const double xv = x0 + (x1 - x0) * k / 5.0, xx = left + (xv - x0) / (x1 - x0) * pw;
    std::snprintf(buf, sizeof buf, "%.4g", xv);
    d.line(xx, top + ph, xx, top + ph + 4, "#444").text(xx, top + ph + 18, buf, 11, "middle");
  }
  if (log_x) {
    std::vector<double> ticks;
    for (const double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && x1 - x0 > 4) continue;  // more than four decades: powers of ten only
      for (int e = static_cast<int>(std::floor(x0)); e <= static_cast<int>(std::ceil(x1)); ++e) {
        const double lv = std::log10(m) + e;
        if (lv >= x0 - 1e-9 && lv <= x1 + 1e-9) ticks.push_back(lv);
      }
    }
    for (const double lv : ticks) {
      const double xx = left + (lv - x0) / (x1 - x0) * pw;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", std::pow(10.0, lv));
      d.line(xx, top + ph, xx, top + ph + 4, "#444").line(xx, top, xx, top + ph, "#eee");
      d.text(xx, top + ph + 18, buf, 11, "middle");
    }
  }
  d.text(left + pw / 2, height - 10, x_label, 12, "middle");
  d.text(16, top + ph / 2, y_label, 12, "middle",
         "transform='rotate(-90 16 " + std::to_string(top + ph / 2) + ")'");
  for (std::size_t k = 0; k < bands.size() && k < series.size(); ++k) {  // bands under the lines
    const auto& s = series[k];
    std::ostringstream pts;
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < s.x.size() && i < bands[k].lo.size() && i < bands[k].hi.size(); ++i)
      if ((!log_x || s.x[i] > 0) && std::isfinite(bands[k].lo[i]) && std::isfinite(bands[k].hi[i]))
        idx.push_back(i);
    if (idx.size() < 2) continue;
    for (std::size_t i : idx) pts << px(s.x[i]) << ',' << py(bands[k].hi[i]) << ' ';
    for (auto it = idx.rbegin(); it != idx.rend(); ++it)
      pts << px(s.x[*it]) << ',' << py(bands[k].lo[*it]) << ' ';
    d.raw("<polygon points='" + pts.str() + "' fill='" + kPalette[k % 8] +
          "' fill-opacity='0.18' stroke='none' " + clip_attr + "/>");
  }
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (!log_x || s.x[i] > 0) xs.push_back(px(s.x[i])), ys.push_back(py(s.y[i]));
    const std::string color = kPalette[k % 8];
    d.polyline(xs, ys, color, 1.5, clip_attr);
    if (xs.size() <= 12)
      for (std::size_t i = 0; i < xs.size(); ++i) d.circle(xs[i], ys[i], 2.5, color, clip_attr);
    d.line(width - right + 10, top + 14 + 18.0 * k, width - right + 30, top + 14 + 18.0 * k, color, 2);
    d.text(width - right + 35, top + 18 + 18.0 * k, s.name, 11);
  }
  return d;
}

/// Heat map of `values` (ny × nx, row 0 at the top = largest y) over [x0, x1] × [y0, y1], with a
/// colour bar; returns the document and a mapping for overlays through `toPixel`. `extra_width`
/// widens the document on the right (from x = 700), e.g. for a legend. `log_gap` colours by
/// log(1 + vmax − v) instead of v (detail near the maximum, e.g. of an ELBO surface).
struct HeatMap {
  Document doc;
  double x0, x1, y0, y1, left, top, pw, ph;
  std::pair<double, double> toPixel(double x, double y) const {
    return {left + (x - x0) / (x1 - x0) * pw, top + (y1 - y) / (y1 - y0) * ph};
  }
};
inline HeatMap heatMap(const Eigen::MatrixXd& values, double x0, double x1, double y0, double y1,
                       const std::string& title, const std::string& x_label,
                       const std::string& y_label, double vmin, double vmax,
                       double extra_width = 0, bool log_gap = false) {
  const double left = 60, top = 40, pw = 480, ph = 480, width = 700 + extra_width, height = 580;
  HeatMap m{Document(width, height), x0, x1, y0, y1, left, top, pw, ph};
  const double log_span = std::log1p(std::max(vmax - vmin, 0.0));
  auto rgb = [&](double v) {  // dark blue → yellow (viridis-like, three stops)
    const double t = std::clamp(log_gap ? 1 - std::log1p(std::max(vmax - v, 0.0)) / log_span
                                        : (v - vmin) / (vmax - vmin),
                                0.0, 1.0);
    return std::array<int, 3>{
        static_cast<int>(t < 0.5 ? 68 + (33 - 68) * t * 2 : 33 + (253 - 33) * (t - 0.5) * 2),
        static_cast<int>(t < 0.5 ? 1 + (145 - 1) * t * 2 : 145 + (231 - 145) * (t - 0.5) * 2),
        static_cast<int>(t < 0.5 ? 84 + (140 - 84) * t * 2 : 140 + (37 - 140) * (t - 0.5) * 2)};
  };
  auto colour = [&](double v) {
    const std::array<int, 3> c = rgb(v);
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
    return std::string(buf);
  };
  // the cells as one embedded PNG, a pixel per cell, scaled up without smoothing (an SVG
  // rectangle per cell would make a 80 × 80 surface ~400 kB)
  png::Image cells{static_cast<int>(values.cols()), static_cast<int>(values.rows()), 3, {}};
  cells.pixels.resize(static_cast<std::size_t>(values.size()) * 3);
  for (Eigen::Index i = 0; i < values.rows(); ++i)
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
      const std::array<int, 3> c = rgb(values(i, j));
      for (int k = 0; k < 3; ++k)
        cells.at(static_cast<int>(i), static_cast<int>(j), k) = static_cast<unsigned char>(c[static_cast<std::size_t>(k)]);
    }
  std::ostringstream image;
  image << "<image x='" << left << "' y='" << top << "' width='" << pw << "' height='" << ph
        << "' preserveAspectRatio='none' style='image-rendering:pixelated' href='"
        << png::dataUri(cells) << "'/>\n";
  m.doc.raw(image.str());
  m.doc.text(left + pw / 2, 24, title, 15, "middle");
  m.doc.text(left + pw / 2, top + ph + 40, x_label, 12, "middle");
  m.doc.text(16, top + ph / 2, y_label, 12, "middle",
             "transform='rotate(-90 16 " + std::to_string(top + ph / 2) + ")'");
  char buf[32];
  for (int k = 0; k <= 4; ++k) {
    std::snprintf(buf, sizeof buf, "%.3g", x0 + (x1 - x0) * k / 4);
    m.doc.text(left + pw * k / 4, top + ph + 18, buf, 11, "middle");
    std::snprintf(buf, sizeof buf, "%.3g", y1 - (y1 - y0) * k / 4);
    m.doc.text(left - 6, top + ph * k / 4 + 4, buf, 11, "end");
  }
  // the value at colour-bar position p ∈ [0, 1]
  auto at = [&](double p) {
    return log_gap ? vmax - std::expm1((1 - p) * log_span) : vmin + (vmax - vmin) * p;
  };
  for (int k = 0; k < 50; ++k)  // colour bar
    m.doc.rect(left + pw + 30, top + ph * (1 - (k + 1) / 50.0), 16, ph / 50 + 0.5,
               colour(at((k + 0.5) / 50)));
  if (log_gap)
    for (int k = 1; k < 4; ++k) {
      std::snprintf(buf, sizeof buf, "%.4g", at(k / 4.0));
      m.doc.text(left + pw + 50, top + ph * (1 - k / 4.0) + 4, buf, 11);
    }
  std::snprintf(buf, sizeof buf, "%.4g", vmax);
  m.doc.text(left + pw + 50, top + 8, buf, 11);
  std::snprintf(buf, sizeof buf, "%.4g", vmin);
  m.doc.text(left + pw + 50, top + ph, buf, 11);
  return m;
}

}  // namespace examples::svg
