#pragma once
// Checkpoints of a VariationalEM run: θ, φ, both Adam states (moments and step counts), the epoch,
// the global step counter, the three random streams and a user-chosen architecture string (a
// description of the model configuration, compared on load). Versioned little-endian binary with
// length-prefixed sections and a CRC-32 trailer; the byte layout is in docs/evaluation.md.
// Resuming from a checkpoint taken at an epoch boundary (between fit() calls, or in an onEpoch
// callback) continues bitwise as the uninterrupted run would.
//   saveCheckpoint      atomic and durable through iai::AtomicFileWriter (core/file.hpp): an
//                       exclusively created temporary file with a random name (no link is
//                       followed), fsynced, renamed over path, the directory fsynced; on failure
//                       the temporary file is removed and an existing checkpoint is intact.
//   loadCheckpoint      validates the file (its size against the declared sizes, magic, version,
//                       scalar size, checksum) and its fit to `em` (architecture, θ/φ/optimizer
//                       sizes) before any allocation sized by the file's contents and before
//                       touching `em`; on any error `em` is unchanged.
//   readCheckpointInfo  version, scalar size, architecture, epoch and step (structure checked,
//                       checksum not).
#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "iai/core/binary_io.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/training/variational_em.hpp"

namespace iai {

inline constexpr std::uint32_t kCheckpointVersion = 1;
/// Longest architecture string a checkpoint stores (bytes).
inline constexpr std::uint64_t kCheckpointMaxArchitecture = 65536;

/// The header fields of a checkpoint.
struct CheckpointInfo {
  std::uint32_t version = 0;      ///< format version (kCheckpointVersion)
  std::uint32_t scalar_size = 0;  ///< sizeof(Scalar): 4 (float) or 8 (double)
  std::string architecture;       ///< as given to saveCheckpoint
  int epoch = 0;                  ///< VariationalEM::epoch() when saved
  std::int64_t step = 0;          ///< VariationalEM::steps() when saved
};

namespace detail::checkpoint {

using ::iai::detail::Crc32;
using ::iai::detail::loadLE;
using ::iai::detail::quoteBytes;
using ::iai::detail::ScalarBits;
using ::iai::detail::storeLE;

inline constexpr std::array<char, 8> kMagic{'I', 'A', 'I', 'C', 'K', 'P', 'T', '\0'};
inline constexpr std::uint64_t kHeaderBytes = 16;   // magic, u32 version, u32 scalar size
inline constexpr std::uint64_t kSectionBytes = 12;  // 4-byte tag, u64 payload length
inline constexpr std::uint64_t kTrailerBytes = 4;   // u32 CRC-32
inline constexpr std::uint64_t kRngBytes = 48;      // 4 × u64 words, f64 cached normal, u64 flag
inline constexpr std::uint64_t kProgressBytes = 16;
inline constexpr std::uint64_t kMaxOptimizerBuffers = 64;  // Adam has 2 (m, v)
enum Section { kArch, kProgress, kRngs, kTheta, kPhi, kThetaOptimizer, kPhiOptimizer, kSections };
inline constexpr std::array<std::array<char, 4>, kSections> kTags{{{'A', 'R', 'C', 'H'},
                                                                   {'P', 'R', 'O', 'G'},
                                                                   {'R', 'N', 'G', 'S'},
                                                                   {'T', 'H', 'T', 'A'},
                                                                   {'P', 'H', 'I', ' '},
                                                                   {'O', 'P', 'T', 'T'},
                                                                   {'O', 'P', 'T', 'P'}}};

inline std::string tagName(const std::array<char, 4>& tag) { return {tag.data(), 4}; }

inline std::string scalarName(std::uint64_t size) {
  return std::to_string(size) + (size == 4 ? " (float)" : size == 8 ? " (double)" : "");
}

template <class Error, class T>
[[noreturn]] IAI_COLD void fail(std::string_view function, const std::string& path,
                                std::string_view what, const T& value, std::string_view expected) {
  ::iai::detail::raiseFile<Error>(function, what, path, value, expected);
}

// ---- writing ----------------------------------------------------------------------------------

/// Little-endian writes with a running CRC into an AtomicFileWriter (which buffers and remembers
/// the first error; AtomicFileWriter::commit() reports it).
class Writer {
 public:
  explicit Writer(AtomicFileWriter& file) : file_(file) {}
  void bytes(const void* p, std::size_t n) {
    if (n == 0) return;
    file_.write(p, n);
    crc_.update(static_cast<const unsigned char*>(p), n);
  }
  template <class U>
  void uint(U v) {
    unsigned char b[sizeof(U)];
    storeLE(b, v);
    bytes(b, sizeof(U));
  }
  void section(Section id, std::uint64_t length) {
    bytes(kTags[static_cast<std::size_t>(id)].data(), 4);
    uint<std::uint64_t>(length);
  }
  template <class S>
  void scalars(const S* p, Index n) {
    if constexpr (std::endian::native == std::endian::little) {
      bytes(p, static_cast<std::size_t>(n) * sizeof(S));
    } else {
      for (Index i = 0; i < n; ++i) uint(std::bit_cast<ScalarBits<S>>(p[i]));
    }
  }
  void rng(const Rng::State& s) {
    for (std::uint64_t w : s.s) uint(w);
    uint(std::bit_cast<std::uint64_t>(s.cached_normal));
    uint<std::uint64_t>(s.has_cached_normal ? 1 : 0);
  }
  std::uint32_t crc() const { return crc_.value(); }

 private:
  AtomicFileWriter& file_;
  Crc32 crc_;
};

// ---- reading ----------------------------------------------------------------------------------

/// A checkpoint file opened for reading (a regular file only); every failure is an iai::io_error
/// naming the file.
class Reader {
 public:
  Reader(const std::string& path, const char* function)
      : file_(path, function, "an iai checkpoint"), function_(function) {}

  const std::string& path() const { return file_.path(); }
  const char* function() const { return function_; }
  std::uint64_t size() const { return file_.size(); }

  void seek(std::uint64_t offset) { file_.seek(offset); }
  void bytes(void* p, std::size_t n) { file_.readExact(p, n); }
  template <class U>
  U uint() {
    unsigned char b[sizeof(U)];
    bytes(b, sizeof(U));
    return loadLE<U>(b);
  }
  template <class S>
  void scalars(S* p, std::uint64_t n) {
    if constexpr (std::endian::native == std::endian::little) {
      bytes(p, static_cast<std::size_t>(n) * sizeof(S));
    } else {
      for (std::uint64_t i = 0; i < n; ++i) p[i] = std::bit_cast<S>(uint<ScalarBits<S>>());
    }
  }
  Rng::State rng() {
    Rng::State s;
    for (auto& w : s.s) w = uint<std::uint64_t>();
    s.cached_normal = std::bit_cast<double>(uint<std::uint64_t>());
    const auto flag = uint<std::uint64_t>();
    if (flag > 1) corrupted("the cached-normal flag of a random stream", flag, "0 or 1");
    s.has_cached_normal = flag == 1;
    return s;
  }

  template <class T>
  [[noreturn]] void corrupted(std::string_view what, const T& value, std::string_view expected) {
    fail<io_error>(function_, path(), what, value,
                   std::string(expected) + " (the file is truncated or corrupted)");
  }

 private:
  InputFile file_;
  const char* function_;
};

struct OptimizerLayout {
  bool present = false;
  std::int64_t steps = 0;
  std::vector<std::uint64_t> counts;   // entries of each state buffer
  std::vector<std::uint64_t> offsets;  // file offset of each buffer's scalars
};

/// Everything but the bulk parameters, read and checked against the file's size.
struct Layout {
  std::uint32_t version = 0, scalar_size = 0;
  std::string architecture;
  std::int64_t epoch = 0, step = 0;
  std::array<Rng::State, 3> rngs{};
  std::uint64_t theta_count = 0, theta_offset = 0, phi_count = 0, phi_offset = 0;
  std::array<OptimizerLayout, 2> optimizers{};
};

/// Reads the header and walks the sections; every declared length is checked against the bytes
/// that remain before anything is allocated from it. expected_scalar_size = 0 accepts 4 and 8.
inline Layout readLayout(Reader& r, std::uint32_t expected_scalar_size) {
  const std::string& path = r.path();
  const char* fn = r.function();
  const std::uint64_t size = r.size();
  if (size < kHeaderBytes + kTrailerBytes)
    fail<io_error>(fn, path, "the size", std::to_string(size) + " bytes",
                   "at least " + std::to_string(kHeaderBytes + kTrailerBytes) +
                       " bytes (the file is truncated or not an iai checkpoint)");
  Layout l;
  r.seek(0);
  std::array<char, 8> magic{};
  r.bytes(magic.data(), magic.size());
  if (magic != kMagic)
    fail<io_error>(fn, path, "the magic number", quoteBytes({magic.data(), magic.size()}),
                   quoteBytes({kMagic.data(), kMagic.size()}) + " (not an iai checkpoint)");
  l.version = r.uint<std::uint32_t>();
  if (l.version != kCheckpointVersion)
    fail<io_error>(fn, path, "the format version", l.version,
                   std::to_string(kCheckpointVersion) + " (written by another version of iai)");
  l.scalar_size = r.uint<std::uint32_t>();
  if (l.scalar_size != 4 && l.scalar_size != 8)
    r.corrupted("the scalar size", l.scalar_size, "4 or 8");
  if (expected_scalar_size != 0 && l.scalar_size != expected_scalar_size)
    fail<invalid_argument>(fn, path, "the scalar size", scalarName(l.scalar_size),
                           scalarName(expected_scalar_size) +
                               ", the live objects' Scalar (the file was saved with another type)");
  const std::uint64_t sz = l.scalar_size;
  const std::uint64_t end = size - kTrailerBytes;
  std::uint64_t pos = kHeaderBytes;

  // Reads `count` then checks that count scalars fill exactly `left` more bytes.
  auto vector_count = [&](const std::string& what, std::uint64_t left) {
    if (left < 8) r.corrupted("the length of " + what, left, "at least 8 bytes");
    const std::uint64_t count = r.uint<std::uint64_t>();
    if (count > (left - 8) / sz || count * sz != left - 8)
      r.corrupted("the entry count of " + what, count,
                  std::to_string((left - 8) / sz) + ", as its length says");
    return count;
  };

  for (int id = 0; id < kSections; ++id) {
    const auto& tag = kTags[static_cast<std::size_t>(id)];
    const std::string name = "section '" + tagName(tag) + "'";
    if (end - pos < kSectionBytes)
      r.corrupted("the size", std::to_string(size) + " bytes",
                  "enough for " + name + " at byte " + std::to_string(pos));
    std::array<char, 4> found{};
    r.bytes(found.data(), found.size());
    if (found != tag)
      r.corrupted("the tag at byte " + std::to_string(pos), quoteBytes({found.data(), 4}),
                  quoteBytes({tag.data(), 4}));
    const std::uint64_t len = r.uint<std::uint64_t>();
    const std::uint64_t payload = pos + kSectionBytes;
    if (len > end - payload)
      r.corrupted("the length of " + name, std::to_string(len) + " bytes",
                  "at most the " + std::to_string(end - payload) + " bytes before the checksum");
    switch (id) {
      case kArch:
        if (len > kCheckpointMaxArchitecture)
          r.corrupted("the length of " + name, len,
                      "at most " + std::to_string(kCheckpointMaxArchitecture));
        l.architecture.resize(static_cast<std::size_t>(len));
        r.bytes(l.architecture.data(), l.architecture.size());
        break;
      case kProgress:
        if (len != kProgressBytes) r.corrupted("the length of " + name, len, "16");
        l.epoch = static_cast<std::int64_t>(r.uint<std::uint64_t>());
        l.step = static_cast<std::int64_t>(r.uint<std::uint64_t>());
        if (l.epoch < 0 || l.epoch > INT_MAX)
          r.corrupted("the epoch", l.epoch, "in [0, " + std::to_string(INT_MAX) + "]");
        if (l.step < 0) r.corrupted("the step counter", l.step, "≥ 0");
        break;
      case kRngs:
        if (len != 3 * kRngBytes) r.corrupted("the length of " + name, len, "144");
        for (auto& s : l.rngs) s = r.rng();
        break;
      case kTheta:
        l.theta_offset = payload + 8;
        l.theta_count = vector_count(name, len);
        break;
      case kPhi:
        l.phi_offset = payload + 8;
        l.phi_count = vector_count(name, len);
        break;
      default: {  // optimizer: u64 present; if 1: i64 steps, u64 m, m × (u64 count, scalars)
        OptimizerLayout& o = l.optimizers[id == kThetaOptimizer ? 0 : 1];
        if (len < 8) r.corrupted("the length of " + name, len, "at least 8");
        const auto present = r.uint<std::uint64_t>();
        if (present > 1) r.corrupted("the presence flag of " + name, present, "0 or 1");
        o.present = present == 1;
        if (!o.present) {
          if (len != 8) r.corrupted("the length of " + name, len, "8 (no optimizer)");
          break;
        }
        if (len < 24) r.corrupted("the length of " + name, len, "at least 24");
        o.steps = static_cast<std::int64_t>(r.uint<std::uint64_t>());
        if (o.steps < 0) r.corrupted("the optimizer step count in " + name, o.steps, "≥ 0");
        const auto buffers = r.uint<std::uint64_t>();
        std::uint64_t left = len - 24;
        if (buffers > std::min<std::uint64_t>(left / 8, kMaxOptimizerBuffers))
          r.corrupted(
              "the buffer count of " + name, buffers,
              "at most " + std::to_string(std::min<std::uint64_t>(left / 8, kMaxOptimizerBuffers)));
        for (std::uint64_t k = 0; k < buffers; ++k) {
          if (left < 8) r.corrupted("the length of " + name, len, "enough for its buffers");
          const auto count = r.uint<std::uint64_t>();
          if (count > (left - 8) / sz)
            r.corrupted("the entry count of a buffer in " + name, count,
                        "at most " + std::to_string((left - 8) / sz));
          const std::uint64_t offset = payload + (len - left) + 8;
          o.counts.push_back(count);
          o.offsets.push_back(offset);
          left -= 8 + count * sz;
          r.seek(offset + count * sz);
        }
        if (left != 0)
          r.corrupted("the length of " + name, len,
                      std::to_string(len - left) + " bytes, the size of its buffers");
        break;
      }
    }
    pos = payload + len;
    r.seek(pos);
  }
  if (pos != end)
    r.corrupted("the size", std::to_string(size) + " bytes",
                std::to_string(pos + kTrailerBytes) + " bytes, as its sections declare");
  return l;
}

/// CRC-32 of bytes [0, size − 4) against the trailer, read in 64 KiB blocks.
inline void verifyChecksum(Reader& r) {
  const std::uint64_t end = r.size() - kTrailerBytes;
  std::vector<unsigned char> block(std::size_t{1} << 16);
  Crc32 crc;
  r.seek(0);
  for (std::uint64_t done = 0; done < end;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), end - done));
    r.bytes(block.data(), n);
    crc.update(block.data(), n);
    done += n;
  }
  const auto stored = r.uint<std::uint32_t>();
  if (stored != crc.value()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%08x", static_cast<unsigned>(stored));
    char want[64];
    std::snprintf(want, sizeof(want), "0x%08x, the CRC-32 of its contents",
                  static_cast<unsigned>(crc.value()));
    r.corrupted("the checksum", std::string(buf), want);
  }
}

inline std::string sizeMismatch(std::uint64_t live, const char* live_name) {
  return std::to_string(live) + ", the size of " + live_name + " (another model configuration)";
}

}  // namespace detail::checkpoint

/// Writes θ, φ, both optimizers' states, epoch, step and the three random streams of `em`, with
/// `architecture` (≤ kCheckpointMaxArchitecture bytes), atomically to `path`.
/// @throws iai::invalid_argument if the architecture string is too long;
///         iai::io_error if the file cannot be written (the temporary file is removed and an
///         existing file at path is unchanged) or, after the rename, its directory not synced.
template <class M, class I, class OT, class OP>
void saveCheckpoint(const std::string& path, VariationalEM<M, I, OT, OP>& em,
                    const std::string& architecture) {
  using namespace detail::checkpoint;
  using S = typename M::Scalar;
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "iai: checkpoints store float or double parameters");
  const char* fn = "saveCheckpoint";
  IAI_CHECK(!path.empty(), fn, "path", "empty", "a file name");
  IAI_CHECK(architecture.size() <= kCheckpointMaxArchitecture, fn, "architecture.size()",
            architecture.size(), "≤ " + std::to_string(kCheckpointMaxArchitecture) + " bytes");
  // gather first: nothing below throws until the file is complete
  const Vector<S>& theta = em.model().theta();
  const Vector<S>& phi = em.inference().phi();
  const TrainingState<S> state = em.state();
  std::array<std::uint64_t, 2> opt_len{};
  for (std::size_t k = 0; k < 2; ++k) {
    opt_len[k] = 8;
    if (!state.optimizers[k].present) continue;
    opt_len[k] += 16;
    for (const Vector<S>& b : state.optimizers[k].buffers)
      opt_len[k] += 8 + sizeof(S) * static_cast<std::uint64_t>(b.size());
  }
  AtomicFileWriter file(path, fn);  // creates the temporary file next to path
  Writer w(file);
  w.bytes(kMagic.data(), kMagic.size());
  w.uint<std::uint32_t>(kCheckpointVersion);
  w.uint<std::uint32_t>(sizeof(S));
  w.section(kArch, architecture.size());
  w.bytes(architecture.data(), architecture.size());
  w.section(kProgress, kProgressBytes);
  w.uint(static_cast<std::uint64_t>(state.epoch));
  w.uint(static_cast<std::uint64_t>(state.steps));
  w.section(kRngs, 3 * kRngBytes);
  for (const auto& r : state.rngs) w.rng(r);
  w.section(kTheta, 8 + sizeof(S) * static_cast<std::uint64_t>(theta.size()));
  w.uint(static_cast<std::uint64_t>(theta.size()));
  w.scalars(theta.data(), theta.size());
  w.section(kPhi, 8 + sizeof(S) * static_cast<std::uint64_t>(phi.size()));
  w.uint(static_cast<std::uint64_t>(phi.size()));
  w.scalars(phi.data(), phi.size());
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& o = state.optimizers[k];
    w.section(k == 0 ? kThetaOptimizer : kPhiOptimizer, opt_len[k]);
    w.uint<std::uint64_t>(o.present ? 1 : 0);
    if (!o.present) continue;
    w.uint(static_cast<std::uint64_t>(o.steps));
    w.uint(static_cast<std::uint64_t>(o.buffers.size()));
    for (const Vector<S>& b : o.buffers) {
      w.uint(static_cast<std::uint64_t>(b.size()));
      w.scalars(b.data(), b.size());
    }
  }
  w.uint<std::uint32_t>(w.crc());  // over all preceding bytes

  file.commit();  // sync, rename over path, sync the directory; removes the temporary on failure
}

/// The header fields of the checkpoint at `path`; its structure is checked, not its checksum.
/// @throws iai::io_error if the file is missing, not a checkpoint, of another version, or
///         truncated/corrupted.
inline CheckpointInfo readCheckpointInfo(const std::string& path) {
  detail::checkpoint::Reader r(path, "readCheckpointInfo");
  const auto l = detail::checkpoint::readLayout(r, 0);
  return {l.version, l.scalar_size, l.architecture, static_cast<int>(l.epoch), l.step};
}

/// Restores `em` (θ, φ, optimizer states, epoch with its learning rates and KL weight, step,
/// random streams) from the checkpoint at `path`, which must have been saved with the same
/// Scalar, the same `architecture` string and the same parameter sizes. On error, `em` is
/// unchanged.
/// @throws iai::io_error if the file is missing, not a checkpoint, of another version, truncated
///         or corrupted (checksum); iai::invalid_argument if its scalar type, architecture or a
///         size differs from `em`'s, or its epoch gives `em` a zero learning rate.
template <class M, class I, class OT, class OP>
CheckpointInfo loadCheckpoint(const std::string& path, VariationalEM<M, I, OT, OP>& em,
                              const std::string& architecture) {
  using namespace detail::checkpoint;
  using S = typename M::Scalar;
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "iai: checkpoints store float or double parameters");
  const char* fn = "loadCheckpoint";
  Reader r(path, fn);
  const Layout l = readLayout(r, sizeof(S));
  verifyChecksum(r);

  // the file is intact: does it fit em? (its current state gives the expected sizes)
  if (l.architecture != architecture)
    fail<invalid_argument>(fn, path, "the architecture", quoteBytes(l.architecture),
                           quoteBytes(architecture) + ", the expected architecture");
  if (l.theta_count != static_cast<std::uint64_t>(em.model().theta().size()))
    fail<invalid_argument>(fn, path, "the size of theta", l.theta_count,
                           sizeMismatch(em.model().theta().size(), "em.model().theta()"));
  if (l.phi_count != static_cast<std::uint64_t>(em.inference().phi().size()))
    fail<invalid_argument>(fn, path, "the size of phi", l.phi_count,
                           sizeMismatch(em.inference().phi().size(), "em.inference().phi()"));
  TrainingState<S> state = em.state();
  const std::array<const char*, 2> opt_names{"the theta optimizer state",
                                             "the phi optimizer state"};
  for (std::size_t k = 0; k < 2; ++k) {
    const OptimizerLayout& o = l.optimizers[k];
    auto& live = state.optimizers[k];
    if (o.present != live.present)
      fail<invalid_argument>(fn, path, opt_names[k], o.present ? "present" : "absent",
                             live.present ? "present, as in em" : "absent, as in em");
    if (!o.present) continue;
    if (o.counts.size() != live.buffers.size())
      fail<invalid_argument>(fn, path, std::string("the buffer count of ") + opt_names[k],
                             o.counts.size(), std::to_string(live.buffers.size()) + ", as in em");
    for (std::size_t i = 0; i < live.buffers.size(); ++i)
      if (o.counts[i] != static_cast<std::uint64_t>(live.buffers[i].size()))
        fail<invalid_argument>(fn, path, std::string("a buffer size of ") + opt_names[k],
                               o.counts[i], sizeMismatch(live.buffers[i].size(), "em's buffer"));
  }

  // parse into temporaries of the (checked) live sizes
  Vector<S> theta(static_cast<Index>(l.theta_count)), phi(static_cast<Index>(l.phi_count));
  r.seek(l.theta_offset);
  r.scalars(theta.data(), l.theta_count);
  r.seek(l.phi_offset);
  r.scalars(phi.data(), l.phi_count);
  state.epoch = static_cast<int>(l.epoch);
  state.steps = l.step;
  state.rngs = l.rngs;
  for (std::size_t k = 0; k < 2; ++k) {
    const OptimizerLayout& o = l.optimizers[k];
    state.optimizers[k].steps = o.steps;
    for (std::size_t i = 0; i < o.counts.size(); ++i) {
      r.seek(o.offsets[i]);
      r.scalars(state.optimizers[k].buffers[i].data(), o.counts[i]);
    }
  }

  // commit: restore() checks everything before it changes anything; θ, φ cannot fail after it
  try {
    em.restore(state);
  } catch (const invalid_argument& e) {
    fail<invalid_argument>(fn, path, "the training state", e.what(), "one em can restore");
  }
  em.model().theta() = theta;
  em.inference().phi() = phi;
  return {l.version, l.scalar_size, l.architecture, state.epoch, l.step};
}

/// A VariationalEM::fit callback that saves a checkpoint every `every_epochs` epochs, at the
/// epoch boundary (so resuming from it is exact), atomically (saveCheckpoint).
template <class EM>
class PeriodicCheckpoint {
 public:
  /// @throws iai::invalid_argument if path is empty or every_epochs < 1.
  PeriodicCheckpoint(EM& em, std::string path, std::string architecture, int every_epochs = 1)
      : em_(&em), path_(std::move(path)), architecture_(std::move(architecture)),
        every_(every_epochs) {
    IAI_CHECK(!path_.empty(), "PeriodicCheckpoint", "path", "empty", "a file name");
    IAI_CHECK(every_epochs >= 1, "PeriodicCheckpoint", "every_epochs", every_epochs, "≥ 1");
  }
  /// Saves the checkpoint when the number of completed epochs is a multiple of every_epochs.
  /// @throws iai::io_error (or iai::invalid_argument) as saveCheckpoint.
  void onEpoch(const EpochStatistics&) {
    if (em_->epoch() % every_ == 0) {  // em_->epoch() has advanced: epochs completed so far
      saveCheckpoint(path_, *em_, architecture_);
      ++saved_;
    }
  }
  /// The number of checkpoints saved so far.
  int saved() const { return saved_; }

 private:
  EM* em_;
  std::string path_, architecture_;
  int every_;
  int saved_ = 0;
};

}  // namespace iai
