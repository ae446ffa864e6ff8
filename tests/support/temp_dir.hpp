#pragma once
// A fresh folder under the system temp directory for one test, removed with its contents on
// destruction (shared by the test areas).
#include <cstddef>
#include <filesystem>
#include <iterator>
#include <random>
#include <string>

namespace iai_test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "tmp") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("iai-test-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  /// Entries in the folder (files, links, directories).
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_),
                                                  std::filesystem::directory_iterator()));
  }

 private:
  std::filesystem::path path_;
};

}  // namespace iai_test
