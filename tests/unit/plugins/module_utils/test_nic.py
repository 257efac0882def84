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


@pytest.mark.parametrize(
    "name, device, queues",
    [
        ("interrupts-6.1-before.txt", "virtio2", [1456, 800, 2386, 1521]),
        ("interrupts-6.1-after.txt", "virtio2", [3243, 1749, 5348, 3430]),
        ("interrupts-6.1-after.txt", "virtio0", [145]),
        ("interrupts-6.12-before.txt", "virtio2", [1146, 786, 1260, 1066]),
        ("interrupts-6.12-after.txt", "virtio2", [2448, 1719, 2619, 2274]),
        ("interrupts-6.12-after.txt", "virtio1", [2, 1, 1, 5]),
        ("interrupts-6.12-after.txt", "virtio0", [173]),
        ("interrupts-6.12-after.txt", "virtio9", []),
    ],
)
def test_rx_queue_irqs(name, device, queues):
    assert nic.rx_queue_irqs(fixture(name), device) == queues


def test_parse_interrupts_keeps_numbered_irqs_only():
    irqs = nic.parse_interrupts(fixture("interrupts-6.12-after.txt"))
    assert irqs[40] == ("virtio2-input.0", [2447, 1])
    assert all(isinstance(irq, int) for irq in irqs)


def test_ethtool_of_6_12_virtio_net_has_no_queue_packets():
    assert nic.rx_queue_packets(nic.parse_ethtool_stats(fixture("ethtool-S-virtio_net-6.12.txt"))) == []
