# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sweep's points and the knobs that cannot make one."""

import pytest
from ansible_collections.netlab.pktgen.plugins.plugin_utils.sweep import SweepError, sweep_plan, wire_bps

VETH = dict(host="lab-tx", device="veth0", mtu=1500, speed_mbps=10000)
GIGABIT = dict(host="host1", device="eth1", mtu=1500, speed_mbps=1000)


def test_every_rate_for_each_size_for_each_flow_count():
    plan = sweep_plan(["10kpps", "1Mbit"], [60, 512], [1, 8], [VETH])
    assert [point["key"] for point in plan[:3]] == [
        "rate=10kpps size=60 flows=1",
        "rate=1Mbit size=60 flows=1",
        "rate=10kpps size=512 flows=1",
    ]
    assert len(plan) == 8 and plan[-1] == dict(
        key="rate=1Mbit size=512 flows=8", rate="1Mbit", pkt_size=512, flows=8
    )


def test_single_values_are_lists_of_one():
    assert sweep_plan("10kpps", 60, 1) == [
        dict(key="rate=10kpps size=60 flows=1", rate="10kpps", pkt_size=60, flows=1)
    ]


@pytest.mark.parametrize("text", ['["10kpps", "20kpps"]', "10kpps, 20kpps", "10kpps,20kpps"])
def test_a_list_from_the_command_line_is_a_list(text):
    assert [point["rate"] for point in sweep_plan(text, "60", "1")] == ["10kpps", "20kpps"]


def test_each_pktgen_thread_sends_at_the_rate():
    assert sweep_plan(["700kpps"], [60], [1], [GIGABIT])
    with pytest.raises(SweepError, match=r"700kpps at 60 bytes from 2 pktgen threads needs 941 Mb/s"):
        sweep_plan(["700kpps"], [60], [1], [dict(GIGABIT, speed_mbps=900, senders=2)])


def test_wire_rate_counts_preamble_fcs_and_gap():
    # 1,488,095 pps of 60-byte frames is 10GbE's line rate: 84 bytes each on the wire.
    assert wire_bps("pps", 1488095, 60) == pytest.approx(1e9, rel=1e-6)
    assert wire_bps("bps", 600, 60) == 840


def test_a_rate_at_line_rate_passes_and_one_above_fails():
    assert sweep_plan(["1488095pps"], [60], [1], [GIGABIT])
    with pytest.raises(
        SweepError, match=r"1488096pps at 60 bytes needs 1000 Mb/s on the wire, above host1 eth1's 1000"
    ):
        sweep_plan(["1488096pps"], [60], [1], [GIGABIT])


@pytest.mark.parametrize(
    "rates, sizes, flows, links, message",
    [
        ([], [60], [1], [], r"throughput_rates: give a non-empty list"),
        (["fast"], [60], [1], [], r"rate 'fast': give a number and a unit"),
        (["0pps"], [60], [1], [], r"must be a whole number of pps, at least 1"),
        (["10kpps"], [59], [1], [], r"59 is below the smallest Ethernet frame; use 60 or more"),
        (["10kpps"], [1515], [1], [VETH], r"1515 does not fit lab-tx veth0 \(MTU 1500, so at most 1514\)"),
        (["10kpps"], ["big"], [1], [], r"throughput_pkt_sizes: 'big' is not a whole number"),
        (["10kpps"], [60.5], [1], [], r"throughput_pkt_sizes: 60.5 is not a whole number"),
        (["10kpps"], [60], [0], [], r"throughput_flows: 0 is not a whole number from 1 to 65536"),
        (["10kpps"], [60], [65537], [], r"throughput_flows: 65537"),
        (["10kpps", "10kpps"], [60], [1], [], r"names a point twice"),
        (["20Gbit"], [60], [1], [VETH], r"above lab-tx veth0's 10000 Mb/s; lower the rate"),
        (["10kpps"], [60], [1], [dict(host="h", device="eth9", mtu=None)], r"h eth9: no such interface"),
        (["10kpps"], None, [1], [], r"throughput_pkt_sizes: give a non-empty list, got None"),
        ("[10kpps", [60], [1], [], r"throughput_rates: '\[10kpps' is not a list"),
    ],
)
def test_bad_knobs_fail_naming_the_value_and_the_fix(rates, sizes, flows, links, message):
    with pytest.raises(SweepError, match=message):
        sweep_plan(rates, sizes, flows, links)


def test_a_link_of_unknown_speed_is_not_checked_for_rate():
    assert sweep_plan(["100Gbit"], [60], [1], [dict(VETH, speed_mbps=None)])


def test_queue_counts_repeat_the_sweep_and_name_their_points():
    plan = sweep_plan(["10kpps"], [60], [16], queues=[1, 2])
    assert [point["key"] for point in plan] == [
        "queues=1 rate=10kpps size=60 flows=16",
        "queues=2 rate=10kpps size=60 flows=16",
    ]
    assert [point["queues"] for point in plan] == [1, 2]


def test_errors_use_the_playbooks_knob_names():
    with pytest.raises(SweepError, match="rss_scaling_queues: 0 is not a whole number"):
        sweep_plan(["10kpps"], [60], [1], prefix="rss_scaling", queues=[0])
    with pytest.raises(SweepError, match="^latency_pkt_sizes: 40 is below"):
        sweep_plan(["10kpps"], [40], [1], prefix="latency")


@pytest.mark.parametrize(
    "duration, count, words",
    [
        (-5, 0, r"throughput_duration: -5 is not a whole number from 0 to"),
        ("-5", 0, r"throughput_duration: '-5' is not a whole number from 0 to"),
        (0, -1, r"throughput_count: -1 is not a whole number from 0 to"),
        (0, 0, r"throughput_duration 0 and throughput_count 0: nothing would end the points"),
        ("1.5", 0, r"throughput_duration: '1.5' is not a whole number"),
        ("soon", 0, r"throughput_duration: 'soon' is not a whole number"),
    ],
)
def test_a_duration_and_count_that_cannot_send_are_refused_in_the_plan(duration, count, words):
    with pytest.raises(SweepError, match=words):
        sweep_plan(["10kpps"], [60], [1], [VETH], duration=duration, count=count)


@pytest.mark.parametrize("duration, count", [(2, 0), (0, 10000), ("2", "0"), (1, 5)])
def test_a_duration_or_a_count_sends(duration, count):
    assert len(sweep_plan(["10kpps"], [60], [1], [VETH], duration=duration, count=count)) == 1
