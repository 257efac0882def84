# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that expose the pktgen protocol helpers to playbooks."""

from __future__ import annotations

from fractions import Fraction

from ansible.errors import AnsibleFilterError
from ansible_collections.netlab.pktgen.plugins.module_utils import clock, nic, results, rfc2544
from ansible_collections.netlab.pktgen.plugins.module_utils.point import (
    PointError,
    check_min_offered_ratio,
    check_settle,
)
from ansible_collections.netlab.pktgen.plugins.module_utils.point import traffic_point as _traffic_point
from ansible_collections.netlab.pktgen.plugins.plugin_utils import generator, sources, sweep


def _since(now, before, name):
    if len(before) != len(now):
        raise AnsibleFilterError(
            "%s: %d queues now, %d in the earlier reading" % (name, len(now), len(before))
        )
    return [after - earlier for after, earlier in zip(now, before)]


def rx_queue_packets(text, since=None):
    """Packets per rx queue from ``ethtool -S`` output, or received since an earlier output."""
    now = nic.rx_queue_packets(nic.parse_ethtool_stats(text))
    if since is None:
        return now
    return _since(now, nic.rx_queue_packets(nic.parse_ethtool_stats(since)), "rx_queue_packets")


def rx_queue_irqs(text, device, since=None):
    """Interrupts per rx queue of a virtio NIC from /proc/interrupts, or raised since an earlier copy."""
    now = nic.rx_queue_irqs(text, device)
    if since is None:
        return now
    return _since(now, nic.rx_queue_irqs(since, device), "rx_queue_irqs")


def intended_pps(rate, pkt_size):
    """The packets/s RATE (as pktgen_tx takes it) asks of one pktgen device at PKT_SIZE, exact (a Fraction);
    None for no rate (as fast as pktgen can). Bits count the frame without FCS, as pktgen does."""
    if rate in (None, ""):
        return None
    kind, value = generator.parse_rate(rate)
    return Fraction(value) if kind == "pps" else Fraction(value, 8 * int(pkt_size))


def traffic_point(sent, received, params=None, max_loss_ratio=0.0, *, min_offered_ratio=0.99, settle=None):
    """A measurement point from pktgen_run results per generator and pktgen_rx_info results per receiver;
    the intended load from PARAMS' rate and pkt_size."""
    params = dict(params or {})
    try:
        intended = intended_pps(params.get("rate"), params.get("pkt_size") or generator.DEFAULT_SIZE)
        return _traffic_point(
            sent,
            received,
            params,
            float(max_loss_ratio),
            intended_pps=intended,
            min_offered_ratio=check_min_offered_ratio(min_offered_ratio),
            settle_s=None if settle is None else check_settle(settle),
        )
    except (PointError, generator.GeneratorError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("traffic_point: %s" % exc) from exc


def traffic_sources(generators):
    """{host: [source address per pktgen thread]} for GENERATORS ([{host, threads, dst, src}], in generator
    order): one sender per thread, from the benchmarking ranges, none repeated (plugin_utils/sources.py)."""
    try:
        return sources.source_addresses(generators)
    except (sources.SourcesError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("traffic_sources: %s" % exc) from exc


def sweep_plan(rates, sizes, flows, links=None, **options):
    """A sweep's points (every rate for each size for each flow count), checked against the sending links;
    OPTIONS: prefix, queues, duration and count, as sweep.sweep_plan takes them."""
    try:
        return sweep.sweep_plan(rates, sizes, flows, links or (), **options)
    except sweep.SweepError as exc:
        raise AnsibleFilterError("sweep_plan: %s" % exc) from exc


def host_results(doc, host):
    """HOST's side of a results document: per point what it sent or counted."""
    try:
        return results.host_side(doc, host)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("host_results: not a results document (%s)" % exc) from exc


def _pps(value, name):
    """Packets/s from a rate as pktgen_tx takes it (5kpps), or a plain number."""
    try:
        kind, number = generator.parse_rate(value if not str(value).strip().isdigit() else "%spps" % value)
    except generator.GeneratorError as exc:
        raise AnsibleFilterError("%s: %s" % (name, exc)) from exc
    if kind != "pps":
        raise AnsibleFilterError(
            "%s: %r is bits per second; give packets per second (5kpps, 1.5Mpps)" % (name, value)
        )
    return number


def rfc2544_plan(frame_sizes, knobs, speed_mbps=None):
    """One checked RFC 2544 search spec per frame size, from rfc2544.yml's knobs and the link's speed."""
    knobs = dict(knobs)
    knobs["min_rate"] = _pps(knobs.get("min_rate", "1kpps"), "rfc2544_min_rate")
    top = knobs.get("max_rate")
    knobs["max_rate"] = None if top in (None, "") else _pps(top, "rfc2544_max_rate")
    try:
        return rfc2544.plan(frame_sizes, knobs, speed_mbps)
    except rfc2544.Rfc2544Error as exc:
        raise AnsibleFilterError(str(exc)) from exc


def rfc2544_next(doc, spec):
    """The next RFC 2544 trial ({phase, target}) of SPEC's frame size after the trials in DOC, or None."""
    return rfc2544.next_trial(spec, rfc2544.trials_of(doc["points"], spec["pkt_size"]))


def rfc2544_findings(doc, specs):
    """Per spec (frame size) what the trials in DOC found."""
    out = []
    for spec in specs:
        trials = rfc2544.trials_of(doc["points"], spec["pkt_size"])
        out.append(dict(rfc2544.findings(spec, trials, spec["line_rate_pps"]), pkt_size=spec["pkt_size"]))
    return out


def clock_offset(text, method):
    """ns a host's clock is off the common reference, from pmc (METHOD ptp) or chronyc -c tracking (ntp)."""
    try:
        return clock.offset_ns(text, method)
    except clock.ClockError as exc:
        raise AnsibleFilterError("clock_offset: %s" % exc) from exc


def clock_check(boot_ids, sync="none", offsets=None, required=True):
    """Whether latency can be measured between hosts with these BOOT_IDS, and how far their clocks are apart;
    fails with the reason when it cannot and REQUIRED."""
    try:
        res = clock.check(boot_ids, sync, offsets)
    except clock.ClockError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    if required and not res["ok"]:
        raise AnsibleFilterError(res["reason"])
    return res


class FilterModule:
    """netlab.pktgen filters."""

    def filters(self):
        return {
            "rx_queue_packets": rx_queue_packets,
            "rx_queue_irqs": rx_queue_irqs,
            "traffic_point": traffic_point,
            "traffic_sources": traffic_sources,
            "sweep_plan": sweep_plan,
            "host_results": host_results,
            "rfc2544_plan": rfc2544_plan,
            "rfc2544_next": rfc2544_next,
            "rfc2544_findings": rfc2544_findings,
            "clock_offset": clock_offset,
            "clock_check": clock_check,
        }
