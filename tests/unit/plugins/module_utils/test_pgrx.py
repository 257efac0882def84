# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receiver output parsing, against pktgen_rx output recorded on Debian 12's 6.1 kernel."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

TOTALS = [
    ("pgrx-6.1-counter-human.txt", dict(packets=20000, bytes=1200000, work_us=0, pps=0, mbps=0, bps=0)),
    ("pgrx-6.1-counter-script.txt", dict(packets=20000, bytes=1200000, work_us=0, pps=0, mbps=0, bps=0)),
    (
        "pgrx-6.1-basic-human.txt",
        dict(packets=20000, bytes=1200000, work_us=158527, pps=126161, mbps=60, bps=60557507),
    ),
    (
        "pgrx-6.1-basic-script.txt",
        dict(packets=20000, bytes=1200000, work_us=181793, pps=110015, mbps=52, bps=52807313),
    ),
]


@pytest.mark.parametrize("name, total", TOTALS)
def test_counter_and_basic_in_both_layouts(name, total):
    out = pgrx.parse(fixture(name))
    display = name.split("-")[-1][: -len(".txt")]
    assert out["enabled"] is True
    assert out["display"] == display
    assert out["result"] == "OK: display %s" % display
    assert out["total"] == total
    assert out["cpus"] == {0: total}  # one CPU: its line equals the total


@pytest.mark.parametrize("name", ["pgrx-6.1-time-human.txt", "pgrx-6.1-time-script.txt"])
def test_time_level_series(name):
    out = pgrx.parse(fixture(name))
    cpu = out["cpus"][0]
    assert out["total"]["packets"] == cpu["packets"] == 20000
    assert cpu["interarrival"]["samples"] == 19999
    assert cpu["jitter"]["samples"] == 19999
    assert cpu["latency"]["samples"] == 20000
    for series in pgrx.SERIES:
        stats = cpu[series]
        assert set(stats) == set(pgrx.SERIES_FIELDS)
        assert stats["min_ns"] <= stats["avg_ns"] <= stats["max_ns"]
    # mean inter-arrival is (last - first) / (n - 1): work time in us, within its rounding
    work_ns = cpu["work_us"] * 1000
    assert abs(cpu["interarrival"]["avg_ns"] * 19999 - work_ns) <= 1000 + 19999


def test_both_layouts_of_one_run_agree():
    human = pgrx.parse(fixture("pgrx-6.1-nic-time-human.txt"))
    script = pgrx.parse(fixture("pgrx-6.1-nic-time-script.txt"))
    for out in (human, script):
        assert sorted(out["cpus"]) == [0, 1]
        assert sum(cpu["packets"] for cpu in out["cpus"].values()) == out["total"]["packets"] == 16000
        assert out["total"]["bytes"] == 16000 * 60
    assert script["cpus"][0]["latency"] == dict(
        avg_ns=518769, var_ns2=919916754218, max_ns=8192570, min_ns=57970, samples=10668
    )


def test_disabled():
    out = pgrx.parse(fixture("pgrx-6.1-disabled.txt"))
    assert out["enabled"] is False
    assert out["result"] == "OK: rx_disable"


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "printed no statistics"),
        ("Result: OK: ready\n", "printed no statistics"),
        ("0 1 60 0 0 0 0\nResult: OK\n", "no G line"),
        ("x 1 2 3\nG 1 60 0 0 0 0\n", "unexpected line"),
        ("\t\tRECEPTION STATISTICS\nCPU 0:\tRx packets: 1\t Rx bytes: 60\n", "no Global Statistics"),
    ],
)
def test_parse_refuses_what_it_cannot_read(text, words):
    with pytest.raises(pgrx.PgrxError, match=words):
        pgrx.parse(text)


def test_appended_fields_are_ignored():
    out = pgrx.parse("0 1 60 0 0 0 0\nG 1 60 0 0 0 0 99 98\n")
    assert out["total"]["packets"] == 1 and len(out["total"]) == 6
    assert out["percentiles"] == {}


TWO_SENDERS = dict(received=20000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=20000)


@pytest.mark.parametrize("layout", ["human", "script"])
def test_percentiles_and_senders_of_one_run_in_both_layouts(layout):
    out = pgrx.parse(fixture("pgrx-6.12-two-senders-time-%s.txt" % layout))
    assert out["display"] == layout
    assert out["total"]["packets"] == 40000
    assert out["percentiles"] == {
        "interarrival": {"p50": 3520, "p90": 3648, "p99": 4736, "p99.9": 62464},
        "latency": {"p50": 2112, "p90": 2496, "p99": 2624, "p99.9": 28160},
    }
    assert out["senders"] == {"198.18.0.1": TWO_SENDERS, "198.18.0.11": TWO_SENDERS}
    assert out["untracked"] == 0
    assert out["cpus"][1]["latency"] == dict(
        avg_ns=2182, var_ns2=14124023, max_ns=361357, min_ns=1492, samples=20000
    )


@pytest.mark.parametrize("layout", ["human", "script"])
def test_senders_beyond_the_table_are_counted_as_untracked(layout):
    out = pgrx.parse(fixture("pgrx-6.12-20-senders-basic-%s.txt" % layout))
    assert out["percentiles"] == {}  # level basic
    assert len(out["senders"]) == 16
    assert out["untracked"] == 800
    assert sum(s["received"] for s in out["senders"].values()) + out["untracked"] == out["total"]["packets"]
    # one pktgen device whose source address changes: its seq_num is split over the senders
    assert out["senders"]["198.18.0.116"] == dict(
        received=200, lost=3781, reordered=0, duplicated=0, first_seq=16, last_seq=3996
    )


def test_ipv6_sender():
    out = pgrx.parse(fixture("pgrx-6.12-ipv6-basic-script.txt"))
    assert out["total"]["bytes"] == 5000 * 80
    assert out["senders"] == {
        "2001:2::1": dict(received=5000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=5000)
    }
