"""The live_gui fixture against the Python example app, supervised by livegui-aut."""

import json
import os
import re
import signal
import time

from conftest import pid_alive


def run_inner(pytester, aut_spec, tmp_path, monkeypatch, source):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    monkeypatch.setenv("LIVEGUI_DEMO_OUT", str(tmp_path / "out"))
    (tmp_path / "out").mkdir(exist_ok=True)
    pytester.makepyfile(test_inner=source)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "--livegui-aut-spec", str(aut_spec), "-rA")
    evs = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    return result, {e["test"].split("::")[-1]: e for e in evs if e["event"] == "end"}


RECORD_PID = """
import os, pathlib, time
def record(client, name):
    pathlib.Path(os.environ["LIVEGUI_DEMO_OUT"], name).write_text(str(client.pid))
"""


def recorded_pids(tmp_path):
    return [int(p.read_text()) for p in (tmp_path / "out").iterdir() if p.read_text().isdigit()]


def test_calls_and_waits_drive_the_app(pytester, aut_spec, tmp_path, monkeypatch):
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, RECORD_PID + """
def test_set(live_gui):
    record(live_gui, "a")
    live_gui.set("name", "x")
    assert live_gui.value("name") == "x"
    assert live_gui.state()["values"]["name"] == "x"
def test_click_and_wait(live_gui):
    record(live_gui, "b")
    n = live_gui.value("counter")
    live_gui.click("increment")
    live_gui.wait_until(lambda c: c.value("counter") == n + 1, timeout=5)
def test_app_errors_are_hook_errors(live_gui):
    from livegui_pytest import HookError, SubprocessDegraded
    try:
        live_gui.click("no_such_button")
    except SubprocessDegraded:
        raise
    except HookError as e:
        assert e.status == 404
    else:
        raise AssertionError("no error")
""")
    result.assert_outcomes(passed=3)
    pids = recorded_pids(tmp_path)
    assert len(set(pids)) == 1, "one AUT serves the whole file"
    assert not any(pid_alive(p) for p in pids), "the AUT outlived pytest"


def test_the_state_file_names_the_running_test_by_its_node_id(pytester, aut_spec, tmp_path, monkeypatch):
    # The batcher's dirty-state warning quotes the state file; the results use
    # node ids: both must spell the test the same way.
    monkeypatch.setenv("LIVEGUI_STATE_PATH", str(tmp_path / "state" / "aut-state.json"))
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, """
import json, os, pathlib
class TestGroup:
    def test_reads_its_own_name(self, live_gui):
        current = json.load(open(os.environ["LIVEGUI_STATE_PATH"]))["current_test"]
        pathlib.Path(os.environ["LIVEGUI_DEMO_OUT"], "current_test.json").write_text(json.dumps(current))
""")
    result.assert_outcomes(passed=1)
    node_id = ends["test_reads_its_own_name"]["test"]
    assert node_id.endswith("test_inner.py::TestGroup::test_reads_its_own_name"), node_id
    current = json.loads((tmp_path / "out" / "current_test.json").read_text())
    assert current["syntax"] == "node_id", current
    assert current["name"] == "TestGroup::test_reads_its_own_name", current
    assert current["suite"] + "::" + current["name"] == node_id, (current, node_id)


def test_a_hung_app_fails_the_wait_within_about_the_heartbeat(pytester, aut_spec, tmp_path, monkeypatch):
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, RECORD_PID + """
from livegui_pytest import SubprocessDegraded
def test_hang(live_gui):
    record(live_gui, "a")
    live_gui.fault("hang")
    t0 = time.monotonic()
    try:
        live_gui.wait_until(lambda c: c.value("counter") == 10**6, timeout=120, what="counter reaches a million")
    except SubprocessDegraded as e:
        took = time.monotonic() - t0
        print("DIAGNOSTIC-MS %d" % (took * 1000))
        print("MESSAGE " + str(e).replace("\\n", " | "))
        raise
def test_after(live_gui):
    record(live_gui, "b")
    live_gui.click("increment")
""")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    took_ms = int(re.search(r"DIAGNOSTIC-MS (\d+)", out).group(1))
    print("hang → SubprocessDegraded inside a pytest test: %d ms" % took_ms)
    assert took_ms < 5000, "the threshold is 1 s; 5 s is a generous bound for a loaded machine"
    message = re.search(r"MESSAGE (.*)", out).group(1)
    assert "subprocess degraded" in message
    assert 'while waiting for "counter reaches a million"' in message
    assert "last frame" in message
    assert re.search(r"test: \S*test_inner\.py::test_hang", message), message
    # The stalled app's stacks, saved by the supervisor, are named on the first line.
    first_line = message.split(" | ")[0]
    stacks = re.search(r"; stacks: (\S*stacks-\d+\.txt)", first_line)
    assert stacks, message
    assert os.path.exists(stacks.group(1)), stacks.group(1)
    # respawn mid-file: the next test got a fresh AUT, and says why
    assert ends["test_after"]["outcome"] == "passed"
    assert ends["test_after"]["note"].startswith("fresh AUT: ")
    assert "degraded" in ends["test_after"]["note"]
    pids = recorded_pids(tmp_path)
    assert len(set(pids)) == 2
    assert not any(pid_alive(p) for p in pids)


def test_a_stopped_app_fails_calls_and_waits_within_about_the_heartbeat(pytester, aut_spec, tmp_path, monkeypatch):
    # SIGSTOP: the app accepts connections (the kernel does) and never answers.
    # The client must not add a second probe or the stack capture to the
    # threshold (1 s): the stacks are written in the background, and exist
    # once pytest is done.
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, RECORD_PID + """
import signal
from livegui_pytest import SubprocessDegraded
def stop_and_time(live_gui, name, call):
    record(live_gui, name)
    live_gui.value("counter")
    os.kill(live_gui.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        call()
    except SubprocessDegraded as e:
        print("%s-MS %d" % (name.upper(), (time.monotonic() - t0) * 1000))
        print("%s-MESSAGE %s" % (name.upper(), str(e).splitlines()[0]))
        raise
def test_value(live_gui):
    stop_and_time(live_gui, "value", lambda: live_gui.value("counter"))
def test_wait(live_gui):
    stop_and_time(live_gui, "wait", lambda: live_gui.wait_until(lambda c: c.value("counter") < 0, timeout=60))
""")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    pids = recorded_pids(tmp_path)
    assert len(set(pids)) == 2, "the stopped AUT was replaced for the second test"
    for name in ("VALUE", "WAIT"):
        took_ms = int(re.search(name + r"-MS (\d+)", out).group(1))
        print("SIGSTOP → SubprocessDegraded (%s): %d ms" % (name.lower(), took_ms))
        assert took_ms < 2500, "%s: %d ms; the threshold is 1 s, + 1.5 s is generous" % (name, took_ms)
        message = re.search(name + r"-MESSAGE (.*)", out).group(1)
        stacks = re.search(r"; stacks: (\S*stacks-(\d+)\.txt)", message)
        assert stacks, message
        assert int(stacks.group(2)) in pids, message
        assert os.path.exists(stacks.group(1)), "the stacks named in the diagnostic were written: " + stacks.group(1)
    assert not any(pid_alive(p) for p in pids), "a stopped AUT outlived pytest"


def test_a_main_loop_assertion_is_reported_by_the_app(pytester, aut_spec, tmp_path, monkeypatch):
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, """
def test_assert(live_gui):
    live_gui.fault("assert")
    live_gui.click("new_project")
    live_gui.wait_until(lambda c: c.value("project") != "untitled", timeout=120)
""")
    result.assert_outcomes(failed=1)
    assert "cannot schedule new futures after shutdown" in result.stdout.str()
    assert ends["test_assert"]["outcome"] == "failed"
    assert "subprocess degraded" in ends["test_assert"]["message"]


def test_a_crashed_app_names_its_exit(pytester, aut_spec, tmp_path, monkeypatch):
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, """
def test_crash(live_gui):
    live_gui.fault("crash")
    live_gui.wait_until(lambda c: c.value("counter") == 10**6, timeout=120)
""")
    result.assert_outcomes(failed=1)
    assert "SIGABRT" in result.stdout.str()


def test_a_fault_that_ends_the_app_ends_it_in_the_test_that_asked(pytester, aut_spec, tmp_path, monkeypatch):
    # The app replies, then ends from the request's thread, and fault()
    # returns once it is gone: the very next call sees the death (no race
    # with the app's next frame), the death is recorded in the test that
    # injected it, and the next test gets a fresh AUT that names that test.
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, RECORD_PID + """
import pytest
from livegui_pytest import SubprocessDegraded
def test_crash_then_call(live_gui):
    record(live_gui, "a")
    live_gui.fault("crash")
    with pytest.raises(SubprocessDegraded) as e:
        live_gui.value("counter")
    print("MESSAGE " + str(e.value).replace("\\n", " | "))
def test_exit_only(live_gui):
    record(live_gui, "b")
    reply = live_gui.fault("exit", code=5)
    assert reply["ends_process"] is True
def test_after(live_gui):
    record(live_gui, "c")
    live_gui.click("increment")
""")
    result.assert_outcomes(passed=3)
    message = re.search(r"MESSAGE (.*)", result.stdout.str()).group(1)
    assert "subprocess degraded" in message and "SIGABRT" in message, message
    assert re.search(r"test: \S*test_inner\.py::test_crash_then_call", message), message
    assert "the AUT died during this test (killed by SIGABRT)" in ends["test_crash_then_call"]["note"], ends
    assert "the AUT died during this test (exit code 5)" in ends["test_exit_only"]["note"], ends
    after = ends["test_after"]["note"]
    assert after.startswith("fresh AUT: "), after
    assert re.search(r"died during \S*test_inner\.py::test_exit_only \(exit code 5\)", after), after
    # livegui-aut's own log lines go to its log file beside the AUT's, not
    # into pytest's output (-rA shows every test's captured stderr).
    assert "[harness]" not in result.stdout.str() + result.stderr.str(), result.stdout.str()
    assert list((tmp_path / "state").glob("livegui-aut-*.log")), list((tmp_path / "state").iterdir())
    pids = recorded_pids(tmp_path)
    assert len(set(pids)) == 3, pids
    assert not any(pid_alive(p) for p in pids)


def test_without_a_spec_the_fixture_says_what_to_give(pytester, monkeypatch):
    monkeypatch.delenv("LIVEGUI_AUT_SPEC", raising=False)
    pytester.makepyfile(test_inner="def test_x(live_gui): pass\n")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret != 0
    assert "--livegui-aut-spec" in result.stderr.str() + result.stdout.str()


def test_a_test_without_the_fixture_that_kills_the_aut_is_the_one_blamed(pytester, aut_spec, tmp_path, monkeypatch):
    # Once an AUT runs, every test is its current test: the death is charged
    # to the test that killed it (not to the last test that used live_gui),
    # and the next test's fresh AUT names it.
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, RECORD_PID + """
import signal
def test_a_uses_gui(live_gui):
    record(live_gui, "a")
    live_gui.click("increment")
def test_b_kills_without_fixture():
    pid = int(pathlib.Path(os.environ["LIVEGUI_DEMO_OUT"], "a").read_text())
    os.kill(pid, signal.SIGKILL)
    # Until its parent can reap it: a zombie whose every thread has exited
    # (the leader of a threaded process shows Z while the others still run),
    # or gone. Bounded; the poll observes, it does not guess a time.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            status = dict(l.split(":", 1) for l in open("/proc/%d/status" % pid).read().splitlines() if ":" in l)
            if status["State"].split()[0] == "Z" and status["Threads"].strip() == "1":
                break
        except OSError:
            break
        time.sleep(0.01)
def test_c_after(live_gui):
    record(live_gui, "c")
    live_gui.click("increment")
""")
    result.assert_outcomes(passed=3)
    assert ends["test_b_kills_without_fixture"].get("note", "") == \
        "the AUT died during this test (killed by SIGKILL)", ends
    assert "note" not in ends["test_a_uses_gui"] or "died" not in ends["test_a_uses_gui"]["note"], ends
    after = ends["test_c_after"]["note"]
    assert re.search(r"died during \S*test_inner\.py::test_b_kills_without_fixture", after), after
    assert not any(pid_alive(p) for p in recorded_pids(tmp_path))


def test_under_xdist_like_workers_only_the_controller_writes_events(pytester, tmp_path, monkeypatch):
    # A pytest-xdist worker has config.workerinput; its starts and ends reach
    # the controller, which writes them once.
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makeconftest("""
import pytest
@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.workerinput = {"workerid": "gw0"}
""")
    pytester.makepyfile(test_w="def test_a(): pass\n")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=1)
    assert not events.exists() or events.read_text() == ""


def test_failure_screenshots_of_ids_that_differ_only_in_odd_characters_get_their_own_files():
    from livegui_pytest.plugin import _safe_name
    names = {_safe_name(n) for n in ("t.py::test_c[a/b]", "t.py::test_c[a_b]", "t.py::test_c[a:b]")}
    assert len(names) == 3, names
    assert _safe_name("test_plain") == "test_plain"  # a name that maps one to one stays as it is


def test_a_failure_on_an_aut_an_earlier_test_broke_records_aut_unhealthy(pytester, aut_spec, tmp_path, monkeypatch):
    # Issue 16 leftover: respawn "never", test_b_breaks leaves the app
    # degraded and passes; test_c_after then fails (no AUT for it). Its end
    # event and pytest's JUnit report carry aut_unhealthy (the diagnostic's
    # first line), so livegui-batch retries it for "degraded". An assertion
    # failure on the healthy AUT before, and a failing test without the
    # fixture after, carry none.
    aut_spec.write_text(aut_spec.read_text() + 'respawn = "never"\n')
    junit = tmp_path / "junit.xml"
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_inner="""
import pytest
from livegui_pytest import SubprocessDegraded
def test_a_asserts_on_a_healthy_aut(live_gui):
    live_gui.click("increment")
    assert 1 == 2
def test_b_breaks(live_gui):
    live_gui.fault("assert")
    with pytest.raises(SubprocessDegraded):
        live_gui.click("new_project")
def test_c_after(live_gui):
    live_gui.click("increment")
def test_d_without_the_fixture():
    assert 0
""")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "--livegui-aut-spec", str(aut_spec), "-rA",
                                           "--junitxml", str(junit))
    assert result.ret == 1, result.stdout.str()
    evs = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    ends = {e["test"].split("::")[-1]: e for e in evs if e["event"] == "end"}
    assert {k: v["outcome"] for k, v in ends.items() if k != "test_c_after"} == {
        "test_a_asserts_on_a_healthy_aut": "failed", "test_b_breaks": "passed",
        "test_d_without_the_fixture": "failed"}, ends
    # No AUT for it (set-up error), or the degraded one (failed): the AUT's fault either way.
    assert ends["test_c_after"]["outcome"] in ("error", "failed"), ends
    unhealthy = ends["test_c_after"].get("aut_unhealthy", "")
    assert unhealthy.startswith("subprocess degraded: AUT pid "), ends["test_c_after"]
    assert "\n" not in unhealthy
    assert ("the AUT was not healthy when this test failed: " + unhealthy) in ends["test_c_after"].get("note", ""), \
        ends["test_c_after"]
    for name in ("test_a_asserts_on_a_healthy_aut", "test_b_breaks", "test_d_without_the_fixture"):
        assert "aut_unhealthy" not in ends[name], ends[name]
    xml = junit.read_text()
    assert '<property name="aut_unhealthy" value="subprocess degraded: AUT pid ' in xml, xml
    assert xml.count('name="aut_unhealthy"') == 1, xml


def test_standalone_a_failure_screenshot_goes_under_pytests_basetemp(pytester, aut_spec, tmp_path, monkeypatch):
    # Issue 15: run standalone (no livegui-batch, so no $LIVEGUI_ARTIFACT_DIR),
    # a failing test saved no screenshot at all. The default is
    # <basetemp>/livegui-artifacts/ (pytest's own temporary directory, or
    # --basetemp), named in the report. The Python example app has no window
    # (its /screenshot answers 501), so the inner conftest stands in for it.
    monkeypatch.delenv("LIVEGUI_ARTIFACT_DIR", raising=False)
    pytester.makeconftest("""
import livegui_pytest.client as client

def fake_screenshot(self, path):
    with open(path, "wb") as f:
        f.write(b"\\x89PNG\\r\\n\\x1a\\n stand-in")

client.LiveGuiClient.screenshot = fake_screenshot
""")
    basetemp = tmp_path / "bt"
    pytester.makepyfile(test_shot="""
def test_fails(live_gui):
    live_gui.click('increment')
    assert False, 'on purpose'

def test_passes(live_gui):
    live_gui.click('increment')
""")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "--livegui-aut-spec", str(aut_spec), "-rA",
                                           "--basetemp", str(basetemp))
    result.assert_outcomes(passed=1, failed=1)
    shots = sorted((basetemp / "livegui-artifacts").glob("*.png"))
    assert len(shots) == 1, result.stdout.str()
    assert "test_shot.py_test_fails" in shots[0].name, shots
    assert "failure screenshot: %s" % shots[0] in result.stdout.str()


def test_a_value_or_click_on_an_app_that_stalls_after_a_passing_health_fails_within_the_heartbeat(
        pytester, aut_spec, tmp_path, monkeypatch):
    # Issue 15: /health passed, then the whole app stood still (here: SIGSTOP,
    # so its hook server cannot say it is stalled either): the /value or
    # /click that followed waited the threshold + 1 s before it said
    # "subprocess degraded"; wait_until says it within about the threshold.
    # Each call now waits at most the threshold too (1 s in aut_spec).
    result, ends = run_inner(pytester, aut_spec, tmp_path, monkeypatch, """
import os, signal, time
from livegui_pytest import SubprocessDegraded
def call_after_stop(live_gui, name, call):
    live_gui.ensure_alive()  # the health check every call makes first: it passes
    os.kill(live_gui.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        call()
    except SubprocessDegraded as e:
        print("%s-MS %d" % (name, (time.monotonic() - t0) * 1000))
        print("%s-MESSAGE %s" % (name, str(e).splitlines()[0]))
        raise
    finally:
        os.kill(live_gui.pid, signal.SIGCONT)
def test_value(live_gui):
    call_after_stop(live_gui, "VALUE", lambda: live_gui._json("GET", "/value?id=counter"))
def test_click(live_gui):
    call_after_stop(live_gui, "CLICK", lambda: live_gui._json("POST", "/click", {"id": "increment"},
                                                              timeout=live_gui._action_timeout()))
""")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    for name in ("VALUE", "CLICK"):
        took_ms = int(re.search(name + r"-MS (\d+)", out).group(1))
        print("%s on a stopped app after a passing /health -> SubprocessDegraded: %d ms" % (name.lower(), took_ms))
        message = re.search(name + r"-MESSAGE (.*)", out).group(1)
        assert "waited up to 1.0 s" in message, message
        assert took_ms < 5000, "a generous bound for a loaded machine"


def _running(pid):
    """Alive and not a zombie (a process whose parent has not reaped it yet is gone for our purposes)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_sigkilled_standalone_pytest_leaves_nothing_of_the_auts_group(pytester, tmp_path, monkeypatch):
    # pytest SIGKILLed mid-test (OOM killer, CI cancel): livegui-aut must get
    # to stop the AUT's whole process group — a grandchild the app started
    # (here a `sleep` the AUT's shell leaves in its group) included — not die
    # with pytest before it can (it was started with PDEATHSIG = SIGKILL).
    from conftest import HOOK_APP
    gc_file = tmp_path / "grandchild.pid"
    spec = tmp_path / "aut.toml"
    spec.write_text(
        "[aut]\n"
        'executable = "/bin/sh"\n'
        'args = ["-c", "sleep 300 & echo $! > %s; exec /usr/bin/python3 %s --enable-faults"]\n'
        'display = "none"\n'
        'term_grace = "1s"\n'
        'state_file = "%s"\n' % (gc_file, HOOK_APP, tmp_path / "state" / "aut-state.json"))
    monkeypatch.setenv("LIVEGUI_DEMO_OUT", str(tmp_path / "out"))
    (tmp_path / "out").mkdir()
    pytester.makepyfile(test_killed=RECORD_PID + """
import signal
def test_dies(live_gui):
    record(live_gui, "aut")
    os.kill(os.getpid(), signal.SIGKILL)
""")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "--livegui-aut-spec", str(spec))
    assert result.ret == -signal.SIGKILL
    grandchild = int(gc_file.read_text())
    aut = int((tmp_path / "out" / "aut").read_text())
    deadline = time.monotonic() + 10  # bounded: term_grace 1 s, then SIGKILL
    while time.monotonic() < deadline and (_running(grandchild) or _running(aut)):
        time.sleep(0.05)
    left = [p for p in (grandchild, aut) if _running(p)]
    for p in left:  # ours: the test started them (and the assert below fails)
        os.kill(p, signal.SIGKILL)
    assert not left, "still running after pytest was SIGKILLed: %s" % left
