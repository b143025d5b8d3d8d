"""The live test-event stream (docs/test-events.md), written to LIVEGUI_EVENTS_FILE.

One JSON object per line, flushed at once, so the stream survives the
runner's death: {"event":"collected","tests":[id, …]} (once, optional),
{"event":"start","test":id}, {"event":"end","test":id, "outcome":…,
"phase":…, "duration_ms":…, "message":…, "note":…, "aut_unhealthy":…}, {"event":"finish"}.
"""

import json
import os
import time

MAX_TEXT = 4000


def _bounded(text):
    text = text or ""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


class EventStream:
    """Appends events to `path`; every write is flushed and fsync-free (a
    kernel buffer survives the process's death)."""

    def __init__(self, path):
        self._file = open(path, "a", encoding="utf-8")
        self._pid = os.getpid()

    def _write(self, obj):
        if os.getpid() != self._pid:
            return  # a process a test forked: the stream is its runner's alone
        obj["unix_ms"] = int(time.time() * 1000)
        self._file.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._file.flush()

    def collected(self, tests):
        """The tests the runner will run, in order (after deselection): the
        batcher reports the ones never reached as not run."""
        self._write({"event": "collected", "tests": list(tests)})

    def start(self, test):
        self._write({"event": "start", "test": test})

    def end(self, test, outcome, duration_s, message="", note="", aut_unhealthy="", phases=()):
        """`aut_unhealthy`: the first line of the degraded diagnostic when the
        test failed on a dead or degraded AUT ("" = healthy, or not known).
        `phases`: the phases that failed, in order ("setup", "call",
        "teardown"; "collect" for a file that could not be collected)."""
        event = {"event": "end", "test": test, "outcome": outcome, "duration_ms": int(duration_s * 1000)}
        if phases:
            event["phase"] = " ".join(phases)
        if message:
            event["message"] = _bounded(message)
        if note:
            event["note"] = _bounded(note)
        if aut_unhealthy:
            event["aut_unhealthy"] = _bounded(aut_unhealthy)
        self._write(event)

    def finish(self):
        self._write({"event": "finish"})
        self._file.close()


def open_from_environment():
    path = os.environ.get("LIVEGUI_EVENTS_FILE")
    return EventStream(path) if path else None


def _short_message(report):
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return crash.message
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:  # a skip: (file, line, reason)
        return str(report.longrepr[2])
    text = getattr(report, "longreprtext", "") or ""
    return text.strip().splitlines()[-1] if text.strip() else ""


# The user property the plugin gives a failed live_gui test whose AUT was dead
# or degraded when it failed (GoogleTest's is the same: common/test_report_facts.hpp).
AUT_UNHEALTHY_PROPERTY = "aut_unhealthy"


def _error_message(report):
    """An error's message as pytest's JUnit report takes it: the exception's
    message, else the whole text (pytest.fail(pytrace=False) in a fixture:
    "no AUT for this test: …" over several lines, not its last line)."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return crash.message
    return str(report.longrepr or "").strip() or _short_message(report)


def collection_error_message(report):
    """The exception of a file pytest could not collect: the last "E   " line
    of its text ("SyntaxError: invalid syntax", "ModuleNotFoundError: …")."""
    text = getattr(report, "longreprtext", "") or str(getattr(report, "longrepr", "") or "")
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("E "):
            return line[1:].strip()
    return lines[-1].strip() if lines else "collection failure"


class TestOutcome:
    """Folds a test's setup/call/teardown reports into the stream's one outcome."""

    def __init__(self):
        self.outcome = "passed"
        self.message = ""
        self.duration = 0.0
        self.aut_unhealthy = ""
        self.phases = []  # the phases that failed, in order (the stream's "phase")

    def add(self, report):
        self.duration += getattr(report, "duration", 0.0)
        if report.failed:
            self.phases.append(report.when)
        for name, value in getattr(report, "user_properties", ()):
            if name == AUT_UNHEALTHY_PROPERTY and value:
                self.aut_unhealthy = str(value)
        wasxfail = hasattr(report, "wasxfail")
        if report.when == "call":
            if report.skipped and wasxfail:
                self.outcome, self.message = "xfailed", report.wasxfail or _short_message(report)
            elif report.passed and wasxfail:
                self.outcome = "xpassed"
            elif report.failed:
                self.outcome, self.message = "failed", _short_message(report)
            elif report.skipped:
                self.outcome, self.message = "skipped", _short_message(report)
        elif report.failed and self.outcome not in ("failed", "error"):
            # pytest's error (not an assertion): where it was is the "phase".
            self.outcome, self.message = "error", _error_message(report)
        elif report.failed:
            # A body that failed and a tear-down that failed too: keep both, the body's first.
            self.message += "\n%s failed: %s" % (report.when, _short_message(report))
        elif report.skipped and report.when == "setup":
            if wasxfail:
                self.outcome, self.message = "xfailed", report.wasxfail
            else:
                self.outcome, self.message = "skipped", _short_message(report)
