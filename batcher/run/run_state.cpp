#include "batcher/run/run_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>

#include "common/log.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

RunState::RunState(const fs::path& dir, const ProcessIdentity& run, const std::string& shard_suffix) {
  // Our pid and start time name the file; another run with both (in another
  // pid namespace sharing the directory) has it already: "-n2", "-n3", … .
  for (int n = 1; n <= 16; ++n) {
    state_file_ = dir / run_state_file_name(run, (n == 1 ? std::string() : "-n" + std::to_string(n)) + shard_suffix);
    lock_file_ = lock_file_for(state_file_);
    lock_fd_ = create_locked_file(lock_file_);
    if (lock_fd_ >= 0 || errno != EEXIST) break;
  }
  if (lock_fd_ < 0)
    throw StateFileError("cannot take the lock " + lock_file_.string() +
                         " for this run's state file: " + std::strerror(errno));
  // What writers that are gone left (a plan without an AUT tier never scans
  // for left-overs, so its run sweeps here).
  if (int n = sweep_state_dir(dir, lock_file_); n > 0)
    logger("batcher")->debug("removed {} file(s) left in {} by writers that are gone", n, dir.string());
}

RunState::~RunState() {
  // An entry's harness stopped at a timeout may have left a temporary file:
  // the run is over, nobody renames it any more.
  remove_owned_state_file(state_file_);
  std::error_code ec;
  // Unlink while holding the lock: a scanner that opened it before now finds no state file.
  fs::remove(lock_file_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

LeftOver::LeftOver(fs::path state_file, fs::path lock_file, int lock_fd)
    : state_file_(std::move(state_file)), lock_file_(std::move(lock_file)), lock_fd_(lock_fd) {}

LeftOver::LeftOver(LeftOver&& other) noexcept
    : state_file_(std::move(other.state_file_)),
      lock_file_(std::move(other.lock_file_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)) {}

LeftOver& LeftOver::operator=(LeftOver&& other) noexcept {
  if (this != &other) {
    release();
    state_file_ = std::move(other.state_file_);
    lock_file_ = std::move(other.lock_file_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

LeftOver::~LeftOver() { release(); }

void LeftOver::release() {
  if (lock_fd_ < 0) return;
  std::error_code ec;
  fs::remove(lock_file_, ec);
  ::close(lock_fd_);
  lock_fd_ = -1;
}

std::vector<LeftOver> take_left_overs(const fs::path& dir, const fs::path& own, std::vector<fs::path>* held_shared) {
  std::vector<LeftOver> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return out;
  std::vector<fs::path> states, locks;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("aut-state", 0) != 0) continue;  // temp files start with '.'
    if (ends_with(name, ".json"))
      states.push_back(entry.path());
    else if (ends_with(name, ".lock"))
      locks.push_back(entry.path());
  }
  const fs::path own_lock = lock_file_for(own);
  for (const auto& state : states) {
    if (state == own) continue;
    fs::path lock = lock_file_for(state);
    int fd = try_lock_file(lock);
    if (fd < 0) {
      logger("batcher")->debug("state file {} belongs to a live owner (its lock is held); left alone", state.string());
      if (held_shared && !run_of_state_file(state)) held_shared->push_back(state);
      continue;
    }
    if (!fs::exists(fs::symlink_status(state, ec))) {  // another run dealt with it meanwhile
      LeftOver(state, lock, fd).release();
      continue;
    }
    out.emplace_back(state, lock, fd);
  }
  sweep_state_dir(dir, own_lock);
  return out;
}

int sweep_state_dir(const fs::path& dir, const fs::path& own_lock) {
  int removed = 0;
  std::error_code ec;
  std::vector<fs::path> locks, temps;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("aut-state", 0) == 0 && ends_with(name, ".lock"))
      locks.push_back(it->path());
    else if (name.rfind(".aut-state", 0) == 0 && name.find(".json.tmp-") != std::string::npos)
      temps.push_back(it->path());
  }
  // Locks of runs that ended before writing any state file.
  for (const auto& lock : locks) {
    if (lock == own_lock) continue;
    fs::path state = lock;
    state.replace_extension(".json");
    std::error_code exists_ec;
    if (fs::exists(fs::symlink_status(state, exists_ec))) continue;
    int fd = ::open(lock.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    // Removed only while it is still the file we locked: one replaced
    // meanwhile (removed by another sweep, created anew by a live owner)
    // is that owner's.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && is_still_at(fd, lock)) {
      LeftOver(state, lock, fd).release();
      ++removed;
    } else {
      ::close(fd);
    }
  }
  // ".<name>.tmp-<pid>-<counter>-<random>" (common/atomic_file.cpp) of a
  // writer that is gone: nobody renames it any more.
  for (const auto& tmp : temps) {
    const std::string name = tmp.filename().string();
    const std::size_t at = name.find(".json.tmp-") + std::string(".json.tmp-").size();
    std::size_t end = at;
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
    if (end == at || end - at > 9 || end >= name.size() || name[end] != '-') continue;
    const pid_t writer = static_cast<pid_t>(std::stol(name.substr(at, end - at)));
    if (writer <= 0 || ::kill(writer, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code rm_ec;
    if (fs::remove(tmp, rm_ec)) ++removed;
  }
  return removed;
}

}  // namespace livegui::batch
