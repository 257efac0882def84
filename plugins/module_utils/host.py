# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a traffic host is: kernel, pktgen, receiver, CPU topology, NICs with queues and IRQs.

Pure Python with no Ansible imports. facts_script() is one POSIX sh script
(busybox will do: sh, cat, sed, uname; ethtool where there is one) that prints sections
after SECTION markers; parse_facts() turns its output into data. Every
result file of an experiment carries these facts.
"""

from __future__ import annotations

import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import nic, pgrx, shell

SECTION = "==> "

# Each read is guarded so that a file a kernel or driver lacks leaves a gap, not an error. Files are
# read with the shell's own read (shell.SH_READ), not cat in a command substitution: each program
# started costs a fork and an exec, about 0.14 s in the emulated lab guest (milliseconds elsewhere),
# so the script starts only uname, ethtool and one cat of /proc/interrupts.
_SCRIPT = r"""SH_READ
sec() { echo "==> $*"; }
val() { [ -r "$2" ] && { rd "$2"; echo "$1 $v"; }; }
cd /
sec uname
rd /proc/sys/kernel/osrelease; echo "$v"; uname -m
sec pktgen
if [ -r /proc/net/pktgen/pgctrl ]; then
    rd /proc/net/pktgen/pgctrl; echo "$v"
    for f in /proc/net/pktgen/*; do [ -e "$f" ] && echo "${f##*/}"; done
fi
sec receiver
for f in CONTROL_FILES; do [ -e "$f" ] && echo "path $f" && break; done
val version /sys/module/pktgen_rx/version
val hook /sys/module/pktgen_rx/parameters/hook
sec cpus
val online /sys/devices/system/cpu/online
for c in /sys/devices/system/cpu/cpu[0-9]*; do
    [ -d "$c/topology" ] || continue
    n=
    for m in "$c"/node[0-9]*; do [ -e "$m" ] && n=$m; break; done
    t=$c/topology
    rd "$t/core_id"; core=$v; rd "$t/physical_package_id"; package=$v; rd "$t/thread_siblings_list"
    echo "cpu ${c##*/cpu} core $core package $package siblings $v node ${n##*/node}"
done
for d in DEVICES; do
    i=${d##*/}
    [ -e "$d" ] && [ "$i" != lo ] || continue
    sec nic "$i"
    if [ -e "$d/device/driver" ]; then
        cd -P "$d/device/driver" 2>/dev/null && echo "driver ${PWD##*/}"
        cd /
    elif command -v ethtool >/dev/null; then
        ethtool -i "$i" 2>/dev/null | sed -n 's/^driver: /driver /p'
    fi
    val mac "$d/address"; val mtu "$d/mtu"; val operstate "$d/operstate"
    val speed "$d/speed"; val numa_node "$d/device/numa_node"
    q=
    for x in "$d"/queues/*; do [ -e "$x" ] && q="$q${x##*/} "; done
    echo "queues $q"
    for q in "$d"/queues/rx-*; do [ -r "$q/rps_cpus" ] && rd "$q/rps_cpus" && echo "rps ${q##*/rx-} $v"; done
    for q in "$d"/queues/tx-*; do
        [ -r "$q/xps_cpus" ] && rd "$q/xps_cpus" && echo "xps ${q##*/tx-} $v"
    done
    m=$d/device/msi_irqs
    [ -d "$m" ] || m=$d/device/../msi_irqs
    for q in "$m"/*; do
        [ -e "$q" ] || continue
        a=/proc/irq/${q##*/}
        rd "$a/smp_affinity_list"; affinity=$v; rd "$a/effective_affinity_list"
        echo "irq ${q##*/} $affinity $v"
    done
    if command -v ethtool >/dev/null; then
        sec channels "$i"; ethtool -l "$i" 2>/dev/null
        sec features "$i"; ethtool -k "$i" 2>/dev/null
    fi
done
sec interrupts
cat /proc/interrupts
"""


def facts_script(device=None):
    """The POSIX sh script whose output parse_facts() reads; with DEVICE, only that interface.

    DEVICE reaches the script as one quoted word (the kernel allows ``$``, backquotes and quotes in
    device names), never as code or a pattern.
    """
    if device is not None and not valid_device_name(device):
        raise ValueError("invalid network device name %r" % (device,))
    devices = "/sys/class/net/*" if device is None else shlex.quote("/sys/class/net/" + device)
    paths = " ".join(shlex.quote(path) for path in pgrx.CONTROL_FILES)
    script = _SCRIPT.replace("SH_READ", shell.SH_READ.rstrip("\n"))
    return script.replace("CONTROL_FILES", paths).replace("DEVICES", devices)


# What the kernel allows in a device name (dev_valid_name): no slash, colon or white space, not . or ..
_DEVICE_NAME = re.compile(r"^[^/:\s]{1,15}$")


def valid_device_name(name):
    """Whether the kernel could call a network device NAME (its dev_valid_name())."""
    return bool(_DEVICE_NAME.match(name)) and name not in (".", "..")


def sections(text):
    """[(name, argument, [lines])] in the order the script printed them."""
    out = []
    for line in text.splitlines():
        if line.startswith(SECTION):
            words = line[len(SECTION) :].split()
            out.append((words[0], words[1] if len(words) > 1 else None, []))
        elif out:
            out[-1][2].append(line)
    return out


def _pairs(lines):
    """'key value...' lines as {key: value}."""
    return dict((line.split(" ", 1) + [""])[:2] for line in lines if line.strip())


def _int(value):
    return int(value) if value is not None and re.match(r"^-?\d+$", value.strip()) else None


def parse_cpu_list(text):
    """A kernel CPU list such as ``0-3,8`` as [0, 1, 2, 3, 8]."""
    cpus = []
    for part in text.strip().split(","):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        cpus.extend(range(int(first), int(last or first) + 1))
    return cpus


def _cpus(lines):
    cpus = {}
    for line in lines:
        words = line.split()
        if words[:1] == ["cpu"]:
            raw = dict(zip(words[2::2], words[3::2]))
            cpus[int(words[1])] = dict(
                core=_int(raw.get("core")),
                package=_int(raw.get("package")),
                siblings=parse_cpu_list(raw.get("siblings", "")),
                node=_int(raw.get("node")),
            )
    online = parse_cpu_list(_pairs(lines).get("online", ""))
    return dict(
        online=online,
        count=len(online),
        cores=len({(cpu["package"], cpu["core"]) for cpu in cpus.values()}),
        packages=len({cpu["package"] for cpu in cpus.values()}),
        nodes=sorted({cpu["node"] for cpu in cpus.values() if cpu["node"] is not None}),
        topology=cpus,
    )


_CHANNEL = re.compile(r"^(RX|TX|Other|Combined):\s+(\S+)")


def parse_channels(lines):
    """``ethtool -l`` output as {max: {rx, tx, other, combined}, current: {...}}; None for n/a."""
    out, part = {}, None
    for line in lines:
        if line.startswith("Pre-set maximums"):
            part = out.setdefault("max", {})
        elif line.startswith("Current hardware settings"):
            part = out.setdefault("current", {})
        else:
            match = _CHANNEL.match(line)
            if match and part is not None:
                part[match.group(1).lower()] = _int(match.group(2)) or None
    return out or None


def parse_features(lines):
    """``ethtool -k`` output as {feature: state}, the state as ethtool words it (``on``, ``off [fixed]``)."""
    features = {}
    for line in lines:
        name, sep, state = line.partition(": ")
        if sep and not line.startswith(("Features for", " ", "\t")):
            features[name.strip()] = state.strip()
    return features or None


def cpu_mask_to_list(mask):
    """A sysfs CPU mask such as ``00000000,00000003`` as [0, 1]; None for an empty reading."""
    digits = mask.replace(",", "").strip()
    if not digits:
        return None
    value = int(digits, 16)
    return [cpu for cpu in range(value.bit_length()) if value >> cpu & 1]


def cpu_list_to_mask(cpus):
    """[0, 1] as the hex mask sysfs takes (``3``); ``0`` for none."""
    return "%x" % sum(1 << cpu for cpu in cpus)


def _masks(lines, key):
    out = {}
    for line in lines:
        words = line.split()
        if words[:1] == [key] and len(words) >= 2:
            out[int(words[1])] = cpu_mask_to_list(words[2]) if len(words) > 2 else None
    return out


def _nic(lines, irq_names):
    raw = _pairs(line for line in lines if not line.startswith(("irq ", "rps ", "xps ")))
    irqs = []
    for line in lines:
        words = line.split()
        if words[:1] == ["irq"]:
            irq = int(words[1])
            irqs.append(
                dict(
                    irq=irq,
                    name=irq_names.get(irq),
                    affinity=parse_cpu_list(words[2]) if len(words) > 2 else None,
                    effective=parse_cpu_list(words[3]) if len(words) > 3 else None,
                )
            )
    queues = raw.get("queues", "").split()
    speed = _int(raw.get("speed"))
    return dict(
        driver=raw.get("driver") or None,
        mac=raw.get("mac") or None,
        mtu=_int(raw.get("mtu")),
        operstate=raw.get("operstate") or None,
        speed_mbps=speed if speed and speed > 0 else None,
        numa_node=_int(raw.get("numa_node")),
        rx_queues=len([q for q in queues if q.startswith("rx-")]),
        tx_queues=len([q for q in queues if q.startswith("tx-")]),
        irqs=sorted(irqs, key=lambda item: item["irq"]),
        rps=_masks(lines, "rps"),
        xps=_masks(lines, "xps"),
        channels=None,
        features=None,
    )


def parse_facts(text):
    """The facts from facts_script()'s output.

    Returns kernel (release, machine), pktgen (loaded, version, threads),
    receiver (path, kind, version, hook), cpus (online, count, cores,
    packages, nodes, topology per CPU) and nics (per interface: driver, mac,
    mtu, operstate, speed_mbps, numa_node, rx_queues, tx_queues, irqs with
    name and affinity, rps and xps CPUs per queue, channels, features).
    """
    printed = sections(text)
    by_name = {name: lines for name, arg, lines in printed if arg is None}
    uname = by_name.get("uname", []) + [None, None]
    pktgen_lines = by_name.get("pktgen", [])
    version = re.search(r"Version: (\S+)", pktgen_lines[0]) if pktgen_lines else None
    receiver = _pairs(by_name.get("receiver", []))
    path = receiver.get("path")
    interrupts = nic.parse_interrupts("\n".join(by_name.get("interrupts", [])))
    irq_names = dict((irq, name) for irq, (name, _counts) in interrupts.items())
    nics = {}
    for name, arg, lines in printed:
        if name == "nic":
            nics[arg] = _nic(lines, irq_names)
        elif name == "channels" and arg in nics:
            nics[arg]["channels"] = parse_channels(lines)
        elif name == "features" and arg in nics:
            nics[arg]["features"] = parse_features(lines)
    return dict(
        kernel=dict(release=uname[0], machine=uname[1]),
        pktgen=dict(
            loaded=bool(pktgen_lines),
            version=version.group(1) if version else None,
            threads=sorted(int(f.split("_")[1]) for f in pktgen_lines[1:] if f.startswith("kpktgend_")),
        ),
        receiver=dict(
            path=path,
            kind=None if path is None else ("pktgen_rx" if path == pgrx.CONTROL_FILES[0] else "original"),
            version=receiver.get("version"),
            hook=receiver.get("hook"),
        ),
        cpus=_cpus(by_name.get("cpus", [])),
        nics=nics,
    )
