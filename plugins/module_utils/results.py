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

from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, rfc2544

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
    # Added with the intended/offered load and the loss accounting (after the first columns, which
    # existing readers take by position).
    "status",
    "intended_pps",
    "offered_ratio",
    "excess",
    "untracked",
    "errors",
    "settle_s",
)


def _time_fields(series, stats):
    return tuple("%s_%s_ns" % (series, stat) for stat in stats)


_TIMES = ("min", "avg", "max") + pgrx.PERCENTILES
# Columns each experiment adds to CSV_FIELDS (and rows() fills in).
EXTRA_FIELDS = {
    "rss_scaling": ("queues", "cpus_counting"),
    "interarrival": _time_fields("interarrival", _TIMES),
    "latency": _time_fields("latency", _TIMES) + _time_fields("jitter", ("avg", "max")),
    "rfc2544": ("phase", "target") + _time_fields("latency", _TIMES),
}


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


def add_point(doc, point, now, grow=False):
    """DOC with POINT (a traffic_point result carrying the plan's ``key``) in plan order.

    GROW: a point the plan does not name joins the plan at its end (a search, whose trials are not known
    in advance: rfc2544.yml); the document is then complete only when finish() says so.
    """
    keys = [entry["key"] for entry in doc["plan"]]
    if grow and point.get("key") not in keys:
        params = point.get("params") or {}
        entry = dict((name, params.get(name)) for name in ("rate", "pkt_size", "flows"))
        doc = dict(doc, plan=doc["plan"] + [dict(entry, key=point["key"])], searched=True)
        keys.append(point["key"])
    if point.get("key") not in keys:
        raise ResultsError("point %r is not in this sweep's plan %s" % (point.get("key"), keys))
    points = [entry for entry in doc["points"] if entry["key"] != point["key"]] + [dict(point)]
    points.sort(key=lambda entry: keys.index(entry["key"]))
    complete = len(points) == len(keys) and not doc.get("searched")
    return dict(doc, points=points, updated=now, complete=complete)


def finish(doc, findings, now):
    """DOC of a finished search (rfc2544.yml), complete, with what it FOUND (a list, one item per size)."""
    return dict(doc, findings=findings, complete=True, updated=now)


def save(folder, doc):
    """Write results.json and results.csv into FOLDER; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    json_path = os.path.join(folder, RESULTS)
    csv_path = os.path.join(folder, CSV)
    write_atomic(json_path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_atomic(csv_path, to_csv(doc))
    return [json_path, csv_path]


def fields(doc):
    """The CSV columns of DOC's experiment."""
    return CSV_FIELDS + EXTRA_FIELDS.get(doc["experiment"], ())


def _times(point):
    out = {}
    for series, stats in (point.get("time") or {}).items():
        for stat in ("min", "avg", "max"):
            out["%s_%s_ns" % (series, stat)] = stats.get(stat + "_ns")
        for name, value in (stats.get("percentiles") or {}).items():
            out["%s_%s_ns" % (series, name)] = value
    return out


def full_rows(doc):
    """One flat row per point, every column any experiment has."""
    index = dict((entry["key"], number) for number, entry in enumerate(doc["plan"], 1))
    out = []
    for point in doc["points"]:
        params = point.get("params") or {}
        row = dict(point, index=index[point["key"]])
        row.update(
            (name, params.get(name)) for name in ("rate", "pkt_size", "flows", "queues", "phase", "target")
        )
        row.update(_times(point))
        if row.get("status") is None:  # a point measured before statuses were kept
            row["status"] = "passed" if point.get("passed") else "loss"
        row["cpus_counting"] = sum(
            1
            for receiver in point.get("receivers") or []
            for packets in (receiver.get("cpus") or {}).values()
            if packets
        )
        out.append(row)
    return out


def rows(doc):
    """One flat row per point, the columns of fields(doc)."""
    return [dict((name, row.get(name)) for name in fields(doc)) for row in full_rows(doc)]


def to_csv(doc):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields(doc), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(doc))
    return buffer.getvalue()


SUMMARY_COLUMNS = (
    ("#", "index", "%s"),
    ("rate", "rate", "%s"),
    ("size", "pkt_size", "%s"),
    ("flows", "flows", "%s"),
    ("intended pps", "intended_pps", "%d"),
    ("offered pps", "offered_pps", "%s"),
    ("offered %", "offered_ratio", "%.2f"),
    ("received pps", "received_pps", "%s"),
    ("sent", "sent", "%s"),
    ("received", "received", "%s"),
    ("lost", "lost", "%s"),
    ("excess", "excess", "%s"),
    ("loss %", "loss_ratio", "%.4f"),
    ("pass", "status", "%s"),
)
# What the pass column says for each point status (module_utils/point.py).
STATUS_CELLS = dict(passed="yes", loss="NO", excess="EXCESS", generator_limited="GEN-LIMITED")


def _columns(*names):
    """The SUMMARY_COLUMNS titled NAMES, in that order."""
    by_title = dict((column[0], column) for column in SUMMARY_COLUMNS)
    return tuple(by_title[name] for name in names)


def _after(columns, name, extra):
    """COLUMNS with EXTRA inserted after the column titled NAME."""
    at = [column[0] for column in columns].index(name) + 1
    return columns[:at] + extra + columns[at:]


def _time_columns(series, title):
    return tuple(
        ("%s %s ns" % (title, stat), "%s_%s_ns" % (series, stat), "%s")
        for stat in ("min", "avg", "max", "p50", "p99")
    )


_TIMING = ("#", "rate", "size", "flows", "intended pps", "offered pps", "received pps", "lost", "pass")
# The summary table's columns per experiment (throughput's for any other).
EXPERIMENT_COLUMNS = {
    "rss_scaling": _after(SUMMARY_COLUMNS, "#", (("queues", "queues", "%s"),))
    + (("CPUs counting", "cpus_counting", "%s"),),
    "interarrival": _columns(*_TIMING) + _time_columns("interarrival", "inter-arrival"),
    "latency": _columns(*_TIMING) + _time_columns("latency", "latency"),
    "rfc2544": _after(SUMMARY_COLUMNS, "size", (("phase", "phase", "%s"), ("target", "target", "%s"))),
}


def _cell(fmt, name, value):
    if value is None:
        return "-"
    if name in ("loss_ratio", "offered_ratio"):
        value = value * 100
    elif name == "passed":
        value = "yes" if value else "NO"
    elif name == "status":
        value = STATUS_CELLS.get(value, value)
    return fmt % value


def _table(table):
    widths = [max(len(line[col]) for line in table) for col in range(len(table[0]))]
    text = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in table]
    text.insert(1, "  ".join("-" * width for width in widths))
    return text


def _number(value, fmt="%d"):
    return "-" if value is None else fmt % value


def findings_table(doc):
    """rfc2544: per frame size what the search found, as text lines (none for other experiments)."""
    found = doc.get("findings") or []
    if not found:
        return []
    table = [
        [
            "frame B",
            "line rate pps",
            "throughput pps",
            "of line",
            "trials",
            "latency avg ns",
            "latency p99 ns",
            "at pps",
            "back-to-back frames",
        ]
    ]
    for item in found:
        latency = item.get("latency") or {}
        table.append(
            [
                str(item["pkt_size"] + rfc2544.FCS),
                _number(item["line_rate_pps"]),
                (">= " if item.get("max_rate_passed") else "")
                + _number(item["throughput_pps"])
                + ("" if item["done"] else " (unfinished)"),
                _number(item.get("of_line_rate") and item["of_line_rate"] * 100, "%.2f %%"),
                str(item["throughput_trials"]),
                _number(latency.get("avg_ns")),
                _number((latency.get("percentiles") or {}).get("p99")),
                _number(latency.get("rate_pps")),
                _number(item["back_to_back_frames"]),
            ]
        )
    notes = [
        "%d B: the top rate %s lost nothing either: the throughput is above the search's range; raise "
        "rfc2544_max_rate" % (item["pkt_size"] + rfc2544.FCS, item["frame_loss"][0]["rate_pps"])
        for item in found
        if item.get("max_rate_passed")
    ]
    notes += [
        "%d B: the generators could not offer %d pps (generator_limited), so the search went no higher: "
        "the throughput found is a floor set by the generator, not the device's limit"
        % (item["pkt_size"] + rfc2544.FCS, item["generator_limited_pps"])
        for item in found
        if item.get("generator_limited_pps")
    ]
    return _table(table) + notes


def summary(doc):
    """The points as a text table, one string per line."""
    columns = EXPERIMENT_COLUMNS.get(doc["experiment"], SUMMARY_COLUMNS)
    table = [[column[0] for column in columns]]
    for row in full_rows(doc):
        table.append([_cell(fmt, name, row.get(name)) for _title, name, fmt in columns])
    return _table(table)


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


def notes(doc):
    """Per point that did not pass for a reason other than loss, a line saying why (text lines)."""
    out = []
    for row in full_rows(doc):
        where = "#%d %s" % (row["index"], row["key"])
        if row.get("status") == "generator_limited":
            out.append(
                "%s: GENERATOR-LIMITED - the generators offered %s pps, %.2f %% of the intended %d pps "
                "(below traffic_test_min_offered_ratio %s): the generator, not the system under test, was "
                "the limit; neither a pass nor a loss"
                % (
                    where,
                    row["offered_pps"],
                    (row.get("offered_ratio") or 0) * 100,
                    row.get("intended_pps") or 0,
                    row.get("min_offered_ratio"),
                )
            )
        for pair in row.get("pairs") or []:
            if pair.get("excess"):
                out.append(
                    "%s: EXCESS from %s - received %d more than the %d sent: %s"
                    % (
                        where,
                        pair["address"],
                        pair["excess"],
                        pair["sent"],
                        "; ".join(pair.get("causes") or []),
                    )
                )
        group = row.get("untracked_unattributed")
        if group:
            out.append(
                "%s: %d packets of senders beyond the receiver's table (untracked) could belong to %s: "
                "counted into the point, those pairs judged together (loss %d of %d)"
                % (
                    where,
                    group["untracked"],
                    ", ".join(group["addresses"]) or "no sender of the point",
                    group["lost"],
                    group["sent"],
                )
            )
        for entry in row.get("foreign") or []:
            out.append(
                "%s: %d packets from %s, no sender of this point (foreign pktgen traffic), left out"
                % (where, entry["received"], entry["address"])
            )
        if row.get("errors"):
            out.append("%s: pktgen counted %d transmit errors" % (where, row["errors"]))
    return out


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
    if notes(doc):
        lines += ["## Notes", ""] + ["- " + note for note in notes(doc)] + [""]
    if doc.get("findings"):
        lines += ["## Found", "", "```"] + findings_table(doc) + ["```", ""]
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
