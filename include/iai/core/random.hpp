#pragma once
// Seeded random numbers that are identical on every standard library:
// xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64, our own uniform and
// Box–Muller standard-normal draws (std::normal_distribution's output is implementation-defined).
// Independent streams are derived from (seed, stream id), so work split over threads can give
// the same numbers as a serial run.
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <Eigen/Core>

#include "iai/core/parallel.hpp"
#include "iai/core/types.hpp"

namespace iai {

namespace detail {
/// The Box–Muller transform of two uniforms in [0, 1) (Rng::normal and fillNormal share it, so
/// both give the same bits): (√(−2 log(1 − a)) cos 2πb, √(−2 log(1 − a)) sin 2πb).
inline void boxMuller(double a, double b, double& first, double& second) noexcept {
  const double u1 = 1.0 - a;  // (0, 1]: log is finite
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * b;
  first = r * std::cos(angle);
  second = r * std::sin(angle);
}

/// This thread's buffer of fillNormal's uniforms (grows to the largest fill, then stays).
inline std::vector<double>& normalUniforms() {
  thread_local std::vector<double> buffer;
  return buffer;
}
}  // namespace detail

/// splitmix64 step: the seeding function recommended for xoshiro generators.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256** engine with a standard-normal cache; satisfies std::uniform_random_bit_generator.
class Rng {
 public:
  /// The type of one raw draw (64 random bits).
  using result_type = std::uint64_t;
  /// Full engine state (for checkpoints): the four words plus the cached normal draw.
  struct State {
    /// xoshiro256** state words.
    std::array<std::uint64_t, 4> s{};
    /// The second Box–Muller draw, returned by the next normal() call.
    double cached_normal = 0.0;
    /// Whether cached_normal holds an unused draw.
    bool has_cached_normal = false;
    /// Two states are equal when every word and the cache match.
    friend bool operator==(const State&, const State&) = default;
  };

  /// Seeds with reseed(seed, stream).
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept { reseed(seed, stream); }

  /// Re-seed; different (seed, stream) pairs give statistically independent sequences.
  void reseed(std::uint64_t seed, std::uint64_t stream = 0) noexcept {
    std::uint64_t sm = seed ^ (0xD1B54A32D192ED03ULL * (stream + 1));
    std::uint64_t mix = splitmix64(sm);
    sm ^= mix;
    for (auto& w : state_.s) w = splitmix64(sm);
    state_.has_cached_normal = false;
    state_.cached_normal = 0.0;
  }

  /// Smallest raw draw (0).
  static constexpr result_type min() noexcept { return 0; }
  /// Largest raw draw (2^64 - 1).
  static constexpr result_type max() noexcept { return ~result_type{0}; }

  /// Next raw 64-bit draw (xoshiro256** step).
  result_type operator()() noexcept {
    auto& s = state_.s;
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// Standard normal N(0, 1) by the Box–Muller transform (two draws per pair of uniforms).
  double normal() noexcept {
    if (state_.has_cached_normal) {
      state_.has_cached_normal = false;
      return state_.cached_normal;
    }
    const double a = uniform();
    const double b = uniform();
    double first = 0, second = 0;
    detail::boxMuller(a, b, first, second);
    state_.cached_normal = second;
    state_.has_cached_normal = true;
    return first;
  }

  /// Bernoulli(p) draw.
  bool bernoulli(double p) noexcept { return uniform() < p; }

  /// Uniform integer in [0, n) without modulo bias (rejection of the short top range, n > 0).
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = (*this)();
      if (r >= threshold) return r % n;
    }
  }

  /// The full engine state (for checkpoints).
  const State& state() const noexcept { return state_; }
  /// Restores a state saved with state(); the sequence continues exactly from there.
  void setState(const State& state) noexcept { state_ = state; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  State state_;
};

/// Fill `out` (any writable dense Eigen object) with N(0, 1) draws, column by column: the same
/// bits, and the same engine state afterwards, as calling rng.normal() for every element in turn.
/// The uniforms are drawn in sequence; the transform (log, sqrt, sin, cos: most of the cost) runs
/// over blocks fixed by the size (core/parallel.hpp), so the result does not depend on the thread
/// count. Allocation-free once a thread's uniform buffer has grown to the largest size used.
template <class Derived>
void fillNormal(Rng& rng, Eigen::DenseBase<Derived>& out) {
  using Scalar = typename Derived::Scalar;
  const Index rows = out.rows(), n = out.size();
  if (n == 0) return;
  Index first = 0;  // the element the pairs start at
  if (rng.state().has_cached_normal) out(0, 0) = static_cast<Scalar>(rng.normal()), first = 1;
  const Index pairs = (n - first + 1) / 2;
  std::vector<double>& uniforms = detail::normalUniforms();
  uniforms.resize(static_cast<std::size_t>(2 * pairs));
  for (double& u : uniforms) u = rng.uniform();
  // a pair costs about 64 element-wise operations (parallel.hpp's unit of work)
  detail::forEachBlock(pairs, 64, [&](Index begin, Index count) {
    Index k = first + 2 * begin, i = k % rows, j = k / rows;  // element k = (i, j)
    for (Index p = begin; p < begin + count; ++p) {
      double a = 0, b = 0;
      detail::boxMuller(uniforms[static_cast<std::size_t>(2 * p)],
                        uniforms[static_cast<std::size_t>(2 * p + 1)], a, b);
      for (const double v : {a, b}) {
        if (k == n) break;  // an odd count: b goes to the cache below
        out(i, j) = static_cast<Scalar>(v);
        ++k;
        if (++i == rows) i = 0, ++j;
      }
    }
  });
  if (pairs > 0) {  // the cache as normal() leaves it: the last pair's second draw, unused when
                   // the count is odd (normal() returns it next), used otherwise
    double a = 0, b = 0;
    detail::boxMuller(uniforms[static_cast<std::size_t>(2 * pairs - 2)],
                      uniforms[static_cast<std::size_t>(2 * pairs - 1)], a, b);
    Rng::State state = rng.state();
    state.cached_normal = b;
    state.has_cached_normal = (n - first) % 2 == 1;
    rng.setState(state);
  }
}
template <class Derived>
void fillNormal(Rng& rng, Eigen::DenseBase<Derived>&& out) {
  fillNormal(rng, out);
}

/// Fill `out` with U[0, 1) draws, column by column.
template <class Derived>
void fillUniform(Rng& rng, Eigen::DenseBase<Derived>& out) {
  using Scalar = typename Derived::Scalar;
  for (Index j = 0; j < out.cols(); ++j)
    for (Index i = 0; i < out.rows(); ++i) out(i, j) = static_cast<Scalar>(rng.uniform());
}
template <class Derived>
void fillUniform(Rng& rng, Eigen::DenseBase<Derived>&& out) {
  fillUniform(rng, out);
}

/// Fisher–Yates shuffle of a permutation vector with our engine (std::shuffle is
/// implementation-defined).
template <class Container>
void shuffle(Rng& rng, Container& c) {
  using std::swap;
  const auto n = static_cast<std::uint64_t>(c.size());
  for (std::uint64_t i = n; i > 1; --i) {
    const std::uint64_t j = rng.below(i);
    swap(c[static_cast<std::size_t>(i - 1)], c[static_cast<std::size_t>(j)]);
  }
}

}  // namespace iai
