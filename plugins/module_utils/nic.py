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


_IRQ_LINE = re.compile(r"^\s*(\d+):\s+(.*)$")


def parse_interrupts(text):
    """Numbered IRQs of /proc/interrupts as {irq: (name, [count per CPU])}.

    The name is the line's last field (the action name, e.g. ``virtio2-input.0``);
    the layout between counts and name differs between kernels and is not used.
    """
    cpus = None
    irqs = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if cpus is None:
            cpus = len([field for field in line.split() if field.startswith("CPU")])
            continue
        match = _IRQ_LINE.match(line)
        if not match:
            continue
        fields = match.group(2).split()
        counts = [int(field) for field in fields[:cpus]]
        irqs[int(match.group(1))] = (fields[-1], counts)
    return irqs


def rx_queue_irqs(text, virtio_device):
    """Interrupts per rx queue of a virtio NIC (``virtioN-input.Q``), summed over CPUs.

    A list indexed by queue number; empty when the device has no per-queue vectors.
    """
    pattern = re.compile(r"^%s-input\.(\d+)$" % re.escape(virtio_device))
    queues = {}
    for name, counts in parse_interrupts(text).values():
        match = pattern.match(name)
        if match:
            queues[int(match.group(1))] = sum(counts)
    return [queues[index] for index in sorted(queues)]
