#include "batcher/scratch_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "harness/state_file.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPrefix = "livegui-batch-";

fs::path temp_or(const fs::path& parent) {
  if (!parent.empty()) return parent;
  std::error_code ec;
  fs::path t = fs::temp_directory_path(ec);
  return ec ? fs::path("/tmp") : t;
}

}  // namespace

ScratchDir::ScratchDir(fs::path parent) : parent_(temp_or(parent)) {}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

const fs::path& ScratchDir::path() {
  if (!path_.empty()) return path_;
  pid_t self = ::getpid();
  auto st = read_proc_stat(self);
  const std::string name =
      std::string(kPrefix) + std::to_string(self) + "-" + std::to_string(st ? st->start_time : 0) + "-XXXXXX";
  // Made under a name no cleaner matches, locked, then given its name: no
  // cleaner ever finds it unlocked while we live.
  std::string pattern = (parent_ / ("." + name)).string();
  if (!::mkdtemp(pattern.data())) return path_;
  const fs::path made = pattern;
  const fs::path final_path = parent_ / made.filename().string().substr(1);
  int fd = ::open(made.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::rename(made.c_str(), final_path.c_str()) != 0) {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    fs::remove(made, ec);
    return path_;
  }
  lock_fd_ = fd;
  path_ = final_path;
  return path_;
}

std::vector<fs::path> remove_dead_scratch_dirs(fs::path parent) {
  std::vector<fs::path> removed;
  std::error_code ec;
  fs::directory_iterator it(temp_or(parent), ec);
  if (ec) return removed;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    // livegui-batch-<pid>-<start>-XXXXXX; older unnamed ones are not provably anyone's.
    const char* p = name.c_str() + std::char_traits<char>::length(kPrefix);
    char* end = nullptr;
    long pid = std::strtol(p, &end, 10);
    if (end == p || *end != '-' || pid <= 0) continue;
    const char* q = end + 1;
    unsigned long long start = std::strtoull(q, &end, 10);
    if (end == q || *end != '-') continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (is_same_process(static_cast<pid_t>(pid), start)) continue;  // its creator is alive
    // Its creator holds a lock on it while it lives: in another pid namespace
    // (Bazel's linux-sandbox shards share /dev/shm) its pid means nothing here.
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      continue;
    }
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    ::close(fd);
    if (!rm) removed.push_back(entry.path());
  }
  return removed;
}

std::unique_ptr<ScratchDir> tmpfs_scratch_dir() {
  const fs::path shm = "/dev/shm";
  if (!is_writable_tmpfs(shm)) {
    logger("batcher")->info("{} is not a writable tmpfs with room: GoogleTest's event streams and premature-exit "
                            "markers go beside the logs",
                            shm.string());
    return nullptr;
  }
  for (const auto& gone : remove_dead_scratch_dirs(shm))
    logger("batcher")->debug("removed {}, left by a run that died", gone.string());
  auto dir = std::make_unique<ScratchDir>(shm);
  if (dir->path().empty()) return nullptr;
  return dir;
}

}  // namespace livegui::batch
