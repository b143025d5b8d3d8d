#include "harness/state_file.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/environment.hpp"
#include "common/proc_info.hpp"

namespace livegui {
namespace fs = std::filesystem;
using nlohmann::json;

const char* to_string(AutStatus s) {
  switch (s) {
    case AutStatus::Starting: return "starting";
    case AutStatus::Healthy: return "healthy";
    case AutStatus::Degraded: return "degraded";
    case AutStatus::Dead: return "dead";
    case AutStatus::Stopped: return "stopped";
  }
  return "?";
}

std::optional<AutStatus> aut_status_from_string(const std::string& s) {
  for (auto st : {AutStatus::Starting, AutStatus::Healthy, AutStatus::Degraded, AutStatus::Dead, AutStatus::Stopped})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

const char* to_string(TestIdSyntax s) {
  switch (s) {
    case TestIdSyntax::Dotted: return "dotted";
    case TestIdSyntax::NodeId: return "node_id";
  }
  return "?";
}

std::optional<TestIdSyntax> test_id_syntax_from_string(const std::string& s) {
  for (auto syntax : {TestIdSyntax::Dotted, TestIdSyntax::NodeId})
    if (s == to_string(syntax)) return syntax;
  return std::nullopt;
}

std::string describe_blame(const DegradedBlame& b) {
  if (!b.between_entries) return b.test.empty() ? std::string() : "during " + b.test;
  if (b.test.empty()) return b.entry.empty() ? "found between entries" : "found between entries, after " + b.entry;
  return "found between entries, after " + b.test + (b.entry.empty() ? "" : ", the last test of " + b.entry);
}

std::string left_degraded_text(const DegradedBlame& b) {
  std::string where = describe_blame(b);
  return b.entry + " left the AUT (pid " + std::to_string(b.aut_pid) + ") still degraded" +
         (where.empty() ? "" : " (" + where + ")");
}

namespace {

constexpr std::size_t kMaxStateFileBytes = 1024 * 1024;

std::string errno_text(int err) { return std::strerror(err); }

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// ---- writing ---------------------------------------------------------------

std::string iso8601_utc(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

nlohmann::ordered_json to_json(const StateFile& s) {
  nlohmann::ordered_json j;
  j["schema_version"] = StateFile::kSchemaVersion;
  j["status"] = to_string(s.status);
  if (s.aut) {
    j["aut"] = nlohmann::ordered_json{{"pid", s.aut->pid},
                                      {"pgid", s.aut->pgid},
                                      {"start_time", s.aut->start_time},
                                      {"executable", s.aut->executable},
                                      {"port", s.aut->port},
                                      {"log_file", s.aut->log_file},
                                      {"display", s.aut->display}};
    if (const auto& x = s.aut->x_server)
      j["aut"]["x_server"] = nlohmann::ordered_json{{"pid", x->process.pid},
                                                    {"start_time", x->process.start_time},
                                                    {"display", x->socket.display},
                                                    {"socket_device", static_cast<std::uint64_t>(x->socket.device)},
                                                    {"socket_inode", static_cast<std::uint64_t>(x->socket.inode)}};
  } else {
    j["aut"] = nullptr;
  }
  j["owner"] = nlohmann::ordered_json{{"pid", s.owner.pid}, {"start_time", s.owner.start_time}, {"name", s.owner_name}};
  j["spawn_count"] = s.spawn_count;
  j["last_respawn_reason"] = s.last_respawn_reason;
  if (!s.respawn_reasons.empty()) j["respawn_reasons"] = s.respawn_reasons;
  if (!s.degraded_during.empty()) j["degraded_during"] = s.degraded_during;
  if (s.degraded_blame)
    j["degraded_blame"] = nlohmann::ordered_json{{"aut_pid", s.degraded_blame->aut_pid},
                                                 {"entry", s.degraded_blame->entry},
                                                 {"test", s.degraded_blame->test},
                                                 {"between_entries", s.degraded_blame->between_entries}};
  if (s.degraded_blame && !s.degraded_blame->stacks.empty()) j["degraded_blame"]["stacks"] = s.degraded_blame->stacks;
  if (s.last_exit) {
    j["last_exit"] = nlohmann::ordered_json{
        {"pid", s.last_exit->pid},   {"status", s.last_exit->status}, {"signaled", s.last_exit->signaled},
        {"code", s.last_exit->code}, {"signal", s.last_exit->signal}, {"during_test", s.last_exit->during_test}};
  } else {
    j["last_exit"] = nullptr;
  }
  j["degraded_reasons"] = s.degraded_reasons;
  if (s.current_test) {
    j["current_test"] = nlohmann::ordered_json{{"suite", s.current_test->suite}, {"name", s.current_test->name}};
    // Absent means dotted: files written before the field existed read the same.
    if (s.current_test->syntax != TestIdSyntax::Dotted) j["current_test"]["syntax"] = to_string(s.current_test->syntax);
  } else
    j["current_test"] = nullptr;
  if (s.owner_ended) j["owner_ended"] = true;
  j["updated_at"] = iso8601_utc(s.updated_at_unix_ms);
  j["updated_at_unix_ms"] = s.updated_at_unix_ms;
  return j;
}

// ---- reading ---------------------------------------------------------------

/// Reads typed fields out of a JSON object, naming the field on failure.
class FieldReader {
 public:
  FieldReader(const fs::path& file, const json& obj, std::string prefix)
      : file_(file), obj_(obj), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw StateFileError("state file " + file_.string() + ": field '" + prefix_ + field + "' " + why);
  }

  const json& get(const std::string& field) const {
    auto it = obj_.find(field);
    if (it == obj_.end()) fail(field, "is missing");
    return *it;
  }

  std::int64_t integer(const std::string& field, std::int64_t min, std::int64_t max) const {
    const json& v = get(field);
    if (!v.is_number_integer()) fail(field, "must be an integer, got " + describe(v));
    std::int64_t n = 0;
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(max)) fail(field, "is out of range: " + v.dump());
      n = static_cast<std::int64_t>(u);
    } else {
      n = v.get<std::int64_t>();
    }
    if (n < min || n > max) fail(field, "is out of range: " + v.dump());
    return n;
  }

  std::uint64_t unsigned_integer(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
      fail(field, "must be a non-negative integer, got " + describe(v));
    return v.get<std::uint64_t>();
  }

  std::string string(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_string()) fail(field, "must be a string, got " + describe(v));
    return v.get<std::string>();
  }

  bool has(const std::string& field) const { return obj_.contains(field); }

  /// A string field added after schema 1 was published: absent means empty.
  std::string optional_string(const std::string& field) const {
    if (!obj_.contains(field)) return {};
    return string(field);
  }

  /// A boolean field added after schema 1 was published: absent means false.
  bool optional_boolean(const std::string& field) const { return obj_.contains(field) && boolean(field); }

  bool boolean(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_boolean()) fail(field, "must be true or false, got " + describe(v));
    return v.get<bool>();
  }

  /// The object at `field`, or nullptr when it is null.
  const json* object_or_null(const std::string& field) const {
    const json& v = get(field);
    if (v.is_null()) return nullptr;
    if (!v.is_object()) fail(field, "must be an object or null, got " + describe(v));
    return &v;
  }

  const json& object(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_object()) fail(field, "must be an object, got " + describe(v));
    return v;
  }

  std::vector<std::string> strings(const std::string& field) const {
    const json& v = get(field);
    if (!v.is_array()) fail(field, "must be an array of strings, got " + describe(v));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) fail(field + "[" + std::to_string(i) + "]", "must be a string, got " + describe(v[i]));
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  FieldReader sub(const std::string& field, const json& obj) const { return {file_, obj, prefix_ + field + "."}; }

 private:
  static std::string describe(const json& v) {
    std::string text = v.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return std::string(v.type_name()) + " " + text;
  }

  const fs::path& file_;
  const json& obj_;
  std::string prefix_;
};

constexpr std::int64_t kMaxPid = 4194304;  // PID_MAX_LIMIT on 64-bit Linux

StateFile from_json(const fs::path& file, const json& j) {
  if (!j.is_object()) throw StateFileError("state file " + file.string() + ": not a JSON object");
  FieldReader top(file, j, "");
  StateFile s;
  auto version = top.integer("schema_version", 0, 1'000'000);
  if (version != StateFile::kSchemaVersion)
    top.fail("schema_version", "is " + std::to_string(version) + "; this harness reads schema version " +
                                   std::to_string(StateFile::kSchemaVersion) + " only");
  auto status_text = top.string("status");
  auto status = aut_status_from_string(status_text);
  if (!status) top.fail("status", "is '" + status_text + "'; expected starting, healthy, degraded, dead or stopped");
  s.status = *status;

  if (const json* aut = top.object_or_null("aut")) {
    FieldReader r = top.sub("aut", *aut);
    AutRecord a;
    a.pid = static_cast<pid_t>(r.integer("pid", 1, kMaxPid));
    a.pgid = static_cast<pid_t>(r.integer("pgid", 1, kMaxPid));
    a.start_time = r.unsigned_integer("start_time");
    a.executable = r.string("executable");
    a.port = static_cast<int>(r.integer("port", 0, 65535));
    a.log_file = r.string("log_file");
    a.display = r.string("display");
    // Added after schema 1 was published: absent means no private X server.
    if (r.has("x_server")) {
      FieldReader x = r.sub("x_server", r.object("x_server"));
      XServerRecord xs;
      xs.process.pid = static_cast<pid_t>(x.integer("pid", 1, kMaxPid));
      xs.process.start_time = x.unsigned_integer("start_time");
      xs.socket.display = static_cast<int>(x.integer("display", 0, 65535));
      xs.socket.device = static_cast<dev_t>(x.unsigned_integer("socket_device"));
      xs.socket.inode = static_cast<ino_t>(x.unsigned_integer("socket_inode"));
      a.x_server = xs;
    }
    s.aut = a;
  }

  FieldReader owner = top.sub("owner", top.object("owner"));
  s.owner.pid = static_cast<pid_t>(owner.integer("pid", 1, kMaxPid));
  s.owner.start_time = owner.unsigned_integer("start_time");
  s.owner_name = owner.string("name");

  s.spawn_count = static_cast<int>(top.integer("spawn_count", 0, 1'000'000'000));
  s.last_respawn_reason = top.string("last_respawn_reason");
  // Added after schema 1 was published: absent means none recorded.
  if (top.has("respawn_reasons")) s.respawn_reasons = top.strings("respawn_reasons");

  if (const json* ex = top.object_or_null("last_exit")) {
    FieldReader r = top.sub("last_exit", *ex);
    ExitRecord e;
    e.pid = static_cast<pid_t>(r.integer("pid", 1, kMaxPid));
    e.status = r.string("status");
    e.signaled = r.boolean("signaled");
    e.code = static_cast<int>(r.integer("code", -1, 255));
    e.signal = static_cast<int>(r.integer("signal", 0, 128));
    e.during_test = r.string("during_test");
    s.last_exit = e;
  }

  s.degraded_reasons = top.strings("degraded_reasons");
  s.degraded_during = top.optional_string("degraded_during");
  // Added after schema 1 was published: absent means not recorded.
  if (top.has("degraded_blame")) {
    FieldReader r = top.sub("degraded_blame", top.object("degraded_blame"));
    DegradedBlame b;
    b.aut_pid = static_cast<pid_t>(r.integer("aut_pid", 1, kMaxPid));
    b.entry = r.string("entry");
    b.test = r.string("test");
    b.between_entries = r.boolean("between_entries");
    b.stacks = r.optional_string("stacks");
    s.degraded_blame = b;
  }

  if (const json* ct = top.object_or_null("current_test")) {
    FieldReader r = top.sub("current_test", *ct);
    s.current_test = TestRef{r.string("suite"), r.string("name")};
    if (std::string syntax = r.optional_string("syntax"); !syntax.empty()) {
      auto parsed = test_id_syntax_from_string(syntax);
      if (!parsed) r.fail("syntax", "is '" + syntax + "'; expected dotted or node_id");
      s.current_test->syntax = *parsed;
    }
  }
  s.owner_ended = top.optional_boolean("owner_ended");
  top.string("updated_at");
  s.updated_at_unix_ms = top.integer("updated_at_unix_ms", 0, INT64_MAX);
  return s;
}

}  // namespace

bool is_writable_tmpfs(const fs::path& dir) {
  struct statfs fs_info {};
  if (::statfs(dir.c_str(), &fs_info) != 0) return false;
  // A full one (Docker's 64 MiB /dev/shm, filled by the app under test)
  // passes every other check, and then every state-file write fails with
  // ENOSPC: the run's dirty-state warnings were silently lost (trial14b).
  const unsigned long long free_bytes =
      static_cast<unsigned long long>(fs_info.f_bavail) * static_cast<unsigned long long>(fs_info.f_bsize);
  return fs_info.f_type == TMPFS_MAGIC && ::access(dir.c_str(), W_OK | X_OK) == 0 && free_bytes >= kTmpfsMinFree &&
         (fs_info.f_files == 0 || fs_info.f_ffree >= 64);
}

fs::path default_state_dir() {
  if (const char* d = std::getenv(env::kStateDir); d && *d) return d;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return fs::path(x) / "livegui";
  // tmpfs: a state-file rewrite costs ~0.2 ms there against ~1 ms on ext4.
  const std::string leaf = "livegui-" + std::to_string(::getuid());
  if (is_writable_tmpfs("/dev/shm")) return fs::path("/dev/shm") / leaf;
  return fs::path("/tmp") / leaf;
}

void ensure_state_dir(const fs::path& dir) {
  const std::string shown = dir.string();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    if (errno == ENOENT) {
      // Create the parents first (with default modes), then this one 0700.
      std::error_code ec;
      fs::create_directories(dir.parent_path(), ec);
      if (ec) throw StateFileError("creating state directory " + shown + ": " + ec.message());
      if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw StateFileError("creating state directory " + shown + ": " + errno_text(errno));
    } else {
      throw StateFileError("creating state directory " + shown + ": " + errno_text(errno));
    }
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    throw StateFileError("checking state directory " + shown + ": " + errno_text(errno));
  if (S_ISLNK(st.st_mode)) throw StateFileError("state directory " + shown + " is a symlink; refusing to use it");
  if (!S_ISDIR(st.st_mode)) throw StateFileError("state directory " + shown + " exists but is not a directory");
  if (st.st_uid != ::geteuid())
    throw StateFileError("state directory " + shown + " is owned by uid " + std::to_string(st.st_uid) +
                         ", not by us (uid " + std::to_string(::geteuid()) + ")");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw StateFileError("state directory " + shown + " is writable by others (mode " + mode_text(st.st_mode) +
                         "); refusing to use it");
}

void write_state_file(const fs::path& path, StateFile state, bool durable) {
  if (path.empty()) throw StateFileError("writing state file: no path given");
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) ensure_state_dir(dir);

  state.updated_at_unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string data = to_json(state).dump(2) + "\n";

  try {
    write_file_atomically(path, data, {.mode = 0600, .durable = durable});
  } catch (const std::system_error& e) {
    throw StateFileError(std::string("state file: ") + e.what());
  }
}

std::optional<StateFile> read_state_file(const fs::path& path) {
  const std::string shown = path.string();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw StateFileError("reading state file " + shown + ": " + errno_text(errno));
  }
  if (S_ISLNK(st.st_mode)) throw StateFileError("state file " + shown + " is a symlink; refusing to follow it");
  if (!S_ISREG(st.st_mode)) throw StateFileError("state file " + shown + " is not a regular file");
  if (st.st_uid != ::geteuid())
    throw StateFileError("state file " + shown + " is owned by uid " + std::to_string(st.st_uid) + ", not by us (uid " +
                         std::to_string(::geteuid()) + "); refusing to trust it");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw StateFileError("state file " + shown + " is writable by group or others (mode " + mode_text(st.st_mode) +
                         "); refusing to trust it");

  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) throw StateFileError("state file " + shown + " is a symlink; refusing to follow it");
    throw StateFileError("reading state file " + shown + ": " + errno_text(errno));
  }
  struct stat fst {};
  if (::fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
    ::close(fd);
    throw StateFileError("state file " + shown + " changed while being opened; try again");
  }
  if (static_cast<std::size_t>(fst.st_size) > kMaxStateFileBytes) {
    ::close(fd);
    throw StateFileError("state file " + shown + " is too large (" + std::to_string(fst.st_size) + " bytes)");
  }
  std::string data;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw StateFileError("reading state file " + shown + ": " + errno_text(err));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > kMaxStateFileBytes) {
      ::close(fd);
      throw StateFileError("state file " + shown + " is too large");
    }
  }
  ::close(fd);
  if (data.empty()) throw StateFileError("state file " + shown + " is empty (truncated?)");
  json j;
  try {
    j = json::parse(data);
  } catch (const json::exception& e) {  // parse errors, but also numbers out of range (1e400)
    throw StateFileError("state file " + shown + " is not valid JSON (truncated or corrupt): " + e.what());
  }
  return from_json(path, j);
}

StateInspection inspect_state(const StateFile& state) {
  StateInspection out;
  if (state.aut) {
    auto st = read_proc_stat(state.aut->pid);
    out.aut_alive = st && st->state != 'Z' && st->start_time == state.aut->start_time;
    out.aut_pgid_matches = out.aut_alive && st->pgid == state.aut->pgid;
  }
  out.owner_alive = is_same_process(state.owner.pid, state.owner.start_time);
  return out;
}

ProcessIdentity self_identity() {
  ProcessIdentity id;
  id.pid = ::getpid();
  if (auto st = read_proc_stat(id.pid)) id.start_time = st->start_time;
  return id;
}

std::string remove_dead_x_server(const StateFile& s, const fs::path& x_root) {
  if (!s.aut || !s.aut->x_server) return "";
  const XServerRecord& x = *s.aut->x_server;
  if (auto st = read_proc_stat(x.process.pid); st && st->start_time != x.process.start_time)
    return "";  // the pid is another process's now: remove_dead_x_server_files would refuse it anyway
  std::string removed = remove_dead_x_server_files(x.socket, x.process.pid, x_root);
  if (removed.empty()) return "";
  return "removed what its dead X server (pid " + std::to_string(x.process.pid) + ", display :" +
         std::to_string(x.socket.display) + ") left: " + removed;
}

}  // namespace livegui
