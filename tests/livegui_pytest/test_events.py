"""The event stream (docs/test-events.md) the plugin writes to LIVEGUI_EVENTS_FILE."""

import json


def read_events(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_outcome_is_one_end_event(pytester, tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_mix="""
        import pytest
        def test_pass(): pass
        def test_fail(): assert 1 == 2
        @pytest.mark.skip(reason="not here")
        def test_skip(): pass
        @pytest.mark.xfail(reason="known bug")
        def test_xfail(): assert 0
        @pytest.fixture
        def broken(): raise RuntimeError("no AUT")
        def test_error(broken): pass
        @pytest.mark.parametrize("x", ["a/b::c"])
        def test_param(x): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=2, failed=1, skipped=1, xfailed=1, errors=1)
    evs = read_events(events)
    ends = {e["test"]: e for e in evs if e["event"] == "end"}
    assert {k: v["outcome"] for k, v in ends.items()} == {
        "test_mix.py::test_pass": "passed",
        "test_mix.py::test_fail": "failed",
        "test_mix.py::test_skip": "skipped",
        "test_mix.py::test_xfail": "xfailed",
        "test_mix.py::test_error": "error",
        "test_mix.py::test_param[a/b::c]": "passed",
    }
    assert ends["test_mix.py::test_fail"]["message"] == "assert 1 == 2"
    assert "RuntimeError: no AUT" in ends["test_mix.py::test_error"]["message"]
    starts = [e["test"] for e in evs if e["event"] == "start"]
    assert starts == list(ends)  # each start precedes its end, in order
    assert evs[-1]["event"] == "finish"


def test_the_stream_names_the_test_a_killed_runner_was_in(pytester, tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_dies="""
        import os, signal
        def test_first(): pass
        def test_killed(): os.kill(os.getpid(), signal.SIGKILL)
        def test_never(): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == -9
    evs = read_events(events)
    assert [(e["event"], e.get("test")) for e in evs] == [
        ("start", "test_dies.py::test_first"), ("end", "test_dies.py::test_first"),
        ("start", "test_dies.py::test_killed")]
