"""pytest hooks and fixtures of livegui_pytest (loaded with -p livegui_pytest)."""

import faulthandler
import hashlib
import json
import os
import re
import shlex
import signal

import pytest

from livegui_pytest.client import HookError, LiveGuiClient, SubprocessDegraded
from livegui_pytest.events import (AUT_UNHEALTHY_PROPERTY, TestOutcome, collection_error_message,
                                   open_from_environment)
from livegui_pytest.supervisor import AutSupervisor, SupervisorError

__all__ = ["pytest_addoption", "pytest_configure", "pytest_unconfigure", "pytest_collection_modifyitems",
           "pytest_collection_finish",
           "pytest_runtest_makereport", "live_gui_supervisor", "live_gui"]

# How long an "ensure" may take: livegui-aut bounds it by the spec's ready
# timeout (and respawn back-off); this only catches a supervisor that hangs.
ENSURE_BOUND_S = 180.0
REQUEST_BOUND_S = 30.0


class _Recorder:
    """The per-run hooks: the event stream and the notes the fixture leaves for it."""

    def __init__(self, config):
        # Under pytest-xdist the controller writes the stream (it sees every
        # worker's start, report and finish); a worker writing too would
        # double every test.
        self.events = None if hasattr(config, "workerinput") else open_from_environment()
        self.outcomes = {}
        self.notes = {}
        # The runner this recorder belongs to: a process a test forked that
        # returns into pytest is not it (_end_forked_child).
        self.runner_pid = os.getpid()
        self.collected_written = False
        # Where failure screenshots go without $LIVEGUI_ARTIFACT_DIR (run
        # standalone): <basetemp>/livegui-artifacts, set by the live_gui fixture.
        self.artifact_dir = None
        self.supervisor = None
        self.unfixtured = set()  # running tests without live_gui, whose start we told the supervisor

    def pytest_runtest_logstart(self, nodeid, location):
        if self.events:
            self.events.start(nodeid)
        self.outcomes[nodeid] = TestOutcome()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        # Once an AUT runs, every test is its current test, with the fixture
        # or not: a test that kills the AUT without it is the one blamed. A
        # test with live_gui tells the supervisor itself (its "ensure").
        if "live_gui" not in item.fixturenames and self._tell_supervisor("test_started", item.nodeid) is not None:
            self.unfixtured.add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.outcomes:
            return
        if report.when == "???":
            # pytest-xdist's report for a test whose worker crashed under it
            # ("worker 'gw1' crashed while running …"): no finish follows (the
            # controller restarts the worker and goes on).
            outcome = self.outcomes[report.nodeid]
            outcome.outcome, outcome.message = "failed", str(report.longrepr)
            self.pytest_runtest_logfinish(report.nodeid, None)
            return
        self.outcomes[report.nodeid].add(report)

    def pytest_runtest_logfinish(self, nodeid, location):
        outcome = self.outcomes.pop(nodeid, None)
        if nodeid in self.unfixtured:
            self.unfixtured.discard(nodeid)
            finished = self._tell_supervisor("test_finished", nodeid)
            if finished and finished.get("died"):
                self.notes[nodeid] = "the AUT died during this test (%s)" % finished["died"]
        note = self.notes.pop(nodeid, "")
        if self.events and outcome:
            failed = outcome.outcome in ("failed", "error")
            self.events.end(nodeid, outcome.outcome, outcome.duration, outcome.message, note,
                            outcome.aut_unhealthy if failed else "", outcome.phases if failed else ())

    def pytest_collectreport(self, report):
        # A file (or directory) pytest could not collect (a SyntaxError, an
        # ImportError): no test of it starts. It is named by its node id,
        # which selects it again on the command line (`pytest tests/bad.py`).
        if self.events and report.failed and os.getpid() == self.runner_pid:
            self.events.end(report.nodeid, "error", 0.0, collection_error_message(report), phases=("collect",))

    def _tell_supervisor(self, cmd, nodeid):
        if self.supervisor is None:
            return None
        try:
            return self.supervisor.request(cmd, REQUEST_BOUND_S, test=nodeid)
        except SupervisorError:
            return None  # the fixture's next ensure says what is wrong

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        # Under pytest-xdist the controller collects nothing itself
        # (pytest_collection_finish sees no items there): each worker reports
        # the ids it collected, all the same list, in the order the session
        # would run them. The first is the stream's "collected" event.
        if self.events and not self.collected_written:
            self.collected_written = True
            self.events.collected(ids)

    def pytest_sessionfinish(self, session, exitstatus):
        if self.events and os.getpid() == self.runner_pid:
            self.events.finish()
            self.events = None


def pytest_addoption(parser):
    group = parser.getgroup("livegui")
    group.addoption("--livegui-aut-spec", default=None,
                    help="TOML file with an [aut] table (a plan's aut table) for the live_gui fixture; "
                         "default: the livegui_aut_spec ini value, else $LIVEGUI_AUT_SPEC (livegui-batch)")
    group.addoption("--livegui-aut", default=None, help="the livegui-aut binary (default: $LIVEGUI_AUT_BIN, PATH)")
    parser.addini("livegui_aut_spec", "TOML file with an [aut] table, relative to the ini file", default="")


# The options with which pytest runs no test and exits 0 (docs/pytest.md), by
# their destination in config.option and every spelling pytest accepts (its
# parser takes no abbreviations). livegui-batch refuses them in a plan's argv
# and $PYTEST_ADDOPTS; only pytest itself resolves its ini file's addopts, so
# under the batcher the plugin refuses them here, after pytest has read all.
_NO_TEST_OPTIONS = (
    ("collectonly", ("--collect-only", "--co"), "only collect the tests"),
    ("setupplan", ("--setup-plan",), "only show the fixtures and tests it would set up"),
    ("setuponly", ("--setup-only",), "only set up and tear down the fixtures"),
    ("showfixtures", ("--fixtures", "--funcargs"), "only list the fixtures"),
    ("show_fixtures_per_test", ("--fixtures-per-test",), "only list the fixtures"),
    ("markers", ("--markers",), "only list the markers"),
    ("help", ("--help", "-h"), "only print its help"),
    ("cacheshow", ("--cache-show",), "only show its cache"),
)


def _where_given(config, spellings):
    """Where pytest took one of `spellings` from, as a phrase for a message."""
    def has(words):
        return next((w for w in words if w in spellings or w.split("=", 1)[0] in spellings), None)

    sources = (
        (list(config.invocation_params.args), "in its command line"),
        (shlex.split(os.environ.get("PYTEST_ADDOPTS", "")), "in $PYTEST_ADDOPTS"),
        (list(config.getini("addopts")),
         "in the addopts of %s" % (config.inipath if config.inipath else "its configuration file")),
    )
    for words, phrase in sources:
        word = has(words)
        if word:
            return word, phrase
    return spellings[0], "in its options"


def _refuse_options_that_run_no_test(config):
    """Under livegui-batch ($LIVEGUI_EVENTS_FILE set): raise UsageError (pytest
    exits 4, printing the message) when pytest would run no test."""
    if not os.environ.get("LIVEGUI_EVENTS_FILE"):
        return
    for dest, spellings, what in _NO_TEST_OPTIONS:
        if getattr(config.option, dest, False):
            word, where = _where_given(config, spellings)
            raise pytest.UsageError(
                "livegui_pytest: %s %s: pytest would %s, not run them, and the livegui-batch entry would pass "
                "having tested nothing; remove it there, or run this suite outside the plan" % (word, where, what))


# The signal livegui-batch sends for every thread's Python stack before it
# stops a timed-out entry (batcher/run/python_stacks.hpp, docs/pytest.md).
PYTHON_STACKS_SIGNAL = "SIGUSR1"
_python_stacks_file = None  # kept open (and the handler registered) until the process ends


def _own_start_time():
    """This process's start time (/proc/self/stat field 22, clock ticks after boot)."""
    with open("/proc/self/stat", encoding="ascii", errors="replace") as f:
        stat = f.read()
    return int(stat[stat.rindex(")") + 2:].split()[19])


def _register_python_stacks(config):
    """Under livegui-batch (LIVEGUI_PYTHON_STACKS_FILE): faulthandler dumps
    every thread's Python stack into that file on SIGUSR1. The handler is
    registered first, then a header names this process (pid + start time): the
    batcher signals only the process a header names, so a signal never finds
    a process without the handler (SIGUSR1's default action ends it). Not in
    a pytest-xdist worker (the controller holds the file)."""
    global _python_stacks_file
    path = os.environ.get("LIVEGUI_PYTHON_STACKS_FILE")
    if not path or hasattr(config, "workerinput") or _python_stacks_file is not None:
        return
    sig = getattr(signal, PYTHON_STACKS_SIGNAL, None)
    if sig is None:
        return
    try:
        f = open(path, "w", encoding="utf-8")
    except OSError:
        return
    faulthandler.register(sig, file=f, all_threads=True, chain=False)
    f.write("livegui_pytest: Python stacks of pid %d (start time %d) on %s\n"
            % (os.getpid(), _own_start_time(), PYTHON_STACKS_SIGNAL))
    f.flush()
    _python_stacks_file = f


def pytest_configure(config):
    _refuse_options_that_run_no_test(config)
    _register_python_stacks(config)
    recorder = _Recorder(config)
    config._livegui = recorder
    config.pluginmanager.register(recorder, "livegui-recorder")


def pytest_unconfigure(config):
    recorder = getattr(config, "_livegui", None)
    if recorder and recorder.supervisor and os.getpid() == recorder.runner_pid:
        recorder.supervisor.stop()
        recorder.supervisor = None


def _node_ids_from(variable):
    """The node ids in the JSON array file $variable names; None when unset."""
    path = os.environ.get(variable)
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            ids = json.load(f)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError("not a JSON array of node ids")
    except (OSError, ValueError) as e:
        raise pytest.UsageError("livegui_pytest: %s %s: %s" % (variable, path, e))
    return set(ids)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """What a livegui-batch attempt runs, by exact node id (JSON arrays):
    only the tests in $LIVEGUI_SELECT_FILE when set (--last-failed: the
    tests that failed before), less those in $LIVEGUI_DESELECT_FILE (a
    resumed attempt: the tests earlier attempts decided). pytest's own
    --deselect matches by prefix, so `--deselect t.py::test_a` would also
    drop t.py::test_ab."""
    selected = _node_ids_from("LIVEGUI_SELECT_FILE")
    decided = _node_ids_from("LIVEGUI_DESELECT_FILE") or set()
    if selected is None and not decided:
        return
    keep = [(selected is None or item.nodeid in selected) and item.nodeid not in decided for item in items]
    if not all(keep):
        config.hook.pytest_deselected(items=[item for item, k in zip(items, keep) if not k])
        items[:] = [item for item, k in zip(items, keep) if k]


def pytest_collection_finish(session):
    """The stream's "collected" event: the tests that will run, after -k/-m/--deselect."""
    recorder = getattr(session.config, "_livegui", None)
    if recorder and recorder.events and not recorder.collected_written and not _is_xdist_controller(session.config):
        recorder.collected_written = True
        recorder.events.collected(item.nodeid for item in session.items)


def _is_xdist_controller(config):
    """pytest-xdist's controller (-n N, --dist): its workers collect and run
    the tests; it collects none (its "collected" comes from
    pytest_xdist_node_collection_finished)."""
    return config.pluginmanager.has_plugin("dsession")


def _state(config):
    return config._livegui


def _safe_name(nodeid):
    """A file name for `nodeid`: its safe characters, and, when any had to be
    replaced or cut, a stable hash of the whole id, so that test_c[a/b] and
    test_c[a:b] never share a file (as the batcher's own file names)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180] or "test"
    if name != nodeid:
        name += "-" + hashlib.sha256(nodeid.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return name


# A live_gui test whose set-up or body failed (its tear-down report decides aut_unhealthy).
_FAILED = pytest.StashKey[bool]()


def _record_aut_unhealthy(item, report):
    """After a live_gui test that failed, at its tear-down report: when
    livegui-aut finds the AUT dead or degraded — it broke during the test, or
    the test started on or hit an AUT an earlier test broke (respawn policy
    "never") — the failure is the AUT's. The user property aut_unhealthy (the
    diagnostic's first line) goes on the item and the tear-down report, so the
    event stream (a pytest-xdist controller too) and pytest's JUnit report
    carry it, and livegui-batch retries the test under retry "degraded". The
    test's note says it too."""
    if report.when in ("setup", "call"):
        if report.failed:
            item.stash[_FAILED] = True
        return
    if report.when != "teardown" or "live_gui" not in item.fixturenames:
        return
    if not (report.failed or item.stash.get(_FAILED, False)):
        return
    supervisor = _state(item.config).supervisor
    if supervisor is None:
        return
    try:
        # Probes the AUT now, after the test's tear-down (as GoogleTest's listener does at its end).
        reply = supervisor.request("diagnostic", REQUEST_BOUND_S)
    except SupervisorError:
        return
    text = (reply.get("text") or "") if reply.get("ok") else ""
    if not text.strip():
        return
    first_line = text.strip().splitlines()[0]
    item.user_properties.append((AUT_UNHEALTHY_PROPERTY, first_line))
    report.user_properties.append((AUT_UNHEALTHY_PROPERTY, first_line))
    # Said with the result, after its failure (GoogleTest's listener adds the same line).
    notes = _state(item.config).notes
    note = "the AUT was not healthy when this test failed: " + first_line
    notes[item.nodeid] = (notes.get(item.nodeid, "") + "; " + note).lstrip("; ")


def _end_forked_child(item, report):
    """A test (or fixture) forked, and the child returned into pytest instead
    of ending with os._exit(): it would run every later test a second time
    beside its parent, tear down the session's fixtures — stop the live_gui
    AUT the parent still uses — and, under livegui-batch, add its results to
    the run's and a second "finish". While the plugin has a stream or an AUT
    to protect, such a child ends here, at the report of the phase it forked
    in, with exit status 0 when that phase passed, 1 otherwise (what a parent
    waiting for it sees), saying so on its stderr."""
    recorder = _state(item.config)
    if os.getpid() == recorder.runner_pid or (recorder.events is None and recorder.supervisor is None):
        return
    message = ("livegui_pytest: process %d forked by %s returned into pytest instead of exiting (os._exit); "
               "ended it there so that it runs no later test and does not tear down the session's fixtures "
               "(runner pid %d)\n" % (os.getpid(), item.nodeid, recorder.runner_pid))
    try:
        os.write(2, message.encode("utf-8", "replace"))
    finally:
        os._exit(0 if report.passed else 1)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    _end_forked_child(item, report)
    _record_aut_unhealthy(item, report)
    client = item.funcargs.get("live_gui") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or client is None:
        return
    directory = os.environ.get("LIVEGUI_ARTIFACT_DIR") or _state(item.config).artifact_dir
    if not directory:
        return
    try:
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, _safe_name(item.nodeid) + ".png")
        client.screenshot(path)
    except SubprocessDegraded:
        report.sections.append(("livegui", "no failure screenshot: the AUT is degraded"))
        return
    except (HookError, OSError) as e:
        report.sections.append(("livegui", "no failure screenshot: %s" % str(e).splitlines()[0]))
        return
    # On the item: pytest's JUnit writer takes the properties of the teardown
    # report, which copies them from the item (this report's list is its own).
    item.user_properties.append(("screenshot", path))
    report.user_properties.append(("screenshot", path))
    report.sections.append(("livegui", "failure screenshot: %s" % path))


def _spec_path(config):
    spec = config.getoption("--livegui-aut-spec")
    if spec:
        return spec
    ini = config.getini("livegui_aut_spec")
    if ini:
        return os.path.join(str(config.inipath.parent), ini) if config.inipath else ini
    if os.environ.get("LIVEGUI_AUT_SPEC"):
        return None  # livegui-aut reads it
    raise pytest.UsageError("live_gui needs an AUT spec: --livegui-aut-spec FILE, the livegui_aut_spec ini "
                            "value, or $LIVEGUI_AUT_SPEC (set by livegui-batch for uses_aut entries)")


@pytest.fixture(scope="session")
def live_gui_supervisor(pytestconfig):
    """The session's livegui-aut (one AUT lineage for the whole pytest run)."""
    state = _state(pytestconfig)
    if state.supervisor is None:
        try:
            state.supervisor = AutSupervisor(_spec_path(pytestconfig), pytestconfig.getoption("--livegui-aut"))
        except SupervisorError as e:
            raise pytest.UsageError(str(e))
    yield state.supervisor


@pytest.fixture
def live_gui(request, live_gui_supervisor, tmp_path_factory):
    """A healthy AUT for this test (checked, and respawned per the respawn
    policy, before it starts) and a fail-fast client of its hook protocol."""
    sup = live_gui_supervisor
    nodeid = request.node.nodeid
    state = _state(request.config)
    if state.artifact_dir is None and not os.environ.get("LIVEGUI_ARTIFACT_DIR"):
        # pytest's own temporary directory (--basetemp, else
        # /tmp/pytest-of-<user>/pytest-<N>, the last 3 runs kept).
        state.artifact_dir = str(tmp_path_factory.getbasetemp() / "livegui-artifacts")
    try:
        ready = sup.request("ensure", ENSURE_BOUND_S, test=nodeid)
    except SupervisorError as e:
        pytest.fail("no AUT for this test: %s" % e, pytrace=False)
    if not ready.get("ok"):
        pytest.fail("no AUT for this test: %s" % ready.get("error"), pytrace=False)
    if ready.get("kind") in ("respawned", "fresh"):
        note = "fresh AUT: %s" % (ready.get("summary") or ready.get("reason"))
        state.notes[nodeid] = note
        request.node.user_properties.append(("livegui_fresh_aut", ready.get("reason", "")))
        request.node.add_report_section("setup", "livegui", note)

    def context(seen):
        # What the client saw replaces a second probe of the app: the reply
        # comes at once, and the stacks it names are written in the background.
        reply = sup.request("diagnostic", REQUEST_BOUND_S, seen=seen)
        ok = reply.get("ok")
        return {"test": nodeid, "diagnostic": reply.get("text", "") if ok else "",
                "left_stalled_by": reply.get("left_stalled_by", "") if ok else ""}

    client = LiveGuiClient(ready["port"], ready.get("token", ""), ready.get("heartbeat_threshold_ms", 1000) / 1000.0,
                           pid=ready.get("pid", 0), context=context)
    yield client
    try:
        # While the test is still current: a degraded AUT is recorded as left by this test.
        sup.request("check", REQUEST_BOUND_S)
        finished = sup.request("test_finished", REQUEST_BOUND_S, test=nodeid)
    except SupervisorError:
        return
    if finished.get("died"):
        note = "the AUT died during this test (%s)" % finished["died"]
        state.notes[nodeid] = (state.notes.get(nodeid, "") + "; " + note).lstrip("; ")
