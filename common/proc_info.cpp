#include "common/proc_info.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>

namespace livegui {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  // read(2) into a buffer, no streams: this runs for each child at every
  // orphan sweep and spawn, and for every process of a /proc scan (issue 13).
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];  // one line of 52 numbers and a comm of at most 15 bytes
  std::size_t len = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf + len, sizeof buf - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += static_cast<std::size_t>(n);
    if (len == sizeof buf) break;
  }
  ::close(fd);
  std::string_view line(buf, len);
  line = line.substr(0, line.find('\n'));
  // comm may contain spaces and parentheses: it runs to the *last* ')'.
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat st;
  st.pid = pid;
  st.comm = std::string(line.substr(open + 1, close - open - 1));
  // Fields after comm: 3 state, 4 ppid, 5 pgrp, 6 session, … 22 starttime.
  std::string_view fields[20];
  std::size_t count = 0;
  for (std::size_t at = close + 1; count < 20;) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
    fields[count++] = line.substr(at, end - at);
    at = end;
  }
  if (count < 20) return std::nullopt;
  auto number = [](std::string_view f) { return std::strtoull(std::string(f).c_str(), nullptr, 10); };
  st.state = fields[0][0];
  st.ppid = static_cast<pid_t>(std::strtol(std::string(fields[1]).c_str(), nullptr, 10));
  st.pgid = static_cast<pid_t>(std::strtol(std::string(fields[2]).c_str(), nullptr, 10));
  st.start_time = number(fields[19]);
  return st;
}

std::string start_time_text(std::uint64_t ticks) {
  long hz = ::sysconf(_SC_CLK_TCK);
  std::ifstream stat("/proc/stat");
  std::string key;
  long long btime = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> btime) break;
    stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  if (hz <= 0 || btime <= 0 || ticks == 0) return "";
  std::time_t t = static_cast<std::time_t>(btime + static_cast<long long>(ticks / static_cast<std::uint64_t>(hz)));
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

bool all_threads_stopped(pid_t pid) {
  if (pid <= 0) return true;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (!dir) return true;  // gone
  bool stopped = true;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(tasks + "/" + entry->d_name + "/stat");
    std::string line;
    if (!in || !std::getline(in, line)) continue;  // that thread ended
    auto close = line.rfind(')');
    char state = close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
    if (state != 'T' && state != 't' && state != 'Z' && state != 'X') {
      stopped = false;
      break;
    }
  }
  closedir(dir);
  return stopped;
}

bool is_same_process(pid_t pid, std::uint64_t start_time) {
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->start_time == start_time;
}

namespace {

std::vector<ProcStat> all_processes() {
  std::vector<ProcStat> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (auto st = read_proc_stat(static_cast<pid_t>(pid))) out.push_back(*st);
  }
  closedir(dir);
  return out;
}

}  // namespace

std::vector<pid_t> processes_in_group(pid_t pgid) {
  std::vector<pid_t> out;
  if (pgid <= 0) return out;
  // Fast path: no process (not even a zombie) has this group, so no need to
  // read every /proc/<pid>/stat. EPERM means it exists: scan.
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return out;
  for (const auto& st : all_processes())
    if (st.pgid == pgid && st.state != 'Z') out.push_back(st.pid);
  return out;
}

std::vector<pid_t> descendants_of(pid_t pid) {
  std::multimap<pid_t, pid_t> children;
  std::map<pid_t, char> states;
  for (const auto& st : all_processes()) {
    children.emplace(st.ppid, st.pid);
    states[st.pid] = st.state;
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo{pid};
  while (!todo.empty()) {
    pid_t parent = todo.back();
    todo.pop_back();
    auto [lo, hi] = children.equal_range(parent);
    for (auto it = lo; it != hi; ++it) {
      if (states[it->second] != 'Z') out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

std::optional<std::string> environ_value(pid_t pid, const std::string& name) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return std::nullopt;
  const std::string prefix = name + "=";
  std::string entry;
  while (std::getline(in, entry, '\0'))
    if (entry.compare(0, prefix.size(), prefix) == 0) return entry.substr(prefix.size());
  return std::nullopt;
}

std::vector<pid_t> processes_with_environ_word(const std::string& name, const std::string& word) {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  for (const auto& st : all_processes()) {
    if (st.pid == self || st.state == 'Z') continue;
    auto value = environ_value(st.pid, name);
    if (!value) continue;
    std::istringstream words(*value);
    std::string w;
    while (words >> w)
      if (w == word) {
        out.push_back(st.pid);
        break;
      }
  }
  return out;
}

}  // namespace livegui
