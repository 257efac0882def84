# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kernel pktgen protocol: procfs paths, configuration scripts, result parsing.

Pure Python with no Ansible imports, so unit tests call it directly and the
controller-side plugins share one definition of how pktgen is driven.

pktgen is driven the way the kernel's samples/pktgen scripts do it: one line
per write into /proc/net/pktgen/{pgctrl,kpktgend_N,DEV}, and after every write
into a thread or device file the ``Result:`` line is read back, because some
rejected values still let the write succeed.
"""

from __future__ import annotations

import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import host, shell

PROC_DIR = "/proc/net/pktgen"
PGCTRL = PROC_DIR + "/pgctrl"

# Device parameters that must be written before the others: pktgen turns a
# ``rate`` in Mb/s into an inter-packet delay using the size set at that time.
SIZE_FIRST = ("min_pkt_size", "max_pkt_size", "pkt_size")
RATE_LAST = ("rate", "ratep")

# Exit code of a script that found no pktgen and could not load it.
NOT_AVAILABLE = 4

# Marker printed before each device file dumped at the end of a script.
DUMP_MARKER = "==> pktgen device "


class PktgenError(ValueError):
    """A pktgen configuration or output that cannot be used."""


def thread_file(cpu):
    """Control file of the kpktgend thread on CPU ``cpu``."""
    return "%s/kpktgend_%d" % (PROC_DIR, int(cpu))


def device_file(dev):
    """Control file of pktgen device ``dev`` (``IF`` or ``IF@tag``)."""
    if not dev or "/" in dev or dev.startswith("."):
        raise PktgenError("invalid pktgen device name %r" % (dev,))
    return "%s/%s" % (PROC_DIR, dev)


def _param_lines(params):
    """Turn a parameter mapping into pktgen lines, sizes first, rates last."""

    def rank(key):
        if key in SIZE_FIRST:
            return 0
        if key in RATE_LAST:
            return 2
        return 1

    lines = []
    for key in sorted(params, key=rank):  # sorted() is stable: keeps given order within a rank
        value = params[key]
        if not re.match(r"^[a-z][a-z0-9_]*$", str(key)):
            raise PktgenError("invalid pktgen parameter name %r" % (key,))
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            text = str(item).strip()
            if not text or "\n" in text:
                raise PktgenError("invalid value %r for pktgen parameter %s" % (item, key))
            lines.append("%s %s" % (key, text))
    return lines


def config_writes(threads, devices, reset=True):
    """List of (file, line) writes that configure pktgen from scratch.

    ``threads`` maps a CPU number to the devices that thread sends on;
    ``devices`` maps a device to its parameters (``flag`` may be a list).
    """
    writes = []
    if reset:
        writes.append((PGCTRL, "reset"))
    for cpu in sorted(threads, key=int):
        writes.append((thread_file(cpu), "rem_device_all"))
        for dev in threads[cpu]:
            writes.append((thread_file(cpu), "add_device %s" % dev))
    for dev, params in devices.items():
        for line in _param_lines(params or {}):
            writes.append((device_file(dev), line))
    return writes


def render_script(writes, start=False, dump=(), netns=None):
    """A POSIX sh script that performs ``writes`` and verifies each one.

    With ``start`` the script then runs pgctrl ``start`` (which returns when
    every device is done) and prints each device file named in ``dump`` after
    a ``DUMP_MARKER`` line. With ``netns`` the script runs in that network
    namespace through ``ip netns exec``.
    """
    body = shell.pgset_lines(writes)
    if start:
        body.append("pgset %s start" % shlex.quote(PGCTRL))
    for dev in dump:
        path = device_file(dev)
        body.append("echo %s" % shlex.quote(DUMP_MARKER + dev))
        body.append("cat %s" % shlex.quote(path))
    return shell.command("\n".join(body) + "\n", netns)


def split_dump(text):
    """Map each device to its file contents from a script's ``dump`` output."""
    out = {}
    current = None
    for line in text.splitlines():
        if line.startswith(DUMP_MARKER):
            current = line[len(DUMP_MARKER) :].strip()
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return dict((dev, "\n".join(lines) + "\n") for dev, lines in out.items())


_RESULT_OK = re.compile(
    r"Result: OK: (?P<elapsed_us>\d+)\(c(?P<busy_us>\d+)\+d(?P<idle_us>\d+)\) usec, "
    r"(?P<packets>\d+) \((?P<pkt_size>\d+)byte,(?P<frags>\d+)frags\)\s*\n"
    r"\s*(?P<pps>\d+)pps (?P<mbps>\d+)Mb/sec \((?P<bps>\d+)bps\) errors: (?P<errors>\d+)"
)


def parse_result(text):
    """Parse the ``Result:`` section of a pktgen device file.

    Returns a dict of integers (elapsed_us, busy_us, idle_us, packets,
    pkt_size, frags, pps, mbps, bps, errors). Raises PktgenError with the
    kernel's own words when the device has no finished run.
    """
    match = _RESULT_OK.search(text)
    if match:
        return dict((key, int(value)) for key, value in match.groupdict().items())
    other = re.search(r"^Result: (.*)$", text, re.MULTILINE)
    if other:
        raise PktgenError("pktgen has no finished run: Result: %s" % other.group(1).strip())
    raise PktgenError("no Result: line in pktgen device output")


# ---------------------------------------------------------------------------
# Reading a device back: Params (its settings), Current (its counters), threads.
#
# A device's settings as a flat mapping in the words of its Params: section
# (recorded from 6.1 and 6.12). Lines the kernel prints only when a setting
# differs from the default are absent otherwise; DEFAULTS fills them in, so a
# fresh device, a reset one and an expected one compare key by key.
DEFAULTS = dict(
    count=1000,
    min_pkt_size=0,
    max_pkt_size=0,
    imix_weights="",
    frags=0,
    delay=0,
    clone_skb=0,
    flows=0,
    flowlen=0,
    queue_map_min=0,
    queue_map_max=0,
    skb_priority=0,
    dst_min="",
    dst_max="",
    src_min="",
    src_max="",
    saddr="::",
    min_saddr="::",
    max_saddr="::",
    daddr="::",
    min_daddr="::",
    max_daddr="::",
    dst_mac="00:00:00:00:00:00",
    udp_src_min=9,
    udp_src_max=9,
    udp_dst_min=9,
    udp_dst_max=9,
    src_mac_count=0,
    dst_mac_count=0,
    mpls="",
    vlan_id=None,
    vlan_p=0,
    vlan_cfi=0,
    svlan_id=None,
    svlan_p=0,
    svlan_cfi=0,
    tos=0,
    traffic_class=0,
    burst=1,
    node=None,
    xmit_mode="start_xmit",
    flags=(),
)
# What a write of delay 0x7FFFFFFF (no packets) reads back as.
DELAY_NONE = 2**64 - 1
# Params' name of an xmit mode where it differs from the one written.
_XMIT_SHOWN = {"xmit_queue": "queue_xmit"}
_PAIR = re.compile(r"([a-z_0-9]+): ?(\S*)")
_CURRENT_PAIR = re.compile(r"([a-z_0-9-]+): ?(\S*)")


def _value(key, text):
    if key in ("tos", "traffic_class"):
        return int(text, 16)
    if key == "xmit_mode":
        return _XMIT_SHOWN.get(text, text)
    if isinstance(DEFAULTS.get(key), str) or key in ("src_mac", "ifname"):
        return text
    return int(text)


def parse_params(text):
    """The settings of a device from its file's ``Params:`` section, DEFAULTS filled in.

    Also ``ifname`` and ``src_mac`` (the device's own MAC until one is set).
    """
    lines = [line.strip() for line in _section(text, "Params:")]
    first = re.match(r"count (\d+)\s*(.*)$", lines[0]) if lines else None
    if not first:
        raise PktgenError("no Params: section starting with count in pktgen device output")
    state = dict(DEFAULTS, count=int(first.group(1)))
    for line in [first.group(2)] + lines[1:]:
        key, _colon, rest = line.partition(":")
        if key == "imix_weights":
            state[key] = rest.strip()
        elif key == "mpls":
            state[key] = " ".join(rest.replace(",", " ").split())
        elif key == "Flags":
            state["flags"] = tuple(sorted(rest.split()))
        else:
            # 6.1 and 6.12 print the S-VLAN's priority and CFI as vlan_p and vlan_cfi.
            prefix = "s" if key == "svlan_id" else ""
            for shown, value in _PAIR.findall(line):
                name = prefix + shown if shown in ("vlan_p", "vlan_cfi") else shown
                state[name] = _value(name, value)
    return state


def _section(text, title):
    """The lines of the section starting with TITLE (``Params:``, ``Current:``) up to the next one."""
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith(("Params:", "Current:", "Result:")):
            inside = line.startswith(title)
            if inside:
                out.append(line[len(title) :])
            continue
        if inside:
            out.append(line)
    return out


_CURRENT_INT = ("pkts-sofar", "errors", "seq_num", "cur_udp_dst", "cur_udp_src", "cur_queue_map", "flows")


def parse_current(text):
    """The ``Current:`` section as a mapping: pkts_sofar, errors, started_us, stopped_us, idle_us,
    seq_num, cur_saddr, cur_daddr, cur_udp_dst, cur_udp_src, cur_queue_map, flows, imix_size_counts."""
    out = {}
    for line in _section(text, "Current:"):
        if line.strip().startswith("imix_size_counts:"):
            out["imix_size_counts"] = line.split(":", 1)[1].split()
            continue
        for name, value in _CURRENT_PAIR.findall(line):
            if name in ("started", "stopped", "idle"):
                out[name + "_us"] = int(value.rstrip("us"))
            elif name in _CURRENT_INT:
                out[name.replace("-", "_")] = int(value)
            elif not name.startswith("cur_") or name in ("cur_saddr", "cur_daddr"):
                out[name] = value
    return out


def result_line(text):
    """The words after ``Result:`` in a device or thread file (first line only), or None."""
    match = re.search(r"^Result: (.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def parse_thread(text):
    """A kpktgend_N file as {'running': [devices], 'stopped': [devices]}."""
    out = dict(running=[], stopped=[])
    for line in text.splitlines():
        for key in out:
            if line.startswith(key.capitalize() + ":"):
                out[key] = line.split(":", 1)[1].split()
    return out


# Params keys in the order their writes must come: the xmit mode first (burst and
# clone_skb are checked against it), sizes before the rate, which the kernel
# turns into a delay with the size of the moment; the gap itself last.
_WRITE_ORDER = (
    "xmit_mode", "min_pkt_size", "max_pkt_size", "imix_weights", "count", "frags", "flows", "flowlen",
    "queue_map_min", "queue_map_max", "skb_priority", "dst_min", "dst_max", "src_min", "src_max",
    "saddr", "daddr", "min_daddr", "max_daddr", "src_mac", "dst_mac", "udp_src_min", "udp_src_max",
    "udp_dst_min", "udp_dst_max", "src_mac_count", "dst_mac_count", "mpls", "vlan_id", "vlan_p",
    "vlan_cfi", "svlan_id", "svlan_p", "svlan_cfi", "tos", "traffic_class", "node", "flags",
    "clone_skb", "burst", "delay",
)  # fmt: skip
# The parameter that sets a Params key, where the names differ.
_WRITTEN_AS = dict(saddr="src6", daddr="dst6", min_daddr="dst6_min", max_daddr="dst6_max")


def state_writes(state):
    """Device lines that bring a freshly added device to STATE (Params keys, as parse_params gives).

    Settings at their default are left out, and src_mac when STATE has none.
    """
    lines = []
    for key in _WRITE_ORDER:
        value = state.get(key, DEFAULTS.get(key))
        if key == "src_mac":
            if value:
                lines.append("src_mac %s" % value)
            continue
        if value == DEFAULTS[key] or value is None:
            continue
        if key == "flags":
            lines.extend("flag %s" % flag for flag in value if flag != "IPV6")
        elif key in ("tos", "traffic_class"):
            lines.append("%s %02x" % (key, value))
        elif key == "mpls":
            lines.append("mpls %s" % ",".join(value.split()))
        elif key == "delay":
            lines.append("delay %d" % (0x7FFFFFFF if value == DELAY_NONE else value))
        else:
            lines.append("%s %s" % (_WRITTEN_AS.get(key, key), value))
    return lines


def differences(current, wanted):
    """Params keys whose values differ: [(key, current, wanted)].

    src_mac counts only when WANTED names one (else pktgen shows the device's own);
    the SHARED flag only when WANTED has it (6.12 sets it on every new device, 6.1 knows no such flag).
    """
    out = []
    for key in sorted(set(DEFAULTS) | {"src_mac"}):
        if key == "src_mac" and not wanted.get("src_mac"):
            continue
        have, want = current.get(key, DEFAULTS.get(key)), wanted.get(key, DEFAULTS.get(key))
        if key == "flags" and "SHARED" not in want:
            have = tuple(flag for flag in have if flag != "SHARED")
        if have != want:
            out.append((key, have, want))
    return out


# ---------------------------------------------------------------------------
# One script reads a namespace's pktgen; one rebuilds it, putting it back as it was if a write fails.
_READ = r"""P=/proc/net/pktgen
rd /sys/devices/system/cpu/online
echo "==> cpus $v"
for i in IFACES; do
    d=/sys/class/net/$i
    if [ -e "$d" ]; then
        rd "$d/operstate"; operstate=$v; rd "$d/flags"; flags=$v; rd "$d/address"
        echo "==> link $i $operstate $flags $v"
    else
        echo "==> link $i missing"
    fi
done
if [ -r $P/pgctrl ]; then
    echo "==> loaded"
    for f in $P/*; do
        case ${f##*/} in pgctrl | pgrx) continue ;; esac
        echo "==> file ${f##*/}"; show "$f"
    done
fi
"""


def _read_lines(interfaces):
    for name in interfaces:
        device_file(name)
    return _READ.replace("IFACES", " ".join(shlex.quote(name) for name in interfaces) or '""')


def read_script(interfaces=()):
    """sh that prints the online CPUs, each of INTERFACES (exists, up, MAC) and every pktgen file."""
    return shell.SH_READ + _read_lines(interfaces)


def parse_read(text):
    """read_script()'s output: cpus, links {name: {up, mac} or None}, loaded, threads {cpu: [devices]},
    running [devices], devices {name: file text}."""
    out = dict(cpus=[], links={}, loaded=False, threads={}, running=[], devices={})
    current = None
    for line in text.splitlines():
        if not line.startswith(host.SECTION):
            if current is not None:
                current.append(line)
            continue
        words = line[len(host.SECTION) :].split()
        current = None
        if words[0] == "cpus" and len(words) > 1:
            out["cpus"] = host.parse_cpu_list(words[1])
        elif words[0] == "link" and len(words) == 3:
            out["links"][words[1]] = None
        elif words[0] == "link" and len(words) >= 5:
            out["links"][words[1]] = dict(operstate=words[2], up=bool(int(words[3], 16) & 1), mac=words[4])
        elif words[0] == "loaded":
            out["loaded"] = True
        elif words[0] == "file" and len(words) == 2:
            current = out["devices"].setdefault(words[1], [])
    for name in list(out["devices"]):
        body = "\n".join(out["devices"][name]) + "\n"
        if name.startswith("kpktgend_"):
            del out["devices"][name]
            thread = parse_thread(body)
            out["threads"][int(name.split("_", 1)[1])] = thread["running"] + thread["stopped"]
            out["running"].extend(thread["running"])
        else:
            out["devices"][name] = body
    return out


def rebuild_script(threads, devices, previous_threads, previous_devices, interfaces=()):
    """sh that loads pktgen if needed, resets it and sets THREADS ({cpu: [device]}) and DEVICES
    ({device: [lines]}); if a write is refused it sets the PREVIOUS ones again and exits
    shell.REJECTED; then it prints what read_script(INTERFACES) prints."""
    body = ["set -u", shell.SH_PGSET.rstrip("\n")]
    body.append(
        "[ -e %s ] || modprobe pktgen 2>/dev/null; [ -e %s ] || "
        "{ echo 'pktgen is not available: modprobe pktgen failed (no CONFIG_NET_PKTGEN?)' >&2; exit %d; }"
        % (PGCTRL, PGCTRL, NOT_AVAILABLE)
    )
    for name, (thread_map, settings) in (
        ("apply", (threads, devices)),
        ("restore", (previous_threads, previous_devices)),
    ):
        writes = config_writes({}, {}, reset=True)
        for cpu in sorted(thread_map):
            writes.extend((thread_file(cpu), "add_device %s" % dev) for dev in thread_map[cpu])
        for dev in sorted(settings):
            writes.extend((device_file(dev), line) for line in settings[dev])
        body.append("%s() {" % name)
        body.extend("    " + call for call in shell.pgset_calls(writes))
        body.append("}")
    body.append(
        "if ! (apply); then (restore) >/dev/null 2>&1 || "
        "echo 'putting the previous pktgen setup back failed too' >&2; exit %d; fi" % shell.REJECTED
    )
    body.append(_read_lines(interfaces))  # SH_PGSET brought SH_READ
    return "\n".join(body) + "\n"


# Exit codes of run_script().
NO_DEVICES = 5
BUSY = 6
TIMED_OUT = 7
_RUN = r"""set -u
P=/proc/net/pktgen
if [ ! -w $P/pgctrl ]; then
    echo 'pktgen is not loaded here: set it up with netlab.pktgen.pktgen_tx first' >&2; exit NO_DEVICES
fi
# words LABEL...: into w, the device names on the kpktgend files' LABEL: lines, one blank between.
words() {
    w=
    for f in $P/kpktgend_*; do
        [ -e "$f" ] || continue
        { while IFS= read -r l || [ -n "$l" ]; do
            for label in "$@"; do case $l in "$label:"*) w="$w ${l#"$label:"}" ;; esac; done
        done; } 2>/dev/null <"$f"
    done
    set -f; set -- $w; w=$*; set +f
}
words Running
if [ -n "$w" ]; then echo "pktgen is already sending on: $w" >&2; exit BUSY; fi
words Running Stopped
devs=$w
if [ -z "$devs" ]; then
    echo 'pktgen has no devices here: declare them with netlab.pktgen.pktgen_tx first' >&2; exit NO_DEVICES
fi
# now_ns: t, the epoch in ns (date's; whole seconds where date has no %N).
now_ns() {
    t=$(date +%s%N 2>/dev/null)
    case $t in "" | *[!0-9]*) t=$(($(date +%s) * 1000000000)) ;; esac
}
# uptime_cs: c, /proc/uptime in hundredths of a second, for the loop's deadline and ticks (no program
# started: the loop's one is sleep).
uptime_cs() { rd /proc/uptime; c=${v%% *}; c=${c%.*}${c#*.}; c=${c#"${c%%[!0]*}"}; c=${c:-0}; }
stop() { printf 'stop\n' 2>/dev/null >$P/pgctrl; }
# starts: s, each device's "started:" time. Device names are data: the loops over $devs split them at
# blanks (which names cannot hold), never glob.
starts() {
    s=
    set -f
    for d in $devs; do
        { while IFS= read -r l || [ -n "$l" ]; do
            l=${l#"${l%%[! ]*}"}
            case $l in started:*) l=${l#started:}; s="$s ${l%%us*}" ;; esac
        done; } 2>/dev/null <"$P/$d"
    done
    set +f
}
# Stopped on an interrupt, and when the controller goes away (the next tick then meets a closed pipe).
trap 'stop; exit 130' INT TERM HUP PIPE
at=START_AT_NS
if [ "$at" -gt 0 ]; then
    now_ns
    wait=$((at - t))
    echo "late_ns $((wait < 0 ? -wait : 0))"
    if [ "$wait" -gt 0 ]; then sleep "$((wait / 1000000000)).$(printf %09d $((wait % 1000000000)))"; fi
fi
starts
before=$s
now_ns
echo "started_ns $t"
uptime_cs
first=$c
tick=$c
deadline=$((c + LIMIT_CS))
printf 'start\n' >$P/pgctrl &
pid=$!
reason=count
# The start write can return before a slow kpktgend thread has started its devices (the kernel gives
# it 125 ms): wait also while a device runs, and up to 3 s for the threads to start the devices.
while :; do
    uptime_cs
    if ! kill -0 $pid 2>/dev/null; then
        words Running
        [ -n "$w" ] || { starts; [ "$s" = "$before" ] && [ $((c - first)) -lt 300 ]; } || break
    fi
    if [ "$c" -ge "$deadline" ]; then stop; reason=LIMIT_REASON; break; fi
    sleep 0.05
    [ $((c - tick)) -lt 100 ] || { echo tick; tick=$c; }
done
wait $pid
now_ns
echo "stopped_ns $t $reason"
trap - INT TERM HUP PIPE
set -f
for d in $devs; do echo "==> result $d"; show "$P/$d"; done
set +f
[ "$reason" != timeout ] || exit TIMED_OUT
"""


def run_script(duration=None, timeout=600, start_at=None):
    """sh that starts every pktgen device of the namespace and waits.

    It stops pktgen after DURATION seconds (stopped_by duration), or after
    TIMEOUT seconds (stopped_by timeout, exit TIMED_OUT), on an interrupt
    and when the controller's connection goes away. With START_AT (epoch
    seconds, the target's clock) it starts then. Prints what parse_run() reads.
    """
    limit, reason = (duration, "duration") if duration is not None else (timeout, "timeout")
    script = _RUN.replace("START_AT_NS", str(round(start_at * 1e6) * 1000 if start_at else 0))
    script = script.replace("LIMIT_CS", str(round(limit * 100))).replace("LIMIT_REASON", reason)
    for name in ("NO_DEVICES", "BUSY", "TIMED_OUT"):
        script = script.replace("exit " + name, "exit %d" % globals()[name])
    return script.replace("set -u\n", "set -u\n" + shell.SH_READ, 1)


def parse_run(text):
    """run_script()'s output: started_at and stopped_at (epoch s), late_s, stopped_by, and per device
    {result: parse_result() or None, result_line, current: parse_current()}."""
    out = dict(started_at=None, stopped_at=None, late_s=0.0, stopped_by=None, devices={})
    current = None
    for line in text.splitlines():
        words = line.split()
        if line.startswith("==> result ") and len(words) == 3:
            current = out["devices"].setdefault(words[2], [])
        elif current is not None:
            current.append(line)
        elif words[:1] == ["started_ns"]:
            out["started_at"] = int(words[1]) / 1e9
        elif words[:1] == ["late_ns"]:
            out["late_s"] = int(words[1]) / 1e9
        elif words[:1] == ["stopped_ns"] and len(words) == 3:
            out["stopped_at"], out["stopped_by"] = int(words[1]) / 1e9, words[2]
    for dev, lines in out["devices"].items():
        body = "\n".join(lines) + "\n"
        try:
            result = parse_result(body)
        except PktgenError:
            result = None
        out["devices"][dev] = dict(result=result, result_line=result_line(body), current=parse_current(body))
    return out
