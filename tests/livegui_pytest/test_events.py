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
    assert evs[0] == {"event": "collected", "tests": ["test_dies.py::test_first", "test_dies.py::test_killed",
                                                      "test_dies.py::test_never"], "unix_ms": evs[0]["unix_ms"]}
    assert [(e["event"], e.get("test")) for e in evs[1:]] == [
        ("start", "test_dies.py::test_first"), ("end", "test_dies.py::test_first"),
        ("start", "test_dies.py::test_killed")]


def test_under_the_batcher_an_ini_addopts_that_runs_no_test_is_refused_naming_the_file(pytester, tmp_path,
                                                                                      monkeypatch):
    # The batcher refuses --collect-only in a plan's argv and $PYTEST_ADDOPTS;
    # an ini file's addopts only pytest resolves, so the plugin refuses it.
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(tmp_path / "events.jsonl"))
    ini = pytester.makeini("[pytest]\naddopts = -q --co\n")
    pytester.makepyfile(test_x="def test_a(): pass\n")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == 4  # pytest's usage error, not 0 with nothing tested
    assert ("livegui_pytest: --co in the addopts of %s: pytest would only collect the tests, not run them" % ini
            in result.stderr.str())
    assert not (tmp_path / "events.jsonl").exists()


def test_each_option_that_runs_no_test_is_refused_where_it_was_given(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(tmp_path / "events.jsonl"))
    pytester.makepyfile(test_x="def test_a(): pass\n")
    cases = [("--setup-plan", "only show the fixtures and tests it would set up"),
             ("--setup-only", "only set up and tear down the fixtures"),
             ("--fixtures", "only list the fixtures"), ("--fixtures-per-test", "only list the fixtures"),
             ("--markers", "only list the markers")]
    for option, what in cases:
        result = pytester.runpytest_subprocess("-p", "livegui_pytest", option)
        assert result.ret == 4, option
        assert "livegui_pytest: %s in its command line: pytest would %s" % (option, what) in result.stderr.str()
    monkeypatch.setenv("PYTEST_ADDOPTS", "'--collect-only'")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == 4
    assert "livegui_pytest: --collect-only in $PYTEST_ADDOPTS" in result.stderr.str()


def test_outside_the_batcher_collect_only_works_as_pytest_s_own(pytester, monkeypatch):
    monkeypatch.delenv("LIVEGUI_EVENTS_FILE", raising=False)
    pytester.makeini("[pytest]\naddopts = --collect-only\n")
    pytester.makepyfile(test_x="def test_a(): pass\n")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*test_a*"])


def test_a_body_failure_and_a_teardown_error_are_both_in_the_end_event_body_first(pytester, tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_both="""
        import pytest
        @pytest.fixture
        def broken_teardown():
            yield 1
            raise RuntimeError("fixture tear-down exploded")
        def test_both(broken_teardown):
            assert 0, "body fails"
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(failed=1, errors=1)
    end = [e for e in read_events(events) if e["event"] == "end"][0]
    assert end["outcome"] == "failed"
    assert end["message"].startswith("AssertionError: body fails"), end["message"]
    assert "\nteardown failed: RuntimeError: fixture tear-down exploded" in end["message"], end["message"]


def test_the_end_event_says_in_which_phase_a_test_failed_or_errored(pytester, tmp_path, monkeypatch):
    # pytest calls a fixture that raises an error, not a failure: the stream's
    # "phase" says where, so livegui-batch can say "error in set-up" (issue 15).
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_phases="""
        import pytest
        @pytest.fixture
        def broken_setup():
            raise RuntimeError("set-up exploded")
        @pytest.fixture
        def broken_teardown():
            yield 1
            raise RuntimeError("tear-down exploded")
        def test_setup(broken_setup): pass
        def test_teardown(broken_teardown): pass
        def test_both(broken_teardown): assert 1 == 2
        def test_fails(): assert 1 == 2
        def test_passes(): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=2, failed=2, errors=3)  # pytest counts test_teardown as passed and errored
    ends = {e["test"]: e for e in read_events(events) if e["event"] == "end"}
    phases = {k.split("::")[1]: (v["outcome"], v.get("phase")) for k, v in ends.items()}
    assert phases == {"test_setup": ("error", "setup"), "test_teardown": ("error", "teardown"),
                      "test_both": ("failed", "call teardown"), "test_fails": ("failed", "call"),
                      "test_passes": ("passed", None)}
    # The phase is a field of its own: an error's message is its exception.
    assert ends["test_phases.py::test_setup"]["message"] == "RuntimeError: set-up exploded"
    assert ends["test_phases.py::test_teardown"]["message"] == "RuntimeError: tear-down exploded"


def test_a_set_up_error_without_a_traceback_keeps_its_whole_message(pytester, tmp_path, monkeypatch):
    # pytest.fail(pytrace=False) in a fixture (the live_gui fixture's "no AUT
    # for this test: …"): the message is its text, not its last line.
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_nofx="""
        import pytest
        @pytest.fixture
        def no_aut():
            pytest.fail("no AUT for this test: degraded during test_a\\nAUT log tail:\\n  | last line", pytrace=False)
        def test_b(no_aut): pass
    """)
    pytester.runpytest_subprocess("-p", "livegui_pytest")
    end = [e for e in read_events(events) if e["event"] == "end"][0]
    assert (end["outcome"], end["phase"]) == ("error", "setup")
    assert end["message"].startswith("no AUT for this test: degraded during test_a\n"), end["message"]


def test_a_file_that_cannot_be_collected_is_an_error_named_by_its_path(pytester, tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_syntax="def test_x(:\n    pass\n", test_import="import no_such_module_xyz\n")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "test_syntax.py", "test_import.py")
    assert result.ret == 2  # pytest's "Interrupted: 2 errors during collection"
    ends = {e["test"]: e for e in read_events(events) if e["event"] == "end"}
    assert {k: (v["outcome"], v["phase"]) for k, v in ends.items()} == {
        "test_syntax.py": ("error", "collect"), "test_import.py": ("error", "collect")}
    assert ends["test_syntax.py"]["message"] == "SyntaxError: invalid syntax"
    assert ends["test_import.py"]["message"] == "ModuleNotFoundError: No module named 'no_such_module_xyz'"


def test_the_collected_event_lists_the_tests_pytest_will_run_before_the_first_starts(pytester, tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_list="""
        def test_a(): pass
        def test_b(): pass
        def test_c(): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "--deselect", "test_list.py::test_b")
    result.assert_outcomes(passed=2)
    evs = read_events(events)
    assert evs[0]["event"] == "collected", evs[0]
    assert evs[0]["tests"] == ["test_list.py::test_a", "test_list.py::test_c"], "what will run, deselections out"
    assert [e["event"] for e in evs].count("collected") == 1


def test_a_forked_child_that_returns_into_pytest_adds_no_results_and_runs_no_later_test(pytester, tmp_path,
                                                                                         monkeypatch):
    # The child forgets os._exit() and returns from the test into pytest. Left
    # alone it would run test_after (and every later test) a second time beside
    # its parent, tear down the session's fixtures (the live_gui AUT) and write
    # a second "finish": the batcher would count its results as the run's.
    events = tmp_path / "events.jsonl"
    ran = tmp_path / "ran.txt"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_fork="""
        import os
        RAN = %r
        def test_forks():
            pid = os.fork()
            if pid == 0:
                return  # the child: no os._exit()
            _, status = os.waitpid(pid, 0)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        def test_after():
            with open(RAN, "a") as f:
                f.write("%%d\\n" %% os.getpid())
    """ % str(ran))
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=2)
    assert len(ran.read_text().splitlines()) == 1  # test_after ran once, in the runner
    evs = read_events(events)
    assert [(e["event"], e.get("test")) for e in evs[1:]] == [
        ("start", "test_fork.py::test_forks"), ("end", "test_fork.py::test_forks"),
        ("start", "test_fork.py::test_after"), ("end", "test_fork.py::test_after"), ("finish", None)]
    # The child says why it ended where it did.
    result.stderr.fnmatch_lines(["*livegui_pytest: process * forked by test_fork.py::test_forks returned into "
                                 "pytest*ended it there*"])


def test_under_real_xdist_the_controller_writes_collected_once_and_each_test_once(pytester, tmp_path, monkeypatch):
    # Debian's python3-pytest-xdist (tools/setup.sh installs it). The workers
    # collect and run; the controller writes the stream: "collected" once
    # (from the workers' collection, the controller collects nothing itself),
    # each test's start and end once, a crashed worker's test as failed.
    import xdist  # noqa: F401 -- a missing package fails here, by name
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    pytester.makepyfile(test_x="""
        import os, signal
        def test_a(): pass
        def test_b(): pass
        def test_c(): os.kill(os.getpid(), signal.SIGKILL)
        def test_d(): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest", "-n", "2")
    result.assert_outcomes(passed=3, failed=1)
    evs = read_events(events)
    ids = ["test_x.py::test_a", "test_x.py::test_b", "test_x.py::test_c", "test_x.py::test_d"]
    assert [e for e in evs if e["event"] == "collected"] == [
        {"event": "collected", "tests": ids, "unix_ms": evs[0]["unix_ms"]}]
    assert evs[0]["event"] == "collected"
    assert sorted(e["test"] for e in evs if e["event"] == "start") == ids
    ends = {e["test"]: e for e in evs if e["event"] == "end"}
    assert sorted(ends) == ids and len([e for e in evs if e["event"] == "end"]) == 4
    assert ends["test_x.py::test_c"]["outcome"] == "failed"
    assert "crashed while running 'test_x.py::test_c'" in ends["test_x.py::test_c"]["message"]
    assert evs[-1]["event"] == "finish"


def test_a_resume_deselects_exactly_the_ids_in_livegui_deselect_file(pytester, tmp_path, monkeypatch):
    # pytest's --deselect matches by prefix (t.py::test_a also drops
    # t.py::test_ab); the batcher's resume names the decided tests exactly.
    events = tmp_path / "events.jsonl"
    deselect = tmp_path / "deselect.json"
    deselect.write_text(json.dumps(["test_p.py::test_a", "test_p.py::test_kill"]))
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    monkeypatch.setenv("LIVEGUI_DESELECT_FILE", str(deselect))
    pytester.makepyfile(test_p="""
        def test_a(): pass
        def test_kill(): pass
        def test_ab(): pass
        def test_killer(): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=2, deselected=2)
    assert read_events(events)[0]["tests"] == ["test_p.py::test_ab", "test_p.py::test_killer"]
    deselect.write_text("{not json")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*livegui_pytest: LIVEGUI_DESELECT_FILE %s:*" % deselect])


def test_a_last_failed_run_keeps_exactly_the_ids_in_livegui_select_file(pytester, tmp_path, monkeypatch):
    # --last-failed names the failing node ids exactly: a parametrized id
    # with "[" and "::" inside, a class's test; a resume's deselection
    # applies on top.
    events = tmp_path / "events.jsonl"
    select = tmp_path / "select.json"
    select.write_text(json.dumps(["test_s.py::test_p[a::b[c]]", "test_s.py::TestK::test_m", "test_s.py::test_a"]))
    monkeypatch.setenv("LIVEGUI_EVENTS_FILE", str(events))
    monkeypatch.setenv("LIVEGUI_SELECT_FILE", str(select))
    pytester.makepyfile(test_s="""
        import pytest
        def test_a(): pass
        def test_ab(): pass
        @pytest.mark.parametrize('x', ['ok', 'a::b[c]'])
        def test_p(x): pass
        class TestK:
            def test_m(self): pass
            def test_n(self): pass
    """)
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=3, deselected=3)
    assert read_events(events)[0]["tests"] == [
        "test_s.py::test_a", "test_s.py::test_p[a::b[c]]", "test_s.py::TestK::test_m"]
    deselect = tmp_path / "deselect.json"
    deselect.write_text(json.dumps(["test_s.py::test_a"]))
    monkeypatch.setenv("LIVEGUI_DESELECT_FILE", str(deselect))
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    result.assert_outcomes(passed=2, deselected=4)
    select.write_text("[1]")
    result = pytester.runpytest_subprocess("-p", "livegui_pytest")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*livegui_pytest: LIVEGUI_SELECT_FILE %s:*" % select])
