#include "batcher/run/log_cap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace livegui::batch {

std::uint64_t cap_log(const std::filesystem::path& log, std::uint64_t max_bytes) {
  if (max_bytes == 0) return 0;
  int fd = ::open(log.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) <= max_bytes) {
    ::close(fd);
    return 0;
  }
  std::string rotated = log.string() + ".1";
  std::string tmp = rotated + ".tmp-XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);  // 0600
  if (out < 0) {
    ::close(fd);
    return 0;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t from = size - max_bytes;
  // What the child writes while we copy is copied too, up to max_bytes more.
  const std::uint64_t limit = size + max_bytes;
  std::vector<char> buf(1 << 16);
  std::uint64_t at = from;
  bool ok = true;
  while (ok && at < limit) {
    ssize_t n = ::pread(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), limit - at)),
                        static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ok = false;
        break;
      }
      done += w;
    }
    at += static_cast<std::uint64_t>(n);
  }
  ::close(out);
  if (!ok || ::rename(tmp.c_str(), rotated.c_str()) != 0) {
    ::unlink(tmp.c_str());
    ::close(fd);
    return 0;
  }
  // What the child wrote after the copy (past the limit, or since the last
  // read) is lost with the truncation: count it as dropped too.
  struct stat now {};
  std::uint64_t after = ::fstat(fd, &now) == 0 && static_cast<std::uint64_t>(now.st_size) > at
                            ? static_cast<std::uint64_t>(now.st_size) - at
                            : 0;
  (void)::ftruncate(fd, 0);
  ::close(fd);
  return from + after;
}

}  // namespace livegui::batch
