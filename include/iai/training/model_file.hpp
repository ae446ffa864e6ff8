#pragma once
// Model-only files: named parameter tensors (θ of the generative model, φ of the inference model,
// or any named views of them) with their shapes and an architecture string, without the training
// state of a checkpoint. For deployment, for sharing weights and for reading them elsewhere
// (scripts/iai_weights.py loads them into NumPy arrays). Little-endian, CRC-32 trailer, written
// atomically (core/file.hpp); the byte layout is in docs/evaluation.md ("Model files"):
//   "IAIMODEL"  u32 version (1)  u32 scalar size (4 or 8)
//   u64 architecture length, architecture bytes (UTF-8)
//   u64 tensor count N, then N × { u64 name length, name bytes, u64 rows, u64 cols,
//                                  rows·cols scalars, column-major }
//   u32 CRC-32 of every preceding byte
// A reader validates every declared length against the bytes that remain before it allocates.
//   saveModelFile / readModelFile      any named tensors
//   saveModel / loadModel              θ as "theta" and φ as "phi" of a (model, inference) pair
#include <bit>
#include <set>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "iai/core/binary_io.hpp"
#include "iai/core/errors.hpp"
#include "iai/core/file.hpp"
#include "iai/core/types.hpp"

namespace iai {

inline constexpr std::uint32_t kModelFileVersion = 1;
/// Longest architecture string or tensor name a model file stores (bytes).
inline constexpr std::uint64_t kModelFileMaxString = 65536;
/// Most tensors a model file declares.
inline constexpr std::uint64_t kModelFileMaxTensors = 1u << 20;
/// Largest row or column count of a tensor (2^31 − 1; a 0-row tensor still has a bounded width).
inline constexpr std::uint64_t kModelFileMaxDim = 0x7FFFFFFFu;

/// One named parameter tensor (a vector is rows × 1).
template <class S>
struct NamedTensor {
  /// The tensor's name in the file.
  std::string name;
  /// Its values (rows × cols).
  Matrix<S> values;
};

/// The contents of a model file.
template <class S>
struct ModelFile {
  /// A free-form description of the model that wrote the file.
  std::string architecture;
  /// The named tensors in file order.
  std::vector<NamedTensor<S>> tensors;

  /// The tensor called `name`.
  /// @throws iai::invalid_argument if there is none.
  const Matrix<S>& at(std::string_view name) const {
    for (const auto& t : tensors)
      if (t.name == name) return t.values;
    detail::raise<invalid_argument>("ModelFile::at", "name", std::string(name),
                                    "the name of a tensor in the file");
  }
};

namespace detail::model_file {

inline constexpr char kMagic[8] = {'I', 'A', 'I', 'M', 'O', 'D', 'E', 'L'};

template <class S>
class Writer {
 public:
  explicit Writer(AtomicFileWriter& file) : file_(file) {}
  void bytes(const void* p, std::size_t n) {
    file_.write(p, n);
    crc_.update(static_cast<const unsigned char*>(p), n);
  }
  template <class U>
  void uint(U v) {
    unsigned char b[sizeof(U)];
    storeLE(b, v);
    bytes(b, sizeof(U));
  }
  void string(std::string_view s) {
    uint<std::uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void scalars(const S* p, Index n) {
    if constexpr (std::endian::native == std::endian::little) {
      bytes(p, static_cast<std::size_t>(n) * sizeof(S));
    } else {
      for (Index i = 0; i < n; ++i) uint(std::bit_cast<ScalarBits<S>>(p[i]));
    }
  }
  std::uint32_t crc() const { return crc_.value(); }

 private:
  AtomicFileWriter& file_;
  Crc32 crc_;
};

}  // namespace detail::model_file

/// Writes `tensors` (names unique, each ≤ kModelFileMaxString bytes) and `architecture` to `path`
/// atomically.
/// @throws iai::invalid_argument on an empty, too long or repeated name or a too long
///         architecture; iai::io_error if the file cannot be written (a previous file is kept).
template <class S>
void saveModelFile(const std::string& path, const std::vector<NamedTensor<S>>& tensors,
                   const std::string& architecture) {
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "iai: model files store float or double parameters");
  const char* fn = "saveModelFile";
  IAI_CHECK(architecture.size() <= kModelFileMaxString, fn, "architecture.size()",
            architecture.size(), "≤ " + std::to_string(kModelFileMaxString) + " bytes");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string& name = tensors[i].name;
    IAI_CHECK(!name.empty() && name.size() <= kModelFileMaxString, fn,
              "tensors[" + std::to_string(i) + "].name", detail::quoteBytes(name),
              "non-empty and ≤ " + std::to_string(kModelFileMaxString) + " bytes");
    for (std::size_t k = 0; k < i; ++k)
      IAI_CHECK(tensors[k].name != name, fn, "tensors[" + std::to_string(i) + "].name",
                detail::quoteBytes(name), "unique (tensors[" + std::to_string(k) + "] has it)");
  }
  AtomicFileWriter file(path, fn);
  detail::model_file::Writer<S> w(file);
  w.bytes(detail::model_file::kMagic, 8);
  w.template uint<std::uint32_t>(kModelFileVersion);
  w.template uint<std::uint32_t>(sizeof(S));
  w.string(architecture);
  w.template uint<std::uint64_t>(tensors.size());
  for (const auto& t : tensors) {
    w.string(t.name);
    w.template uint<std::uint64_t>(static_cast<std::uint64_t>(t.values.rows()));
    w.template uint<std::uint64_t>(static_cast<std::uint64_t>(t.values.cols()));
    w.scalars(t.values.data(), t.values.size());
  }
  w.template uint<std::uint32_t>(w.crc());
  file.commit();
}

/// Reads a model file of Scalar S. Every length is checked against the file's size before
/// anything is allocated, and the CRC-32 before anything is returned.
/// @throws iai::io_error if the file is missing, not a regular file, not a model file, of
///         another version, truncated or corrupted; iai::invalid_argument if it stores another
///         scalar type.
template <class S>
ModelFile<S> readModelFile(const std::string& path) {
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "iai: model files store float or double parameters");
  const char* fn = "readModelFile";
  InputFile in(path, fn, "an iai model file");
  const std::uint64_t size = in.size();
  auto corrupted = [&](std::string_view what, const auto& value, const std::string& expected) {
    detail::raiseFile(fn, what, path, value, expected + " (the file is truncated or corrupted)");
  };
  if (size < 8 + 4 + 4 + 8 + 8 + 4)
    corrupted("the size", std::to_string(size) + " bytes", "at least 36 bytes");
  // the whole file is read once (its size is known and bounded by the disk) and checked in memory
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  in.readExact(bytes.data(), bytes.size());
  const std::uint64_t end = size - 4;
  detail::Crc32 crc;
  crc.update(bytes.data(), static_cast<std::size_t>(end));
  const auto stored = detail::loadLE<std::uint32_t>(bytes.data() + end);
  if (std::string_view(reinterpret_cast<const char*>(bytes.data()), 8) !=
      std::string_view(detail::model_file::kMagic, 8))
    detail::raiseFile(fn, "the magic number", path,
                      detail::quoteBytes({reinterpret_cast<const char*>(bytes.data()), 8}),
                      "\"IAIMODEL\" (not an iai model file)");
  if (stored != crc.value())
    corrupted("the checksum", detail::hex(stored, 8), detail::hex(crc.value(), 8));
  std::uint64_t pos = 8;
  auto u32 = [&] {
    const auto v = detail::loadLE<std::uint32_t>(bytes.data() + pos);
    pos += 4;
    return v;
  };
  auto u64 = [&](std::string_view what) {
    if (end - pos < 8) corrupted(what, "missing", "8 bytes at byte " + std::to_string(pos));
    const auto v = detail::loadLE<std::uint64_t>(bytes.data() + pos);
    pos += 8;
    return v;
  };
  auto string = [&](std::string_view what) {
    const std::uint64_t n = u64(std::string("the length of ") + std::string(what));
    if (n > kModelFileMaxString || n > end - pos)
      corrupted(std::string("the length of ") + std::string(what), n,
                "at most " + std::to_string(std::min<std::uint64_t>(kModelFileMaxString, end - pos)));
    std::string out(reinterpret_cast<const char*>(bytes.data() + pos), static_cast<std::size_t>(n));
    pos += n;
    return out;
  };
  const std::uint32_t version = u32();
  if (version != kModelFileVersion)
    detail::raiseFile(fn, "the format version", path, version,
                      std::to_string(kModelFileVersion) + " (written by another version of iai)");
  const std::uint32_t scalar_size = u32();
  if (scalar_size != 4 && scalar_size != 8) corrupted("the scalar size", scalar_size, "4 or 8");
  if (scalar_size != sizeof(S))
    detail::raiseFile<invalid_argument>(fn, "the scalar size", path, scalar_size,
                                        std::to_string(sizeof(S)) +
                                            ", the requested Scalar (the file has another type)");
  ModelFile<S> out;
  out.architecture = string("the architecture");
  const std::uint64_t count = u64("the tensor count");
  // every tensor takes at least 24 bytes (name length, rows, cols)
  if (count > kModelFileMaxTensors || count > (end - pos) / 24)
    corrupted("the tensor count", count, "at most " + std::to_string((end - pos) / 24));
  out.tensors.reserve(static_cast<std::size_t>(count));
  std::set<std::string> names;
  for (std::uint64_t k = 0; k < count; ++k) {
    const std::string label = "tensor " + std::to_string(k);
    NamedTensor<S> t;
    t.name = string("the name of " + label);
    if (t.name.empty() || !names.insert(t.name).second)
      corrupted("the name of " + label, detail::quoteBytes(t.name), "non-empty and unique");
    const std::uint64_t rows = u64("the rows of " + label), cols = u64("the columns of " + label);
    std::uint64_t n = 0, n_bytes = 0;
    if (rows > kModelFileMaxDim || cols > kModelFileMaxDim || !detail::mulChecked(rows, cols, n) ||
        !detail::mulChecked(n, sizeof(S), n_bytes) || n_bytes > end - pos)
      corrupted("the shape of " + label,
                std::to_string(rows) + " rows by " + std::to_string(cols) + " columns",
                "at most 2^31 − 1 rows and columns, whose " + std::to_string(sizeof(S)) +
                    "-byte entries fit in the " + std::to_string(end - pos) + " bytes left");
    t.values.resize(static_cast<Index>(rows), static_cast<Index>(cols));
    for (std::uint64_t i = 0; i < n; ++i)
      t.values.data()[i] = std::bit_cast<S>(
          detail::loadLE<detail::ScalarBits<S>>(bytes.data() + pos + i * sizeof(S)));
    pos += n_bytes;
    out.tensors.push_back(std::move(t));
  }
  if (pos != end)
    corrupted("the size", std::to_string(size) + " bytes",
              std::to_string(pos + 4) + " bytes, as its tensors declare");
  return out;
}

/// Writes θ (`model.theta()`, "theta") and φ (`inference.phi()`, "phi") with `architecture`.
template <class M, class I>
void saveModel(const std::string& path, M& model, I& inference, const std::string& architecture) {
  using S = typename M::Scalar;
  saveModelFile<S>(path, {{"theta", model.theta()}, {"phi", inference.phi()}}, architecture);
}

/// Loads θ and φ saved by saveModel into `model` and `inference`, which must have been built with
/// the same `architecture` (compared) and parameter sizes. On error nothing changes.
/// @throws iai::io_error as readModelFile; iai::invalid_argument on another architecture, a
///         missing tensor or another size.
template <class M, class I>
void loadModel(const std::string& path, M& model, I& inference, const std::string& architecture) {
  using S = typename M::Scalar;
  const char* fn = "loadModel";
  const ModelFile<S> file = readModelFile<S>(path);
  if (file.architecture != architecture)
    detail::raiseFile<invalid_argument>(fn, "the architecture", path,
                                        detail::quoteBytes(file.architecture),
                                        detail::quoteBytes(architecture) +
                                            ", the expected architecture");
  const Matrix<S>& theta = file.at("theta");
  const Matrix<S>& phi = file.at("phi");
  if (theta.cols() != 1 || theta.rows() != model.theta().size())
    detail::raiseFile<invalid_argument>(
        fn, "the shape of theta", path, detail::shapeString(theta.rows(), theta.cols()),
        detail::shapeString(model.theta().size(), 1) + ", the size of model.theta()");
  if (phi.cols() != 1 || phi.rows() != inference.phi().size())
    detail::raiseFile<invalid_argument>(
        fn, "the shape of phi", path, detail::shapeString(phi.rows(), phi.cols()),
        detail::shapeString(inference.phi().size(), 1) + ", the size of inference.phi()");
  model.theta() = theta.col(0);
  inference.phi() = phi.col(0);
}

}  // namespace iai
