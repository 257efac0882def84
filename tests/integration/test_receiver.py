# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The receiver kernel module (kmod/pktgen_rx.c) in the lab, against the real kernel.

Built on the controller against the lab kernel's headers with W=1, loaded in
the guest, fed by pktgen from lab-tx, read from lab-rx's control file.
"""

import json
import os
import re
import shlex
import subprocess

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab

CONTROL = pgrx.CONTROL_FILES[0]
KMOD_DIR = os.path.join(lab.ROOT, "kmod")
GUEST_KO = "/root/pktgen_rx.ko"
TX_VETH = {"dst": "198.18.0.2", "dst_mac": "02:c6:12:00:00:02"}
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


@pytest.fixture(scope="module")
def loaded(booted):
    kernel = lab.lab_state()["kernel"]
    kdir = "/usr/src/linux-headers-%s" % kernel
    subprocess.run(["make", "-C", KMOD_DIR, "KDIR=" + kdir, "clean"], capture_output=True, check=False)
    build = subprocess.run(
        ["make", "-C", KMOD_DIR, "KDIR=" + kdir], capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "warning:" not in (build.stdout + build.stderr).lower(), build.stdout + build.stderr
    code, out = lab.run(
        [
            "ansible",
            "lab-vm",
            "-m",
            "ansible.builtin.copy",
            "-a",
            "src=%s/pktgen_rx.ko dest=%s" % (KMOD_DIR, GUEST_KO),
        ]
    )
    assert code == 0, out
    lab.raw(
        "lab-vm",
        "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx; modprobe pktgen && insmod " + GUEST_KO,
    )
    return kernel


def test_control_file_in_every_netns_is_0600(loaded):
    for netns_cmd in ("", "ip netns exec lab-tx ", "ip netns exec lab-rx "):
        assert lab.raw_out("lab-vm", netns_cmd + "stat -c %a " + CONTROL).strip() == "600"
    assert pgrx_read("lab-rx")["enabled"] is False


def test_100000_packets_counted_exactly(loaded):
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    result = send(100000, dict(pkt_size=60, **TX_VETH))
    out = pgrx_read("lab-rx")
    total = out["total"]
    print("pktgen", result, "\npgrx G", total)
    assert result["packets"] == 100000
    assert total["packets"] == result["packets"]
    assert total["bytes"] == result["packets"] * 60
    assert abs(total["work_us"] - result["busy_us"]) <= 0.02 * result["busy_us"]
    latency = [cpu["latency"] for cpu in out["cpus"].values()]
    assert sum(series["samples"] for series in latency) == 100000
    assert all(0 < series["min_ns"] <= series["avg_ns"] <= series["max_ns"] < 10**9 for series in latency)
    # Third-party collectors read the G line positionally: $2 packets, $3 bytes, $5 pps, $6 Mb/s.
    awk = lab.raw_out("lab-vm", "ip netns exec lab-rx awk '$1 == \"G\" {print $2, $3, $5, $6}' " + CONTROL)
    assert awk.split() == [str(total[k]) for k in ("packets", "bytes", "pps", "mbps")]


def test_interarrival_matches_a_capture(loaded):
    count = 2000
    pgrx_cmd("lab-rx", "rx veth0", "statistics time")
    pcap = "/tmp/pgrx-ia.pcap"
    # setsid -f: the capture must outlive the SSH session that starts it.
    tcpdump = (
        f"ip netns exec lab-rx tcpdump -i veth0 -nn -q --time-stamp-precision=nano -c {count} "
        f"-w {pcap} udp and dst port 9 >{pcap}.log 2>&1 </dev/null"
    )
    capture = (
        f"rm -f {pcap}; setsid -f sh -c {shlex.quote('echo $$ > ' + pcap + '.pid; exec ' + tcpdump)}; "
        f"for i in $(seq 50); do grep -q listening {pcap}.log 2>/dev/null && break; sleep 0.2; done; "
        f"cat {pcap}.log"
    )
    assert "listening on veth0" in lab.raw_out("lab-vm", capture)
    send(count, dict(pkt_size=60, ratep=5000, **TX_VETH))
    lab.raw(
        "lab-vm", "for i in $(seq 50); do kill -0 $(cat %s.pid) 2>/dev/null || break; sleep 0.2; done" % pcap
    )
    stamps = lab.raw_out("lab-vm", "tcpdump -r %s -nn -tt --time-stamp-precision=nano 2>/dev/null" % pcap)
    times = [int(line.split()[0].replace(".", "")) for line in stamps.splitlines() if line.strip()]
    assert len(times) == count
    captured = (times[-1] - times[0]) / (count - 1)
    cpus = pgrx_read("lab-rx")["cpus"].values()
    samples = sum(cpu["interarrival"]["samples"] for cpu in cpus)
    measured = sum(cpu["interarrival"]["avg_ns"] * cpu["interarrival"]["samples"] for cpu in cpus) / samples
    print("inter-arrival: pgrx %.0f ns, capture %.0f ns" % (measured, captured))
    assert abs(measured - captured) <= 0.02 * captured


def test_ipv6(loaded):
    pgrx_cmd("lab-rx", "rx veth0", "statistics basic")
    # dst6 turns pktgen's IPV6 flag on; 6.1 refuses "flag IPV6" (Result: Flag -:IPV6:- unknown).
    params = dict(pkt_size=80, dst6="2001:2::2", src6="2001:2::1", dst_mac=TX_VETH["dst_mac"])
    result = send(10000, params)
    total = pgrx_read("lab-rx")["total"]
    assert result["packets"] == total["packets"] == 10000
    assert total["bytes"] == 10000 * 80


def test_other_namespaces_see_nothing(loaded):
    pgrx_cmd("lab-rx", "rx veth0")
    pgrx_cmd("lab-tx", "rx all")
    lab.raw("lab-vm", "echo 'rx all' > %s" % CONTROL)
    send(5000)
    assert pgrx_read("lab-rx")["total"]["packets"] == 5000
    assert pgrx_read("lab-tx")["total"]["packets"] == 0
    assert pgrx.parse(lab.raw_out("lab-vm", "cat " + CONTROL))["total"]["packets"] == 0
    pgrx_cmd("lab-tx", "rx_disable")
    lab.raw("lab-vm", "echo rx_disable > " + CONTROL)


BAD_WRITES = [
    "",
    "\n",
    "a" * 4096,
    "foo",
    "rx",
    "rx nosuchdev0",
    "rx " + " ".join(["veth0"] * 9),
    "statistics",
    "statistics bogus",
    "statistics time extra",
    "display",
    "display pretty",
    "drop",
    "drop maybe",
    "rx_reset now",
    "rx_disable please",
    "rx veth0\x00junk",
    "\x00\x01\xfe\xff",
    "display\x07script",
]


def test_malformed_writes_fail_with_einval(loaded):
    script = (
        "import errno, json, sys\n"
        "out = []\n"
        "for line in json.loads(sys.argv[1]):\n"
        "    fd = open(%r, 'wb', buffering=0)\n"
        "    try:\n"
        "        fd.write(line.encode('latin-1'))\n"
        "        code = 0\n"
        "    except OSError as exc:\n"
        "        code = exc.errno\n"
        "    fd.close()\n"
        "    result = [l for l in open(%r).read().splitlines() if l.startswith('Result:')][-1]\n"
        "    out.append([code == errno.EINVAL, result])\n"
        "print(json.dumps(out))\n" % (CONTROL, CONTROL)
    )
    command = "ip netns exec lab-rx python3 -c %s %s" % (
        shlex.quote(script),
        shlex.quote(json.dumps(BAD_WRITES)),
    )
    results = json.loads(lab.raw_out("lab-vm", command))
    assert len(results) == len(BAD_WRITES) >= 15
    for line, (einval, result) in zip(BAD_WRITES, results):
        assert einval, "write %r was not refused with EINVAL" % line[:40]
        assert result.startswith("Result: ERROR: "), (line[:40], result)
    pgrx_cmd("lab-rx", "rx veth0")  # still works after all that
    assert pgrx_read("lab-rx")["result"] == "OK: rx veth0"


def test_unload_leaves_a_clean_kernel_log(loaded):
    pgrx_cmd("lab-rx", "rx veth0", "statistics time")
    send(1000)
    lab.raw("lab-vm", "rmmod pktgen_rx")
    assert lab.raw_out("lab-vm", "ip netns exec lab-rx ls /proc/net/pktgen_rx 2>&1 || true").count(
        "No such file"
    )
    log = lab.raw_out("lab-vm", "dmesg")
    assert not SPLAT.search(log), SPLAT.search(log).group(0)
