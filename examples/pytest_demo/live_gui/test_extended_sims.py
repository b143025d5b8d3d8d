"""The file that breaks the AUT: an assertion in the app's main loop."""


def test_sim_basic(live_gui):
    live_gui.click("increment")
    assert live_gui.wait_until(lambda c: c.value("counter") >= 1, timeout=5, what="counter >= 1")


def test_execution_sim(live_gui):
    # The app's main loop asserts and stops; its hook thread keeps answering
    # and its executor is shut down. The wait fails fast with SubprocessDegraded.
    live_gui.fault("assert")
    live_gui.click("new_project")
    live_gui.wait_until(lambda c: c.value("project") != "untitled", timeout=120, what="the project was created")
