#include "harness/state_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>

#include <gmock/gmock.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/proc_info.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;
using ::testing::HasSubstr;

StateFile sample_state() {
  StateFile s;
  s.status = AutStatus::Healthy;
  s.aut = AutRecord{4121, 4121, 1234567, "/abs/sample_app", 40123, "/tmp/aut-3.log", ":42"};
  s.owner = {4100, 1234000};
  s.owner_name = "test_extended_sims";
  s.spawn_count = 3;
  s.last_respawn_reason = "AUT pid 4088 died during ExtendedSims.ExecutionSim (killed by SIGABRT)";
  s.last_exit = ExitRecord{4088, "killed by SIGABRT", true, 0, 6, "ExtendedSims.ExecutionSim"};
  s.degraded_reasons = {};
  s.current_test = TestRef{"LiveWorkflow", "FullWorkflow"};
  return s;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::trunc) << text;
  ::chmod(p.c_str(), 0600);
}

std::string read_error(const std::filesystem::path& p) {
  try {
    read_state_file(p);
  } catch (const StateFileError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(StateFile, RoundTripsEveryField) {
  TempDir dir("state");
  auto path = dir / "aut-state.json";
  write_state_file(path, sample_state());
  auto back = read_state_file(path);
  ASSERT_TRUE(back.has_value());
  StateFile want = sample_state();
  EXPECT_EQ(back->status, want.status);
  ASSERT_TRUE(back->aut.has_value());
  EXPECT_EQ(back->aut->pid, 4121);
  EXPECT_EQ(back->aut->pgid, 4121);
  EXPECT_EQ(back->aut->start_time, 1234567u);
  EXPECT_EQ(back->aut->executable, "/abs/sample_app");
  EXPECT_EQ(back->aut->port, 40123);
  EXPECT_EQ(back->aut->log_file, "/tmp/aut-3.log");
  EXPECT_EQ(back->aut->display, ":42");
  EXPECT_EQ(back->owner, want.owner);
  EXPECT_EQ(back->owner_name, "test_extended_sims");
  EXPECT_EQ(back->spawn_count, 3);
  EXPECT_EQ(back->last_respawn_reason, want.last_respawn_reason);
  ASSERT_TRUE(back->last_exit.has_value());
  EXPECT_EQ(back->last_exit->pid, 4088);
  EXPECT_TRUE(back->last_exit->signaled);
  EXPECT_EQ(back->last_exit->signal, 6);
  EXPECT_EQ(back->last_exit->during_test, "ExtendedSims.ExecutionSim");
  ASSERT_TRUE(back->current_test.has_value());
  EXPECT_EQ(back->current_test->full(), "LiveWorkflow.FullWorkflow");
  EXPECT_GT(back->updated_at_unix_ms, 1'600'000'000'000);
  EXPECT_FALSE(back->owner_ended);
  EXPECT_EQ(slurp(path).find("owner_ended"), std::string::npos) << "absent unless set";
}

TEST(StateFile, APrivateXServerRoundTripsAndIsAbsentWithoutOne) {
  TempDir dir("state");
  auto path = dir / "aut-state.json";
  StateFile s = sample_state();
  write_state_file(path, s);
  EXPECT_EQ(slurp(path).find("x_server"), std::string::npos) << "absent unless recorded";
  ASSERT_FALSE(read_state_file(path)->aut->x_server.has_value());
  s.aut->x_server = XServerRecord{{4100, 98765}, XDisplaySocket{42, 2049, 1234567890123}};
  write_state_file(path, s);
  auto back = read_state_file(path);
  ASSERT_TRUE(back && back->aut && back->aut->x_server) << slurp(path);
  EXPECT_EQ(*back->aut->x_server, *s.aut->x_server);
}

TEST(StateFile, OwnerEndedRoundTripsAndIsOptional) {
  TempDir dir("state");
  auto path = dir / "aut-state.json";
  StateFile s = sample_state();
  s.owner_ended = true;
  write_state_file(path, s);
  EXPECT_THAT(slurp(path), HasSubstr("\"owner_ended\": true"));
  EXPECT_TRUE(read_state_file(path)->owner_ended);
  std::string text = slurp(path);
  text.replace(text.find("true", text.find("owner_ended")), 4, "\"yes\"");
  write_text(path, text);
  EXPECT_THAT(read_error(path), HasSubstr("owner_ended"));
}

TEST(StateFile, APytestNodeIdRoundTripsAsTheNodeId) {
  TempDir dir("state");
  auto path = dir / "aut-state.json";
  StateFile s = sample_state();
  s.current_test = TestRef{"tests/live/test_x.py", "TestC::test_a[1]", TestIdSyntax::NodeId};
  write_state_file(path, s);
  auto j = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(j["current_test"]["syntax"], "node_id");
  auto back = read_state_file(path);
  ASSERT_TRUE(back && back->current_test);
  EXPECT_EQ(back->current_test->syntax, TestIdSyntax::NodeId);
  EXPECT_EQ(back->current_test->full(), "tests/live/test_x.py::TestC::test_a[1]");
  // A GoogleTest name is written without the field, as before it existed.
  write_state_file(path, sample_state());
  EXPECT_FALSE(nlohmann::json::parse(slurp(path))["current_test"].contains("syntax"));
}

// Every respawn's own reason (issue 15: a guest that respawned several times
// is reported with each cause); optional, absent in files written before it.
TEST(StateFile, RespawnReasonsRoundTripAndMayBeAbsent) {
  TempDir dir("state");
  auto path = dir / "aut-state.json";
  StateFile s = sample_state();
  s.respawn_reasons = {"AUT pid 4000 degraded during t.py::test_a: main loop not running",
                       "AUT pid 4088 died during ExtendedSims.ExecutionSim (killed by SIGABRT)"};
  write_state_file(path, s);
  auto back = read_state_file(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->respawn_reasons, s.respawn_reasons);
  auto j = nlohmann::json::parse(slurp(path));
  j.erase("respawn_reasons");
  write_text(path, j.dump());
  back = read_state_file(path);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->respawn_reasons.empty());
  j["respawn_reasons"] = nlohmann::json::array({"ok", 3});
  write_text(path, j.dump());
  EXPECT_THAT(read_error(path), HasSubstr("'respawn_reasons[1]' must be a string"));
}

TEST(StateFile, NullsRoundTrip) {
  TempDir dir("state");
  auto path = dir / "s.json";
  StateFile s;
  s.owner = self_identity();
  s.degraded_reasons = {"main loop stalled: no frame for 1350 ms (last frame 5312)"};
  s.status = AutStatus::Degraded;
  write_state_file(path, s);
  auto back = read_state_file(path);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->aut);
  EXPECT_FALSE(back->last_exit);
  EXPECT_FALSE(back->current_test);
  EXPECT_EQ(back->degraded_reasons, s.degraded_reasons);
  auto j = nlohmann::json::parse(slurp(path));
  EXPECT_TRUE(j["aut"].is_null());
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_TRUE(j["updated_at"].get<std::string>().ends_with("Z"));
}

TEST(StateFile, MissingFileIsNullopt) {
  TempDir dir("state");
  EXPECT_FALSE(read_state_file(dir / "nope.json").has_value());
}

TEST(StateFile, WritesMode0600AndCreatesDirectory0700) {
  TempDir dir("state");
  auto sub = dir / "state-dir";
  auto path = sub / "aut-state.json";
  write_state_file(path, sample_state());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(sub.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // No temporary files left next to it.
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(sub)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(StateFile, WriteReplacesASymlinkInsteadOfFollowingIt) {
  TempDir dir("state");
  auto victim = dir / "victim.txt";
  write_text(victim, "precious");
  auto path = dir / "aut-state.json";
  std::filesystem::create_symlink(victim, path);
  EXPECT_THAT(read_error(path), HasSubstr("symlink"));
  write_state_file(path, sample_state());
  EXPECT_EQ(slurp(victim), "precious");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_TRUE(read_state_file(path).has_value());
}

TEST(StateFile, RefusesNonRegularFiles) {
  TempDir dir("state");
  std::filesystem::create_directory(dir / "d.json");
  EXPECT_THAT(read_error(dir / "d.json"), HasSubstr("not a regular file"));
  ASSERT_EQ(::mkfifo((dir / "fifo.json").c_str(), 0600), 0);
  EXPECT_THAT(read_error(dir / "fifo.json"), HasSubstr("not a regular file"));
}

TEST(StateFile, RefusesGroupOrWorldWritable) {
  TempDir dir("state");
  auto path = dir / "s.json";
  write_state_file(path, sample_state());
  ::chmod(path.c_str(), 0666);
  auto err = read_error(path);
  EXPECT_THAT(err, HasSubstr("writable by group or others"));
  EXPECT_THAT(err, HasSubstr("0666"));
  ::chmod(path.c_str(), 0620);
  EXPECT_THAT(read_error(path), HasSubstr("writable"));
}

TEST(StateFile, RefusesAFileOwnedBySomeoneElse) {
  if (::geteuid() != 0) {
    // /etc/passwd is a regular 0644 file owned by root.
    EXPECT_THAT(read_error("/etc/passwd"), HasSubstr("owned by uid 0"));
    return;
  }
  // As root we can give a state file away to another user.
  TempDir dir("state");
  auto path = dir / "s.json";
  write_state_file(path, sample_state());
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto err = read_error(path);
  EXPECT_THAT(err, HasSubstr("owned by uid 65534"));
  EXPECT_THAT(err, HasSubstr("not by us (uid 0)"));
}

TEST(StateFile, TruncatedAndCorruptFilesNameTheProblem) {
  TempDir dir("state");
  auto path = dir / "s.json";
  write_state_file(path, sample_state());
  std::string full = slurp(path);

  write_text(path, "");
  EXPECT_THAT(read_error(path), HasSubstr("is empty"));
  write_text(path, full.substr(0, full.size() / 2));
  auto err = read_error(path);
  EXPECT_THAT(err, HasSubstr("not valid JSON"));
  EXPECT_THAT(err, HasSubstr(path.string()));
  write_text(path, "\x01\x02garbage");
  EXPECT_THAT(read_error(path), HasSubstr("not valid JSON"));
  write_text(path, "[1, 2]");
  EXPECT_THAT(read_error(path), HasSubstr("not a JSON object"));
}

TEST(StateFile, EveryFieldIsValidatedAndNamed) {
  TempDir dir("state");
  auto path = dir / "s.json";
  write_state_file(path, sample_state());
  const auto good = nlohmann::json::parse(slurp(path));

  struct Case {
    std::string pointer;
    nlohmann::json value;  // null json with remove=true means: delete the field
    bool remove;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"/schema_version", 2, false, "'schema_version' is 2"},
      {"/schema_version", "1", false, "'schema_version' must be an integer"},
      {"/status", "zombie", false, "'status' is 'zombie'"},
      {"/aut/pid", -5, false, "'aut.pid' is out of range"},
      {"/aut/pid", "4121", false, "'aut.pid' must be an integer"},
      {"/aut/pgid", nullptr, true, "'aut.pgid' is missing"},
      {"/aut/start_time", -1, false, "'aut.start_time' must be a non-negative integer"},
      {"/aut/port", 70000, false, "'aut.port' is out of range"},
      {"/aut/executable", 3, false, "'aut.executable' must be a string"},
      {"/aut/log_file", nullptr, true, "'aut.log_file' is missing"},
      {"/aut/display", nullptr, true, "'aut.display' is missing"},
      {"/aut", "x", false, "'aut' must be an object or null"},
      {"/owner", nullptr, true, "'owner' is missing"},
      {"/owner/pid", 0, false, "'owner.pid' is out of range"},
      {"/owner/start_time", "now", false, "'owner.start_time' must be a non-negative integer"},
      {"/owner/name", nullptr, true, "'owner.name' is missing"},
      {"/spawn_count", -1, false, "'spawn_count' is out of range"},
      {"/last_respawn_reason", nullptr, false, "'last_respawn_reason' must be a string"},
      {"/last_exit/signaled", 1, false, "'last_exit.signaled' must be true or false"},
      {"/last_exit/during_test", nullptr, true, "'last_exit.during_test' is missing"},
      {"/degraded_reasons", "x", false, "'degraded_reasons' must be an array of strings"},
      {"/degraded_reasons", nlohmann::json::array({"ok", 3}), false, "'degraded_reasons[1]' must be a string"},
      {"/current_test/suite", nullptr, true, "'current_test.suite' is missing"},
      {"/current_test/syntax", "colons", false, "'current_test.syntax' is 'colons'; expected dotted or node_id"},
      {"/updated_at", nullptr, true, "'updated_at' is missing"},
      {"/updated_at_unix_ms", 1.5, false, "'updated_at_unix_ms' must be an integer"},
  };
  for (const auto& c : cases) {
    nlohmann::json j = good;
    auto ptr = nlohmann::json::json_pointer(c.pointer);
    if (c.remove)
      j[ptr.parent_pointer()].erase(ptr.back());
    else
      j[ptr] = c.value;
    write_text(path, j.dump());
    auto err = read_error(path);
    EXPECT_THAT(err, HasSubstr(c.expect)) << c.pointer;
    EXPECT_THAT(err, HasSubstr(path.string())) << c.pointer;
  }
}

TEST(StateFile, UnknownFieldsAreIgnored) {
  TempDir dir("state");
  auto path = dir / "s.json";
  write_state_file(path, sample_state());
  auto j = nlohmann::json::parse(slurp(path));
  j["future_field"] = {1, 2};
  j["aut"]["future"] = true;
  write_text(path, j.dump());
  EXPECT_TRUE(read_state_file(path).has_value());
}

TEST(StateFile, EnsureStateDirRefusesUnsafeDirectories) {
  TempDir dir("state");
  auto open_dir = dir / "open";
  std::filesystem::create_directory(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  EXPECT_THROW(ensure_state_dir(open_dir), StateFileError);
  auto link = dir / "link";
  std::filesystem::create_directory_symlink(dir / "target", link);
  std::filesystem::create_directory(dir / "target");
  EXPECT_THROW(ensure_state_dir(link), StateFileError);
  write_text(dir / "file", "x");
  EXPECT_THROW(ensure_state_dir(dir / "file"), StateFileError);
  ensure_state_dir(dir / "a" / "b");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(StateFile, DefaultStateDirHonoursEnvironment) {
  const char* old = std::getenv("LIVEGUI_STATE_DIR");
  std::string saved = old ? old : "";
  ::setenv("LIVEGUI_STATE_DIR", "/somewhere/else", 1);
  EXPECT_EQ(default_state_dir(), std::filesystem::path("/somewhere/else"));
  if (old)
    ::setenv("LIVEGUI_STATE_DIR", saved.c_str(), 1);
  else
    ::unsetenv("LIVEGUI_STATE_DIR");
}

TEST(StateFile, DefaultStateDirIsOnTmpfsWhenItCanBe) {
  auto saved = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto state_dir = saved("LIVEGUI_STATE_DIR");
  auto runtime = saved("XDG_RUNTIME_DIR");
  ::unsetenv("LIVEGUI_STATE_DIR");
  ::setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
  EXPECT_EQ(default_state_dir(), std::filesystem::path("/run/user/4242/livegui"));
  ::unsetenv("XDG_RUNTIME_DIR");
  const std::string leaf = "livegui-" + std::to_string(::getuid());
  // Without XDG_RUNTIME_DIR (most CI runners): /dev/shm when it is a writable tmpfs, else /tmp.
  auto expected =
      is_writable_tmpfs("/dev/shm") ? std::filesystem::path("/dev/shm") / leaf : std::filesystem::path("/tmp") / leaf;
  EXPECT_EQ(default_state_dir(), expected);
  EXPECT_FALSE(is_writable_tmpfs("/proc")) << "not a tmpfs";
  if (state_dir) ::setenv("LIVEGUI_STATE_DIR", state_dir->c_str(), 1);
  if (runtime) ::setenv("XDG_RUNTIME_DIR", runtime->c_str(), 1);
}

TEST(StateFileInspect, OurselvesAsTheAutIsAliveAndOurs) {
  StateFile s;
  auto me = self_identity();
  s.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/x", 1, "", ""};
  s.owner = me;
  auto in = inspect_state(s);
  EXPECT_TRUE(in.aut_alive);
  EXPECT_TRUE(in.aut_pgid_matches);
  EXPECT_TRUE(in.aut_is_ours());
  EXPECT_TRUE(in.owner_alive);
}

TEST(StateFileInspect, AReusedPidIsNotOurs) {
  // A live, unrelated process recorded with the wrong start time: the pid
  // was "reused", so it is not the AUT the file talks about.
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/support/fake_app");
  auto other = Subprocess::spawn(opt);
  StateFile s;
  s.aut = AutRecord{other.pid(), other.pgid(), other.start_time() + 1, "/x", 1, "", ""};
  s.owner = ProcessIdentity{other.pid(), other.start_time() - 1};
  auto in = inspect_state(s);
  EXPECT_FALSE(in.aut_alive);
  EXPECT_FALSE(in.aut_is_ours());
  EXPECT_FALSE(in.owner_alive);
  // The right start time but another process group: alive, not safe to signal.
  s.aut->start_time = other.start_time();
  s.aut->pgid = other.pgid() + 1;
  in = inspect_state(s);
  EXPECT_TRUE(in.aut_alive);
  EXPECT_FALSE(in.aut_pgid_matches);
  EXPECT_FALSE(in.aut_is_ours());
  other.stop(2s, 2s);
}

TEST(StateFileInspect, ADeadAutIsNotAlive) {
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/support/fake_app");
  opt.args = {"--exit", "0"};
  auto child = Subprocess::spawn(opt);
  auto start_time = child.start_time();
  ASSERT_TRUE(child.wait_for(10s));
  StateFile s;
  s.aut = AutRecord{child.pid(), child.pgid(), start_time, "/x", 1, "", ""};
  EXPECT_FALSE(inspect_state(s).aut_alive);
}

TEST(StateFile, StatusNames) {
  for (auto st : {AutStatus::Starting, AutStatus::Healthy, AutStatus::Degraded, AutStatus::Dead, AutStatus::Stopped})
    EXPECT_EQ(aut_status_from_string(to_string(st)), st);
  EXPECT_FALSE(aut_status_from_string("nope"));
}

}  // namespace
}  // namespace livegui
