#include "batcher/report_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/proc_info.hpp"

namespace livegui::batch {

pid_t flock_holder(dev_t dev, ino_t ino) {
  // "1: FLOCK  ADVISORY  WRITE 4100 fd:01:123456 0 EOF" (proc(5), /proc/locks);
  // a blocked waiter's line starts "1: -> FLOCK …" and is not a holder.
  std::ifstream in("/proc/locks");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string ordinal, kind, mode, access, where;
    long pid = 0;
    if (!(fields >> ordinal >> kind) || kind != "FLOCK") continue;
    if (!(fields >> mode >> access >> pid >> where)) continue;
    unsigned major = 0, minor = 0;
    unsigned long long inode = 0;
    if (std::sscanf(where.c_str(), "%x:%x:%llu", &major, &minor, &inode) != 3) continue;
    if (inode == ino && ::makedev(major, minor) == dev && pid > 0) return static_cast<pid_t>(pid);
  }
  return 0;
}

ReportDirLock::ReportDirLock(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // check_report_dir has said why it cannot be used, if it cannot
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    fd_ = fd;
    return;
  }
  const int err = errno;
  struct stat st {};
  const bool known = ::fstat(fd, &st) == 0;
  ::close(fd);
  if (err != EWOULDBLOCK) return;  // cannot lock here (e.g. some network file systems): not held
  std::string who = "another process";
  if (pid_t holder = known ? flock_holder(st.st_dev, st.st_ino) : 0) {
    auto stat = read_proc_stat(holder);
    who = stat ? stat->comm + " (pid " + std::to_string(holder) + ")" : "pid " + std::to_string(holder);
  }
  throw ReportDirInUse("the report directory " + dir.string() + " is in use by another run: " + who +
                       " holds it. Runs at once on one host each need their own --report-dir (their "
                       "results, logs and artifacts would mix)");
}

ReportDirLock::~ReportDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace livegui::batch
