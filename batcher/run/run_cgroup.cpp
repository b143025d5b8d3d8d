#include "batcher/run/run_cgroup.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "common/backoff.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "livegui-run-";

/// Writes `text` to a cgroup interface file; the errno of the failure, or 0.
int write_file(const fs::path& file, const std::string& text) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) err = errno ? errno : EIO;
  ::close(fd);
  return err;
}

/// A mountinfo field with its octal escapes (\040 for a space) decoded.
std::string unescape(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const bool octal = field[i] == '\\' && i + 3 < field.size() && field.find_first_not_of("01234567", i + 1) > i + 3;
    if (octal) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

/// The cgroup2 mount: its mount point and the root of the hierarchy it shows.
struct Cgroup2Mount {
  fs::path mount_point;
  std::string root;
};

std::optional<Cgroup2Mount> find_cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "<id> <parent> <maj:min> <root> <mount point> <options> [optional…] - <fstype> <source> <super options>"
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream tail(line.substr(sep + 3));
    std::string fstype;
    if (!(tail >> fstype) || fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, sep));
    std::string id, parent, dev, root, mount_point;
    if (!(head >> id >> parent >> dev >> root >> mount_point)) continue;
    return Cgroup2Mount{unescape(mount_point), unescape(root)};
  }
  return std::nullopt;
}

/// The "0::" line of /proc/self/cgroup: our cgroup v2 path.
std::optional<std::string> own_cgroup_path() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return std::nullopt;
}

/// The cgroups below `cgroup`, deepest first (so they can be removed in order).
void sub_cgroups(const fs::path& cgroup, std::vector<fs::path>& out) {
  std::error_code ec;
  for (fs::directory_iterator it(cgroup, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    sub_cgroups(it->path(), out);
    out.push_back(it->path());
  }
}

/// True when cgroup.events says no process is left in `cgroup` or below it
/// (or the cgroup is gone).
bool unpopulated(const fs::path& cgroup) {
  std::ifstream in(cgroup / "cgroup.events");
  if (!in) return !fs::exists(cgroup);
  std::string key, value;
  while (in >> key >> value)
    if (key == "populated") return value == "0";
  return false;
}

/// The pids listed in one cgroup's cgroup.procs.
std::vector<pid_t> procs_of(const fs::path& cgroup) {
  std::vector<pid_t> out;
  std::ifstream in(cgroup / "cgroup.procs");
  long pid = 0;
  while (in >> pid) out.push_back(static_cast<pid_t>(pid));
  return out;
}

std::string describe_processes(const std::vector<ProcStat>& list) {
  std::string out;
  for (const auto& p : list) out += (out.empty() ? "pid " : ", pid ") + std::to_string(p.pid) + " (" + p.comm + ")";
  return out;
}

}  // namespace

std::optional<fs::path> own_cgroup_dir(std::string* why) {
  auto say = [&](const std::string& reason) -> std::optional<fs::path> {
    if (why) *why = reason;
    return std::nullopt;
  };
  try {
    auto mount = find_cgroup2_mount();
    if (!mount) return say("no cgroup2 file system is mounted (/proc/self/mountinfo)");
    auto path = own_cgroup_path();
    if (!path) return say("this process has no cgroup v2 (no \"0::\" line in /proc/self/cgroup)");
    std::string rel = *path;
    if (mount->root != "/") {
      // The mount shows a sub-tree: our path must be inside it.
      if (rel.rfind(mount->root, 0) != 0 || (rel.size() > mount->root.size() && rel[mount->root.size()] != '/'))
        return say("our cgroup " + *path + " is outside the cgroup2 mount's root " + mount->root);
      rel = rel.substr(mount->root.size());
    }
    if (rel.find("..") != std::string::npos || rel.find(" (deleted)") != std::string::npos)
      return say("our cgroup " + *path + " is not reachable from the cgroup2 mount");
    fs::path dir = mount->mount_point;
    if (rel.size() > 1) dir /= rel.substr(1);
    if (!fs::exists(dir / "cgroup.procs")) return say(dir.string() + " has no cgroup.procs");
    return dir;
  } catch (const std::exception& e) {
    return say(e.what());
  }
}

std::string run_cgroup_name(const ProcessIdentity& owner) {
  return std::string(kPrefix) + std::to_string(owner.pid) + "-" + std::to_string(owner.start_time);
}

std::optional<ProcessIdentity> run_cgroup_owner(const std::string& name) {
  if (name.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string rest = name.substr(kPrefix.size());
  auto dash = rest.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= rest.size()) return std::nullopt;
  for (std::size_t i = 0; i < rest.size(); ++i)
    if (i != dash && (rest[i] < '0' || rest[i] > '9')) return std::nullopt;
  try {
    ProcessIdentity id;
    id.pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    id.start_time = std::stoull(rest.substr(dash + 1));
    if (id.pid <= 0) return std::nullopt;
    return id;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<ProcStat> cgroup_processes(const fs::path& cgroup) {
  std::vector<ProcStat> out;
  try {
    std::vector<fs::path> all;
    sub_cgroups(cgroup, all);
    all.push_back(cgroup);
    for (const auto& c : all)
      for (pid_t p : procs_of(c))
        if (auto st = read_proc_stat(p); st && st->state != 'Z') out.push_back(*st);
  } catch (const std::exception&) {}
  return out;
}

std::size_t kill_cgroup_members(const fs::path& cgroup, const std::vector<ProcStat>& listed) {
  // Open every pidfd first, then verify: a pidfd opened before a check that
  // still finds the listed identity names that very process.
  std::vector<std::pair<const ProcStat*, int>> opened;
  for (const auto& p : listed) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, p.pid, 0));
    if (fd >= 0) opened.emplace_back(&p, fd);
  }
  std::set<pid_t> members;
  try {
    std::vector<fs::path> all;
    sub_cgroups(cgroup, all);
    all.push_back(cgroup);
    for (const auto& c : all)
      for (pid_t p : procs_of(c)) members.insert(p);
  } catch (const std::exception&) {}
  std::size_t signalled = 0;
  for (auto [p, fd] : opened) {
    auto now = read_proc_stat(p->pid);
    if (now && now->start_time == p->start_time && members.count(p->pid) != 0 &&
        ::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0) == 0)
      ++signalled;
    ::close(fd);
  }
  return signalled;
}

CgroupTeardown tear_down_cgroup(const fs::path& cgroup, std::chrono::milliseconds wait, CgroupKill how) {
  CgroupTeardown t;
  std::error_code ec;
  if (!fs::exists(cgroup, ec)) {
    t.emptied = t.removed = true;
    return t;
  }
  const auto deadline = Backoff::Clock::now() + wait;
  t.killed = cgroup_processes(cgroup);
  if (!unpopulated(cgroup)) {
    const bool one_by_one = how == CgroupKill::OneByOne || !fs::exists(cgroup / "cgroup.kill", ec);
    if (!one_by_one) {
      if (int err = write_file(cgroup / "cgroup.kill", "1"))
        t.error = "writing cgroup.kill: " + std::string(std::strerror(err));
    } else if (int err = write_file(cgroup / "cgroup.freeze", "1")) {
      // Without the freeze a member can fork between listing and kill: the
      // listing below is repeated until the cgroup is empty.
      t.error = "writing cgroup.freeze: " + std::string(std::strerror(err));
    }
    t.emptied = poll_until(
        [&] {
          if (one_by_one) (void)kill_cgroup_members(cgroup, cgroup_processes(cgroup));
          return unpopulated(cgroup);
        },
        deadline, Backoff(std::chrono::milliseconds(1)));
    if (t.emptied && one_by_one) t.error.clear();  // the freeze was not needed after all
    if (!t.emptied && t.error.empty())
      t.error = "still not empty after " + std::to_string(wait.count()) + " ms (" +
                describe_processes(cgroup_processes(cgroup)) + ")";
  } else {
    t.emptied = true;
  }
  if (!t.emptied) return t;
  std::vector<fs::path> order;
  sub_cgroups(cgroup, order);
  order.push_back(cgroup);
  for (const auto& c : order) {
    // A process that has just exited can keep its cgroup busy a moment longer.
    int err = 0;
    poll_until([&] { return ::rmdir(c.c_str()) == 0 || (err = errno) == ENOENT; }, deadline,
               Backoff(std::chrono::milliseconds(1)));
    if (fs::exists(c, ec)) {
      t.error = "removing " + c.string() + ": " + std::strerror(err);
      return t;
    }
  }
  t.removed = true;
  return t;
}

RunCgroup::RunCgroup(const fs::path& parent, const ProcessIdentity& owner)
    : parent_(parent), path_(parent / run_cgroup_name(owner)), owner_(owner) {
  if (::mkdir(path_.c_str(), 0755) != 0)
    throw std::system_error(errno, std::generic_category(), "creating cgroup " + path_.string());
  lock_fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (lock_fd_ >= 0) ::close(lock_fd_);
    ::rmdir(path_.c_str());
    throw std::system_error(err, std::generic_category(), "locking cgroup " + path_.string());
  }
}

RunCgroup::~RunCgroup() { close(std::chrono::seconds(2)); }

void RunCgroup::join() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
  if (int err = write_file(path_ / "cgroup.procs", std::to_string(owner_.pid)))
    throw std::system_error(err, std::generic_category(),
                            "moving pid " + std::to_string(owner_.pid) + " into cgroup " + path_.string());
  joined_ = true;
}

CgroupTeardown RunCgroup::close(std::chrono::milliseconds wait) {
  if (closed_) return CgroupTeardown{{}, true, true, ""};
  closed_ = true;
  // Out first: cgroup.kill must not reach the owner, and a cgroup one is in cannot be removed.
  if (joined_) {
    if (int err = write_file(parent_ / "cgroup.procs", std::to_string(owner_.pid))) {
      CgroupTeardown t;
      t.error = "moving pid " + std::to_string(owner_.pid) + " back to " + parent_.string() + ": " + std::strerror(err);
      return t;
    }
  }
  CgroupTeardown t = tear_down_cgroup(path_, wait);
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
  return t;
}

std::string StaleRunCgroup::describe() const {
  std::string s = "a previous run (livegui-batch, pid " + std::to_string(owner.pid);
  std::string started = start_time_text(owner.start_time);
  if (!started.empty()) s += ", started " + started;
  s += ") ended without cleaning up (cgroup " + path.string() + "); ";
  const auto n = teardown.killed.size();
  if (n == 0)
    s += "nothing of it was left running";
  else
    s += std::to_string(n) + (n == 1 ? " of its processes was" : " of its processes were") +
         " still running: " + describe_processes(teardown.killed) + "; killed " + (n == 1 ? "it" : "them") +
         " (cgroup.kill)";
  if (teardown.removed)
    s += n == 0 ? "; removed the cgroup" : " and removed the cgroup";
  else
    s += "; could not remove it: " + teardown.error;
  return s;
}

std::vector<StaleRunCgroup> clean_stale_run_cgroups(const fs::path& parent, std::chrono::milliseconds wait) {
  std::vector<StaleRunCgroup> out;
  try {
    std::error_code ec;
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
      auto owner = run_cgroup_owner(it->path().filename().string());
      if (!owner || !it->is_directory(ec)) continue;
      // Alive: a concurrent run (or this one) owns it.
      if (is_same_process(owner->pid, owner->start_time)) continue;
      // Locked: its reaper is still at work on it (or another run is, now).
      int lock = ::open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lock < 0) continue;
      if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock);
        continue;
      }
      // Removed by whoever held the lock before us (its reaper): not ours to report.
      if (!fs::exists(it->path(), ec)) {
        ::close(lock);
        continue;
      }
      StaleRunCgroup s;
      s.path = it->path();
      s.owner = *owner;
      s.teardown = tear_down_cgroup(s.path, wait);
      ::close(lock);
      out.push_back(std::move(s));
    }
  } catch (const std::exception&) {}
  return out;
}

std::optional<fs::path> own_run_cgroup() {
  auto dir = own_cgroup_dir();
  if (!dir) return std::nullopt;
  auto owner = run_cgroup_owner(dir->filename().string());
  if (!owner || !(*owner == self_identity())) return std::nullopt;
  return dir;
}

std::vector<StaleRunCgroup> clean_stale_run_cgroups_beside_ours(std::chrono::milliseconds wait) {
  auto own = own_run_cgroup();
  if (!own) return {};
  return clean_stale_run_cgroups(own->parent_path(), wait);
}

}  // namespace livegui::batch
