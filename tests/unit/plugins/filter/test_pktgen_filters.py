# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters playbooks use, on recorded outputs."""

from fractions import Fraction

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.netlab.pktgen.plugins.filter import pktgen as filters
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def test_rx_queue_packets_since():
    after = fixture("ethtool-S-virtio_net-6.1-after.txt")
    before = fixture("ethtool-S-virtio_net-6.1-before.txt")
    assert filters.rx_queue_packets(after, before) == [3200, 1068, 7468, 4265]


def test_rx_queue_packets_since_a_different_queue_count():
    before = "NIC statistics:\n     rx_queue_0_packets: 1\n"
    with pytest.raises(AnsibleFilterError, match="4 queues now, 1 in the earlier reading"):
        filters.rx_queue_packets(fixture("ethtool-S-virtio_net-6.1-after.txt"), before)


def test_rx_queue_irqs_since():
    after = fixture("interrupts-6.12-after.txt")
    before = fixture("interrupts-6.12-before.txt")
    assert filters.rx_queue_irqs(after, "virtio2", before) == [1302, 933, 1359, 1208]


def test_rfc2544_plan_takes_rates_as_pktgen_does():
    (spec,) = filters.rfc2544_plan([64], {"min_rate": "5kpps", "max_rate": "60000", "burst_max": 0})
    assert (spec["low"], spec["high"], spec["line_rate_pps"]) == (5000, 60000, None)
    (spec,) = filters.rfc2544_plan([64], {"min_rate": 5000, "max_rate": ""}, 1000)
    assert spec["high"] == spec["line_rate_pps"] == 1488095


@pytest.mark.parametrize(
    "knobs, words",
    [
        ({"max_rate": "1Gbit"}, "rfc2544_max_rate: '1Gbit' is bits per second; give packets per second"),
        (
            {"min_rate": "fast", "max_rate": "1Mpps"},
            "rfc2544_min_rate: rate 'fast': give a number and a unit",
        ),
    ],
)
def test_rfc2544_plan_names_a_bad_rate(knobs, words):
    with pytest.raises(AnsibleFilterError, match=words):
        filters.rfc2544_plan([64], knobs)


@pytest.mark.parametrize(
    "rate, size, expected",
    [
        ("10kpps", 60, Fraction(10000)),
        ("1.5Mpps", 1500, Fraction(1500000)),
        # Bits of the frame without FCS: 0.5 Gbit/s of 60-byte frames is 5 * 10^8 / 480 packets/s.
        ("0.5Gbit", 60, Fraction(3125000, 3)),
        ("800Mbit", 1500, Fraction(800 * 10**6, 12000)),
        ("", 60, None),
        (None, 60, None),
    ],
)
def test_the_intended_load_of_one_pktgen_device(rate, size, expected):
    assert filters.intended_pps(rate, size) == expected


def test_the_half_gigabit_point_of_the_issue_is_generator_limited():
    # throughput.yml -e '{"throughput_rates": ["0.5Gbit"]}' in the lab: 1.04 Mpps asked, 49 kpps sent.
    sent = {"lab-tx": dict(results=dict(veth0=dict(
        packets=98000, elapsed_us=2000000, pps=49000, bps=23520000, errors=0,
        current=dict(cur_saddr="198.19.128.1"))))}  # fmt: skip
    counted = {"lab-rx": dict(receiver=dict(total=dict(packets=98000), cpus={}, senders={
        "198.19.128.1": dict(received=98000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=98000)
    }))}  # fmt: skip
    point = filters.traffic_point(sent, counted, {"rate": "0.5Gbit", "pkt_size": 60}, settle=1)
    assert point["intended_pps"] == float(Fraction(3125000, 3))
    assert point["offered_ratio"] == float(Fraction(49000 * 3, 3125000))
    assert point["status"] == "generator_limited" and point["passed"] is False and point["settle_s"] == 1


@pytest.mark.parametrize(
    "options, words",
    [
        (dict(min_offered_ratio=0), "traffic_test_min_offered_ratio: 0 is not a ratio above 0"),
        (dict(min_offered_ratio=2), "traffic_test_min_offered_ratio: 2 is not a ratio above 0"),
        (dict(settle=-1), "traffic_test_settle: -1 is not a whole number of seconds"),
    ],
)
def test_traffic_point_refuses_bad_knobs(options, words):
    with pytest.raises(AnsibleFilterError, match=words):
        filters.traffic_point({}, {}, {"rate": "10kpps"}, **options)


def test_traffic_sources_names_the_collision():
    gens = [
        dict(host="a", threads=[0, 1], dst="198.18.0.2", src="198.18.0.10"),
        dict(host="b", threads=[0], dst="198.18.0.2", src="198.18.0.11"),
    ]
    with pytest.raises(
        AnsibleFilterError, match="b traffic_test_src 198.18.0.11 and 1 threads: 198.18.0.11 is also"
    ):
        filters.traffic_sources(gens)
