# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An experiment's results folder: results.json (every point as it finishes), results.csv, a summary.

Plain Python with no Ansible imports. Every file is written to a temporary
name in the same folder and renamed over the old one, so a reader (or an
interrupted run) sees either the previous file or the new one, never half.
The layout of results.json is docs/results.schema.json.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile

FORMAT = "netlab.pktgen/results/1"
RESULTS = "results.json"
CSV = "results.csv"
REPORT = "report.md"
CSV_FIELDS = (
    "index",
    "key",
    "rate",
    "pkt_size",
    "flows",
    "sent",
    "received",
    "lost",
    "loss_ratio",
    "offered_pps",
    "received_pps",
    "passed",
)


class ResultsError(ValueError):
    """A results folder that cannot be used (another sweep's, or unreadable)."""


def write_atomic(path, text):
    """Write TEXT to PATH through a temporary file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def load(folder):
    """The results document in FOLDER, or None when it has none yet."""
    path = os.path.join(folder, RESULTS)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as src:
            doc = json.load(src)
    except (OSError, ValueError) as exc:
        raise ResultsError("%s cannot be read: %s" % (path, exc)) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ResultsError("%s is not a netlab.pktgen results file (format %s)" % (path, FORMAT))
    return doc


def new(experiment, plan, parameters, hosts, now):
    """A results document with no points yet."""
    return dict(
        format=FORMAT,
        experiment=experiment,
        created=now,
        updated=now,
        complete=not plan,
        parameters=parameters,
        hosts=hosts,
        plan=plan,
        points=[],
    )


def done(doc):
    """Keys of the finished points."""
    return [point["key"] for point in doc["points"]]


def todo(doc):
    """The plan's points not finished yet, in plan order, each with its 1-based ``index``."""
    finished = set(done(doc))
    return [
        dict(point, index=index) for index, point in enumerate(doc["plan"], 1) if point["key"] not in finished
    ]


def add_point(doc, point, now):
    """DOC with POINT (a traffic_point result carrying the plan's ``key``) in plan order."""
    keys = [entry["key"] for entry in doc["plan"]]
    if point.get("key") not in keys:
        raise ResultsError("point %r is not in this sweep's plan %s" % (point.get("key"), keys))
    points = [entry for entry in doc["points"] if entry["key"] != point["key"]] + [dict(point)]
    points.sort(key=lambda entry: keys.index(entry["key"]))
    return dict(doc, points=points, updated=now, complete=len(points) == len(keys))


def save(folder, doc):
    """Write results.json and results.csv into FOLDER; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    json_path = os.path.join(folder, RESULTS)
    csv_path = os.path.join(folder, CSV)
    write_atomic(json_path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_atomic(csv_path, to_csv(doc))
    return [json_path, csv_path]


def rows(doc):
    """One flat row per point, the columns of CSV_FIELDS."""
    index = dict((entry["key"], number) for number, entry in enumerate(doc["plan"], 1))
    out = []
    for point in doc["points"]:
        params = point.get("params") or {}
        row = dict(point, index=index[point["key"]])
        row.update((name, params.get(name)) for name in ("rate", "pkt_size", "flows"))
        out.append(dict((name, row.get(name)) for name in CSV_FIELDS))
    return out


def to_csv(doc):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(doc))
    return buffer.getvalue()


SUMMARY_COLUMNS = (
    ("#", "index", "%s"),
    ("rate", "rate", "%s"),
    ("size", "pkt_size", "%s"),
    ("flows", "flows", "%s"),
    ("offered pps", "offered_pps", "%s"),
    ("received pps", "received_pps", "%s"),
    ("sent", "sent", "%s"),
    ("received", "received", "%s"),
    ("lost", "lost", "%s"),
    ("loss %", "loss_ratio", "%.4f"),
    ("pass", "passed", "%s"),
)


def summary(doc):
    """The points as a text table, one string per line."""
    table = [[column[0] for column in SUMMARY_COLUMNS]]
    for row in rows(doc):
        line = []
        for _title, name, fmt in SUMMARY_COLUMNS:
            value = row[name]
            if name == "loss_ratio":
                value = value * 100
            elif name == "passed":
                value = "yes" if value else "NO"
            line.append(fmt % value)
        table.append(line)
    widths = [max(len(line[col]) for line in table) for col in range(len(SUMMARY_COLUMNS))]
    text = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in table]
    text.insert(1, "  ".join("-" * width for width in widths))
    return text


def per_cpu(doc):
    """Packets each receiver CPU counted, per point: {key: {"host cpuN": packets}}."""
    out = {}
    for point in doc["points"]:
        counts = {}
        for receiver in point.get("receivers") or []:
            for cpu, packets in sorted((receiver.get("cpus") or {}).items(), key=lambda item: int(item[0])):
                counts["%s cpu%s" % (receiver["host"], cpu)] = packets
        out[point["key"]] = counts
    return out


def host_side(doc, host):
    """HOST's own part of every point: what it sent (a generator) or counted (a receiver)."""
    points = []
    for point in doc["points"]:
        points.append(
            dict(
                key=point["key"],
                params=point.get("params") or {},
                sent=[entry for entry in point.get("senders") or [] if entry["host"] == host],
                received=[entry for entry in point.get("receivers") or [] if entry["host"] == host],
            )
        )
    return dict(experiment=doc["experiment"], created=doc["created"], complete=doc["complete"], points=points)


def report(doc, plots):
    """report.md: what ran, the summary table, the plots (file names in PLOTS) and the hosts."""
    lines = [
        "# %s results" % doc["experiment"],
        "",
        "Started %s, last point %s; %d of %d points%s."
        % (
            doc["created"],
            doc["updated"],
            len(doc["points"]),
            len(doc["plan"]),
            "" if doc["complete"] else " (incomplete: run again with resume=<this folder>)",
        ),
        "",
        "## Points",
        "",
        "```",
    ]
    lines += summary(doc) + ["```", ""]
    if plots:
        lines += ["## Plots", ""]
        lines += ["![%s](%s)" % (os.path.splitext(name)[0].replace("_", " "), name) for name in plots]
        lines.append("")
    lines += ["## Hosts", ""]
    for host, facts in sorted((doc.get("hosts") or {}).items()):
        kernel = ((facts or {}).get("kernel") or {}).get("release") or "unknown"
        cpus = ((facts or {}).get("cpus") or {}).get("count")
        lines.append("- %s: kernel %s, %s CPUs" % (host, kernel, cpus))
    lines += [
        "",
        "## Parameters",
        "",
        "```",
        json.dumps(doc.get("parameters") or {}, indent=1, sort_keys=True),
    ]
    lines += ["```", ""]
    return "\n".join(lines)
