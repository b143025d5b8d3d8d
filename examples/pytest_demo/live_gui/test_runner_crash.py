"""pytest itself dies mid-file: the batcher blames the running test and resumes the rest."""

import os
import signal


def test_before_the_crash(live_gui):
    assert live_gui.value("counter") >= 0


def test_kills_pytest(live_gui):
    os.kill(os.getpid(), signal.SIGKILL)


def test_after_the_crash(live_gui):
    live_gui.click("increment")
    assert live_gui.wait_until(lambda c: c.value("counter") >= 1, timeout=5, what="counter >= 1")
