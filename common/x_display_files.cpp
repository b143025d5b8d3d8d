#include "common/x_display_files.hpp"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/proc_info.hpp"

namespace livegui {
namespace fs = std::filesystem;

namespace {

fs::path lock_path(const fs::path& root, int display) { return root / (".X" + std::to_string(display) + "-lock"); }
fs::path socket_path(const fs::path& root, int display) { return root / ".X11-unix" / ("X" + std::to_string(display)); }

/// The pid in an X lock file ("%10d\n"), 0 when it holds none.
pid_t lock_pid(const fs::path& lock) {
  std::ifstream in(lock);
  std::string text(32, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  const char* p = text.c_str();
  while (*p == ' ') ++p;
  char* end = nullptr;
  long pid = std::strtol(p, &end, 10);
  if (end == p || pid <= 0 || (*end != '\n' && *end != '\0')) return 0;
  return static_cast<pid_t>(pid);
}

/// Does anything accept connections on the socket at `path`? A socket whose
/// server died refuses them (ECONNREFUSED); anything but a clear refusal
/// counts as "maybe", and the file is left alone.
bool maybe_listened_on(const fs::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) return true;
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return true;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  return !(rc != 0 && err == ECONNREFUSED);
}

/// The socket inodes `pid` holds open ("socket:[N]" links in /proc/<pid>/fd).
std::set<unsigned long> socket_inodes_of(pid_t pid) {
  std::set<unsigned long> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char link[64];
    ssize_t n = ::readlinkat(::dirfd(d), e->d_name, link, sizeof link - 1);
    if (n <= 0) continue;
    link[n] = '\0';
    unsigned long ino = 0;
    if (std::sscanf(link, "socket:[%lu]", &ino) == 1) out.insert(ino);
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::optional<XDisplaySocket> x_display_socket(int display, const fs::path& root) {
  struct stat st {};
  if (display < 0 || ::lstat(socket_path(root, display).c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
    return std::nullopt;
  return XDisplaySocket{display, st.st_dev, st.st_ino};
}

std::optional<XDisplaySocket> x_display_socket_of(pid_t pid, const fs::path& root) {
  std::set<unsigned long> held = socket_inodes_of(pid);
  if (held.empty()) return std::nullopt;
  // "Num RefCount Protocol Flags Type St Inode Path"; St 01 = listening.
  std::ifstream in("/proc/net/unix");
  const std::string prefix = (root / ".X11-unix" / "X").string();
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string num, refs, proto, flags, type, state, path;
    unsigned long ino = 0;
    if (!(f >> num >> refs >> proto >> flags >> type >> state >> ino >> path)) continue;
    if (state != "01" || !held.count(ino) || path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = path.substr(prefix.size());
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    return x_display_socket(std::atoi(digits.c_str()), root);
  }
  return std::nullopt;
}

std::string remove_dead_x_server_files(const XDisplaySocket& socket, pid_t pid, const fs::path& root) {
  if (socket.display < 0 || pid <= 0) return "";
  auto st = read_proc_stat(pid);
  if (st && st->state != 'Z') return "";  // running (still, or a reused pid): not a dead server's
  std::string removed;
  const fs::path sock = socket_path(root, socket.display);
  auto now = x_display_socket(socket.display, root);
  if (now && now->device == socket.device && now->inode == socket.inode && !maybe_listened_on(sock)) {
    // A new server may take the display between that look and an unlink by
    // name (it unlinks and binds the name itself): move the file aside first
    // (atomic), judge the file moved, and unlink only that; another's goes back.
    const fs::path aside =
        sock.parent_path() / (".livegui-dead-X" + std::to_string(socket.display) + "-" + std::to_string(::getpid()));
    if (::rename(sock.c_str(), aside.c_str()) == 0) {
      struct stat st {};
      const bool same = ::lstat(aside.c_str(), &st) == 0 && st.st_dev == socket.device && st.st_ino == socket.inode;
      if (same && !maybe_listened_on(aside) && ::unlink(aside.c_str()) == 0)
        removed = sock.string();
      else
        (void)::rename(aside.c_str(), sock.c_str());
    }
  }
  const fs::path lock = lock_path(root, socket.display);
  std::error_code ec;
  // Only a regular file naming that very pid: a symlink or another server's lock is not ours.
  if (fs::symlink_status(lock, ec).type() == fs::file_type::regular && lock_pid(lock) == pid && fs::remove(lock, ec))
    removed += (removed.empty() ? "" : " and ") + lock.string();
  return removed;
}

}  // namespace livegui
