# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generator a pktgen_tx task declares, checked on the controller and turned into pktgen settings.

Each device of the task becomes one pktgen device per thread it runs on
(``eth1`` on one thread, ``eth1@0``, ``eth1@1``... on several) and the
settings its Params: section will show once written (pktgen.DEFAULTS keys),
so that what the kernel reads back compares key by key with what was asked.
Every error names the device, the option, the bad value and what is allowed.
"""

from __future__ import annotations

import re

from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen

try:
    import netaddr
except ImportError:  # pragma: no cover - reported when a task needs it
    netaddr = None

# Flags a task may set (6.1 and 6.12); IPV6 follows from the addresses.
FLAGS = (
    "IPSRC_RND", "IPDST_RND", "TXSIZE_RND", "UDPSRC_RND", "UDPDST_RND", "UDPCSUM", "NO_TIMESTAMP",
    "MPLS_RND", "QUEUE_MAP_RND", "QUEUE_MAP_CPU", "FLOW_SEQ", "IPSEC", "MACSRC_RND", "MACDST_RND",
    "VID_RND", "SVID_RND", "NODE", "SHARED",
)  # fmt: skip
XMIT_MODES = ("start_xmit", "netif_receive", "queue_xmit")
# Smallest frame pktgen builds (Ethernet, IPv4 and UDP headers); it raises smaller sizes to it.
MIN_SIZE = 42
MAX_FRAGS = 17  # MAX_SKB_FRAGS on Debian's kernels
MAX_FLOWS = 65536  # pktgen's MAX_CFLOWS
MAX_IMIX = 100  # pktgen's MAX_IMIX_ENTRIES
DEFAULT_SIZE = 60  # as the kernel's samples/pktgen scripts

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kMG]?)(pps|bit|bps|b/s|bit/s)\s*$")
_SCALE = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9}

DEVICE_OPTIONS = dict(
    name=dict(type="str", required=True),
    threads=dict(type="list", elements="int", default=[0]),
    count=dict(type="int"),
    rate=dict(type="str"),
    delay=dict(type="int"),
    pkt_size=dict(type="int"),
    min_pkt_size=dict(type="int"),
    max_pkt_size=dict(type="int"),
    imix=dict(type="list", elements="str"),
    frags=dict(type="int"),
    clone_skb=dict(type="int"),
    burst=dict(type="int"),
    dst=dict(type="str"),
    src=dict(type="str"),
    srcs=dict(type="list", elements="str"),
    dst_mac=dict(type="str"),
    src_mac=dict(type="str"),
    dst_mac_count=dict(type="int"),
    src_mac_count=dict(type="int"),
    udp_dst=dict(type="str"),
    udp_src=dict(type="str"),
    flows=dict(type="int"),
    flowlen=dict(type="int"),
    queue_map=dict(type="str"),
    vlan_id=dict(type="int"),
    vlan_p=dict(type="int"),
    vlan_cfi=dict(type="int"),
    svlan_id=dict(type="int"),
    svlan_p=dict(type="int"),
    svlan_cfi=dict(type="int"),
    tos=dict(type="str"),
    traffic_class=dict(type="str"),
    skb_priority=dict(type="int"),
    node=dict(type="int"),
    mpls=dict(type="list", elements="str"),
    xmit_mode=dict(type="str", choices=list(XMIT_MODES)),
    flags=dict(type="list", elements="str", default=[]),
)


class GeneratorError(ValueError):
    """A declared setting pktgen cannot take; the message names the value and what is allowed."""


def parse_rate(text):
    """('pps', N) or ('bps', N) from ``1.5Mpps``, ``800Mbit``, ``10Gbps``, ``20000pps``."""
    match = _RATE.match(str(text))
    if not match:
        raise GeneratorError(
            "rate %r: give a number and a unit, packets (1.5Mpps, 20000pps) or bits (800Mbit, 1Gbit)"
            % (text,)
        )
    value = float(match.group(1)) * _SCALE[match.group(2)]
    kind = "pps" if match.group(3) == "pps" else "bps"
    if value < 1 or value != int(value):
        raise GeneratorError("rate %r: must be a whole number of %s, at least 1" % (text, kind))
    return kind, int(value)


def gap(kind, value, size):
    """(pktgen line, delay in ns) for a rate: ``ratep N`` for pps, ``rate N`` for whole Mb/s, else ``delay``.

    The kernel turns a rate into the gap between packets as here, with the
    smallest packet size set at the time (bits count the frame without FCS).
    """
    if kind == "pps":
        value = min(value, 10**9)
        return "ratep %d" % value, 10**9 // value
    delay = size * 8 * 10**9 // value  # the kernel's min_pkt_size * 8000 / Mb/s, in bit/s
    if value % 10**6 == 0:
        return "rate %d" % (value // 10**6), delay
    return "delay %d" % delay, delay


def _range(text, what, low, high):
    """(min, max) from ``N`` or ``N-M``."""
    match = re.match(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$", str(text))
    if not match:
        raise GeneratorError("%s %r: give a number or a range such as 1000-1010" % (what, text))
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if not low <= first <= last <= high:
        raise GeneratorError("%s %r: must lie in %d-%d, smallest first" % (what, text, low, high))
    return first, last


def _addresses(text, what):
    """[first, last] (last None for one address) as netaddr.IPAddress, from ``A`` or ``A-B``."""
    parts = [part.strip() for part in str(text).split("-")]
    if len(parts) > 2:
        raise GeneratorError(
            "%s %r: give one address or a range such as 198.18.0.2-198.18.0.20" % (what, text)
        )
    try:
        out = [netaddr.IPAddress(part, flags=netaddr.INET_PTON) for part in parts]
    except (netaddr.AddrFormatError, ValueError) as exc:
        raise GeneratorError("%s %r: not an IPv4 or IPv6 address (%s)" % (what, text, exc)) from exc
    if len(out) == 2 and (out[0].version != out[1].version or out[0] > out[1]):
        raise GeneratorError(
            "%s %r: a range needs two addresses of one family, smallest first" % (what, text)
        )
    return out + [None] if len(out) == 1 else out


def _mac(text, what):
    try:
        return str(netaddr.EUI(text, dialect=netaddr.mac_unix_expanded))
    except (netaddr.AddrFormatError, TypeError, ValueError) as exc:
        raise GeneratorError("%s %r: not a MAC address such as 02:00:00:00:00:01" % (what, text)) from exc


def _byte(text, what):
    try:
        value = int(str(text), 0) if str(text).lower().startswith("0x") else int(str(text))
    except ValueError as exc:
        raise GeneratorError("%s %r: give 0-255 or hex such as 0x10" % (what, text)) from exc
    if not 0 <= value <= 255:
        raise GeneratorError("%s %r: must lie in 0-255 (0x00-0xff)" % (what, text))
    return value


def _at_least(spec, key, low, high=None):
    value = spec.get(key)
    if value is not None and (value < low or (high is not None and value > high)):
        allowed = "%d-%d" % (low, high) if high is not None else "at least %d" % low
        raise GeneratorError("%s=%d: must be %s" % (key, value, allowed))
    return value


def device_names(spec):
    """pktgen device names of a declared device: NAME on one thread, NAME@CPU on several."""
    threads = spec["threads"]
    if len(threads) == 1:
        return [(threads[0], spec["name"])]
    return [(cpu, "%s@%d" % (spec["name"], cpu)) for cpu in threads]


def thread_settings(spec):
    """[(cpu, pktgen device, Params state, rate line)] of one declared device, one per thread: with
    ``srcs`` each thread sends from its own source address, else all share one state."""
    srcs = spec.get("srcs")
    if not srcs:
        state, rate_line = settings(spec)
        return [(cpu, dev, state, rate_line) for cpu, dev in device_names(spec)]
    if spec.get("src") is not None:
        raise GeneratorError("src and srcs: give one source for every thread (src) or one per thread (srcs)")
    if len(srcs) != len(spec["threads"]):
        raise GeneratorError(
            "srcs %s: give one source address per thread of threads %s" % (list(srcs), list(spec["threads"]))
        )
    out = []
    for (cpu, dev), src in zip(device_names(spec), srcs):
        if "-" in str(src):
            raise GeneratorError("srcs %r: give one address per thread, not a range" % (src,))
        state, rate_line = settings(dict(spec, src=src, srcs=None))
        out.append((cpu, dev, state, rate_line))
    return out


def settings(spec):
    """(Params state, rate line or None) of one declared device; raises GeneratorError naming the fault."""
    if netaddr is None:
        raise GeneratorError("the Python library netaddr is missing on the controller: pip install netaddr")
    state = dict(pktgen.DEFAULTS)
    for key, low, high in (
        ("count", 0, None), ("frags", 0, MAX_FRAGS), ("clone_skb", 0, None), ("burst", 1, None),
        ("delay", 0, None), ("flows", 0, MAX_FLOWS), ("flowlen", 0, None), ("dst_mac_count", 0, None),
        ("src_mac_count", 0, None), ("vlan_id", 0, 4095), ("vlan_p", 0, 7), ("vlan_cfi", 0, 1),
        ("svlan_id", 0, 4095), ("svlan_p", 0, 7), ("svlan_cfi", 0, 1), ("skb_priority", 0, None),
        ("node", 0, None), ("pkt_size", MIN_SIZE, 65535), ("min_pkt_size", MIN_SIZE, 65535),
        ("max_pkt_size", MIN_SIZE, 65535),
    ):  # fmt: skip
        value = _at_least(spec, key, low, high)
        if value is not None and key in state and key not in ("min_pkt_size", "max_pkt_size"):
            state[key] = value
    _sizes(spec, state)
    _vlans(spec, state)
    _addressing(spec, state)
    for key in ("tos", "traffic_class"):
        if spec.get(key) is not None:
            state[key] = _byte(spec[key], key)
    if spec.get("queue_map") is not None:
        state["queue_map_min"], state["queue_map_max"] = _range(spec["queue_map"], "queue_map", 0, 65535)
    if spec.get("mpls"):
        state["mpls"] = " ".join(_label(label) for label in spec["mpls"])
    if spec.get("xmit_mode"):
        state["xmit_mode"] = spec["xmit_mode"]
    state["flags"] = _flags(spec, state)
    _conflicts(spec, state)
    rate_line = None
    if spec.get("rate") is not None:
        if spec.get("delay") is not None:
            raise GeneratorError("rate and delay both set the gap between packets: give one")
        rate_line, state["delay"] = gap(*parse_rate(spec["rate"]), size=state["min_pkt_size"])
    return state, rate_line


def _sizes(spec, state):
    ranged = spec.get("min_pkt_size") is not None or spec.get("max_pkt_size") is not None
    if ranged and spec.get("pkt_size") is not None:
        raise GeneratorError("pkt_size and min_pkt_size/max_pkt_size: give one size or a range")
    if ranged:
        low = spec.get("min_pkt_size") or DEFAULT_SIZE
        high = spec.get("max_pkt_size") or low
        if low > high:
            raise GeneratorError("min_pkt_size=%d is above max_pkt_size=%d" % (low, high))
        state["min_pkt_size"], state["max_pkt_size"] = low, high
    else:
        state["min_pkt_size"] = state["max_pkt_size"] = spec.get("pkt_size") or DEFAULT_SIZE
    if spec.get("imix"):
        if len(spec["imix"]) > MAX_IMIX:
            raise GeneratorError(
                "imix: pktgen takes at most %d sizes, got %d" % (MAX_IMIX, len(spec["imix"]))
            )
        entries = []
        for entry in spec["imix"]:
            match = re.match(r"^\s*(\d+)\s*,\s*(\d+)\s*$", str(entry))
            if not match or int(match.group(1)) < MIN_SIZE or int(match.group(2)) < 1:
                raise GeneratorError(
                    "imix entry %r: give SIZE,WEIGHT with SIZE at least %d and WEIGHT at least 1, e.g. 64,7"
                    % (entry, MIN_SIZE)
                )
            entries.append("%d,%d" % (int(match.group(1)), int(match.group(2))))
        state["imix_weights"] = " ".join(entries)


def _vlans(spec, state):
    for outer in ("vlan", "svlan"):
        given = [key for key in ("p", "cfi") if spec.get("%s_%s" % (outer, key)) is not None]
        if given and spec.get(outer + "_id") is None:
            raise GeneratorError("%s_%s needs %s_id" % (outer, given[0], outer))
    if spec.get("svlan_id") is not None and spec.get("vlan_id") is None:
        raise GeneratorError("svlan_id needs vlan_id: pktgen puts the S-VLAN tag outside a VLAN tag")
    if state["vlan_id"] is None:
        state["svlan_id"] = None


def _addressing(spec, state):
    families = set()
    for what in ("dst", "src"):
        if spec.get(what) is not None:
            families.add(_address(spec, what, state))
    if len(families) > 1:
        raise GeneratorError("dst %r and src %r: give both IPv4 or both IPv6" % (spec["dst"], spec["src"]))
    if 6 in families:
        state["flags"] = ("IPV6",)
    for what in ("dst_mac", "src_mac"):
        if spec.get(what) is not None:
            state[what] = _mac(spec[what], what)
    for what in ("udp_dst", "udp_src"):
        if spec.get(what) is not None:
            state[what + "_min"], state[what + "_max"] = _range(spec[what], what, 0, 65535)


def _address(spec, what, state):
    """Set the Params keys of address option WHAT (dst or src); returns its IP version."""
    first, last = _addresses(spec[what], what)
    if first.version == 4:
        state[what + "_min"] = str(first)
        if last is not None:
            state[what + "_max"] = str(last)
    elif what == "dst":
        state["daddr"] = str(first)
        if last is not None:
            state["min_daddr"], state["max_daddr"] = str(first), str(last)
    elif last is not None:
        raise GeneratorError("src %r: pktgen takes one IPv6 source address, not a range" % spec["src"])
    else:
        state["saddr"] = str(first)
    return first.version


def _label(text):
    try:
        value = int(str(text), 16)
    except ValueError as exc:
        raise GeneratorError(
            "mpls label %r: give the 32-bit label entry in hex, e.g. 0001000a" % (text,)
        ) from exc
    if not 0 <= value < 2**32:
        raise GeneratorError("mpls label %r: must fit in 32 bits (8 hex digits)" % (text,))
    return "%08x" % value


def _flags(spec, state):
    out = set(state["flags"])
    for flag in spec.get("flags") or []:
        if flag == "IPV6":
            raise GeneratorError("flags: IPV6 follows from IPv6 addresses in dst or src; leave it out")
        if flag not in FLAGS:
            raise GeneratorError("flags: unknown pktgen flag %r (known: %s)" % (flag, ", ".join(FLAGS)))
        out.add(flag)
    return tuple(sorted(out))


def _conflicts(spec, state):
    """Combinations pktgen refuses at write time, caught before anything is written."""
    if state["imix_weights"] and state["clone_skb"]:
        raise GeneratorError(
            "imix and clone_skb=%d: pktgen takes imix only with clone_skb 0" % state["clone_skb"]
        )
    mode = state["xmit_mode"]
    if mode == "netif_receive" and state["clone_skb"]:
        raise GeneratorError(
            "xmit_mode netif_receive and clone_skb=%d: pktgen takes clone_skb 0 there" % state["clone_skb"]
        )
    if mode == "queue_xmit" and state["burst"] > 1:
        raise GeneratorError("xmit_mode queue_xmit and burst=%d: pktgen takes burst 1 there" % state["burst"])
