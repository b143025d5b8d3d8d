#include "harness/log_rotation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/log.hpp"

namespace livegui {
namespace fs = std::filesystem;

namespace {

/// Copies bytes [at, end) of `from` to `to` (less if the file is shorter).
/// Returns the offset reached, or -1.
off_t copy_range(int from, int to, off_t at, off_t end) {
  char buf[64 * 1024];
  while (at < end) {
    ssize_t n = ::pread(from, buf, static_cast<std::size_t>(std::min<off_t>(sizeof buf, end - at)), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return at;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(to, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return -1;
      done += w;
    }
    at += n;
  }
  return at;
}

/// Copies what `from` has beyond `at` now. Returns the offset reached, or -1.
off_t copy_rest(int from, int to, off_t at) {
  struct stat st {};
  if (::fstat(from, &st) != 0) return -1;
  return copy_range(from, to, at, st.st_size);
}

}  // namespace

bool rotate_log_if_larger(const fs::path& log, std::uint64_t max_bytes) {
  if (max_bytes == 0) return false;
  struct stat st {};
  if (::lstat(log.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) <= max_bytes)
    return false;
  auto fail = [&](const std::string& what) {
    logger("harness")->warn("capping the AUT log {} at {} bytes: {}: {}", log.string(), max_bytes, what,
                            std::strerror(errno));
    return false;
  };
  int in = ::open(log.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return fail("cannot open it");
  fs::path rotated = log;
  rotated += ".1";
  std::string tmp = rotated.string() + ".tmp-XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);  // 0600
  if (out < 0) {
    ::close(in);
    return fail("cannot create a temporary file next to it");
  }
  // Copy until the file stops growing (bounded), put the copy in place, copy
  // what came meanwhile, then truncate: only what the app writes between the
  // last read and the truncation is lost.
  off_t at = 0;
  bool ok = true;
  for (int round = 0; round < 8 && ok; ++round) {
    off_t next = copy_rest(in, out, at);
    ok = next >= 0;
    if (!ok || next == at) break;
    at = next;
  }
  if (ok && ::rename(tmp.c_str(), rotated.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    ::close(out);
    ::close(in);
    errno = err;
    return fail("cannot rename the copy to " + rotated.string());
  }
  if (ok) {
    off_t last = copy_rest(in, out, at);
    ok = last >= 0 && ::ftruncate(in, 0) == 0;
    if (last >= 0) at = last;
  } else {
    ::unlink(tmp.c_str());
  }
  int err = errno;
  ::close(out);
  ::close(in);
  errno = err;
  if (!ok) return fail("copying or truncating it failed");
  logger("harness")->debug("AUT log {} passed {} bytes: moved {} bytes to {}", log.string(), max_bytes,
                           static_cast<long long>(at), rotated.string());
  return true;
}

LogCap::LogCap(fs::path log, std::uint64_t max_bytes) : log_(std::move(log)), max_bytes_(max_bytes) {
  if (max_bytes_ > 0) fd_ = ::open(log_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

LogCap::~LogCap() {
  if (fd_ >= 0) ::close(fd_);
}

LogCap::LogCap(LogCap&& other) noexcept
    : log_(std::move(other.log_)), max_bytes_(other.max_bytes_), fd_(std::exchange(other.fd_, -1)) {}

LogCap& LogCap::operator=(LogCap&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    log_ = std::move(other.log_);
    max_bytes_ = other.max_bytes_;
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool LogCap::enforce() {
  if (max_bytes_ == 0 || log_.empty()) return false;
  if (fd_ >= 0) {
    // The rotation truncates in place: the descriptor stays on the log.
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) <= max_bytes_) return false;
  } else {
    fd_ = ::open(log_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  return rotate_log_if_larger(log_, max_bytes_);
}

}  // namespace livegui
