# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The receiver kernel module (kmod/pktgen_rx.c) in the lab, against the real kernel.

Built in the lab kernel's build root (its headers, its compiler) with W=1 and sparse, loaded in
the guest, fed by pktgen from lab-tx, read from lab-rx's control file.
"""

import json
import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import (
    CONTROL,
    SPLAT,
    TX_VETH,
    assert_clean_log,
    background,
    pgrx_cmd,
    pgrx_read,
    send,
    send_malformed_frames,
    start_traffic,
    static_keys_held,
    stop_traffic,
)


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
    # Percentiles come from histograms whose buckets are at most 1/16 of their values wide.
    for name in pgrx.PERCENTILE_SERIES:
        pct = [out["percentiles"][name][p] for p in pgrx.PERCENTILES]
        lowest = min(cpu[name]["min_ns"] for cpu in out["cpus"].values())
        highest = max(cpu[name]["max_ns"] for cpu in out["cpus"].values())
        print(name, "percentiles", pct, "min", lowest, "max", highest)
        assert pct == sorted(pct)
        assert lowest * 15 / 16 <= pct[0] and pct[-1] <= highest * 17 / 16
    # Third-party collectors read the G line positionally: $2 packets, $3 bytes, $5 pps, $6 Mb/s.
    awk = lab.raw_out("lab-vm", "ip netns exec lab-rx awk '$1 == \"G\" {print $2, $3, $5, $6}' " + CONTROL)
    assert awk.split() == [str(total[k]) for k in ("packets", "bytes", "pps", "mbps")]


def test_interarrival_matches_a_capture(loaded):
    """The receiver stamps a packet where its hook runs, in the receive softirq. The kernel stamps a
    capture's packets as early as it can (net.core.netdev_tstamp_prequeue=1: when veth queues them to
    the backlog), so a stalled softirq (under emulation, tens of ms once in a while) shortens the
    receiver's span against the capture's: -11 % once. With the sysctl at 0 the kernel stamps them where
    the backlog is processed, the receiver's point."""
    count = 2000
    prequeue = lab.raw_out("lab-vm", "sysctl -n net.core.netdev_tstamp_prequeue").strip()
    lab.raw("lab-vm", "sysctl -qw net.core.netdev_tstamp_prequeue=0")
    try:
        interarrival_against_a_capture(count)
    finally:
        lab.raw("lab-vm", "sysctl -qw net.core.netdev_tstamp_prequeue=%s" % shlex.quote(prequeue))


def interarrival_against_a_capture(count):
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
    out = pgrx_read("lab-rx")
    cpus = out["cpus"].values()
    assert out["total"]["packets"] == count
    # one sample per packet after each CPU's first
    assert [cpu["interarrival"]["samples"] for cpu in cpus] == [cpu["packets"] - 1 for cpu in cpus]
    samples = sum(cpu["interarrival"]["samples"] for cpu in cpus)
    measured = sum(cpu["interarrival"]["avg_ns"] * cpu["interarrival"]["samples"] for cpu in cpus) / samples
    print("inter-arrival: pgrx %.0f ns, capture %.0f ns" % (measured, captured))
    assert abs(measured - captured) <= 0.02 * captured
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    for name, per_mille in (("p50", 500), ("p90", 900)):
        from_capture = gaps[-(-len(gaps) * per_mille // 1000) - 1]
        from_pgrx = pgrx_read("lab-rx")["percentiles"]["interarrival"][name]
        print("inter-arrival %s: pgrx %d ns, capture %d ns" % (name, from_pgrx, from_capture))
        assert abs(from_pgrx - from_capture) <= 0.1 * from_capture


def test_paged_packets_are_read_across_fragments(loaded):
    """pktgen frags: the payload after pktgen's header sits in page fragments (a non-linear skb)."""
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    result = send(10000, dict(pkt_size=1000, frags=4, **TX_VETH))
    out = pgrx_read("lab-rx")
    assert result["packets"] == out["total"]["packets"] == 10000
    assert result["frags"] == 4
    assert out["total"]["bytes"] == 10000 * 1000
    assert out["senders"]["198.18.0.1"]["received"] == 10000


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


def test_malformed_frames_are_not_counted(loaded):
    """UDP lengths past the IP payload or below 8 + 16, IPv6 fragments and extension headers, and more."""
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    sent = send_malformed_frames(100000)
    out = pgrx_read("lab-rx")
    # At ingress, VLAN-tagged pktgen packets count on the device that received them.
    assert out["total"]["packets"] == sent["valid"]
    # Random stamps: those ahead of the guest's clock are future, the rest latency samples.
    assert out["total"]["future"] == sum(cpu["future"] for cpu in out["cpus"].values()) == sent["future"] > 0
    assert out["total"]["latency"]["samples"] + sent["future"] == sent["valid"]
    assert_clean_log()


def _reads(text):
    """The reads the guest's reader printed, one "=====" line between two."""
    return [chunk for chunk in re.split(r"^=====\s*$", text, flags=re.M) if chunk.strip()]


def _snapshot_invariants(out):
    """What must hold in any read at level time, with one pktgen sender; returns the packets."""
    total = out["total"]
    for number, cpu in out["cpus"].items():
        where = "CPU %d: %r" % (number, cpu)
        assert cpu["interarrival"]["samples"] == cpu["packets"] - 1, where
        assert cpu["latency"]["samples"] + cpu["future"] == cpu["packets"], where
        assert cpu["jitter"]["samples"] == max(cpu["latency"]["samples"] - 1, 0), where
        assert cpu["latency"]["samples"] <= cpu["packets"], where
    for name in pgrx.SERIES:
        assert total[name]["samples"] == sum(cpu[name]["samples"] for cpu in out["cpus"].values())
    assert total["packets"] == sum(cpu["packets"] for cpu in out["cpus"].values())
    assert sum(s["received"] for s in out["senders"].values()) + out["untracked"] == total["packets"]
    return total["packets"]


def test_reads_during_traffic_are_consistent_snapshots(loaded):
    """30 s of reads while pktgen sends: no read mixes two states of one CPU's counters."""
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    reader = (
        "import sys, time\n"
        "end, out = time.time() + 30, []\n"
        "while time.time() < end:\n"
        "    out.append(open(%r).read())\n"
        "sys.stdout.write('\\n=====\\n'.join(out))\n" % CONTROL
    )
    start_traffic(rate=200000)  # more than TCG delivers: the reads race the writer hardest
    try:
        text = lab.raw_out("lab-vm", "ip netns exec lab-rx python3 -c %s" % shlex.quote(reader))
    finally:
        result = stop_traffic()
    reads = [pgrx.parse(chunk) for chunk in _reads(text)]
    packets = [_snapshot_invariants(out) for out in reads]
    print(
        "%d reads during traffic, %d to %d packets; pktgen sent %d"
        % (len(reads), packets[0], packets[-1], result["packets"])
    )
    assert len(reads) >= 100 and packets == sorted(packets) and packets[-1] > packets[0]
    final = pgrx_read("lab-rx")
    # pktgen offers more than the veth backlog takes under TCG: received <= sent
    assert packets[-1] <= _snapshot_invariants(final) <= result["packets"]
    assert_clean_log()


def test_reads_during_rx_disable_and_resets_under_traffic(loaded):
    """Reads racing rx_disable, rx, rx_reset and level changes while pktgen sends: whole outputs only."""
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    start_traffic(rate=200000)
    until = "end=$(($(date +%s) + 20)); while [ $(date +%s) -lt $end ]; do"
    writes = "echo rx_disable > {c}; echo rx veth0 > {c}; echo rx_reset > {c}; echo statistics time > {c};"
    writer = "ip netns exec lab-rx sh -c %s" % shlex.quote("%s %s done" % (until, writes.format(c=CONTROL)))
    reader = (
        "import sys, time\n"
        "end, out = time.time() + 20, []\n"
        "while time.time() < end:\n"
        "    out.append(open(%r).read())\n"
        "sys.stdout.write('\\n=====\\n'.join(out))\n" % CONTROL
    )
    with static_keys_held():  # rx_disable and rx move hooks while packets flow
        try:
            background(writer)
            text = lab.raw_out("lab-vm", "ip netns exec lab-rx python3 -c %s" % shlex.quote(reader))
        finally:
            stop_traffic()
    lab.raw("lab-vm", "sleep 1")
    whole = 0
    for chunk in _reads(text):
        out = pgrx.parse(chunk)
        assert out["result"] is not None and out["config"] is not None, chunk
        if out["enabled"] and out["config"]["statistics"] == "time":
            _snapshot_invariants(out)
            whole += 1
    print("%d reads, %d at level time checked" % (len(_reads(text)), whole))
    assert whole > 0
    assert_clean_log()


def test_load_unload_50_times_under_traffic(loaded):
    """50 cycles of insmod, rx, read, rmmod while pktgen sends; the hooks alternate."""
    use = f"echo rx veth0 > {CONTROL} && echo statistics time > {CONTROL} && cat {CONTROL} >/dev/null"
    load = f"insmod {lab.GUEST_KO} hook=$hook && ip netns exec lab-rx sh -c '{use}'"
    cycles = (
        f"for i in $(seq 25); do for hook in ingress prerouting; do {load} && sleep 0.1 && rmmod pktgen_rx"
    )
    with static_keys_held():
        start_traffic()
        try:
            lab.raw("lab-vm", "rmmod pktgen_rx; %s || exit 1; done; done" % cycles)
        finally:
            result = stop_traffic()
            lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules || insmod " + lab.GUEST_KO)
    print("traffic during the cycles:", result["packets"], "packets")
    assert result["packets"] > 0
    assert_clean_log()


def test_concurrent_readers_and_writers_for_30_seconds(loaded):
    pgrx_cmd("lab-rx", "rx veth0", "statistics time")
    start_traffic()
    until = "end=$(($(date +%s) + 30)); while [ $(date +%s) -lt $end ]; do"
    reader = "ip netns exec lab-rx sh -c '%s cat %s >/dev/null; done'" % (until, CONTROL)
    commands = ["rx_reset", "statistics time", "display script", "statistics counter", "display human"]
    commands += ["rx_disable", "rx all", "drop off", "drop on", "statistics basic", "rx veth0"]
    writes = " ".join("echo %s > %s;" % (shlex.quote(c), CONTROL) for c in commands)
    writer = "ip netns exec lab-rx sh -c %s" % shlex.quote("%s %s done" % (until, writes))
    # rx_disable and rx move hooks while packets flow: hold the static keys (see static_keys_held)
    with static_keys_held():
        try:
            for command in (reader, reader, writer):
                background(command)
            lab.raw("lab-vm", "sleep 31")
        finally:
            stop_traffic()
    pgrx_cmd("lab-rx", "rx veth0", "display script")
    assert pgrx_read("lab-rx")["result"] == "OK: display script"
    assert_clean_log()


def test_unload_leaves_a_clean_kernel_log(loaded):  # keep last in this file: it unloads the module
    pgrx_cmd("lab-rx", "rx veth0", "statistics time")
    send(1000)
    lab.raw("lab-vm", "rmmod pktgen_rx")
    assert lab.raw_out("lab-vm", "ip netns exec lab-rx ls /proc/net/pktgen_rx 2>&1 || true").count(
        "No such file"
    )
    log = lab.raw_out("lab-vm", "dmesg")
    assert not SPLAT.search(log), SPLAT.search(log).group(0)
