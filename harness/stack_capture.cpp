#include "harness/stack_capture.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/environment.hpp"
#include "common/keep_newest.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "harness/subprocess.hpp"
#include "hookclient/http_transport.hpp"

namespace livegui {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char* to_string(StackSource s) {
  switch (s) {
    case StackSource::None: return "none";
    case StackSource::Hook: return "GET /debug/stacks";
    case StackSource::EuStack: return "eu-stack";
    case StackSource::Gdb: return "gdb";
    case StackSource::Proc: return "/proc";
  }
  return "none";
}

fs::path artifact_dir_or(const fs::path& fallback) {
  const char* dir = std::getenv(env::kArtifactDir);
  return dir && *dir ? fs::path(dir) : fallback;
}

fs::path stacks_file_for(const fs::path& dir, pid_t pid) { return dir / ("stacks-" + std::to_string(pid) + ".txt"); }

bool is_stacks_file_name(const std::string& name) {
  // stacks-<pid>.txt or stacks-<pid>-<n>.txt, digits only: exactly what reserve_stacks_file() makes.
  static constexpr std::string_view kPrefix = "stacks-", kSuffix = ".txt";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.compare(0, kPrefix.size(), kPrefix) != 0 ||
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return false;
  std::string_view mid(name.data() + kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  auto digits = [](std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  auto dash = mid.find('-');
  if (dash == std::string_view::npos) return digits(mid);
  return digits(mid.substr(0, dash)) && digits(mid.substr(dash + 1));
}

std::size_t prune_stacks_files(const fs::path& dir, std::size_t keep, const fs::path& spare) {
  return keep_newest(dir, keep, [&](const fs::directory_entry& e) -> std::optional<std::string> {
    if (!is_stacks_file_name(e.path().filename().string()) || e.path() == spare) return std::nullopt;
    return mtime_key(e);
  });
}

fs::path reserve_stacks_file(const fs::path& dir, pid_t pid, std::size_t keep) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (int n = 1; n <= 1000; ++n) {
    fs::path f =
        n == 1 ? stacks_file_for(dir, pid) : dir / ("stacks-" + std::to_string(pid) + "-" + std::to_string(n) + ".txt");
    int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      ::close(fd);
      // Every stall adds one (in the state directory when nothing else is
      // given): the new one plus the newest others, by the one rule.
      if (auto n = keep > 0 ? prune_stacks_files(dir, keep - 1, f) : 0)
        logger("harness")->debug("removed {} older stacks file{} from {}", n, n == 1 ? "" : "s", dir.string());
      return f;
    }
    if (errno != EEXIST) break;
  }
  return {};
}

namespace {

milliseconds left_until(Clock::time_point deadline) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

std::string read_text(const fs::path& p, std::size_t max_bytes = 4 * 1024 * 1024) {
  std::ifstream in(p, std::ios::binary);
  std::string out(max_bytes, '\0');
  in.read(out.data(), static_cast<std::streamsize>(max_bytes));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::string first_line_of(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

/// The app answers from inside (its server thread walks the other threads).
std::optional<std::string> from_hook(const StackCaptureOptions& o, Clock::time_point deadline, std::string& why) {
  milliseconds left = left_until(deadline);
  if (left < milliseconds(50)) {
    why += "GET /debug/stacks: no time left; ";
    return std::nullopt;
  }
  HookClientOptions h;
  h.port = o.hook_port;
  h.token = o.hook_token;
  h.connect_timeout = std::min(left, milliseconds(1000));
  h.read_timeout = std::min(left, milliseconds(3000));
  h.write_timeout = std::min(left, milliseconds(1000));
  h.max_body_bytes = 8 * 1024 * 1024;
  try {
    HttpTransport t(h);
    HttpReply r = t.send("GET", "/debug/stacks", {}, h.read_timeout);
    if (r.status == 200 && !r.body.empty()) return r.body;
    why += "GET /debug/stacks answered " + std::to_string(r.status) + "; ";
  } catch (const std::exception& e) {
    why += std::string("GET /debug/stacks: ") + e.what() + "; ";
  }
  return std::nullopt;
}

/// Runs a debugger bounded by the deadline; its output when it exited 0 with some.
std::optional<std::string> from_tool(const std::string& tool, std::vector<std::string> args, const fs::path& scratch,
                                     Clock::time_point deadline, std::string& why) {
  fs::path exe = find_executable(tool);
  if (exe.empty()) {
    why += tool + ": not installed (Debian: apt-get install " + (tool == "gdb" ? "gdb" : "elfutils") + "); ";
    return std::nullopt;
  }
  milliseconds left = left_until(deadline);
  if (left < milliseconds(100)) {
    why += tool + ": no time left; ";
    return std::nullopt;
  }
  SpawnOptions s;
  s.executable = exe;
  s.args = std::move(args);
  s.output_file = scratch;
  s.env_set["LC_ALL"] = "C";
  try {
    Subprocess p = Subprocess::spawn(s);
    auto st = p.wait_for(left);
    if (!st) {
      p.stop(milliseconds(300), milliseconds(1000));
      why += tool + ": did not finish within the budget; ";
      return std::nullopt;
    }
    std::string text = read_text(scratch);
    if (!st->success() || text.find("#0") == std::string::npos) {
      why += tool + ": " + st->describe() + (text.empty() ? "" : " (" + first_line_of(text) + ")") + "; ";
      return std::nullopt;
    }
    return text;
  } catch (const std::exception& e) {
    why += tool + ": " + e.what() + "; ";
  }
  return std::nullopt;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// Thread names, states and kernel wait channels: no user frames, but it
/// needs no ptrace and says which threads are blocked where in the kernel.
std::optional<std::string> from_proc(pid_t pid, std::string& why) {
  fs::path task = fs::path("/proc") / std::to_string(pid) / "task";
  std::error_code ec;
  std::ostringstream out;
  int threads = 0;
  for (const auto& t : fs::directory_iterator(task, ec)) {
    std::string tid = t.path().filename().string();
    std::string stat = trim(read_text(t.path() / "stat", 4096));
    std::string comm, state;
    auto open = stat.find('('), close = stat.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      comm = stat.substr(open + 1, close - open - 1);
      if (close + 2 < stat.size()) state = stat.substr(close + 2, 1);
    }
    std::string wchan = trim(read_text(t.path() / "wchan", 256));
    std::string kstack = trim(read_text(t.path() / "stack", 16384));  // root only; usually unreadable
    out << "TID " << tid << " (" << comm << ") state " << state << " wchan " << (wchan.empty() ? "0" : wchan) << "\n";
    if (!kstack.empty()) out << kstack << "\n";
    ++threads;
  }
  if (ec || threads == 0) {
    why += "/proc: " + (ec ? ec.message() : std::string("no threads")) + "; ";
    return std::nullopt;
  }
  return "(no user-space frames: thread states and kernel wait channels from /proc)\n" + out.str();
}

}  // namespace

StackCapture capture_stacks(pid_t pid, const StackCaptureOptions& o) {
  auto t0 = Clock::now();
  auto deadline = t0 + o.budget;
  StackCapture r;
  if (pid <= 0) {
    r.error = "no process";
    return r;
  }
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  const bool reserved_here = o.file.empty();
  fs::path file = reserved_here ? reserve_stacks_file(o.dir, pid, o.keep_files) : o.file;
  if (file.empty()) {
    r.error = "cannot create a stacks file in " + o.dir.string() + ": " + std::strerror(errno);
    return r;
  }
  fs::path scratch = file;
  scratch += ".tool-output";
  std::optional<std::string> text;
  if (o.hook_port > 0) {
    // A stopped process (SIGSTOP, or held by a tracer) cannot answer: its
    // kernel accepts the connection and the request waits out the read
    // timeout for nothing. A debugger still reads it, and leaves it stopped.
    auto st = read_proc_stat(pid);
    if (st && (st->state == 'T' || st->state == 't'))
      r.error += std::string("GET /debug/stacks: not asked, the process is stopped (state ") + st->state + "); ";
    else if ((text = from_hook(o, deadline, r.error)))
      r.source = StackSource::Hook;
  }
  const std::string p = std::to_string(pid);
  if (!text && (text = from_tool("eu-stack", {"-p", p}, scratch, deadline, r.error))) r.source = StackSource::EuStack;
  if (!text &&
      (text = from_tool("gdb", {"-nx", "-batch", "-p", p, "-ex", "set pagination off", "-ex", "thread apply all bt"},
                        scratch, deadline, r.error)))
    r.source = StackSource::Gdb;
  if (!text && (text = from_proc(pid, r.error))) r.source = StackSource::Proc;
  fs::remove(scratch, ec);
  r.took = Clock::now() - t0;
  if (!text) {
    logger("harness")->warn("could not capture the stacks of pid {}: {}", pid, r.error);
    if (reserved_here) fs::remove(file, ec);
    return r;
  }
  auto ms = std::chrono::duration_cast<milliseconds>(r.took).count();
  std::ostringstream head;
  if (!o.title.empty()) head << o.title << "\n";
  head << "stacks of pid " << pid << " from " << to_string(r.source) << " (" << ms << " ms)\n\n";
  std::string tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << head.str() << *text;
    if (!text->empty() && text->back() != '\n') out << "\n";
    if (!out) {
      r.error += "cannot write " + file.string() + ": " + std::strerror(errno);
      return r;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    r.error += "cannot write " + file.string() + ": " + ec.message();
    return r;
  }
  r.file = file;
  logger("harness")->info("stacks of pid {} ({}, {} ms): {}", pid, to_string(r.source), ms, file.string());
  return r;
}

}  // namespace livegui
