# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throughput sweep's points (rates x sizes x flows), checked against the links they run on.

Nothing here touches a host: the checks run before anything changes, so a
nonsense knob fails the play at its start.
"""

from __future__ import annotations

import json

from ansible_collections.netlab.pktgen.plugins.module_utils.rfc2544 import WIRE_OVERHEAD
from ansible_collections.netlab.pktgen.plugins.plugin_utils.generator import (
    MAX_FLOWS,
    GeneratorError,
    parse_rate,
)

# The smallest Ethernet frame without its FCS, as pktgen's pkt_size counts it.
MIN_FRAME = 60
ETH_HEADER = 14


class SweepError(ValueError):
    """A knob that cannot make a sweep; the message names it and the fix."""


def point_key(rate, pkt_size, flows, queues=None):
    """The name of one point, the same in every file and on resume."""
    key = "rate=%s size=%d flows=%d" % (rate, pkt_size, flows)
    return key if queues is None else "queues=%d %s" % (queues, key)


def _list(value, name):
    if isinstance(value, str):
        # From the command line (-e name=...): a JSON list, or values separated by commas.
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(",")]
        except ValueError as exc:
            raise SweepError("%s: %r is not a list (give [a, b] or a,b)" % (name, value)) from exc
    elif isinstance(value, int):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise SweepError("%s: give a non-empty list, got %r" % (name, value))
    return list(value)


def _whole(value, name, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or str(number) != str(value).strip() or not low <= number <= high:
        raise SweepError("%s: %r is not a whole number from %d to %d" % (name, value, low, high))
    return number


def wire_bps(kind, rate, pkt_size):
    """Bits per second the rate puts on the wire at PKT_SIZE (preamble, FCS and gap included)."""
    if kind == "bps":
        return rate * (pkt_size + WIRE_OVERHEAD) / pkt_size
    return rate * (pkt_size + WIRE_OVERHEAD) * 8


def _check_link(link, rates, sizes, prefix):
    where = "%s %s" % (link.get("host"), link.get("device"))
    if link.get("mtu") is None:
        raise SweepError("%s: no such interface on the sending host (check traffic_test_tx_device)" % where)
    biggest = link["mtu"] + ETH_HEADER
    for size in sizes:
        if size > biggest:
            raise SweepError(
                "%s_pkt_sizes: %d does not fit %s (MTU %d, so at most %d); use a smaller size "
                "or raise the MTU" % (prefix, size, where, link["mtu"], biggest)
            )
    if not link.get("speed_mbps"):
        return
    senders = link.get("senders") or 1
    for text, (kind, value) in rates:
        for size in sizes:
            need = wire_bps(kind, value, size) * senders
            if need > link["speed_mbps"] * 1e6:
                raise SweepError(
                    "%s_rates: %s at %d bytes%s needs %.0f Mb/s on the wire, above %s's "
                    "%d Mb/s; lower the rate"
                    % (
                        prefix,
                        text,
                        size,
                        " from %d pktgen threads" % senders if senders > 1 else "",
                        need / 1e6,
                        where,
                        link["speed_mbps"],
                    )
                )


def check_sending(duration, count, prefix="throughput"):
    """(duration, count) as whole numbers, checked to send: a duration of 1 s or more, or a duration of 0
    and a count of 1 packet or more (pktgen's count 0 would send until stopped); raises SweepError."""
    seconds = _whole(duration, prefix + "_duration", 0, 10**7)
    packets = _whole(count, prefix + "_count", 0, 2**63 - 1)
    if not seconds and not packets:
        raise SweepError(
            "%s_duration 0 and %s_count 0: nothing would end the points; give a duration in seconds "
            "(%s_duration=2) or a count of packets per pktgen device (%s_count=10000)" % ((prefix,) * 4)
        )
    return seconds, packets


def sweep_plan(rates, sizes, flows, links=(), *, prefix="throughput", queues=None, duration=None, count=None):
    """The points of a sweep, in order: every rate for each size for each flow count (for each queue
    count, when QUEUES lists receive queue counts: rss_scaling.yml).

    LINKS are the sending interfaces as ``{host, device, mtu, speed_mbps, senders}``
    (speed None when the NIC does not say; senders: the pktgen threads sending
    there, each at the rate); a size above an MTU or a rate above a speed fails
    here, naming the value, the link and the fix. PREFIX: the playbook's knob names (PREFIX_rates, ...).
    DURATION and COUNT, when given, are checked to send (check_sending).
    """
    if duration is not None or count is not None:
        check_sending(0 if duration is None else duration, 0 if count is None else count, prefix)
    parsed = []
    for rate in _list(rates, prefix + "_rates"):
        try:
            parsed.append((str(rate), parse_rate(rate)))
        except GeneratorError as exc:
            raise SweepError("%s_rates: %s" % (prefix, exc)) from exc
    size_list = [
        _whole(size, prefix + "_pkt_sizes", 1, 65535) for size in _list(sizes, prefix + "_pkt_sizes")
    ]
    flow_list = [_whole(flow, prefix + "_flows", 1, MAX_FLOWS) for flow in _list(flows, prefix + "_flows")]
    queue_list = [None]
    if queues is not None:
        queue_list = [
            _whole(count, prefix + "_queues", 1, 4096) for count in _list(queues, prefix + "_queues")
        ]
    for size in size_list:
        if size < MIN_FRAME:
            raise SweepError(
                "%s_pkt_sizes: %d is below the smallest Ethernet frame; use %d or more "
                "(pkt_size counts the Ethernet header, not the FCS)" % (prefix, size, MIN_FRAME)
            )
    for link in links:
        _check_link(link, parsed, size_list, prefix)
    plan = []
    for queue_count in queue_list:
        for flow in flow_list:
            for size in size_list:
                for text, _rate in parsed:
                    point = dict(
                        key=point_key(text, size, flow, queue_count), rate=text, pkt_size=size, flows=flow
                    )
                    plan.append(point if queue_count is None else dict(point, queues=queue_count))
    keys = [point["key"] for point in plan]
    if len(set(keys)) != len(keys):
        raise SweepError("the sweep names a point twice (a rate, size or flow count repeats): %s" % keys)
    return plan
