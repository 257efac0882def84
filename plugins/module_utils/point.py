# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One measurement point: what the senders sent, what the receivers counted, and the loss between them.

Pure Python with no Ansible imports. A sender is a pktgen device (its packets
carry its interface's source address, pktgen's ``cur_saddr``); a receiver
counts per source address, so each sender pairs with the receiver that saw
its address. Loss = sent - received per pair.
"""

from __future__ import annotations

from ansible_collections.netlab.pktgen.plugins.module_utils.pgrx import PERCENTILE_SERIES, SERIES


class PointError(ValueError):
    """Results that do not make a point (a host without a result, say)."""


def traffic_point(sent, received, params=None, max_loss_ratio=0.0):
    """The point from pktgen_run results per generator host (SENT) and pktgen_rx_info results per
    receiver host (RECEIVED), with the point's PARAMS; ``passed`` when every pair lost at most
    MAX_LOSS_RATIO of what it sent."""
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
                time=time_stats([info["receiver"]]),
                **_counters(total),
            )
        )
    pairs = []
    for address in sorted(set(sender["address"] for sender in senders)):
        out = sum(sender["packets"] for sender in senders if sender["address"] == address)
        seen = [rx for rx in receivers if address in rx["senders"]]
        got = sum(rx["senders"][address]["received"] for rx in seen)
        pairs.append(
            dict(
                address=address,
                generators=sorted(set(s["host"] for s in senders if s["address"] == address)),
                receivers=[rx["host"] for rx in seen],
                sent=out,
                received=got,
                lost=out - got,
                loss_ratio=(out - got) / out if out else 0.0,
            )
        )
    total_sent = sum(pair["sent"] for pair in pairs)
    total_received = sum(pair["received"] for pair in pairs)
    return dict(
        params=dict(params or {}),
        senders=senders,
        receivers=[dict((key, value) for key, value in rx.items() if key != "senders") for rx in receivers],
        pairs=pairs,
        sent=total_sent,
        received=total_received,
        lost=total_sent - total_received,
        loss_ratio=(total_sent - total_received) / total_sent if total_sent else 0.0,
        offered_pps=sum(sender["pps"] for sender in senders),
        received_pps=sum(rx["pps"] or 0 for rx in receivers),
        passed=all(pair["loss_ratio"] <= max_loss_ratio for pair in pairs) and bool(pairs),
        time=time_stats([info["receiver"] for _host, info in sorted((received or {}).items())]),
    )


def _counters(total):
    return dict((key, total.get(key)) for key in ("packets", "bytes", "work_us", "pps", "mbps", "bps"))


def time_stats(receivers):
    """Inter-arrival, jitter and latency over every CPU of RECEIVERS (pgrx.parse results at level time).

    Per series: samples, min_ns, max_ns, avg_ns (the per-CPU averages weighted by their samples) and, for
    inter-arrival and latency, the receiver's percentiles (p50, p90, p99, p99.9), which are over all its
    CPUs and cannot be merged: given only when a single receiver measured the series. A series without
    samples (level basic, or no stamped packet) is left out.
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
        percentiles = (measured[0].get("percentiles") or {}).get(name) if len(measured) == 1 else None
        if name in PERCENTILE_SERIES and percentiles:
            stats["percentiles"] = dict(percentiles)
        out[name] = stats
    return out
