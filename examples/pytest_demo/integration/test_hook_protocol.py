"""Driving the app through the hook protocol (live_gui fixture)."""


def test_set_and_read_back(live_gui):
    live_gui.set("name", "pytest")
    assert live_gui.value("name") == "pytest"


def test_click_increments(live_gui):
    before = live_gui.value("counter")
    live_gui.click("increment")
    assert live_gui.wait_until(lambda c: c.value("counter") == before + 1, timeout=5, what="counter advanced")


def test_io_job_finishes(live_gui):
    live_gui.click("new_project")
    live_gui.wait_until(lambda c: c.value("project") != "untitled", timeout=10, what="the project was created")
