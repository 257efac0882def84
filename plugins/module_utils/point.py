# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One measurement point: what the senders sent, what the receivers counted, and the loss between them.

Pure Python with no Ansible imports. A sender is a pktgen device (its packets
carry its source address, pktgen's ``cur_saddr``: traffic_test gives each
pktgen thread of each generator one of its own); a receiver counts per source
address, so each sender pairs with the receiver that saw its address.

The figures, in RFC 9971's terms:

- intended load: the rate asked of each pktgen device (INTENDED_PPS, packets/s,
  exact), times the devices;
- offered load: what pktgen says it sent over the time it sent, from each
  device's ``Result:`` line: packets * 10^6 / elapsed microseconds, summed over
  the devices;
- ``offered_ratio`` = offered / intended. Below MIN_OFFERED_RATIO the point is
  ``generator_limited``: the generators, not the system under test, set the
  figures, so the point neither passes nor fails on loss;
- per pair lost = sent - received when positive, ``excess`` = received - sent
  when positive (never a pass), with its likely causes;
- ``untracked``: packets of senders beyond the receiver's table. Counted into
  the point; into a pair when the address is known (exactly one sender of the
  point is missing from every receiver's table, or the point has one sender);
  otherwise the pairs that miss packets are judged together against them.
"""

from __future__ import annotations

from fractions import Fraction

from ansible_collections.netlab.pktgen.plugins.module_utils.pgrx import PERCENTILE_SERIES, SERIES

STATUSES = ("passed", "loss", "excess", "generator_limited")
DEFAULT_MIN_OFFERED_RATIO = 0.99


class PointError(ValueError):
    """Results that do not make a point (a host without a result, say)."""


def offered_pps(sender):
    """Packets/s one pktgen device offered, exact: its Result: line's packets over its microseconds."""
    if not sender.get("elapsed_us"):
        return Fraction(0)
    return Fraction(sender["packets"] * 10**6, sender["elapsed_us"])


def check_min_offered_ratio(value, name="traffic_test_min_offered_ratio"):
    """VALUE as a float in (0, 1]; raises PointError naming the knob."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 < number <= 1:
        raise PointError(
            "%s: %r is not a ratio above 0 and at most 1 (0.99: a point whose generators offered less than "
            "99 %% of the intended load is generator_limited)" % (name, value)
        )
    return number


def check_settle(value, name="traffic_test_settle"):
    """VALUE as a whole number of seconds, at least 0; raises PointError naming the knob."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise PointError(
            "%s: %r is not a whole number of seconds, 0 or more (RFC 2544 suggests 2)" % (name, value)
        )
    return number


def _senders(sent):
    senders = []
    for host, run in sorted((sent or {}).items()):
        if not run or "results" not in run:
            raise PointError("generator %s has no pktgen_run result" % host)
        for device, res in sorted(run["results"].items()):
            senders.append(
                dict(
                    host=host,
                    device=device,
                    address=(res.get("current") or {}).get("cur_saddr"),
                    packets=res["packets"],
                    pps=res["pps"],
                    bps=res["bps"],
                    errors=res["errors"],
                    elapsed_us=res["elapsed_us"],
                )
            )
    return senders


def _receivers(received):
    receivers = []
    for host, info in sorted((received or {}).items()):
        if not info or "receiver" not in info:
            raise PointError("receiver %s has no pktgen_rx_info result" % host)
        total = info["receiver"].get("total") or {}
        cpus = dict(
            (str(cpu), counters.get("packets"))
            for cpu, counters in (info["receiver"].get("cpus") or {}).items()
        )
        receivers.append(
            dict(
                host=host,
                senders=info["receiver"].get("senders") or {},
                cpus=cpus,
                untracked=info["receiver"].get("untracked") or 0,
                time=time_stats([info["receiver"]]),
                **_counters(total),
            )
        )
    return receivers


def _causes(pair):
    """Why PAIR's receivers counted more than it sent, most likely first."""
    causes = []
    duplicated = min(pair["duplicated"], pair["excess"])
    if duplicated:
        causes.append(
            "%d duplicated: the receiver saw a sequence number again (clone_skb, or a path that duplicates)"
            % duplicated
        )
    rest = pair["excess"] - duplicated
    if rest:
        causes.append(
            "%d more: pktgen traffic from %s that this point did not send (another pktgen, or an earlier "
            "run still arriving; traffic_test_settle)" % (rest, pair["address"])
        )
    return causes


def _pair(address, senders, receivers):
    mine = [sender for sender in senders if sender["address"] == address]
    seen = [rx for rx in receivers if address in rx["senders"]]
    tables = [rx["senders"][address] for rx in seen]
    return dict(
        address=address,
        generators=sorted(set(sender["host"] for sender in mine)),
        devices=["%s %s" % (sender["host"], sender["device"]) for sender in mine],
        receivers=[rx["host"] for rx in seen],
        sent=sum(sender["packets"] for sender in mine),
        received=sum(table["received"] for table in tables),
        untracked=0,
        duplicated=sum(table.get("duplicated", 0) for table in tables),
        reordered=sum(table.get("reordered", 0) for table in tables),
        seq_lost=sum(table.get("lost", 0) for table in tables),
    )


def _attribute_untracked(pairs, receivers):
    """Give the receivers' untracked packets to the one pair they can belong to; returns the rest."""
    untracked = dict((rx["host"], rx["untracked"]) for rx in receivers if rx["untracked"])
    if not untracked:
        return 0
    unseen = [pair for pair in pairs if not pair["receivers"]]
    owner = unseen[0] if len(unseen) == 1 else (pairs[0] if len(pairs) == 1 and not unseen else None)
    if owner is None:
        return sum(untracked.values())
    owner["untracked"] = sum(untracked.values())
    owner["received"] += owner["untracked"]
    owner["receivers"] = sorted(set(owner["receivers"]) | set(untracked))
    return 0


def _judge(pair, max_loss_ratio):
    sent, got = pair["sent"], pair["received"]
    pair["lost"] = max(sent - got, 0)
    pair["excess"] = max(got - sent, 0)
    pair["loss_ratio"] = pair["lost"] / sent if sent else (0.0 if not got else 1.0)
    pair["causes"] = _causes(pair) if pair["excess"] else []
    if pair["excess"]:
        pair["status"] = "excess"
    elif not sent or pair["loss_ratio"] > max_loss_ratio:
        pair["status"] = "loss"
    else:
        pair["status"] = "passed"


def _load(senders, intended_pps, min_offered_ratio):
    """(intended, offered, ratio, generator_limited): the intended load None when the rate was none."""
    offered = sum((offered_pps(sender) for sender in senders), Fraction(0))
    if intended_pps is None:
        return None, offered, None, False
    intended = Fraction(intended_pps) * len(senders)
    ratio = offered / intended if intended else None
    return intended, offered, ratio, ratio is not None and ratio < Fraction(str(min_offered_ratio))


def traffic_point(
    sent,
    received,
    params=None,
    max_loss_ratio=0.0,
    *,
    intended_pps=None,
    min_offered_ratio=DEFAULT_MIN_OFFERED_RATIO,
    settle_s=None,
):
    """The point from pktgen_run results per generator host (SENT) and pktgen_rx_info results per
    receiver host (RECEIVED), with the point's PARAMS.

    INTENDED_PPS: the rate asked of each pktgen device in packets/s (a Fraction, or None when pktgen
    sent as fast as it could). ``status``: ``generator_limited`` when the generators offered less than
    MIN_OFFERED_RATIO of the intended load; else ``excess`` when a pair received more than it sent;
    else ``loss`` when a pair (or the pairs that share the untracked packets) lost more than
    MAX_LOSS_RATIO of what it sent; else ``passed`` (``passed`` true only then). SETTLE_S: the seconds
    waited between the last sender stopping and the receivers being read, recorded with the point.
    """
    check_min_offered_ratio(min_offered_ratio)
    senders = _senders(sent)
    receivers = _receivers(received)
    ours = sorted(set(sender["address"] for sender in senders), key=str)
    pairs = [_pair(address, senders, receivers) for address in ours]
    unattributed = _attribute_untracked(pairs, receivers)
    for pair in pairs:
        _judge(pair, max_loss_ratio)
    short = [pair for pair in pairs if pair["lost"]]
    group = None
    if unattributed:
        # The untracked packets belong to pairs that miss packets (or to foreign senders): judge those
        # pairs together against them.
        group_sent = sum(pair["sent"] for pair in short)
        group_lost = max(sum(pair["lost"] for pair in short) - unattributed, 0)
        group = dict(
            addresses=[pair["address"] for pair in short],
            untracked=unattributed,
            sent=group_sent,
            lost=group_lost,
            loss_ratio=group_lost / group_sent if group_sent else 0.0,
        )
        for pair in short:
            pair["status"] = "untracked"
    foreign = [
        dict(address=address, receivers=[rx["host"]], received=table["received"])
        for rx in receivers
        for address, table in sorted(rx["senders"].items())
        if address not in ours
    ]
    total_sent = sum(pair["sent"] for pair in pairs)
    total_received = sum(pair["received"] for pair in pairs) + unattributed
    intended, offered, ratio, limited = _load(senders, intended_pps, min_offered_ratio)
    statuses = [pair["status"] for pair in pairs]
    if limited:
        status = "generator_limited"
    elif "excess" in statuses:
        status = "excess"
    elif not pairs or "loss" in statuses or (group is not None and group["loss_ratio"] > max_loss_ratio):
        status = "loss"
    else:
        status = "passed"
    return dict(
        params=dict(params or {}),
        senders=senders,
        receivers=[dict((key, value) for key, value in rx.items() if key != "senders") for rx in receivers],
        pairs=pairs,
        foreign=foreign,
        untracked=sum(rx["untracked"] for rx in receivers),
        untracked_unattributed=group,
        sent=total_sent,
        received=total_received,
        lost=max(total_sent - total_received, 0),
        excess=sum(pair["excess"] for pair in pairs),
        loss_ratio=max(total_sent - total_received, 0) / total_sent if total_sent else 0.0,
        errors=sum(sender["errors"] or 0 for sender in senders),
        intended_pps=None if intended is None else float(intended),
        offered_pps=int(offered),
        offered_ratio=None if ratio is None else float(ratio),
        min_offered_ratio=float(min_offered_ratio),
        settle_s=settle_s,
        generator_limited=limited,
        received_pps=sum(rx["pps"] or 0 for rx in receivers),
        status=status,
        passed=status == "passed",
        time=time_stats([info["receiver"] for _host, info in sorted((received or {}).items())]),
    )


def _counters(total):
    return dict((key, total.get(key)) for key in ("packets", "bytes", "work_us", "pps", "mbps", "bps"))


def time_stats(receivers):
    """Inter-arrival, jitter and latency over every CPU of RECEIVERS (pgrx.parse results at level time).

    Per series: samples, min_ns, max_ns, avg_ns and, for inter-arrival and latency, the receiver's
    percentiles (p50, p90, p99, p99.9), which are over all its CPUs and cannot be merged. When a single
    receiver measured the series and gives it over all its CPUs (its G line: combined exactly in the
    kernel, avg and var the floors of the exact mean and population variance), that is the series, with
    var_ns2 and ``exact`` true; otherwise avg_ns is the per-CPU averages weighted by their samples, not
    exact, and there is no variance (``exact`` false). A series without samples (level basic, or no
    stamped packet) is left out.
    """
    out = {}
    for name in SERIES:
        parts = [
            counters[name]
            for receiver in receivers
            for counters in (receiver.get("cpus") or {}).values()
            if (counters.get(name) or {}).get("samples")
        ]
        if not parts:
            continue
        samples = sum(part["samples"] for part in parts)
        stats = dict(
            samples=samples,
            min_ns=min(part["min_ns"] for part in parts),
            max_ns=max(part["max_ns"] for part in parts),
            avg_ns=int(round(sum(part["avg_ns"] * part["samples"] for part in parts) / samples)),
        )
        measured = [
            rx for rx in receivers if any((c.get(name) or {}).get("samples") for c in rx["cpus"].values())
        ]
        whole = ((measured[0].get("total") or {}).get(name) or {}) if len(measured) == 1 else {}
        stats["exact"] = whole.get("samples") == samples
        if stats["exact"]:
            stats.update((key, whole[key]) for key in ("min_ns", "max_ns", "avg_ns", "var_ns2"))
        percentiles = (measured[0].get("percentiles") or {}).get(name) if len(measured) == 1 else None
        if name in PERCENTILE_SERIES and percentiles:
            stats["percentiles"] = dict(percentiles)
        out[name] = stats
    return out
