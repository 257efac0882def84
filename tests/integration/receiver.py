# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the receiver module and pktgen in the lab from tests and benchmarks."""

import contextlib
import json
import os
import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab

CONTROL = pgrx.CONTROL_FILES[0]
TX_VETH = {"dst": "198.18.0.2", "dst_mac": "02:c6:12:00:00:02"}
TX_VETH_MAC = "02:c6:12:00:00:01"
# Kernel messages that mean something went wrong (not words that merely contain "bug").
SPLAT = re.compile(r"WARNING: CPU|BUG: |Oops|KASAN|UBSAN|general protection fault|Call Trace")


def pgrx_cmd(netns, *commands):
    """Write each command to NETNS's control file (one write each); fails on a refused write."""
    writes = " && ".join("echo %s > %s" % (shlex.quote(c), CONTROL) for c in commands)
    lab.raw_out("lab-vm", "ip netns exec %s sh -c %s" % (netns, shlex.quote(writes)))


def pgrx_read(netns):
    return pgrx.parse(lab.raw_out("lab-vm", "ip netns exec %s cat %s" % (netns, CONTROL)))


def send(count, params=None, dev="veth0"):
    """pktgen from lab-tx; returns its parsed result."""
    writes = pktgen.config_writes({0: [dev]}, {dev: dict(count=count, **(params or TX_VETH))})
    out = lab.raw_out("lab-tx", pktgen.render_script(writes, start=True, dump=[dev], netns="lab-tx"))
    return pktgen.parse_result(pktgen.split_dump(out)[dev])


def background(command):
    """Start COMMAND in the guest so that it outlives the SSH session."""
    lab.raw("lab-vm", "setsid -f sh -c %s >/dev/null 2>&1 </dev/null" % shlex.quote(command))


def start_traffic(rate=20000):
    """pktgen from lab-tx without end (count 0) at RATE pps, in the background."""
    params = dict(count=0, pkt_size=60, ratep=rate, **TX_VETH)
    background(
        pktgen.render_script(
            pktgen.config_writes({0: ["veth0"]}, {"veth0": params}), start=True, netns="lab-tx"
        )
    )
    lab.raw("lab-vm", "sleep 1")


def stop_traffic():
    lab.raw("lab-vm", "ip netns exec lab-tx sh -c 'echo stop > /proc/net/pktgen/pgctrl'")
    return pktgen.parse_result(lab.raw_out("lab-vm", "ip netns exec lab-tx cat /proc/net/pktgen/veth0"))


def assert_clean_log():
    log = lab.raw_out("lab-vm", "dmesg")
    assert not SPLAT.search(log), log[SPLAT.search(log).start() - 200 :][:3000]


def send_malformed_frames(count, seed=7):
    """COUNT malformed, truncated and well-formed pktgen-like frames from lab-tx's veth.

    Returns the sender's report: frames sent per kind, and how many were
    well-formed pktgen packets (``valid``, VLAN-tagged ones included).
    """
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "malformed_frames.py")
    lab.put_file(script, "/root/malformed_frames.py")
    pgrx_cmd("lab-rx", "rx_reset")
    args = "veth0 %s %s %d %d" % (TX_VETH["dst_mac"], TX_VETH_MAC, count, seed)
    sent = json.loads(lab.raw_out("lab-vm", "ip netns exec lab-tx python3 /root/malformed_frames.py " + args))
    print("malformed frames:", sent)
    assert sum(sent["sent"].values()) == count
    assert 0 < sent["valid"] < count
    return sent


# Chains that keep the static keys behind netdev ingress and PRE_ROUTING hooks switched on.
_HOLD_KEYS = """table netdev pgrx_hold { chain c { type filter hook ingress device lo priority 0; }; }
table ip pgrx_hold { chain c { type filter hook prerouting priority 0; }; }
table ip6 pgrx_hold { chain c { type filter hook prerouting priority 0; }; }
"""


@contextlib.contextmanager
def static_keys_held():
    """Keep the kernel from live-patching its static branches while the receiver loads and unloads.

    Registering the first hook of a kind (or removing the last) flips a
    static key, and the kernel rewrites its own code on every CPU. Under
    qemu's software emulation a CPU receiving packets meanwhile has run the
    stale breakpoint twice in this lab on 6.12 ("Oops: int3" at a static
    branch in ip_rcv and __netif_receive_skb_core, not in pktgen_rx), an
    emulator hazard that hardware does not have. Empty nftables chains in
    the guest's root namespace hold the keys, so load/unload tests test the
    module and not the emulator.
    """
    lab.raw("lab-vm", "printf %s | nft -f -" % shlex.quote(_HOLD_KEYS))
    try:
        yield
    finally:
        lab.raw("lab-vm", "for f in netdev ip ip6; do nft delete table $f pgrx_hold; done")
