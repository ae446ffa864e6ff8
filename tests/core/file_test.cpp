// core/file.hpp: the durable-write primitive and the regular-file reader, against the attacks of
// docs/reliability.md ("Security"): links planted at the temporary names or at the target,
// existing files at the temporary name, and FIFOs, devices or directories given as input.
#include "support/catch.hpp"
#include "support/temp_dir.hpp"

#include <iai/core/file.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include <csignal>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

// file-local names (test files are compiled together: tests/CMakeLists.txt)
namespace iai_test_file_test {

namespace fs = std::filesystem;

namespace {

using iai_test::TempDir;

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void writeText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}
std::string ioError(const auto& f) {
  try {
    f();
  } catch (const iai::io_error& e) {
    return e.what();
  }
  return "no iai::io_error";
}

/// Sets detail::temp_name_for_testing for one scope: attempt k uses names[k], later attempts a
/// name that is free.
struct PlannedNames {
  static inline std::vector<std::string> names;
  explicit PlannedNames(std::vector<std::string> n) {
    names = std::move(n);
    iai::detail::temp_name_for_testing = [](const std::string& path, int attempt) {
      const auto k = static_cast<std::size_t>(attempt);
      return k < names.size() ? names[k] : path + ".free-" + std::to_string(attempt);
    };
  }
  PlannedNames(const PlannedNames&) = delete;
  PlannedNames& operator=(const PlannedNames&) = delete;
  ~PlannedNames() { iai::detail::temp_name_for_testing = nullptr; }
};

}  // namespace

TEST_CASE("writeFileAtomically writes the contents and leaves no temporary file", "[core][file]") {
  TempDir dir;
  const std::string path = dir.file("out.json");
  iai::writeFileAtomically(path, "{\"a\": 1}\n", "test");
  CHECK(readText(path) == "{\"a\": 1}\n");
  iai::writeFileAtomically(path, "second", "test");  // replaces
  CHECK(readText(path) == "second");
  CHECK(dir.entries() == 1);
  // large writes go around the buffer
  const std::string big(300000, 'x');
  iai::writeFileAtomically(path, big, "test");
  CHECK(readText(path) == big);
  CHECK(dir.entries() == 1);
}

TEST_CASE("A symbolic link planted at the target is replaced, never written through",
          "[core][file][security]") {
  TempDir dir;
  const std::string victim = dir.file("victim"), path = dir.file("ckpt");
  writeText(victim, "precious");
  fs::create_symlink(victim, path);
  iai::writeFileAtomically(path, "checkpoint", "test");
  CHECK(readText(victim) == "precious");
  CHECK_FALSE(fs::is_symlink(path));
  CHECK(fs::is_regular_file(fs::symlink_status(path)));
  CHECK(readText(path) == "checkpoint");
}

TEST_CASE("Symbolic links planted at predictable temporary names leave the victim untouched",
          "[core][file][security]") {
  // The old scheme's names (path.tmp, path.tmp.<pid> for pids around ours) all point at a victim.
  TempDir dir;
  const std::string victim = dir.file("victim"), path = dir.file("ckpt");
  writeText(victim, "precious");
  fs::create_symlink(victim, path + ".tmp");
  const long pid = static_cast<long>(::getpid());
  for (long p = pid - 50; p <= pid + 200; ++p)
    if (p > 0) fs::create_symlink(victim, path + ".tmp." + std::to_string(p));
  iai::writeFileAtomically(path, "checkpoint", "test");
  CHECK(readText(victim) == "precious");
  CHECK(readText(path) == "checkpoint");
  CHECK_FALSE(fs::is_symlink(path));
}

TEST_CASE("An existing file or link at the chosen temporary name is never opened: the writer "
          "moves on to another name",
          "[core][file][security]") {
  TempDir dir;
  const std::string victim = dir.file("victim"), path = dir.file("ckpt");
  const std::string planted_file = dir.file("ckpt.planted-file");
  const std::string planted_link = dir.file("ckpt.planted-link");
  const std::string dangling = dir.file("ckpt.planted-dangling");
  writeText(victim, "precious");
  writeText(planted_file, "someone else's");
  fs::create_symlink(victim, planted_link);
  fs::create_symlink(dir.file("does-not-exist-yet"), dangling);  // O_CREAT would follow this
  struct stat before {};
  REQUIRE(::stat(planted_file.c_str(), &before) == 0);
  {
    PlannedNames names({planted_file, planted_link, dangling});
    iai::writeFileAtomically(path, "checkpoint", "test");
  }
  CHECK(readText(path) == "checkpoint");
  CHECK(readText(victim) == "precious");
  CHECK(readText(planted_file) == "someone else's");
  struct stat after {};
  REQUIRE(::stat(planted_file.c_str(), &after) == 0);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  CHECK(fs::is_symlink(planted_link));
  CHECK_FALSE(fs::exists(dir.file("does-not-exist-yet")));  // the dangling link was not followed
  CHECK(dir.entries() == 5);  // victim, ckpt and the three planted entries: nothing else
}

TEST_CASE("The new file's permissions are 0666 masked by the umask, never wider",
          "[core][file][security]") {
  TempDir dir;
  for (const mode_t mask : {mode_t{022}, mode_t{077}, mode_t{027}}) {
    const mode_t old = ::umask(mask);
    const std::string path = dir.file("perm-" + std::to_string(mask));
    iai::writeFileAtomically(path, "x", "test");
    ::umask(old);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    INFO("umask " << mask);
    CHECK((st.st_mode & 0777) == (0666 & ~mask));
  }
}

TEST_CASE("Every failure path removes the temporary file and leaves the target unchanged",
          "[core][file]") {
  TempDir dir;
  const std::string path = dir.file("target");
  writeText(path, "previous");

  SECTION("destroyed before commit") {
    {
      iai::AtomicFileWriter out(path, "test");
      out.write("partial");
      REQUIRE_FALSE(out.tempPath().empty());
      CHECK(fs::exists(out.tempPath()));
    }
    CHECK(dir.entries() == 1);
  }
  SECTION("the rename fails (the target is a non-empty directory)") {
    const std::string occupied = dir.file("occupied");
    fs::create_directory(occupied);
    writeText(occupied + "/keep", "k");
    const std::string msg = ioError([&] { iai::writeFileAtomically(occupied, "new", "saveThing"); });
    CHECK_THAT(msg, Catch::Contains("saveThing: the file '" + occupied + "'") &&
                        Catch::Contains("not writable") && Catch::Contains("but must be"));
    CHECK(dir.entries() == 2);  // target and occupied: no temporary left
    CHECK(fs::is_directory(occupied));
  }
  SECTION("the directory does not exist") {
    const std::string missing = dir.file("no/such/dir/file");
    const std::string msg = ioError([&] { iai::writeFileAtomically(missing, "new", "saveThing"); });
    CHECK_THAT(msg, Catch::Contains("saveThing") && Catch::Contains("not creatable"));
    CHECK_FALSE(fs::exists(dir.file("no")));
  }
  SECTION("a write error (file size limit, like a full disk) is reported by commit") {
    // RLIMIT_FSIZE makes write() fail with EFBIG (SIGXFSZ ignored) past 4 KiB.
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old_limit{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    rlimit small = old_limit;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string msg;
    {
      iai::AtomicFileWriter out(path, "saveThing");
      out.write(std::string(200000, 'y'));  // buffered and written: the error is remembered
      msg = ioError([&] { out.commit(); });
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    CHECK_THAT(msg, Catch::Contains("saveThing: the file '" + path + "' is not writable"));
    CHECK(readText(path) == "previous");
    CHECK(dir.entries() == 1);
  }
  SECTION("commit() twice is refused") {
    iai::AtomicFileWriter out(path, "test");
    out.write("new");
    out.commit();
    CHECK_THROWS_AS(out.commit(), iai::invalid_argument);
    CHECK(readText(path) == "new");
  }
  SECTION("an empty path") {
    CHECK_THROWS_AS(iai::writeFileAtomically("", "x", "test"), iai::invalid_argument);
  }
  if (fs::exists(path) && !fs::is_directory(path)) {
    const std::string now = readText(path);
    CHECK((now == "previous" || now == "new"));
  }
}

TEST_CASE("InputFile opens regular files and refuses FIFOs, devices and directories without "
          "blocking",
          "[core][file][security]") {
  TempDir dir;
  const std::string regular = dir.file("data.bin");
  writeText(regular, "abcdef");
  {
    iai::InputFile in(regular, "reader", "a data file");
    CHECK(in.size() == 6);
    char buf[4] = {};
    in.seek(2);
    in.readExact(buf, 3);
    CHECK(std::string(buf, 3) == "cde");
    CHECK(in.read(buf, 4) == 1);  // only "f" is left
    CHECK_THROWS_AS(in.readExact(buf, 1), iai::io_error);
  }
  // a link to a regular file is read
  fs::create_symlink(regular, dir.file("link"));
  CHECK(iai::InputFile(dir.file("link"), "reader", "a data file").size() == 6);

  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Run in a thread with a deadline: a reader that blocked on the FIFO would fail the test
  // instead of hanging it.
  std::atomic<bool> done{false};
  std::string msg;
  std::thread t([&] {
    msg = ioError([&] { iai::InputFile in(fifo, "reader", "a data file"); });
    done = true;
  });
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!done) {
    std::ofstream unblock(fifo);  // let the thread finish before failing
  }
  t.join();
  REQUIRE(done);
  CHECK_THAT(msg, Catch::Contains("reader: the file '" + fifo + "' is not a regular file"));
  CHECK_THAT(ioError([&] { iai::InputFile in(dir.file(""), "reader", "a data file"); }),
             Catch::Contains("not a regular file"));
  CHECK_THAT(ioError([&] { iai::InputFile in("/dev/null", "reader", "a data file"); }),
             Catch::Contains("not a regular file"));
  CHECK_THAT(ioError([&] { iai::InputFile in(dir.file("missing"), "reader", "a data file"); }),
             Catch::Contains("reader: the file '" + dir.file("missing") +
                             "' is unreadable (No such file or directory)"));
}

}  // namespace iai_test_file_test
