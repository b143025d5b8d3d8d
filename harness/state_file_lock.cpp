#include "harness/state_file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace livegui {
namespace fs = std::filesystem;

std::string run_state_file_name(const ProcessIdentity& owner, const std::string& shard_suffix) {
  return "aut-state-" + std::to_string(owner.pid) + "-" + std::to_string(owner.start_time) + shard_suffix + ".json";
}

std::optional<ProcessIdentity> run_of_state_file(const fs::path& file) {
  const std::string name = file.filename().string();
  const std::string prefix = "aut-state-";
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  auto digits = [&](std::size_t from) {
    std::size_t end = from;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    return end;
  };
  const std::size_t pid_end = digits(prefix.size());
  if (pid_end == prefix.size() || pid_end >= name.size() || name[pid_end] != '-') return std::nullopt;
  const std::size_t start_end = digits(pid_end + 1);
  if (start_end == pid_end + 1) return std::nullopt;
  try {
    ProcessIdentity owner;
    owner.pid = static_cast<pid_t>(std::stol(name.substr(prefix.size(), pid_end - prefix.size())));
    owner.start_time = std::stoull(name.substr(pid_end + 1, start_end - pid_end - 1));
    return owner;
  } catch (const std::exception&) {
    return std::nullopt;  // out of range: not a name we wrote
  }
}

fs::path lock_file_for(const fs::path& state_file) {
  fs::path lock = state_file;
  lock.replace_extension(".lock");
  return lock;
}

int create_locked_file(const fs::path& lock) {
  // A lock file that existed unlocked for a moment — created, not yet
  // flock()ed — could be taken by a concurrent run's sweep of "locks of
  // owners that ended before writing any state file".
  const fs::path tmp = lock.parent_path() / ("." + lock.filename().string() + ".new-" + std::to_string(::getpid()));
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  // link(2), not rename(2): a lock file already there is never replaced.
  // Its holder may be another live owner of the same pid and start time —
  // one in another pid namespace sharing this directory (trial14b: two
  // runs, both pid 2, started in one clock tick, shared one state file).
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::link(tmp.c_str(), lock.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    ::close(fd);
    errno = err;
    return -1;
  }
  ::unlink(tmp.c_str());
  return fd;
}

bool is_still_at(int fd, const fs::path& lock) {
  struct stat held {}, now {};
  return ::fstat(fd, &held) == 0 && ::lstat(lock.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
         held.st_ino == now.st_ino;
}

void remove_owned_state_file(const fs::path& state_file) {
  std::error_code ec;
  fs::remove(state_file, ec);
  const std::string prefix = "." + state_file.filename().string() + ".tmp-";
  for (fs::directory_iterator it(state_file.parent_path(), ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind(prefix, 0) == 0) fs::remove(it->path(), ec);
}

int try_lock_file(const fs::path& lock) {
  // Bounded: each retry means another process removed or replaced the file
  // in between, which a holder does once, on its way out.
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      errno = err;
      return -1;
    }
    if (is_still_at(fd, lock)) return fd;
    ::close(fd);  // unlinked or replaced meanwhile: this lock guards nothing
  }
  errno = EAGAIN;
  return -1;
}

}  // namespace livegui
