# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2544 for one frame size, trial by trial, against a simulated device."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import ndr, rfc2544

SPEC = dict(
    low=1000,
    high=100000,
    resolution=1000,
    max_loss_ratio=0.0,
    latency_fraction=0.9,
    burst_low=10,
    burst_high=10000,
    burst_resolution=10,
)


def device(cap, queue):
    """Forwards CAP packets/s; a burst at full speed arrives whole up to QUEUE frames."""

    def loss(phase, target):
        if phase == "back_to_back":
            return 0.0 if target <= queue else (target - queue) / target
        return 0.0 if target <= cap else (target - cap) / target

    return loss


def run(spec, loss, limit=200):
    """The whole sequence against a device whose LOSS(phase, target) is the trial's loss ratio."""
    return run_with_status(spec, lambda phase, target: dict(loss_ratio=loss(phase, target)), limit)


def test_every_phase_in_order_and_what_it_found():
    trials = run(SPEC, device(cap=41234, queue=777))
    phases = [trial["phase"] for trial in trials]
    assert phases == sorted(phases, key=rfc2544.PHASES.index)
    found = rfc2544.findings(SPEC, trials, line_rate=148809)
    assert 41234 - 1000 <= found["throughput_pps"] <= 41234
    assert found["throughput_trials"] <= ndr.trial_bound(1000, 100000, 1000)
    assert found["latency"]["rate_pps"] == int(found["throughput_pps"] * 0.9)
    # 100 %, 90 %, ... of 100,000: lossless from 40 % (40,000 <= 41,234), stop after two lossless
    assert [point["rate_pps"] for point in found["frame_loss"]] == [
        100000,
        90000,
        80000,
        70000,
        60000,
        50000,
        40000,
        30000,
    ]
    assert found["frame_loss"][0]["loss_ratio"] == pytest.approx((100000 - 41234) / 100000)
    assert 777 - 10 <= found["back_to_back_frames"] <= 777
    assert found["of_line_rate"] == pytest.approx(found["throughput_pps"] / 148809)
    assert found["done"] is True


def test_a_resumed_size_goes_on_from_its_trials():
    trials = run(SPEC, device(cap=41234, queue=777))
    half = trials[:5]
    assert rfc2544.next_trial(SPEC, half) == {key: trials[5][key] for key in ("phase", "target")}


def test_no_latency_without_a_shared_clock_and_no_burst_search_when_off():
    spec = dict(SPEC, latency=False, burst_high=0)
    phases = set(trial["phase"] for trial in run(spec, device(cap=41234, queue=777)))
    assert phases == {"throughput", "frame_loss"}


def test_nothing_passes_is_reported_as_no_rate():
    spec = dict(SPEC, burst_high=0)
    trials = run(spec, device(cap=10, queue=777))
    found = rfc2544.findings(spec, trials)
    assert found["throughput_pps"] is None and found["latency"] is None
    assert len(found["frame_loss"]) == rfc2544.LOSS_STEPS  # never two lossless in a row


@pytest.mark.parametrize(
    "change, words",
    [
        (
            dict(low=0),
            "rfc2544_min_rate, rfc2544_max_rate, rfc2544_resolution: the search needs 0 < low < high",
        ),
        (dict(max_loss_ratio=1.5), "rfc2544_max_loss_ratio: 1.5"),
        (dict(latency_fraction=2), "rfc2544_latency_fraction: 2"),
        (dict(burst_low=20000), "rfc2544_burst_min, rfc2544_burst_max"),
    ],
)
def test_bad_settings_are_named(change, words):
    with pytest.raises(rfc2544.Rfc2544Error, match=words.replace("(", r"\(")):
        rfc2544.check(dict(SPEC, **change))


def test_line_rate():
    assert rfc2544.line_rate_pps(10000, 60) == 14880952  # 10 Gb/s, 64-byte frames
    assert rfc2544.line_rate_pps(None, 60) is None


def test_a_plan_per_frame_size_from_the_knobs():
    specs = rfc2544.plan([64, 1518], dict(min_rate=10000, max_rate=None, resolution=0.01, burst_max=0), 10000)
    assert [spec["pkt_size"] for spec in specs] == [60, 1514]
    assert [spec["high"] for spec in specs] == [14880952, 812743]  # line rate of 10 Gb/s
    assert specs[0]["low"] == 10000 and specs[0]["resolution"] == 148809
    assert specs[0]["limit"] == 2 * ndr.trial_bound(10000, 14880952, 148809) + 1 + rfc2544.LOSS_STEPS


@pytest.mark.parametrize(
    "sizes, knobs, speed, words",
    [
        ([60], {}, 10000, "rfc2544_frame_sizes: 60 is not a frame size of 64 bytes or more"),
        ([64], dict(max_rate=None), None, "rfc2544_max_rate: the sending NIC reports no speed"),
        ([64], dict(max_rate=50000, min_rate=60000), None, "the search needs 0 < low < high"),
        ([64], dict(max_rate=50000, resolution=2), None, "rfc2544_resolution: 2 is not a number"),
        ([], dict(max_rate=50000), None, "give at least one frame size"),
    ],
)
def test_bad_knobs_are_named(sizes, knobs, speed, words):
    with pytest.raises(rfc2544.Rfc2544Error, match=words):
        rfc2544.plan(sizes, knobs, speed)


def test_a_device_faster_than_the_top_says_so():
    trials = run(SPEC, device(cap=500000, queue=777))
    found = rfc2544.findings(SPEC, trials)
    assert found["throughput_pps"] >= 100000 - 1000 and found["max_rate_passed"] is True
    assert rfc2544.findings(SPEC, run(SPEC, device(cap=41234, queue=777)))["max_rate_passed"] is False


def limited_device(cap, generator, queue=777):
    """DEVICE(cap, queue) sent by a generator that offers at most GENERATOR packets/s: above, the trial's
    point is generator_limited."""
    plain = device(cap, queue)

    def trial(phase, target):
        if phase != "back_to_back" and target > generator:
            return dict(loss_ratio=0.0, status="generator_limited")
        loss = plain(phase, target)
        return dict(loss_ratio=loss, status="passed" if loss == 0 else "loss")

    return trial


def run_with_status(spec, trial_of, limit=200):
    trials = []
    while len(trials) < limit:
        trial = rfc2544.next_trial(spec, trials)
        if trial is None:
            return trials
        trials.append(dict(trial, **trial_of(trial["phase"], trial["target"])))
    raise AssertionError("no end after %d trials" % limit)


def test_generator_limited_trials_neither_pass_nor_fail_and_the_findings_say_so():
    spec = dict(SPEC, burst_high=0)
    trials = run_with_status(spec, limited_device(cap=80000, generator=30000))
    throughput = [(t["target"], t["status"]) for t in trials if t["phase"] == "throughput"]
    # Bisection of [1000, 100000]: 50500 and 25750 ... every rate above 30,000 comes back generator_limited.
    assert throughput[0] == (50500, "generator_limited") and throughput[1] == (25750, "passed")
    found = rfc2544.findings(spec, trials)
    assert found["throughput_pps"] <= 30000 and found["generator_limited_pps"] > 30000
    assert found["generator_limited_pps"] - found["throughput_pps"] <= spec["resolution"]
    # The top of the frame loss curve was generator_limited too: whether it passes is unknown.
    assert found["max_rate_passed"] is None and found["frame_loss"][0]["status"] == "generator_limited"
    # A generator-limited trial is not lossless: the frame loss steps go on to two lossless trials.
    losses = [(point["rate_pps"], point["status"]) for point in found["frame_loss"]]
    assert losses[-2:] == [(30000, "passed"), (20000, "passed")]
    assert all(status == "generator_limited" for _rate, status in losses[:-2])


def test_an_excess_trial_fails_the_search():
    trials = [dict(phase="throughput", target=50500, loss_ratio=0.0, status="excess")]
    assert rfc2544.next_trial(dict(SPEC), trials) == dict(phase="throughput", target=25750)


def test_trials_of_keep_each_points_status():
    points = [dict(params=dict(phase="throughput", target=50500, pkt_size=60), loss_ratio=0.0,
                   status="generator_limited")]  # fmt: skip
    assert rfc2544.trials_of(points, 60)[0]["status"] == "generator_limited"


@pytest.mark.parametrize("seconds", [0, -5, "1.5", "long"])
def test_a_trial_duration_that_cannot_send_is_refused(seconds):
    with pytest.raises(
        rfc2544.Rfc2544Error, match="rfc2544_trial_duration: .* is not a whole number of seconds"
    ):
        rfc2544.plan([64], dict(min_rate=1000, max_rate=60000, trial_duration=seconds))
