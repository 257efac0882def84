# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters playbooks use, on recorded outputs."""

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
