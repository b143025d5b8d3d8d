"""Runs after test_extended_sims broke the AUT: the batcher warns, this passes on a fresh AUT."""


def test_full_workflow(live_gui):
    live_gui.set("name", "workflow")
    live_gui.click("new_project")
    live_gui.wait_until(lambda c: c.value("project") != "untitled", timeout=10, what="the project was created")
    assert live_gui.value("name") == "workflow"


def test_counter_starts_fresh(live_gui):
    live_gui.click("increment")
    assert live_gui.wait_until(lambda c: c.value("counter") >= 1, timeout=5, what="counter >= 1")
