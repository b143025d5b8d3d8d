#include "harness/aut_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace livegui {
namespace fs = std::filesystem;

namespace {
constexpr int kMaxNamesTried = 4096;

fs::path aut_log_name(const fs::path& log_dir, int n) { return log_dir / ("aut-" + std::to_string(n) + ".log"); }
}  // namespace

fs::path claim_aut_log(const fs::path& log_dir, int first_n) {
  for (int n = first_n; n < first_n + kMaxNamesTried; ++n) {
    fs::path log = aut_log_name(log_dir, n);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      return log;
    }
    if (errno != EEXIST) break;  // not a name taken: the spawn says why it cannot open it
  }
  return aut_log_name(log_dir, first_n);
}

}  // namespace livegui
