# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ethtool statistics parsing, against virtio_net output recorded on Debian 12's 6.1 kernel."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import nic
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


@pytest.mark.parametrize(
    "name, queues",
    [
        ("ethtool-S-virtio_net-6.1-before.txt", [15, 6, 0, 0]),
        ("ethtool-S-virtio_net-6.1-after.txt", [3215, 1074, 7468, 4265]),
    ],
)
def test_rx_queue_packets(name, queues):
    assert nic.rx_queue_packets(nic.parse_ethtool_stats(fixture(name))) == queues


def test_parse_ethtool_stats_reads_every_counter():
    stats = nic.parse_ethtool_stats(fixture("ethtool-S-virtio_net-6.1-after.txt"))
    assert stats["rx_queue_0_bytes"] == 193246
    assert stats["rx_queue_0_xdp_drops"] == 0
    assert "NIC statistics" not in stats


def test_rx_queue_packets_without_queue_counters():
    assert nic.rx_queue_packets(nic.parse_ethtool_stats("NIC statistics:\n     peer_ifindex: 2\n")) == []
