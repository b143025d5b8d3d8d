#include "tests/reliability/fault_matrix_rows.hpp"

#include <csignal>

namespace livegui::test_support {

const std::string kBefore = "faulty/Cell.Before", kFault = "faulty/Cell.Fault", kTail = "faulty/Cell.Tail",
                  kCheck = "after/After.Check";

namespace {

Expect expect(int exit_code, std::map<std::string, std::string> tests, std::string warn = {},
              std::string warn_or = {}) {
  return Expect{exit_code, std::move(tests), std::move(warn), std::move(warn_or)};
}

/// A test binary that owned its AUT was stopped (or killed) by the batcher:
/// the AUT dies with it (PDEATHSIG). When the batcher looks, it finds the AUT
/// dead — or, if the kernel has not finished killing it, still running with
/// its owner gone, and stops it. Both are the documented outcome.
const char* kWentDownWithOwner = "faulty left the AUT (pid <pid>) dead — it went down with its owner";
const char* kStoppedForGoneOwner =
    "faulty left the AUT (pid <pid>) running with its owner (pid <pid>) gone; stopped it";

/// An AUT fault injected during Cell.Fault: the test fails with "subprocess
/// degraded", the next file starts on a fresh AUT after a warning.
Row injected(const std::string& name, const std::string& fault, const std::string& file_warn,
             const std::string& session_warn) {
  Row r;
  r.name = name;
  r.group = "AUT";
  r.fault = fault;
  r.mode = name;
  std::map<std::string, std::string> tests = {{kBefore, "PASS"}, {kFault, "FAIL"}, {kCheck, "PASS"}};
  r.file = expect(1, tests, file_warn);
  r.session = expect(1, tests, session_warn);
  return r;
}

/// The AUT cannot start: every test fails with the reason, nothing is left.
Row unstartable(const std::string& name, const std::string& fault) {
  Row r;
  r.name = name;
  r.group = "AUT";
  r.fault = fault;
  r.mode = "plain";
  std::map<std::string, std::string> tests = {{kBefore, "FAIL"}, {kFault, "FAIL"}, {kCheck, "FAIL"}};
  r.file = expect(1, tests);
  r.session = expect(1, tests, "could not start the session AUT for faulty");
  return r;
}

}  // namespace

std::vector<Row> fault_matrix_rows() {
  std::vector<Row> out;
  out.push_back(injected("assert", "POST /debug/fault assert (main loop stops, app degraded)",
                         "faulty left the AUT (pid <pid>) dead — it went down with its owner",
                         "faulty left the AUT (pid <pid>) degraded"));
  // Session scope: the guest records the test, the batcher (the AUT's
  // parent) the signal; the warning names both (issue 12 item 1).
  out.push_back(injected("crash", "POST /debug/fault crash (SIGABRT)", "dead — SIGABRT during Cell.Fault",
                         "faulty left the AUT (pid <pid>) dead — SIGABRT during Cell.Fault"));
  out.push_back(injected("segv", "POST /debug/fault segv (SIGSEGV)", "dead — SIGSEGV during Cell.Fault",
                         "faulty left the AUT (pid <pid>) dead — SIGSEGV during Cell.Fault"));
  out.push_back(injected("hang", "POST /debug/fault hang (main loop blocks; ignores SIGTERM)",
                         "faulty left the AUT (pid <pid>) dead — it went down with its owner",
                         "faulty left the AUT (pid <pid>) degraded"));
  out.push_back(injected("exit3", "POST /debug/fault exit code 3", "dead — exit code 3 during Cell.Fault",
                         "faulty left the AUT (pid <pid>) dead — exit code 3 during Cell.Fault"));
  out.push_back(injected("exit0", "POST /debug/fault exit code 0 (an unexpected clean exit)",
                         "dead — exit code 0 during Cell.Fault",
                         "faulty left the AUT (pid <pid>) dead — exit code 0 during Cell.Fault"));
  {
    Row r;
    r.name = "slow_start";
    r.group = "AUT";
    r.fault = "sample_app --slow-start 1500 (ready timeout 5 s)";
    r.mode = "plain";
    r.aut_args = {"--slow-start", "1500"};
    std::map<std::string, std::string> tests = {{kBefore, "PASS"}, {kFault, "PASS"}, {kCheck, "PASS"}};
    r.file = r.session = expect(0, tests);
    out.push_back(r);
  }
  {
    Row r = unstartable("fail_start", "sample_app --fail-start (exit 1 before ready)");
    r.aut_args = {"--fail-start"};
    out.push_back(r);
  }
  {
    Row r = unstartable("never_ready", "fake_app as the AUT: runs, never prints the ready line (ready timeout 1 s)");
    r.never_ready = true;
    r.aut_fields["ready_timeout"] = "\"1s\"";
    out.push_back(r);
  }
  {
    Row r = unstartable("port_taken", "fixed hook port already held by another listener");
    r.hold_port = true;
    out.push_back(r);
  }
  {
    Row r;
    r.name = "ignore_sigterm";
    r.group = "AUT";
    r.fault = "sample_app --ignore-sigterm, stopped without POST /shutdown (needs SIGKILL)";
    r.mode = "plain";
    r.aut_args = {"--ignore-sigterm"};
    r.aut_fields["shutdown_request"] = "false";
    std::map<std::string, std::string> tests = {{kBefore, "PASS"}, {kFault, "PASS"}, {kCheck, "PASS"}};
    r.file = r.session = expect(0, tests);
    out.push_back(r);
  }
  {
    Row r;
    r.name = "spawn_grandchild";
    r.group = "AUT";
    r.fault = "sample_app --spawn-grandchild (a grandchild ignoring SIGTERM)";
    r.mode = "grandchild";
    r.aut_args = {"--spawn-grandchild"};
    std::map<std::string, std::string> tests = {{kBefore, "PASS"}, {kFault, "PASS"}, {kCheck, "PASS"}};
    r.file = r.session = expect(0, tests);
    out.push_back(r);
  }
  {
    Row r;
    r.name = "test_segfault";
    r.group = "runner";
    r.fault = "the test binary raises SIGSEGV in Cell.Fault";
    r.mode = "test_segfault";
    std::map<std::string, std::string> tests = {
        {kBefore, "PASS"}, {kFault, "CRASH"}, {kTail, "PASS"}, {kCheck, "PASS"}};
    r.file = expect(1, tests);
    r.session = expect(1, tests);
    out.push_back(r);
  }
  {
    Row r;
    r.name = "test_sigkill";
    r.group = "runner";
    r.fault = "the test binary is killed with SIGKILL in Cell.Fault";
    r.mode = "test_sigkill";
    std::map<std::string, std::string> tests = {
        {kBefore, "PASS"}, {kFault, "CRASH"}, {kTail, "PASS"}, {kCheck, "PASS"}};
    r.file = expect(1, tests);
    r.session = expect(1, tests);
    out.push_back(r);
  }
  {
    Row r;
    r.name = "test_hang";
    r.group = "runner";
    r.fault = "the test binary hangs in Cell.Fault (entry timeout 4 s)";
    r.mode = "test_hang";
    r.faulty_timeout = "4s";
    std::map<std::string, std::string> tests = {
        {kBefore, "PASS"}, {kFault, "TIMEOUT"}, {kTail, "SKIPPED"}, {kCheck, "PASS"}};
    // The binary owned the AUT; stopped at the timeout, it took the AUT with it (PDEATHSIG).
    r.file = expect(1, tests, kWentDownWithOwner, kStoppedForGoneOwner);
    // The session AUT outlives the stopped binary; the one warning is where
    // the hung binary's (and the AUT's) stacks were saved before the stop.
    r.session = expect(1, tests, "ran out of time; stacks before it was stopped");
    out.push_back(r);
  }
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    Row r;
    r.name = sig == SIGINT ? "batcher_sigint" : sig == SIGTERM ? "batcher_sigterm" : "batcher_sighup";
    r.group = "runner";
    r.fault = std::string(sig == SIGINT    ? "SIGINT"
                          : sig == SIGTERM ? "SIGTERM"
                                           : "SIGHUP (a closed terminal)") +
              " to livegui-batch while Cell.Fault runs";
    r.mode = "block";
    r.batcher_signal = sig;
    // A closed terminal: the AUT has a grandchild, which must not outlive the run either.
    if (sig == SIGHUP) {
      r.aut_args = {"--spawn-grandchild"};
      r.fault += ", its AUT with a grandchild";
    }
    // The running test never ended: UNRESOLVED. The next entry never starts;
    // a binary is not listed before it runs (one spawn per entry), so it is
    // one SKIPPED result under the entry's own name.
    std::map<std::string, std::string> tests = {
        {kBefore, "PASS"}, {kFault, "UNRESOLVED"}, {kTail, "SKIPPED"}, {"after/after", "SKIPPED"}};
    // File scope: the stopped binary took its AUT with it, which the end-of-tier check reports.
    // Exit 128 + the signal, as a shell reports it: 130, 143, 129.
    // With a grandchild (SIGHUP row), the end-of-tier check also finds it in the dead AUT's group and stops it.
    r.file = sig == SIGHUP ? expect(128 + sig, tests, "faulty left the AUT (pid <pid>) dead — ", kStoppedForGoneOwner)
                           : expect(128 + sig, tests, kWentDownWithOwner, kStoppedForGoneOwner);
    r.session = expect(128 + sig, tests);
    out.push_back(r);
  }
  {
    Row r;
    r.name = "batcher_sigkill";
    r.group = "runner";
    r.fault =
        "SIGKILL to livegui-batch while Cell.Fault runs, its AUT with a grandchild (sample_app "
        "--spawn-grandchild); then a second run on the same state dir";
    r.mode = "block";
    r.aut_args = {"--spawn-grandchild"};
    r.batcher_signal = SIGKILL;
    // The killed run writes no report; these are the second run's, which
    // reports the state file the killed run left. Its reaper already stopped
    // everything, grandchild included: nothing of it is left running.
    r.file = r.session = expect(0, {{kCheck, "PASS"}}, "ended without cleaning up (", "");
    out.push_back(r);
  }
  {
    Row r;
    r.name = "xvfb_killed";
    r.group = "runner";
    r.fault = "the AUT's Xvfb is killed (SIGKILL) during Cell.Fault";
    r.mode = "xvfb_kill";
    r.windowed = true;
    std::map<std::string, std::string> tests = {{kBefore, "PASS"}, {kFault, "FAIL"}, {kCheck, "PASS"}};
    // How the app takes losing its display varies (Xlib's exit 1, or a crash in the GL teardown).
    r.file = expect(1, tests, "faulty left the AUT (pid <pid>) dead — ");
    r.session = expect(1, tests, "faulty left the AUT (pid <pid>) dead — ");
    out.push_back(r);
  }
  return out;
}

}  // namespace livegui::test_support
