# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PNG plots of a results document, drawn on the controller with matplotlib (its only user)."""

from __future__ import annotations

import os

from ansible_collections.netlab.pktgen.plugins.module_utils import results, rfc2544

try:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False


def _series(doc):
    """Points grouped by (size, flows), each group's points in plan order."""
    groups = {}
    for row in results.rows(doc):
        groups.setdefault((row["pkt_size"], row["flows"]), []).append(row)
    return groups


def _save(figure, folder, name):
    path = os.path.join(folder, name)
    temporary = os.path.join(folder, "." + name + ".tmp.png")
    figure.savefig(temporary, dpi=100)
    pyplot.close(figure)
    os.replace(temporary, path)
    return name


def _mark_limited(axes, rows, x, y):
    """Circle in red the points of ROWS (at X(row), Y(row)) whose generators offered less than intended."""
    limited = [row for row in rows if row.get("status") == "generator_limited"]
    if limited:
        axes.scatter(
            [x(row) for row in limited],
            [y(row) for row in limited],
            s=160,
            facecolors="none",
            edgecolors="red",
            zorder=5,
            label="generator_limited: the generators offered less than intended",
        )


def _label(size, flows):
    return "%d B, %d flow%s" % (size, flows, "s" * (flows > 1))


def _curves(doc, folder, name, what, labels, *, diagonal=False):
    """One curve per (size, flows): offered pps against WHAT(row); LABELS: x, y and title; DIAGONAL adds
    the line y = x."""
    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    top = 0
    every = []
    for (size, flows), rows in sorted(_series(doc).items()):
        offered = [row["offered_pps"] for row in rows]
        values = [what(row) for row in rows]
        axes.plot(offered, values, marker="o", label=_label(size, flows))
        top = max([top] + offered + values)
        every += rows
    _mark_limited(axes, every, lambda row: row["offered_pps"], what)
    if diagonal:
        axes.plot([0, top], [0, top], color="grey", linestyle=":", label="received = offered")
    axes.set_xlabel(labels[0])
    axes.set_ylabel(labels[1])
    axes.set_title(labels[2])
    axes.grid(True, alpha=0.3)
    axes.legend()
    return _save(figure, folder, name)


def _rates(doc, folder):
    labels = (
        "offered (packets/s, as pktgen sent)",
        "received (packets/s, as the receiver counted)",
        "Rate offered vs received",
    )
    return _curves(
        doc, folder, "rate_offered_vs_received.png", lambda row: row["received_pps"], labels, diagonal=True
    )


def _loss(doc, folder):
    labels = ("offered (packets/s)", "loss (% of sent)", "Loss")
    return _curves(doc, folder, "loss.png", lambda row: row["loss_ratio"] * 100, labels)


def _cpus(doc, folder, title="Packets per receiver CPU"):
    counts = results.per_cpu(doc)
    columns = sorted(set(name for point in counts.values() for name in point))
    if not columns:
        return None
    figure, axes = pyplot.subplots(figsize=(max(7, 0.5 * len(counts) + 3), 4.5))
    labels = [
        "#%d" % row["index"] if row.get("queues") is None else "#%d: %d q" % (row["index"], row["queues"])
        for row in results.full_rows(doc)
    ]
    keys = [point["key"] for point in doc["points"]]
    bottom = [0] * len(keys)
    for column in columns:
        values = [counts[key].get(column, 0) or 0 for key in keys]
        axes.bar(labels, values, bottom=bottom, label=column)
        bottom = [low + value for low, value in zip(bottom, values)]
    axes.set_xlabel("point (see the table in report.md)")
    axes.set_ylabel("packets counted")
    axes.set_title(title)
    axes.legend(fontsize="small")
    return _save(figure, folder, "per_cpu.png")


def _capacity(doc, folder):
    """rss_scaling: received packets/s against the receive queue count, one curve per offered rate."""
    curves = {}
    every = results.full_rows(doc)
    for row in every:
        curves.setdefault((row["rate"], row["pkt_size"], row["flows"]), []).append(row)
    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for (rate, size, flows), rows in sorted(curves.items(), key=lambda item: str(item[0])):
        rows.sort(key=lambda row: row["queues"])
        label = "%s, %s" % (rate, _label(size, flows))
        queues = [row["queues"] for row in rows]
        line = axes.plot(
            queues, [row["received_pps"] for row in rows], marker="o", label="received at " + label
        )
        sent = [row["offered_pps"] for row in rows]
        axes.plot(queues, sent, color=line[0].get_color(), linestyle=":", label="sent at " + label)
    _mark_limited(axes, every, lambda row: row["queues"], lambda row: row["offered_pps"])
    axes.set_xlabel("receive queues (each queue's IRQ on its own CPU, as far as there are CPUs)")
    axes.set_ylabel("packets/s")
    axes.set_xticks(sorted(set(row["queues"] for row in every)))
    axes.set_ylim(bottom=0)
    axes.set_title("Receive capacity vs RSS queues")
    axes.grid(True, alpha=0.3)
    axes.legend()
    return _save(figure, folder, "capacity_vs_queues.png")


def _timing(doc, folder, series, title, log_y):
    """min/avg/max and percentiles of SERIES (interarrival, latency) against the offered rate, log x."""
    rows = [row for row in results.full_rows(doc) if row.get("%s_avg_ns" % series) is not None]
    if not rows:
        return None
    rows.sort(key=lambda row: row["offered_pps"])
    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    offered = [row["offered_pps"] for row in rows]
    for stat, style in (("max", "v-"), ("p99", "^:"), ("p50", "s:"), ("avg", "o-"), ("min", "v-")):
        values = [row.get("%s_%s_ns" % (series, stat)) for row in rows]
        if any(value is not None for value in values):
            axes.plot(offered, values, style, label=stat)
    _mark_limited(axes, rows, lambda row: row["offered_pps"], lambda row: row.get("%s_avg_ns" % series))
    if series == "interarrival":
        axes.plot(
            offered, [1e9 / rate for rate in offered], color="grey", linestyle="--", label="1/offered rate"
        )
    axes.set_xscale("log")
    if log_y:
        axes.set_yscale("log")
    axes.set_xlabel("offered (packets/s, as pktgen sent; log)")
    axes.set_ylabel("%s (ns%s)" % (title.lower(), "; log" if log_y else ""))
    axes.set_title("%s vs rate" % title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    return _save(figure, folder, "%s_vs_rate.png" % series)


def _rfc2544(doc, folder):
    """rfc2544: throughput found per frame size against the line rate, and the frame loss curves."""
    found = doc.get("findings") or []
    if not found:
        return []
    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    sizes = [item["pkt_size"] + rfc2544.FCS for item in found]  # with FCS, as RFC 2544 names them
    axes.plot(sizes, [item["throughput_pps"] or 0 for item in found], marker="o", label="throughput found")
    capped = [(size, item) for size, item in zip(sizes, found) if item.get("generator_limited_pps")]
    if capped:
        axes.scatter(
            [size for size, _item in capped],
            [item["generator_limited_pps"] for _size, item in capped],
            marker="x",
            color="red",
            zorder=5,
            label="the generators could not offer (generator_limited)",
        )
    if any(item["line_rate_pps"] for item in found):
        line = [item["line_rate_pps"] for item in found]
        axes.plot(sizes, line, color="grey", linestyle="--", marker="x", label="line rate")
    tops = [item["frame_loss"][0]["rate_pps"] if item["frame_loss"] else None for item in found]
    if any(tops) and tops != [item["line_rate_pps"] for item in found]:
        axes.plot(sizes, tops, color="grey", linestyle=":", marker="v", label="top of the search")
    axes.set_xlabel("frame size (bytes, FCS included)")
    axes.set_ylabel("packets/s (log)")
    axes.set_yscale("log")
    allowed = float(doc["parameters"].get("max_loss_ratio") or 0)
    axes.set_title(
        "RFC 2544 throughput (%s)" % ("no loss" if not allowed else "loss at most %g %%" % (allowed * 100))
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    names = [_save(figure, folder, "rfc2544_throughput.png")]
    curves = [item for item in found if item["frame_loss"]]
    if curves:
        figure, axes = pyplot.subplots(figsize=(7, 4.5))
        limited = []
        for item in curves:
            points = sorted(item["frame_loss"], key=lambda point: point["rate_pps"])
            axes.plot(
                [point["rate_pps"] for point in points],
                [point["loss_ratio"] * 100 for point in points],
                marker="o",
                label="%d B" % (item["pkt_size"] + rfc2544.FCS),
            )
            limited += [point for point in points if point.get("status") == "generator_limited"]
        _mark_limited(axes, limited, lambda point: point["rate_pps"], lambda point: point["loss_ratio"] * 100)
        axes.set_xlabel("offered (packets/s)")
        axes.set_ylabel("frame loss (% of sent)")
        axes.set_title("RFC 2544 frame loss rate")
        axes.grid(True, alpha=0.3)
        axes.legend()
        names.append(_save(figure, folder, "rfc2544_frame_loss.png"))
    return names


def draw(doc, folder):
    """Write the plots of DOC's experiment into FOLDER; returns their file names (none without matplotlib
    or points)."""
    if not HAS_MATPLOTLIB or not doc["points"]:
        return []
    kind = doc["experiment"]
    if kind == "rss_scaling":
        names = [_capacity(doc, folder), _cpus(doc, folder, "Packets per receiver CPU (q: receive queues)")]
    elif kind in ("interarrival", "latency"):
        title = "Inter-arrival time" if kind == "interarrival" else "Latency"
        names = [_timing(doc, folder, kind, title, log_y=kind == "interarrival"), _rates(doc, folder)]
    elif kind == "rfc2544":
        names = _rfc2544(doc, folder)
    else:
        names = [_rates(doc, folder), _loss(doc, folder), _cpus(doc, folder)]
    return [name for name in names if name]
