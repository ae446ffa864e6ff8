#pragma once
// Files: the one way iai opens a file for reading and the one way it writes a file durably.
//
//   InputFile          opens only a regular file (a FIFO, device, socket or directory is an
//                      iai::io_error at once, never a blocking open or read); binary reads with
//                      exact-length and seek helpers. Symbolic links to regular files are read.
//   AtomicFileWriter   replaces a file atomically and durably, safe in directories other users
//                      can write to (docs/reliability.md, "Security"):
//                        1. creates a temporary file next to the target with a random name,
//                           exclusively and without following links (O_CREAT | O_EXCL |
//                           O_NOFOLLOW), mode 0666 & ~umask (never wider than a new file of the
//                           user's);
//                        2. writes, flushes and fsyncs it;
//                        3. renames it over the target (a symbolic link at the target is
//                           replaced, never written through) and fsyncs the directory;
//                      on every failure path, and if the writer is destroyed before commit(), the
//                      temporary file is unlinked and the target is unchanged.
//   writeFileAtomically  the same for a buffer held in memory.
// Windows: the temporary file is created with CREATE_NEW (fails if the name exists; a link is
// never followed at creation), flushed with FlushFileBuffers and moved over the target with
// MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). Directories are not synced
// there (Windows has no directory fsync; MOVEFILE_WRITE_THROUGH makes the move durable).
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#define IAI_FILE_UNDEF_NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#define IAI_FILE_UNDEF_LEAN
#endif
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#ifdef IAI_FILE_UNDEF_NOMINMAX
#undef NOMINMAX
#undef IAI_FILE_UNDEF_NOMINMAX
#endif
#ifdef IAI_FILE_UNDEF_LEAN
#undef WIN32_LEAN_AND_MEAN
#undef IAI_FILE_UNDEF_LEAN
#endif
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "iai/core/config.hpp"
#include "iai/core/errors.hpp"

namespace iai {
namespace detail {

/// The io_error of every file operation: "<function>: <what> of '<path>' is <value>, but must be
/// <expected>"; an empty `what` names the file itself ("<function>: the file '<path>' is ...").
template <class Error = io_error, class T>
[[noreturn]] IAI_COLD void raiseFile(std::string_view function, std::string_view what,
                                     const std::string& path, const T& value,
                                     std::string_view expected) {
  const std::string argument =
      what.empty() ? "the file '" + path + "'" : std::string(what) + " of '" + path + "'";
  raise<Error>(function, argument, value, expected);
}

inline std::string systemError(int error) { return std::strerror(error); }

/// Test seam: when set, AtomicFileWriter takes its temporary names from this function (target
/// path, attempt number) instead of random ones, so tests can plant files and links at the exact
/// names it will try. Never set outside tests.
inline std::string (*temp_name_for_testing)(const std::string& path, int attempt) = nullptr;

}  // namespace detail

/// A regular file opened for binary reading. Every failure is an iai::io_error naming `function`
/// and the file. A path that is not a regular file (FIFO, device, socket, directory) is refused
/// when it is opened, without blocking.
class InputFile {
 public:
  /// @param path  the file to open.
  /// @param function  the calling function, named in error messages.
  /// @param what  what the file should be, for messages (e.g. "an iai checkpoint").
  InputFile(std::string path, std::string_view function, std::string_view what)
      : path_(std::move(path)), function_(function) {
    if (path_.empty()) detail::raiseFile(function_, "", path_, "an empty name", what);
#if defined(_WIN32)
    const int fd = ::_open(path_.c_str(), _O_RDONLY | _O_BINARY);
#else
    // O_NONBLOCK: opening a FIFO must not wait for a writer; cleared below for regular files.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
#endif
    if (fd < 0) {
      const int e = errno;
      detail::raiseFile(function_, "", path_, "unreadable (" + detail::systemError(e) + ")",
                        "an existing, readable file: " + std::string(what));
    }
#if defined(_WIN32)
    struct _stat64 st {};
    const bool regular = ::_fstat64(fd, &st) == 0 && (st.st_mode & _S_IFMT) == _S_IFREG;
#else
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0;
#endif
    if (!regular) {
      closeFd(fd);
      detail::raiseFile(function_, "", path_, "not a regular file",
                        "a regular file (not a directory, FIFO or device): " + std::string(what));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
#if !defined(_WIN32)
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
      const int e = errno;
      closeFd(fd);
      detail::raiseFile(function_, "", path_, "unusable (" + detail::systemError(e) + ")",
                        "readable");
    }
    file_ = ::fdopen(fd, "rb");
#else
    file_ = ::_fdopen(fd, "rb");
#endif
    if (!file_) {
      const int e = errno;
      closeFd(fd);
      detail::raiseFile(function_, "", path_, "unreadable (" + detail::systemError(e) + ")",
                        "readable");
    }
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { std::fclose(file_); }

  /// The file's path as given.
  const std::string& path() const { return path_; }
  /// The calling function named in error messages.
  std::string_view function() const { return function_; }
  /// The size in bytes when the file was opened.
  std::uint64_t size() const { return size_; }
  /// The underlying C stream (owned by this object).
  std::FILE* get() const { return file_; }

  /// Reads up to n bytes; fewer only at the end of the file.
  std::size_t read(void* p, std::size_t n) {
    if (n == 0) return 0;
    const std::size_t got = std::fread(p, 1, n, file_);
    if (got < n && std::ferror(file_))
      detail::raiseFile(function_, "", path_, "unreadable (" + detail::systemError(errno) + ")",
                        "readable");
    return got;
  }
  /// Reads exactly n bytes; a short read means the file shrank after it was checked.
  void readExact(void* p, std::size_t n) {
    if (read(p, n) != n)
      detail::raiseFile(function_, "", path_, "shorter than when it was checked",
                        "unchanged while it is read (it was truncated meanwhile)");
  }
  /// Moves to byte `offset` from the start.
  /// @throws iai::io_error if the file cannot be seeked there.
  void seek(std::uint64_t offset) {
#if defined(_WIN32)
    const bool ok = offset <= static_cast<std::uint64_t>(INT64_MAX) &&
                    ::_fseeki64(file_, static_cast<__int64>(offset), SEEK_SET) == 0;
#else
    const bool ok = offset <= static_cast<std::uint64_t>(INT64_MAX) &&
                    ::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) == 0;
#endif
    if (!ok)
      detail::raiseFile(function_, "", path_, "unseekable (" + detail::systemError(errno) + ")",
                        "seekable to byte " + std::to_string(offset));
  }

 private:
  static void closeFd(int fd) {
#if defined(_WIN32)
    ::_close(fd);
#else
    ::close(fd);
#endif
  }

  std::string path_;
  std::string_view function_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
};

/// Atomic, durable replacement of the file at `path` (see the file comment for the protocol).
/// write() buffers and remembers the first error without throwing, so a caller can write a whole
/// file without exception paths; commit() reports it. Not copyable; movable is not needed.
class AtomicFileWriter {
 public:
  /// Creates the temporary file next to `path`.
  /// @throws iai::invalid_argument if path is empty; iai::io_error if no temporary file can be
  ///         created in the target's directory (the target is unchanged).
  AtomicFileWriter(std::string path, std::string_view function)
      : path_(std::move(path)), function_(function) {
    IAI_CHECK(!path_.empty(), function_, "path", "empty", "a file name");
    buffer_.reserve(kBufferBytes);
    std::random_device device;
    int error = 0;
    for (int attempt = 0; attempt < 64; ++attempt) {
      // 64 random bits: another user cannot predict the name, and an existing entry of that name
      // (file or link) makes the exclusive creation fail, so we try another name.
      const std::uint64_t r = (static_cast<std::uint64_t>(device()) << 32) ^ device();
      char suffix[24];
      std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(r));
      temp_ = detail::temp_name_for_testing ? detail::temp_name_for_testing(path_, attempt)
                                            : path_ + suffix;
      error = createExclusive();
      if (error == 0) return;
      if (error != EEXIST) break;
    }
    const std::string temp = temp_;
    temp_.clear();
    detail::raiseFile(function_, "", temp,
                      "not creatable (" + detail::systemError(error) + ")",
                      "creatable next to '" + path_ + "' (which was left unchanged)");
  }
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  /// Discards the temporary file unless commit() succeeded.
  ~AtomicFileWriter() { discard(); }

  /// The target path the file replaces on commit().
  const std::string& path() const { return path_; }
  /// The temporary file's name (empty after commit() or a failure).
  const std::string& tempPath() const { return temp_; }

  /// Appends n bytes (buffered). Never throws; the first error is reported by commit().
  void write(const void* p, std::size_t n) {
    if (n == 0 || error_ != 0 || !open()) return;
    const auto* bytes = static_cast<const unsigned char*>(p);
    if (buffer_.size() + n > kBufferBytes) {
      flushBuffer();
      if (n >= kBufferBytes) {
        writeAll(bytes, n);
        return;
      }
    }
    buffer_.insert(buffer_.end(), bytes, bytes + n);
  }
  /// Appends the bytes of `s`; see write(const void*, std::size_t).
  void write(std::string_view s) { write(s.data(), s.size()); }

  /// Flushes and syncs the temporary file, renames it over the target and syncs the directory.
  /// @throws iai::io_error if any write, the sync or the rename failed (the temporary file is
  ///         removed and the target is unchanged), or if the directory cannot be synced after the
  ///         rename (the new file is in place).
  void commit() {
    IAI_CHECK(open(), function_, "the writer of '" + path_ + "'", "already committed or failed",
              "open (commit() is called once)");
    flushBuffer();
    int error = error_;
    if (error == 0) error = syncFile();
    const int close_error = closeHandle();
    if (error == 0) error = close_error;
    if (error == 0) error = replaceTarget();
    if (error != 0) {
      discard();
      detail::raiseFile(function_, "", path_, "not writable (" + detail::systemError(error) + ")",
                        "writable (the temporary file was removed; a previous file at this path "
                        "is unchanged)");
    }
    temp_.clear();
    syncDirectory();
  }

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 16;

#if defined(_WIN32)
  bool open() const { return handle_ != INVALID_HANDLE_VALUE; }
  int createExclusive() {
    const std::wstring wide = widen(temp_);
    handle_ = ::CreateFileW(wide.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle_ != INVALID_HANDLE_VALUE) return 0;
    return ::GetLastError() == ERROR_FILE_EXISTS ? EEXIST : EACCES;
  }
  void writeAll(const unsigned char* p, std::size_t n) {
    while (n > 0 && error_ == 0) {
      DWORD done = 0;
      const DWORD chunk = static_cast<DWORD>(n < (1u << 30) ? n : (1u << 30));
      if (!::WriteFile(handle_, p, chunk, &done, nullptr) || done == 0) {
        error_ = EIO;
        return;
      }
      p += done;
      n -= done;
    }
  }
  int syncFile() { return ::FlushFileBuffers(handle_) ? 0 : EIO; }
  int closeHandle() {
    if (!open()) return 0;
    const bool ok = ::CloseHandle(handle_);
    handle_ = INVALID_HANDLE_VALUE;
    return ok ? 0 : EIO;
  }
  int replaceTarget() {
    return ::MoveFileExW(widen(temp_).c_str(), widen(path_).c_str(),
                         MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
               ? 0
               : EACCES;
  }
  void removeTemp() { ::DeleteFileW(widen(temp_).c_str()); }
  void syncDirectory() {}  // MOVEFILE_WRITE_THROUGH: the move is durable when it returns
  static std::wstring widen(const std::string& s) {
    const int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0) ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return w;
  }
  HANDLE handle_ = INVALID_HANDLE_VALUE;
#else
  bool open() const { return fd_ >= 0; }
  int createExclusive() {
    // 0666 & ~umask: the permissions of any new file of the user's, never wider.
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                 0666);
    return fd_ >= 0 ? 0 : errno;
  }
  void writeAll(const unsigned char* p, std::size_t n) {
    while (n > 0 && error_ == 0) {
      const ::ssize_t done = ::write(fd_, p, n);
      if (done < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return;
      }
      if (done == 0) {
        error_ = EIO;
        return;
      }
      p += done;
      n -= static_cast<std::size_t>(done);
    }
  }
  int syncFile() { return ::fsync(fd_) == 0 ? 0 : errno; }
  int closeHandle() {
    if (fd_ < 0) return 0;
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }
  int replaceTarget() { return std::rename(temp_.c_str(), path_.c_str()) == 0 ? 0 : errno; }
  void removeTemp() { ::unlink(temp_.c_str()); }
  /// fsync of the target's directory, so that the rename is durable. Filesystems that cannot
  /// sync directories (EINVAL) are accepted.
  void syncDirectory() {
    const std::size_t slash = path_.find_last_of('/');
    const std::string dir =
        slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int error = fd < 0 ? errno : 0;
    if (fd >= 0) {
      if (::fsync(fd) != 0 && errno != EINVAL) error = errno;
      ::close(fd);
    }
    if (error != 0)
      detail::raiseFile(function_, "the directory", path_,
                        "not syncable (" + detail::systemError(error) + ")",
                        "syncable so that the new file is durable (it was written)");
  }
  int fd_ = -1;
#endif

  void flushBuffer() {
    if (!buffer_.empty() && open()) writeAll(buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  /// Closes and unlinks the temporary file if it is still ours.
  void discard() noexcept {
    closeHandle();
    if (!temp_.empty()) removeTemp();
    temp_.clear();
  }

  std::string path_, temp_;
  std::string_view function_;
  std::vector<unsigned char> buffer_;
  int error_ = 0;
};

/// Writes `contents` to `path` through AtomicFileWriter (atomic, durable, no link following).
/// @throws iai::invalid_argument if path is empty; iai::io_error if it cannot be written.
inline void writeFileAtomically(const std::string& path, std::string_view contents,
                                std::string_view function) {
  AtomicFileWriter out(path, function);
  out.write(contents);
  out.commit();
}

}  // namespace iai
