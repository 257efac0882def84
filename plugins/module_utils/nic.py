# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for what the kernel says about NICs: ethtool statistics.

Pure Python with no Ansible imports.
"""

from __future__ import annotations

import re

_STAT = re.compile(r"^\s+([^:]+):\s+(-?\d+)\s*$")
_RX_QUEUE = re.compile(r"^rx_queue_(\d+)_packets$")


def parse_ethtool_stats(text):
    """Map each counter of ``ethtool -S IF`` output to its integer value."""
    stats = {}
    for line in text.splitlines():
        match = _STAT.match(line)
        if match:
            stats[match.group(1).strip()] = int(match.group(2))
    return stats


def rx_queue_packets(stats):
    """Packets per rx queue, as a list indexed by queue number.

    Reads the ``rx_queue_N_packets`` counters that virtio_net (and most
    multiqueue drivers) expose; an empty list when the driver has none.
    """
    queues = {}
    for name, value in stats.items():
        match = _RX_QUEUE.match(name)
        if match:
            queues[int(match.group(1))] = value
    return [queues[index] for index in sorted(queues)]
