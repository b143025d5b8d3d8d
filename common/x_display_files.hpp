#pragma once
// What an X server leaves when it is SIGKILLed: its socket
// (<root>/.X11-unix/X<n>) and, when it took one, its lock file
// (<root>/.X<n>-lock, which holds its pid; Xvfb -displayfd takes none). Xvfb
// removes them when it ends normally; after a SIGKILL nobody did. Whoever
// ended (or found dead) an X server of its own removes them with
// remove_dead_x_server_files() — only when they are provably that server's:
// the socket file identified (device + inode) while that server listened on
// it, the lock naming its pid.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace livegui {

/// The socket file of an X display, identified while its server listened on it.
struct XDisplaySocket {
  int display = -1;
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const XDisplaySocket&) const = default;
};

/// The socket file <root>/.X11-unix/X<display> as it is now (lstat); nullopt
/// when there is no socket file there. For an owner that knows its server's
/// display (it reported it) and asks while the server runs. Never throws.
std::optional<XDisplaySocket> x_display_socket(int display, const std::filesystem::path& root = "/tmp");

/// The display whose socket file <root>/.X11-unix/X<n> the live process `pid`
/// listens on — its open sockets (/proc/<pid>/fd) matched against the
/// listening sockets of /proc/net/unix —, with that file's identity; nullopt
/// when it listens on none (yet), or is gone. A few small reads. Never throws.
std::optional<XDisplaySocket> x_display_socket_of(pid_t pid, const std::filesystem::path& root = "/tmp");

/// Removes the socket file of `socket.display` and its lock of the X server
/// `pid`, once that server is dead. Only when `pid` is no longer a running
/// process (gone, or a zombie); the socket file only while it is still the
/// very file recorded (device + inode) and nothing accepts a connection on it
/// (judged again on the file itself after an atomic rename aside, so a server
/// taking the display meanwhile keeps its socket);
/// the lock only while it names `pid`. The caller proves `pid` was an X server
/// it started (spawned and reaped it, or recorded it with its start time).
/// Returns what it removed ("" = nothing), for a log line. Never throws.
std::string remove_dead_x_server_files(const XDisplaySocket& socket, pid_t pid,
                                       const std::filesystem::path& root = "/tmp");

}  // namespace livegui
