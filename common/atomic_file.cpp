#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <string>
#include <system_error>

namespace livegui {
namespace fs = std::filesystem;

namespace {

/// ".<name>.tmp-<pid>-<counter>-<random>": unique among threads and processes
/// writing the same file, and hidden from globs.
fs::path temp_path_for(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  return dir / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++) + "-" + std::to_string(rng() % 1000000007ULL));
}

[[noreturn]] void fail(int err, const fs::path& path, const std::string& step) {
  throw std::system_error(err, std::generic_category(), "writing " + path.string() + ": " + step);
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view data, AtomicWriteOptions options) {
  const fs::path tmp = temp_path_for(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, options.mode);
  if (fd < 0) fail(errno, path, "cannot create a temporary file in " + tmp.parent_path().string());
  auto abandon = [&](int err, const std::string& step) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    fail(err, path, step);
  };
  // The umask may have narrowed the mode; the caller's mode is the promise.
  if (::fchmod(fd, options.mode) != 0) abandon(errno, "chmod " + tmp.string());
  for (std::size_t done = 0; done < data.size();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon(errno, "write " + tmp.string());
    done += static_cast<std::size_t>(n);
  }
  if (options.durable && ::fsync(fd) != 0) abandon(errno, "fsync " + tmp.string());
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) abandon(errno, "close " + tmp.string());
  // rename(2) replaces a symlink at `path` itself; it never writes through it.
  if (::rename(tmp.c_str(), path.c_str()) != 0) abandon(errno, "rename from " + tmp.string());
}

}  // namespace livegui
