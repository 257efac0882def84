# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A measurement point from what pktgen sent and the receiver counted, on outputs recorded in the lab."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.plugins.module_utils.point import PointError, time_stats, traffic_point
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


def test_time_stats_of_two_receivers_keep_no_percentiles():
    receiver = pgrx.parse(fixture("pgrx-6.12-two-senders-time-script.txt"))
    both = time_stats([receiver, receiver])
    assert both["latency"]["samples"] == 80000 and "percentiles" not in both["latency"]


def test_basic_level_has_no_time_stats():
    assert time_stats([pgrx.parse(fixture("pgrx-6.1-basic-script.txt"))]) == {}
