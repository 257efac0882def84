# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pktgen receiver's protocol: control files, commands and output parsing.

Pure Python with no Ansible imports. The receiver is this collection's
pktgen_rx module (/proc/net/pktgen_rx/pgrx) or, on kernels that carry the
original receiver patch, /proc/net/pktgen/pgrx; both take the same commands
and print the same layouts (docs/receiver.md).
"""

from __future__ import annotations

import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import shell

CONTROL_FILES = ("/proc/net/pktgen_rx/pgrx", "/proc/net/pktgen/pgrx")
LEVELS = ("counter", "basic", "time")
DISPLAYS = ("human", "script")
RATE_FIELDS = ("packets", "bytes", "work_us", "pps", "mbps", "bps")
SERIES = ("interarrival", "jitter", "latency")
SERIES_FIELDS = ("avg_ns", "var_ns2", "max_ns", "min_ns", "samples")
# Percentiles over all CPUs, at statistics level time, for these series.
PERCENTILE_SERIES = ("interarrival", "latency")
PERCENTILES = ("p50", "p90", "p99", "p99.9")
# At level time, fields appended after the series (per CPU) and after the
# percentiles (G line): latency samples whose send time was ahead of the
# receiver's clock, not in the latency series. Then on the G line the series
# over all CPUs, combined exactly (interarrival, jitter, latency).
FUTURE = "future"
# Sequence analysis per sender (source address), at levels basic and time.
SENDER_FIELDS = ("received", "lost", "reordered", "duplicated", "first_seq", "last_seq")
# Marker printed before the control file's contents by read_script().
READ_MARKER = "==> pgrx control file "
# Exit code of read_script() when the target has no receiver.
NO_RECEIVER = 4


class PgrxError(ValueError):
    """Receiver output that cannot be used."""


def _ints(values):
    return [int(value) for value in values]


def _series(values):
    return dict(zip(SERIES_FIELDS, _ints(values)))


def _percentiles(values):
    """{series: {p50: ns, ...}} from the G line's fields after the rates."""
    out = {}
    for index, name in enumerate(PERCENTILE_SERIES):
        chunk = values[index * 4 : index * 4 + 4]
        if len(chunk) == 4:
            out[name] = dict(zip(PERCENTILES, _ints(chunk)))
    return out


def _time_fields(values, target, future=True):
    """SERIES (5 fields each) from VALUES into TARGET, then (FUTURE) ``future`` when it follows them.

    Fields after those are a later receiver's: ignored.
    """
    for index, name in enumerate(SERIES):
        chunk = values[index * 5 : index * 5 + 5]
        if len(chunk) == 5:
            target[name] = _series(chunk)
    if future and len(values) > 5 * len(SERIES):
        target[FUTURE] = int(values[5 * len(SERIES)])


def _parse_script(lines, out):
    for line in lines:
        fields = line.split()
        if fields[0] == "G":
            out["total"] = dict(zip(RATE_FIELDS, _ints(fields[1:7])))
            out["percentiles"] = _percentiles(fields[7:15])
            if len(fields) > 15:
                out["total"][FUTURE] = int(fields[15])
                _time_fields(fields[16:], out["total"], future=False)
            continue
        if fields[0] == "S" and len(fields) == 2 + len(SENDER_FIELDS):
            out["senders"][fields[1]] = dict(zip(SENDER_FIELDS, _ints(fields[2:])))
            continue
        if fields[0] == "U" and len(fields) == 2:
            out["untracked"] = int(fields[1])
            continue
        if not fields[0].isdigit() or len(fields) < 7:
            raise PgrxError("unexpected line in the receiver's script output: %r" % line)
        cpu = dict(zip(RATE_FIELDS, _ints(fields[1:7])))
        _time_fields(fields[7:], cpu)
        out["cpus"][int(fields[0])] = cpu
    if out["total"] is None:
        raise PgrxError("no G line in the receiver's script output")


_CPU_HEAD = re.compile(r"^CPU (\d+):\s+Rx packets: (\d+)\s+Rx bytes: (\d+)")
_GLOBAL_HEAD = re.compile(r"^Packets Rx: (\d+)\s+Bytes Rx: (\d+)")
_WORK = re.compile(r"^Work time (\d+) us")
_RATE = re.compile(r"^Rate:\s+(\d+)pps (\d+)Mb/sec \((\d+)bps\)")
_AVG = re.compile(r"^Average: (\d+) ns Variance (\d+) ns2")
_MAXMIN = re.compile(r"^Max: (\d+) ns Min:+ (\d+) ns")
_SAMPLES = re.compile(r"^Samples: (\d+)")
_FUTURE = re.compile(r" Future: (\d+)$")
_SERIES_NAMES = {"Inter-arrival": "interarrival", "Jitter": "jitter", "Latency": "latency"}
_PCT_LINE = re.compile(
    r"^(Inter-arrival|Latency) percentiles: p50 (\d+) ns p90 (\d+) ns p99 (\d+) ns p99\.9 (\d+) ns"
)
_SENDER_LINE = re.compile(
    r"^(\S+): Received (\d+) Lost (\d+) Reordered (\d+) Duplicated (\d+) Seq (\d+)-(\d+)$"
)
_UNTRACKED_LINE = re.compile(r"^Untracked: (\d+) packets")


def _parse_human_totals(line, out):
    """Lines that hold totals over all CPUs; True when LINE was one of them."""
    match = _PCT_LINE.match(line)
    if match:
        out["percentiles"][_SERIES_NAMES[match.group(1)]] = dict(zip(PERCENTILES, _ints(match.groups()[1:])))
        future = _FUTURE.search(line)
        if future and out["total"] is not None:
            out["total"][FUTURE] = int(future.group(1))
        return True
    match = _SENDER_LINE.match(line)
    if match:
        out["senders"][match.group(1)] = dict(zip(SENDER_FIELDS, _ints(match.groups()[1:])))
        return True
    match = _UNTRACKED_LINE.match(line)
    if match:
        out["untracked"] = int(match.group(1))
        return True
    return False


def _parse_human(lines, out):
    current, series = None, None
    for raw in lines:
        line = raw.strip()
        if _parse_human_totals(line, out):
            continue
        head = _CPU_HEAD.match(line) or _GLOBAL_HEAD.match(line)
        if head:
            numbers = _ints(head.groups())
            current = dict(packets=numbers[-2], bytes=numbers[-1], work_us=0, pps=0, mbps=0, bps=0)
            if line.startswith("CPU"):
                out["cpus"][numbers[0]] = current
            else:
                out["total"] = current
            series = None
            continue
        if current is None:
            continue
        if line in _SERIES_NAMES:
            series = current.setdefault(_SERIES_NAMES[line], {})
            continue
        for pattern, keys, target in (
            (_WORK, ("work_us",), current),
            (_RATE, ("pps", "mbps", "bps"), current),
            (_AVG, ("avg_ns", "var_ns2"), series),
            (_MAXMIN, ("max_ns", "min_ns"), series),
            (_SAMPLES, ("samples",), series),
        ):
            match = pattern.match(line)
            if match and target is not None:
                target.update(zip(keys, _ints(match.groups())))
        future = _FUTURE.search(line)
        if future and _SAMPLES.match(line):
            current[FUTURE] = int(future.group(1))
    if out["total"] is None:
        raise PgrxError("no Global Statistics in the receiver's human output")


def parse(text):
    """Parse what reading the receiver's control file returns, in either layout.

    Returns a dict: ``enabled``; ``display`` (human or script); ``cpus``, per
    CPU number the counters (packets, bytes, work_us, pps, mbps, bps) and, at
    statistics level time, ``interarrival``, ``jitter`` and ``latency`` each
    with avg_ns, var_ns2, max_ns, min_ns, samples (avg and var are the floor
    of the exact mean and population variance), and ``future``, latency
    samples sent ahead of the receiver's clock (left out of latency);
    ``total``, the G line or Global Statistics: the counters and, at level
    time, ``future`` over all CPUs and (script layout only) ``interarrival``,
    ``jitter`` and ``latency`` over all CPUs, combined exactly by the
    receiver; ``percentiles``, at level time and over all CPUs,
    ``interarrival`` and ``latency`` each with p50, p90, p99, p99.9 in ns
    (empty otherwise); ``senders``, at levels basic and time, per source
    address the sequence analysis (received, lost, reordered, duplicated,
    first_seq, last_seq); ``untracked``, packets of senders beyond the
    receiver's table; ``config``, the settings (see parse_config; None from
    a receiver that does not print them); ``result``, the text of the last
    ``Result:`` line.
    """
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    result, config = None, None
    body = []
    for line in lines:
        if line.startswith("Result: "):
            result = line[len("Result: ") :].strip()
        elif line.startswith("Config: "):
            config = parse_config(line)
        else:
            body.append(line)
    out = dict(enabled=True, display=None, cpus={}, total=None, result=result)
    out.update(percentiles={}, senders={}, untracked=0, config=config)
    if any(line.strip() == "Not enabled." for line in body):
        out["enabled"] = False
        return out
    if not body:
        raise PgrxError("the receiver printed no statistics")
    if any("Rx packets:" in line or "Packets Rx:" in line for line in body):
        out["display"] = "human"
        _parse_human(body, out)
    else:
        out["display"] = "script"
        _parse_script(body, out)
    return out


def parse_config(line):
    """Settings from the ``Config:`` line.

    enabled (bool), rx (device names, ["all"] or []), statistics, display,
    drop (bool), hook.
    """
    fields = line.split()[1:]
    raw = dict(zip(fields[::2], fields[1::2]))
    if len(fields) % 2 or not {"enabled", "rx", "statistics", "display"} <= set(raw):
        raise PgrxError("unexpected Config line from the receiver: %r" % line)
    return dict(
        enabled=raw["enabled"] == "yes",
        rx=[] if raw["rx"] == "none" else raw["rx"].split(","),
        statistics=raw["statistics"],
        display=raw["display"],
        drop=raw.get("drop", "on") == "on",
        hook=raw.get("hook"),
    )


def read_script():
    """A POSIX sh script that prints the first control file present after READ_MARKER, then its contents.

    It exits with NO_RECEIVER when the target has neither.
    """
    paths = " ".join(shlex.quote(path) for path in CONTROL_FILES)
    return 'for f in %s; do\n    if [ -e "$f" ]; then echo "%s$f"; cat "$f"; exit 0; fi\ndone\nexit %d\n' % (
        paths,
        READ_MARKER,
        NO_RECEIVER,
    )


def split_read(text):
    """(control file, its contents) from read_script()'s output."""
    head, _sep, body = text.partition("\n")
    if not head.startswith(READ_MARKER):
        raise PgrxError("unexpected output while reading the receiver: %r" % text[:200])
    return head[len(READ_MARKER) :].strip(), body


def write_script(path, commands):
    """A POSIX sh script: each command written to PATH and verified, then PATH read as read_script() does."""
    body = shell.pgset_lines((path, command) for command in commands)
    body.append("echo %s" % shlex.quote(READ_MARKER + path))
    body.append("cat %s" % shlex.quote(path))
    return "\n".join(body) + "\n"


# Commands that zero the statistics (rx also enables the receiver).
_RESETS = ("rx", "statistics", "rx_reset")


def plan(config, want):
    """Commands that take the receiver from CONFIG to WANT, in the order to write them.

    CONFIG is parse()["config"], or None for a receiver that does not print
    its settings (the original patch): then every setting asked for is
    written. WANT: state (enabled or disabled), devices (names, ["all"], or
    None to keep), statistics, display, drop (None to keep each), reset.
    """
    if want["state"] == "disabled":
        return [] if config is not None and not config["enabled"] else ["rx_disable"]
    known = config or {}
    devices = want.get("devices")
    commands = []
    if devices:
        if config is None or not known["enabled"] or sorted(known["rx"]) != sorted(devices):
            commands.append("rx " + " ".join(devices))
    elif config is None or not known["enabled"]:
        raise PgrxError("the receiver is not enabled: name the devices to receive on (devices)")
    for key in ("statistics", "display"):
        if want.get(key) is not None and known.get(key) != want[key]:
            commands.append("%s %s" % (key, want[key]))
    if want.get("drop") is not None and known.get("drop") != want["drop"]:
        commands.append("drop %s" % ("on" if want["drop"] else "off"))
    if want.get("reset") and not any(command.split()[0] in _RESETS for command in commands):
        commands.append("rx_reset")
    return commands


def apply(config, commands):
    """The settings CONFIG would have after COMMANDS (for check mode and diff)."""
    after = dict(config or dict(enabled=False, rx=[], statistics=None, display=None, drop=None, hook=None))
    for command in commands:
        verb, _sep, arg = command.partition(" ")
        if verb == "rx":
            after.update(enabled=True, rx=arg.split())
        elif verb == "rx_disable":
            after["enabled"] = False
        elif verb in ("statistics", "display"):
            after[verb] = arg
        elif verb == "drop":
            after["drop"] = arg == "on"
    return after
