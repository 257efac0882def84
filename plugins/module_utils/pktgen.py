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

from ansible_collections.netlab.pktgen.plugins.module_utils import shell

PROC_DIR = "/proc/net/pktgen"
PGCTRL = PROC_DIR + "/pgctrl"

# Device parameters that must be written before the others: pktgen turns a
# ``rate`` in Mb/s into an inter-packet delay using the size set at that time.
SIZE_FIRST = ("min_pkt_size", "max_pkt_size", "pkt_size")
RATE_LAST = ("rate", "ratep")

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
