# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A measurement point from what pktgen sent and the receiver counted, on outputs recorded in the lab."""

from fractions import Fraction

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.plugins.module_utils.point import (
    PointError,
    check_min_offered_ratio,
    check_settle,
    time_stats,
    traffic_point,
)
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def run(name, device):
    """A pktgen_run result as the module returns it, from a device file recorded on 6.1."""
    text = fixture(name)
    return dict(results={device: dict(pktgen.parse_result(text), current=pktgen.parse_current(text))})


def info(name):
    """A pktgen_rx_info result as the module returns it, from the receiver's output recorded on 6.12."""
    return dict(receiver=pgrx.parse(fixture(name)))


def test_one_sender_one_receiver():
    # 10,000 sent from 198.18.0.1 (6.1 run); the two-sender receiver output counted 20,000 from it.
    point = traffic_point(
        {"lab-tx": run("pktgen-6.1-veth-run.txt", "veth0")},
        {"lab-rx": info("pgrx-6.12-two-senders-time-script.txt")},
        {"rate": "10kpps"},
    )
    (pair,) = point["pairs"]
    assert (
        pair["address"] == "198.18.0.1"
        and pair["generators"] == ["lab-tx"]
        and pair["receivers"] == ["lab-rx"]
    )
    assert (pair["sent"], pair["received"], pair["lost"], pair["excess"]) == (10000, 20000, 0, 10000)
    # More received than sent is never a pass: the receiver counted 10,000 this point did not send.
    assert point["params"] == {"rate": "10kpps"} and point["passed"] is False and point["status"] == "excess"
    assert pair["causes"] == [
        "10000 more: pktgen traffic from 198.18.0.1 that this point did not send (another pktgen, or an "
        "earlier run still arriving; traffic_test_settle)"
    ]
    assert point["senders"][0]["pps"] == 43788 and point["receivers"][0]["packets"] == 40000
    # 198.18.0.11 sent nothing in this point: foreign, left out of what the point received.
    assert point["foreign"] == [dict(address="198.18.0.11", receivers=["lab-rx"], received=20000)]
    assert point["received"] == 20000


def test_a_sender_nobody_counted_is_all_loss():
    point = traffic_point({"lab-tx": run("pktgen-6.1-nic-run.txt", "nic0")}, {"lab-rx": dict(receiver={})})
    (pair,) = point["pairs"]
    assert pair["receivers"] == [] and pair["lost"] == pair["sent"] == 16000 and pair["loss_ratio"] == 1.0
    assert point["passed"] is False


@pytest.mark.parametrize(
    "sent, received, words",
    [
        ({"lab-tx": dict(skipped=True)}, {}, "generator lab-tx has no pktgen_run result"),
        ({}, {"lab-rx": None}, "receiver lab-rx has no pktgen_rx_info result"),
    ],
)
def test_missing_results_are_named(sent, received, words):
    with pytest.raises(PointError, match=words):
        traffic_point(sent, received)


def test_time_stats_merge_the_cpus_of_one_receiver():
    # 6.12, two senders, one per CPU: CPU 0 inter-arrival avg 3740 min 3475 max 258790 over 19,999
    # samples, CPU 1 avg 3870 min 3455 max 275936 over 19,999; G line percentiles 3520 3648 4736 62464.
    point = traffic_point(
        {"lab-tx": run("pktgen-6.1-veth-run.txt", "veth0")},
        {"lab-rx": info("pgrx-6.12-two-senders-time-script.txt")},
    )
    ia = point["time"]["interarrival"]
    assert (ia["samples"], ia["min_ns"], ia["max_ns"], ia["avg_ns"]) == (39998, 3455, 275936, 3805)
    assert ia["percentiles"] == {"p50": 3520, "p90": 3648, "p99": 4736, "p99.9": 62464}
    assert point["time"]["latency"]["samples"] == 40000
    assert point["time"]["latency"]["percentiles"] == {"p50": 2112, "p90": 2496, "p99": 2624, "p99.9": 28160}
    assert "percentiles" not in point["time"]["jitter"]
    assert point["receivers"][0]["time"] == point["time"]


def test_time_stats_of_one_receiver_are_its_exact_series_over_all_cpus():
    # 6.1, the receiver with exact statistics: its G line gives inter-arrival over all CPUs as
    # avg 130841 var 164300649735361 max 1855084810 min 6830 samples 20948.
    stats = time_stats([pgrx.parse(fixture("pgrx-6.1-future-time-script.txt"))])
    ia = stats["interarrival"]
    assert ia["exact"] is True
    assert (ia["samples"], ia["avg_ns"], ia["var_ns2"], ia["max_ns"], ia["min_ns"]) == (
        20948,
        130841,
        164300649735361,
        1855084810,
        6830,
    )
    assert stats["latency"]["samples"] == 20793 and stats["latency"]["var_ns2"] == 709558996282078238630405


def test_time_stats_of_a_receiver_without_the_exact_series_are_weighted_and_say_so():
    stats = time_stats([pgrx.parse(fixture("pgrx-6.12-two-senders-time-script.txt"))])
    assert stats["interarrival"]["exact"] is False and "var_ns2" not in stats["interarrival"]


def test_time_stats_of_two_receivers_keep_no_percentiles():
    receiver = pgrx.parse(fixture("pgrx-6.12-two-senders-time-script.txt"))
    both = time_stats([receiver, receiver])
    assert both["latency"]["samples"] == 80000 and "percentiles" not in both["latency"]


def test_basic_level_has_no_time_stats():
    assert time_stats([pgrx.parse(fixture("pgrx-6.1-basic-script.txt"))]) == {}


# ---------------------------------------------------------------------------------------------------------
# Decisions, on results in the shape pktgen_run and pktgen_rx_info return, with hand-computed figures.


def device(packets, elapsed_us, address="198.19.128.1", errors=0):
    """A pktgen_run device result: PACKETS sent in ELAPSED_US (its Result: line), from ADDRESS."""
    pps = packets * 10**6 // elapsed_us if elapsed_us else 0
    return dict(
        packets=packets, elapsed_us=elapsed_us, pps=pps, bps=pps * 480, errors=errors,
        current=dict(cur_saddr=address),
    )  # fmt: skip


def generator(**devices):
    return dict(results=devices)


def receiver(senders, untracked=0):
    """A pktgen_rx_info result: per source address (received, lost, duplicated) and the untracked count."""
    total = sum(got for got, _lost, _dup in senders.values()) + untracked
    return dict(
        receiver=dict(
            total=dict(packets=total, bytes=total * 60, work_us=10**6, pps=total, mbps=0, bps=total * 480),
            cpus={0: dict(packets=total)},
            senders=dict(
                (
                    address,
                    dict(received=got, lost=lost, reordered=0, duplicated=dup, first_seq=1, last_seq=got),
                )
                for address, (got, lost, dup) in senders.items()
            ),
            untracked=untracked,
        )
    )


A, B, C = "198.19.128.1", "198.19.128.2", "198.19.129.1"

LOAD_CASES = [
    # The point: 0.5 Gbit/s of 60-byte frames asks 5*10^8 / 480 = 3125000/3 pps of one device;
    # pktgen sent 98,000 in 2 s (49 kpps): offered/intended = 49000 * 3 / 3125000 = 0.04704.
    ("0.5 Gbit, 49 kpps sent", Fraction(3125000, 3), [device(98000, 2 * 10**6)], 0.99,
     Fraction(3125000, 3), Fraction(49000), Fraction(147000, 3125000), "generator_limited"),
    # Exactly the threshold is enough: 9,900 in 1 s of 10,000 asked.
    ("at the ratio", Fraction(10000), [device(9900, 10**6)], 0.99,
     Fraction(10000), Fraction(9900), Fraction(99, 100), "passed"),
    ("one packet short", Fraction(10000), [device(9899, 10**6)], 0.99,
     Fraction(10000), Fraction(9899), Fraction(9899, 10000), "generator_limited"),
    # Two devices: intended 2 x 10,000; offered 10,000 + 7,000 (7,000 in 1 s).
    ("two devices", Fraction(10000), [device(10000, 10**6, A), device(7000, 10**6, B)], 0.99,
     Fraction(20000), Fraction(17000), Fraction(17, 20), "generator_limited"),
    ("two devices, a lower ratio", Fraction(10000), [device(10000, 10**6, A), device(7000, 10**6, B)], 0.8,
     Fraction(20000), Fraction(17000), Fraction(17, 20), "passed"),
    # Full speed (no rate): nothing was intended, so nothing limits the point.
    ("full speed", None, [device(150000, 10**6)], 0.99, None, Fraction(150000), None, "passed"),
    # Offered over the Result: line's microseconds: 10,000 in 228,369 us (43,788.8 pps): of 43,000 asked
    # 10^10 / (228369 * 43000) passes, of 50,000 asked 10^10 / (228369 * 50000) = 0.8758 does not.
    ("the recorded run", Fraction(43000), [device(10000, 228369)], 0.99,
     Fraction(43000), Fraction(10**10, 228369), Fraction(10**10, 228369 * 43000), "passed"),
    ("the recorded run, asked more", Fraction(50000), [device(10000, 228369)], 0.99,
     Fraction(50000), Fraction(10**10, 228369), Fraction(10**10, 228369 * 50000), "generator_limited"),
]  # fmt: skip


@pytest.mark.parametrize("case", [case[1:] for case in LOAD_CASES], ids=[case[0] for case in LOAD_CASES])
def test_intended_and_offered_load(case):
    intended_pps, devices, ratio, intended, offered, offered_ratio, status = case
    sent = {"gen": generator(**dict(("dev%d" % n, dev) for n, dev in enumerate(devices)))}
    counted = receiver(dict((dev["current"]["cur_saddr"], (dev["packets"], 0, 0)) for dev in devices))
    point = traffic_point(sent, {"rx": counted}, intended_pps=intended_pps, min_offered_ratio=ratio)
    assert point["intended_pps"] == (None if intended is None else float(intended))
    assert point["offered_pps"] == int(offered)
    assert point["offered_ratio"] == (None if offered_ratio is None else float(offered_ratio))
    assert point["status"] == status and point["generator_limited"] is (status == "generator_limited")
    # Nothing was lost in any case: a generator-limited point still is no pass.
    assert point["lost"] == 0 and point["passed"] is (status == "passed")


def test_a_generator_limited_point_with_loss_is_still_generator_limited():
    sent = {"gen": generator(dev=device(49000, 10**6))}
    point = traffic_point(sent, {"rx": receiver({A: (40000, 9000, 0)})}, intended_pps=Fraction(10**6))
    assert point["status"] == "generator_limited" and point["lost"] == 9000 and not point["passed"]


@pytest.mark.parametrize("value", [0, -0.5, 1.01, "x", None])
def test_min_offered_ratio_outside_0_1_is_refused(value):
    with pytest.raises(
        PointError, match=r"traffic_test_min_offered_ratio: .* is not a ratio above 0 and at most 1"
    ):
        check_min_offered_ratio(value)


@pytest.mark.parametrize("value, expected", [(1, 1.0), ("0.5", 0.5), (1e-9, 1e-9)])
def test_min_offered_ratio_inside_is_taken(value, expected):
    assert check_min_offered_ratio(value) == expected


@pytest.mark.parametrize("value", [-1, "-1", "1.5", "soon", None])
def test_a_negative_or_broken_settle_is_refused(value):
    with pytest.raises(
        PointError, match=r"traffic_test_settle: .* is not a whole number of seconds, 0 or more"
    ):
        check_settle(value)


@pytest.mark.parametrize("value, expected", [(0, 0), ("2", 2), (1, 1)])
def test_settle_is_whole_seconds(value, expected):
    assert check_settle(value) == expected


def test_settle_and_pktgen_errors_are_recorded():
    sent = {"gen": generator(dev0=device(1000, 10**6, A, errors=3), dev1=device(1000, 10**6, B, errors=4))}
    point = traffic_point(sent, {"rx": receiver({A: (1000, 0, 0), B: (1000, 0, 0)})}, settle_s=2)
    assert point["settle_s"] == 2 and point["errors"] == 7
    assert [sender["errors"] for sender in point["senders"]] == [3, 4]


EXCESS_CASES = [
    # sent, received, duplicated -> excess, causes
    ("duplicates only", 1000, 1002, 2, 2, ["2 duplicated"]),
    ("duplicates and foreign", 1000, 1003, 2, 3, ["2 duplicated", "1 more: pktgen traffic from"]),
    ("foreign only", 1000, 1500, 0, 500, ["500 more: pktgen traffic from"]),
    # Duplicates with as many losses: no excess, the counts balance (the sequence analysis still says).
    ("duplicates balanced by loss", 1000, 1000, 5, 0, []),
]


@pytest.mark.parametrize(
    "sent_count, got, dups, excess, causes", [c[1:] for c in EXCESS_CASES], ids=[c[0] for c in EXCESS_CASES]
)
def test_received_above_sent_is_excess_never_a_pass(sent_count, got, dups, excess, causes):
    point = traffic_point(
        {"gen": generator(dev=device(sent_count, 10**6))},
        {"rx": receiver({A: (got, 0, dups)})},
        max_loss_ratio=1.0,
    )
    (pair,) = point["pairs"]
    assert (pair["excess"], pair["lost"], pair["duplicated"]) == (excess, 0, dups)
    assert len(pair["causes"]) == len(causes)
    assert all(cause.startswith(start) for cause, start in zip(pair["causes"], causes))
    assert point["excess"] == excess and point["status"] == ("excess" if excess else "passed")
    assert point["passed"] is (not excess)


UNTRACKED_CASES = [
    # senders {address: sent}, receiver's table {address: received}, untracked
    # -> per pair (received, untracked), unattributed group (addresses, untracked, lost) or None, status
    ("the one sender missing from the table", {A: 1000, B: 1000}, {A: 1000}, 1000,
     {A: (1000, 0), B: (1000, 1000)}, None, "passed"),
    ("one sender, table overflowed on a CPU", {A: 1000}, {A: 600}, 400, {A: (1000, 400)}, None, "passed"),
    ("one sender missing, some of it lost", {A: 1000, B: 1000}, {A: 1000}, 990,
     {A: (1000, 0), B: (990, 990)}, None, "loss"),
    # Two senders missing: which one the untracked packets were is not known; judged together.
    ("two senders missing", {A: 1000, B: 1000, C: 1000}, {A: 1000}, 2000,
     {A: (1000, 0), B: (0, 0), C: (0, 0)}, ([B, C], 2000, 0), "passed"),
    ("two senders missing, 10 lost between them", {A: 1000, B: 1000, C: 1000}, {A: 1000}, 1990,
     {A: (1000, 0), B: (0, 0), C: (0, 0)}, ([B, C], 1990, 10), "loss"),
    ("nothing untracked", {A: 1000}, {A: 1000}, 0, {A: (1000, 0)}, None, "passed"),
]  # fmt: skip


@pytest.mark.parametrize("case", [c[1:] for c in UNTRACKED_CASES], ids=[c[0] for c in UNTRACKED_CASES])
def test_untracked_packets_count_into_the_point_and_the_pair_they_belong_to(case):
    senders, table, untracked, pairs, group, status = case
    devices = [device(count, 10**6, address) for address, count in sorted(senders.items())]
    sent = {"gen": generator(**dict(("dev%d" % n, dev) for n, dev in enumerate(devices)))}
    counted = receiver(dict((address, (got, 0, 0)) for address, got in table.items()), untracked)
    point = traffic_point(sent, {"rx": counted})
    assert dict((p["address"], (p["received"], p["untracked"])) for p in point["pairs"]) == pairs
    assert point["untracked"] == untracked
    assert point["received"] == sum(table.values()) + untracked  # every packet counted into the point
    assert point["lost"] == sum(senders.values()) - sum(table.values()) - untracked
    found = point["untracked_unattributed"]
    assert (None if found is None else (found["addresses"], found["untracked"], found["lost"])) == group
    assert point["status"] == status
