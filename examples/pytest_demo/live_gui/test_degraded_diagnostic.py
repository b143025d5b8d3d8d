"""A wait on a hung app fails in about the heartbeat threshold, not in its 120 s timeout."""

import time


def test_hung_main_loop_fails_fast(live_gui):
    live_gui.fault("hang")
    started = time.monotonic()
    try:
        live_gui.wait_until(lambda c: c.value("counter") == 1000, timeout=120, what="counter reaches 1000")
    finally:
        print("[livegui-demo] hang → diagnostic in %.0f ms" % ((time.monotonic() - started) * 1000))


def test_next_test_gets_a_fresh_aut(live_gui):
    # The hung AUT was replaced before this test (see its "fresh AUT" note).
    live_gui.click("increment")
    assert live_gui.wait_until(lambda c: c.value("counter") >= 1, timeout=5, what="counter >= 1")
