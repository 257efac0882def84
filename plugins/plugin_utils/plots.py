# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PNG plots of a results document, drawn on the controller with matplotlib (its only user)."""

from __future__ import annotations

import os

from ansible_collections.netlab.pktgen.plugins.module_utils import results

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


def _label(size, flows):
    return "%d B, %d flow%s" % (size, flows, "s" * (flows > 1))


def _curves(doc, folder, name, what, labels, *, diagonal=False):
    """One curve per (size, flows): offered pps against WHAT(row); LABELS: x, y and title; DIAGONAL adds
    the line y = x."""
    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    top = 0
    for (size, flows), rows in sorted(_series(doc).items()):
        offered = [row["offered_pps"] for row in rows]
        values = [what(row) for row in rows]
        axes.plot(offered, values, marker="o", label=_label(size, flows))
        top = max([top] + offered + values)
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


def _cpus(doc, folder):
    counts = results.per_cpu(doc)
    columns = sorted(set(name for point in counts.values() for name in point))
    if not columns:
        return None
    figure, axes = pyplot.subplots(figsize=(max(7, 0.5 * len(counts) + 3), 4.5))
    labels = ["#%d" % row["index"] for row in results.rows(doc)]
    keys = [point["key"] for point in doc["points"]]
    bottom = [0] * len(keys)
    for column in columns:
        values = [counts[key].get(column, 0) or 0 for key in keys]
        axes.bar(labels, values, bottom=bottom, label=column)
        bottom = [low + value for low, value in zip(bottom, values)]
    axes.set_xlabel("point (see the table in report.md)")
    axes.set_ylabel("packets counted")
    axes.set_title("Packets per receiver CPU")
    axes.legend(fontsize="small")
    return _save(figure, folder, "per_cpu.png")


def draw(doc, folder):
    """Write the plots into FOLDER; returns their file names (none without matplotlib or points)."""
    if not HAS_MATPLOTLIB or not doc["points"]:
        return []
    return [name for name in (_rates(doc, folder), _loss(doc, folder), _cpus(doc, folder)) if name]
