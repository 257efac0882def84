# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that expose the pktgen protocol helpers to playbooks."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.netlab.pktgen.plugins.module_utils import nic, pktgen


def pktgen_script(spec, netns=None):
    """Render a pktgen configure-and-run script from a spec mapping."""
    try:
        writes = pktgen.config_writes(
            spec.get("threads", {}), spec.get("devices", {}), reset=spec.get("reset", True)
        )
        return pktgen.render_script(
            writes, start=spec.get("start", False), dump=spec.get("dump", ()), netns=netns
        )
    except (pktgen.PktgenError, AttributeError, TypeError) as exc:
        raise AnsibleFilterError("pktgen_script: %s" % exc) from exc


def pktgen_result(text):
    """Parse each dumped device of a script's output into its result."""
    try:
        dumps = pktgen.split_dump(text)
        if not dumps:
            return pktgen.parse_result(text)
        return dict((dev, pktgen.parse_result(body)) for dev, body in dumps.items())
    except pktgen.PktgenError as exc:
        raise AnsibleFilterError("pktgen_result: %s" % exc) from exc


def rx_queue_packets(text, since=None):
    """Packets per rx queue from ``ethtool -S`` output, or received since an earlier output."""
    now = nic.rx_queue_packets(nic.parse_ethtool_stats(text))
    if since is None:
        return now
    before = nic.rx_queue_packets(nic.parse_ethtool_stats(since))
    if len(before) != len(now):
        raise AnsibleFilterError(
            "rx_queue_packets: %d queues now, %d in the earlier reading" % (len(now), len(before))
        )
    return [after - earlier for after, earlier in zip(now, before)]


class FilterModule:
    """netlab.pktgen filters."""

    def filters(self):
        return {
            "pktgen_script": pktgen_script,
            "pktgen_result": pktgen_result,
            "rx_queue_packets": rx_queue_packets,
        }
