// One entry of a fault-matrix plan: a small GoogleTest file driving
// sample_app through livegui::init + LiveAppTest, exactly as a user's live
// test file would. LIVEGUI_RELIABILITY_MODE picks the tests it registers and
// the fault its Cell.Fault test causes; LIVEGUI_RELIABILITY_DIR is where each
// test appends "<test> entry=<pid> aut=<pid> pgid=<pgid> grandchild=<pid>"
// (pids.log, so the matrix can account for every process group) and where a
// blocking test announces itself (blocking-<pid>).
//
// Modes: check (After.Check), token (After.Check, and Token.Required: a
// client without the AUT's token is refused), plain (a normal click: the AUT's start flags
// are the fault), assert, crash, segv, hang, exit3, exit0 (injected AUT
// faults), grandchild (the AUT spawned a grandchild), xvfb_kill (kills the
// AUT's X server), test_segfault, test_sigkill, test_hang (the test binary
// itself fails), block (waits to be interrupted by the batcher's signal).
// LIVEGUI_RELIABILITY_TAIL=1 adds Cell.Tail after Cell.Fault in any mode;
// LIVEGUI_RELIABILITY_TAIL=fault makes Cell.Tail cause the fault again (on the
// AUT that replaced the one Cell.Fault broke).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "common/proc_info.hpp"
#include "harness/gtest_integration.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

const std::string& mode() {
  static const std::string m = env_or("LIVEGUI_RELIABILITY_MODE", "check");
  return m;
}

class Cell : public livegui::LiveAppTest {
 public:
  explicit Cell(std::function<void(Cell&)> body) : body_(std::move(body)) {}
  void TestBody() override { body_(*this); }

  using LiveAppTest::app;
  using LiveAppTest::hook;

  /// Appends this test's processes to pids.log (one write: O_APPEND keeps lines whole).
  void record(pid_t grandchild = 0) {
    std::string dir = env_or("LIVEGUI_RELIABILITY_DIR", "");
    if (dir.empty()) return;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string line = std::string(info->test_suite_name()) + "." + info->name() + " entry=" +
                       std::to_string(::getpid()) + " aut=" + std::to_string(app().pid()) +
                       " pgid=" + std::to_string(app().pgid()) + " grandchild=" + std::to_string(grandchild) + "\n";
    int fd = ::open((dir + "/pids.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << "cannot open " << dir << "/pids.log";
    ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    ::close(fd);
  }

  /// Says "I am blocked now" to whoever waits to signal us, then waits to be
  /// stopped (bounded: a minute is far beyond any timeout in the matrix).
  void block() {
    std::string dir = env_or("LIVEGUI_RELIABILITY_DIR", "");
    ASSERT_FALSE(dir.empty());
    std::ofstream(dir + "/blocking-" + std::to_string(::getpid())) << ::getpid() << "\n";
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) ::poll(nullptr, 0, 1000);
    FAIL() << "nobody stopped this test within 60 s";
  }

  /// The fault has been injected: the next step needs the app, and the
  /// harness must say at once that it cannot serve (SubprocessDegraded).
  void next_step_needs_the_app() {
    hook().wait_until([](const json&) { return false; }, 20s, "the app to keep serving after the fault");
  }

  void inject(const std::string& kind, const json& extra = json::object()) {
    try {
      hook().inject_fault(kind, extra);
    } catch (const livegui::HookError&) {
      // A fatal fault may kill the app before its 202 reply is read.
    }
  }

 private:
  std::function<void(Cell&)> body_;
};

/// The X server the AUT draws on: the Xvfb the harness started next to it,
/// i.e. the Xvfb child of the AUT's parent (this binary in file scope, the
/// batcher in session scope). Xvfb -displayfd leaves no lock file to read.
pid_t xvfb_pid(pid_t aut) {
  auto st = livegui::read_proc_stat(aut);
  if (!st) return 0;
  for (pid_t p : livegui::descendants_of(st->ppid)) {
    auto s = livegui::read_proc_stat(p);
    if (s && s->ppid == st->ppid && s->comm == "Xvfb") return p;
  }
  return 0;
}

void fault_body(Cell& t) {
  t.record();
  const std::string& m = mode();
  if (m == "plain") {
    t.hook().click("increment");
  } else if (m == "assert" || m == "crash" || m == "segv" || m == "hang") {
    t.inject(m);
    t.next_step_needs_the_app();
  } else if (m == "exit3" || m == "exit0") {
    t.inject("exit", {{"code", m == "exit3" ? 3 : 0}});
    t.next_step_needs_the_app();
  } else if (m == "grandchild") {
    json state = t.hook().state();
    pid_t grandchild = state.value("grandchild_pid", 0);
    ASSERT_GT(grandchild, 0) << state.dump();
    t.record(grandchild);
    EXPECT_EQ(::getpgid(grandchild), t.app().pgid()) << "the grandchild must be in the AUT's process group";
    t.hook().click("increment");
  } else if (m == "xvfb_kill") {
    pid_t xvfb = xvfb_pid(t.app().pid());
    ASSERT_GT(xvfb, 0) << "no Xvfb next to the AUT (display '" << t.app().display() << "')";
    ASSERT_EQ(::kill(xvfb, SIGKILL), 0) << "killing Xvfb pid " << xvfb;
    t.next_step_needs_the_app();
  } else if (m == "test_segfault") {
    std::raise(SIGSEGV);
  } else if (m == "test_sigkill") {
    ::kill(::getpid(), SIGKILL);
  } else if (m == "test_hang" || m == "block") {
    t.block();
  } else {
    FAIL() << "unknown LIVEGUI_RELIABILITY_MODE '" << m << "'";
  }
}

void register_test(const char* suite, const char* name, std::function<void(Cell&)> body) {
  ::testing::RegisterTest(suite, name, nullptr, nullptr, __FILE__, __LINE__,
                          [body]() -> Cell* { return new Cell(body); });
}

}  // namespace

int main(int argc, char** argv) {
  const std::string& m = mode();
  if (m == "check" || m == "token") {
    register_test("After", "Check", [](Cell& t) {
      t.record();
      t.hook().click("increment");
      EXPECT_TRUE(t.hook().health().ok);
    });
  }
  if (m == "token") {
    // The AUT was started with a token: a client without it is refused.
    register_test("Token", "Required", [](Cell& t) {
      t.record();
      ASSERT_FALSE(t.app().spec().token.empty()) << "the AUT spec has no token";
      livegui::HookClientOptions opt;
      opt.port = t.app().port();
      opt.connect_timeout = 2s;
      opt.read_timeout = 2s;
      livegui::HookClient anonymous(opt);
      EXPECT_THROW(anonymous.health(), livegui::HookError);
      EXPECT_TRUE(t.hook().health().ok);
    });
  }
  if (m != "check" && m != "token") {
    register_test("Cell", "Before", [](Cell& t) {
      t.record();
      t.hook().click("increment");
    });
    register_test("Cell", "Fault", fault_body);
    // LIVEGUI_RELIABILITY_TAIL=1: a test after the fault in every mode (it
    // respawns an AUT the fault killed).
    const std::string tail = env_or("LIVEGUI_RELIABILITY_TAIL", "");
    if (tail == "fault")
      register_test("Cell", "Tail", fault_body);
    else if (m == "test_segfault" || m == "test_sigkill" || m == "test_hang" || m == "block" || tail == "1")
      register_test("Cell", "Tail", [](Cell& t) {
        t.record();
        t.hook().click("increment");
      });
  }
  // Used when the binary runs on its own; under livegui-batch the tier's
  // `aut` table replaces it (LIVEGUI_AUT_SPEC).
  livegui::AppSpec spec;
  spec.executable = LIVEGUI_SAMPLE_APP;
  spec.args = {"--headless", "--enable-faults"};
  spec.display = livegui::DisplayMode::None;
  spec.term_grace = 500ms;
  livegui::init(&argc, argv, spec);
  return RUN_ALL_TESTS();
}
