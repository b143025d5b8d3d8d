#pragma once
// Who holds a TCP port: for "port 40123 is already in use (held by pid 777
// (sample_app))" instead of a bare bind error.

#include <sys/types.h>

#include <optional>
#include <string>

namespace livegui {

/// True when something accepts TCP connections on 127.0.0.1:`port` (a
/// connect with a short timeout). Never throws.
bool port_accepts_connections(int port);

/// The pid of a process with a listening TCP socket on `port` (IPv4 or IPv6),
/// found through /proc/net/tcp{,6} and /proc/<pid>/fd. Empty when nobody
/// listens or the holder's fds are not readable by us. Never throws.
std::optional<pid_t> find_port_holder(int port);

/// "held by pid 777 (sample_app)" or "holder unknown".
std::string describe_port_holder(int port);

}  // namespace livegui
