"""The status corner on a clock not synchronised, in the real app (Xvfb): said while the bureau
cannot be reached to check it, gone once the clock is synchronised or the bureau has answered
(tests/screens/scenarios_survive.py)."""

from kiosk.i18n import t


def test_a_clock_not_synchronised_is_told_while_the_bureau_cannot_check_it(run_scenario):
    obs, _ = run_scenario("clock_unsynced")
    assert obs["finished"], obs.get("step")
    note = t("device.clock_unsynced")
    assert note not in obs["before"]  # no bureau has reported yet: nothing to say on the seniors' screen
    assert note in obs["down"]
    assert note not in obs["synchronised"] and note not in obs["answered"]
