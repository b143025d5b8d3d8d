"""The plugin's own tests: inner pytest runs (pytester) with the plugin loaded.

Run by ctest as `python3 -m pytest tests/livegui_pytest` with PYTHONPATH=python/
and LIVEGUI_AUT_BIN set to the built livegui-aut (tests/CMakeLists.txt).
"""

import os
import pathlib

import pytest

pytest_plugins = ["pytester"]

REPO = pathlib.Path(__file__).resolve().parents[2]
HOOK_APP = REPO / "examples" / "python_app" / "hook_app.py"


@pytest.fixture
def aut_spec(tmp_path):
    """A spec for the Python example app, with its own state file."""
    if not os.environ.get("LIVEGUI_AUT_BIN"):
        pytest.fail("LIVEGUI_AUT_BIN is not set: run these tests through ctest, or point it at build/harness/livegui-aut")
    spec = tmp_path / "aut.toml"
    spec.write_text(
        "[aut]\n"
        'executable = "/usr/bin/python3"\n'
        'args = ["%s", "--enable-faults", "--job-ms", "50"]\n'
        'display = "none"\n'
        'term_grace = "1s"\n'
        'state_file = "%s"\n' % (HOOK_APP, tmp_path / "state" / "aut-state.json"))
    return spec


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes only once reaped; report it as alive.
    return True
