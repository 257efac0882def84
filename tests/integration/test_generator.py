# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netlab.pktgen.pktgen_tx and pktgen_run on the lab's sending namespace, with and without Python there.

Traffic goes from lab-tx to lab-rx over the veth pair (198.18.0.0/24) and the
virtio NICs (198.18.1.0/24), nowhere else.
"""

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import time

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import background

PROC = pktgen.PROC_DIR

VETH = dict(name="veth0", count=20000, rate="50kpps", dst="198.18.0.2", dst_mac="02:c6:12:00:00:02")
NIC = dict(
    name="nic0",
    threads=[0, 1],
    count=1000,
    rate="8Mbit",
    pkt_size=100,
    dst="198.18.1.2",
    dst_mac="52:54:00:c6:12:02",
    udp_src="1000-1015",
    flags=["QUEUE_MAP_CPU", "UDPSRC_RND"],
)
SETUP = dict(devices=[VETH, NIC])


def module(name, args, *extra, host="lab-tx"):
    """Run netlab.pktgen.NAME with ARGS on HOST; returns (returncode, result, output)."""
    code, out, hosts = lab.adhoc(host, "netlab.pktgen." + name, json.dumps(args) if args else "", *extra)
    assert host in hosts, out[-3000:]
    return code, hosts[host], out


def in_ns(netns, command):
    return lab.raw_out("lab-vm", "ip netns exec %s sh -c '%s'" % (netns, command))


def pktgen_files(netns="lab-tx"):
    """Every pktgen thread and device file of NETNS, as {name: text} (Current: and Result: left out)."""
    out = in_ns(netns, 'for f in %s/*; do echo "==> ${f##*/}"; sed "/^Current:/,\\$d" "$f"; done' % PROC)
    files, name = {}, None
    for line in out.splitlines():
        if line.startswith("==> "):
            name = line[4:]
            files[name] = ""
        elif name:
            files[name] += line + "\n"
    files.pop("pgctrl", None)
    return files


def reset(netns="lab-tx"):
    in_ns(netns, "modprobe pktgen; echo reset > %s/pgctrl" % PROC)


def rx_packets(dev="veth0"):
    return int(in_ns("lab-rx", "cat /sys/class/net/%s/statistics/rx_packets" % dev))


def tx_dropped(dev="veth0"):
    """The packets lab-tx's veth could not hand to its peer (the CPU's backlog full: netdev_max_backlog)."""
    return int(in_ns("lab-tx", "cat /sys/class/net/%s/statistics/tx_dropped" % dev))


COUNTER = "table netdev nlpg_count"


@contextlib.contextmanager
def pktgen_counter():
    """An nftables counter of pktgen's packets (UDP port 9 from lab-tx) at lab-rx veth0's ingress.

    Reads as a function; the interface counter alone also sees the kernel's own
    packets on the link (IPv6 router solicitations and MLD reports after a boot).
    """
    rules = (
        "add %s; add chain netdev nlpg_count in { type filter hook ingress device veth0 priority -1000; }; "
        "add rule netdev nlpg_count in ip saddr 198.18.0.1 udp dport 9 counter" % COUNTER
    )
    lab.raw("lab-vm", "ip netns exec lab-rx nft %s" % shlex.quote(rules))
    try:
        yield lambda: int(
            re.search(r"counter packets (\d+)", in_ns("lab-rx", "nft list %s" % COUNTER)).group(1)
        )
    finally:
        lab.raw("lab-vm", "ip netns exec lab-rx nft delete %s" % COUNTER)


def running(netns="lab-tx"):
    return in_ns(netns, 'sed -n "s/^Running: *//p" %s/kpktgend_*' % PROC).split()


@pytest.fixture
def empty(booted):
    # A receiver left enabled by another test would consume pktgen's packets before the counter.
    in_ns("lab-rx", "[ ! -w /proc/net/pktgen_rx/pgrx ] || echo rx_disable > /proc/net/pktgen_rx/pgrx || true")
    reset()
    yield pktgen_files()
    reset()


@pytest.mark.parametrize("extra", [lab.WITH_PYTHON, lab.NO_PYTHON], ids=["python", "no python on the target"])
def test_declare_once_then_nothing_to_do_then_send(empty, extra):
    code, first, out = module("pktgen_tx", SETUP, *extra)
    assert code == 0 and first["changed"] is True and first["round_trips"] == 2, out[-3000:]
    files = pktgen_files()
    assert "Stopped: veth0 nic0@0" in files["kpktgend_0"] or "Stopped: nic0@0 veth0" in files["kpktgend_0"]
    assert "nic0@1" in files["kpktgend_1"]
    veth = pktgen.parse_params(files["veth0"])
    assert (veth["count"], veth["delay"], veth["dst_min"], veth["dst_mac"]) == (
        20000, 20000, "198.18.0.2", "02:c6:12:00:00:02",
    )  # fmt: skip
    nic = pktgen.parse_params(files["nic0@1"])
    assert (nic["min_pkt_size"], nic["delay"], nic["udp_src_min"], nic["udp_src_max"]) == (
        100,
        100000,
        1000,
        1015,
    )
    assert {"QUEUE_MAP_CPU", "UDPSRC_RND"} <= set(nic["flags"])
    assert first["devices"]["nic0@1"]["settings"]["delay"] == 100000

    code, second, out = module("pktgen_tx", SETUP, *extra)
    assert code == 0 and second["changed"] is False and second["round_trips"] == 1, out[-3000:]
    assert second["writes"] == [] and second["devices"] == first["devices"]
    assert pktgen_files() == files

    before, dropped = rx_packets(), tx_dropped()
    with pktgen_counter() as counted:
        code, run, out = module("pktgen_run", {}, *extra)
        assert code == 0 and run["changed"] is True and run["round_trips"] == 1, out[-3000:]
        arrived = counted()
    assert run["stopped_by"] == "count"
    veth0 = run["results"]["veth0"]
    assert veth0["packets"] == veth0["current"]["pkts_sofar"] == 20000
    # pktgen counts a packet the veth dropped (NET_XMIT_DROP) as an error and sends another in its place; an
    # emulated CPU that stalls 20 ms overflows the 1000-packet backlog at 50 kpps, so the kernel's own drop
    # counter is the reference, not 0
    assert veth0["errors"] == tx_dropped() - dropped
    assert arrived == 20000  # every packet pktgen says it sent reached the peer, and no more
    assert rx_packets() - before >= 20000
    assert run["results"]["nic0@0"]["packets"] == run["results"]["nic0@1"]["packets"] == 1000
    assert run["totals"]["packets"] == 22000 and running() == []


def test_check_mode_writes_nothing_and_diff_shows_the_setup(empty):
    code, res, out = module("pktgen_tx", SETUP, "--check", "--diff")
    assert code == 0 and res["changed"] is True and res["devices"] == {}
    assert "veth0: ratep 50000" in res["writes"] and "nic0@1: rate 8" in res["writes"]
    for line in ("--- before: " + PROC, "-(no pktgen devices)", "+kpktgend_0: veth0", "+  delay: 20000"):
        assert line in out, out[-3000:]
    assert pktgen_files() == empty
    code, res, out = module("pktgen_run", {}, "--check")
    assert code != 0 and "pktgen has no devices here" in res["msg"]


def test_diff_of_a_change_and_purge_false_keeps_the_others(empty):
    assert module("pktgen_tx", SETUP)[0] == 0
    changed = dict(VETH, rate="100kpps", tos="0x10")
    code, res, out = module("pktgen_tx", dict(devices=[changed], purge=False), "--diff")
    assert code == 0 and res["changed"] is True, out[-3000:]
    for line in ("-  delay: 20000", "+  delay: 10000", "+  tos: 0x10"):
        assert line in out, out[-3000:]
    files = pktgen_files()
    assert sorted(name for name in files if not name.startswith("kpktgend")) == ["nic0@0", "nic0@1", "veth0"]
    assert pktgen.parse_params(files["nic0@0"])["udp_src_max"] == 1015  # written back as it was
    assert pktgen.parse_params(files["veth0"])["tos"] == 0x10
    code, res, _out = module("pktgen_tx", dict(devices=[dict(name="nic0")], state="absent"))
    assert code == 0 and res["changed"] is True and sorted(res["devices"]) == ["veth0"]
    code, res, _out = module("pktgen_tx", dict(state="absent"))
    assert code == 0 and res["changed"] is True and res["devices"] == {}
    assert module("pktgen_tx", dict(state="absent"))[1]["changed"] is False


def test_duration_stops_a_device_that_sends_forever(empty):
    endless = dict(devices=[dict(VETH, count=0, rate="20kpps")])
    assert module("pktgen_tx", endless)[0] == 0
    code, run, out = module("pktgen_run", dict(duration=2))
    assert code == 0 and run["stopped_by"] == "duration", out[-3000:]
    veth0 = run["results"]["veth0"]
    # pktgen counts from its thread's first packet, a little after the script starts timing.
    assert veth0["packets"] > 0 and veth0["elapsed_us"] >= 1500000
    assert running() == []


def test_timeout_stops_pktgen_and_fails_with_the_results_so_far(empty):
    assert module("pktgen_tx", dict(devices=[dict(VETH, count=0, rate="20kpps")]))[0] == 0
    code, res, _out = module("pktgen_run", dict(timeout=1))
    assert code != 0 and "still sending after timeout=1.0 s and was stopped" in res["msg"]
    assert res["results"]["veth0"]["packets"] > 0 and running() == []


def test_interrupting_the_controller_stops_pktgen(empty):
    assert module("pktgen_tx", dict(devices=[dict(VETH, count=0, rate="20kpps")]))[0] == 0
    argv = [
        os.path.join(lab.BIN, "ansible"),
        "lab-tx",
        "-m",
        "netlab.pktgen.pktgen_run",
        "-a",
        "duration=300",
    ]
    proc = subprocess.Popen(argv, cwd=lab.ROOT, env=lab._env(), start_new_session=True)  # noqa: SLF001
    try:
        # ansible's start, the module's transfer and its Python: up to a minute under emulation
        deadline = time.monotonic() + 90
        while not running() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert running() == ["veth0"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    deadline = time.monotonic() + 30  # the next tick meets a closed connection
    while running() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert running() == []
    assert pktgen.parse_result(in_ns("lab-tx", "cat %s/veth0" % PROC))["packets"] > 0


def test_start_at_starts_two_hosts_together(empty):
    reset("lab-rx")
    back = dict(VETH, count=2000, dst="198.18.0.1", dst_mac="02:c6:12:00:00:01")
    assert module("pktgen_tx", dict(devices=[back]), host="lab-rx")[0] == 0
    assert module("pktgen_tx", dict(devices=[dict(VETH, count=2000)]))[0] == 0
    start_at = int(lab.raw_out("lab-vm", "date +%s")) + 6  # the targets' clock
    code, out, hosts = lab.adhoc(
        "lab-tx:lab-rx", "netlab.pktgen.pktgen_run", json.dumps(dict(start_at=start_at))
    )
    reset("lab-rx")
    assert code == 0, out[-3000:]
    started = dict((host, res["started_at"]) for host, res in hosts.items())
    assert all(at >= start_at for at in started.values()), started
    kernel = [res["results"]["veth0"]["current"]["started_us"] for res in hosts.values()]
    print("start_at skew: %.1f ms by the shell's clock, %.1f ms by pktgen's" % (
        abs(started["lab-tx"] - started["lab-rx"]) * 1000, abs(kernel[0] - kernel[1]) / 1000,
    ))  # fmt: skip
    assert [res["results"]["veth0"]["packets"] for res in hosts.values()] == [2000, 2000]


BAD = [
    (dict(devices=[dict(VETH, name="nosuch0")]), "no network device nosuch0 in netns lab-tx on the target"),
    (dict(devices=[VETH], netns="nosuch-ns"), "netns 'nosuch-ns' does not exist on the target"),
    (
        dict(devices=[dict(VETH, dst_mac="02:c6:12:00:00:zz")]),
        "dst_mac '02:c6:12:00:00:zz': not a MAC address",
    ),
    (dict(devices=[dict(VETH, dst="198.18.0.300")]), "dst '198.18.0.300': not an IPv4 or IPv6 address"),
    (dict(devices=[dict(VETH, rate="0pps")]), "rate '0pps': must be a whole number of pps, at least 1"),
    (dict(devices=[dict(VETH, rate="-5Mbit")]), "rate '-5Mbit': give a number and a unit"),
    (dict(devices=[dict(VETH, foo=1)]), "foo"),
    (dict(devices=[dict(VETH, threads=[7])]), "threads: CPU 7 is not online on the target (online: 0,1)"),
    (
        dict(devices=[dict(VETH, node=1)]),
        "pktgen rejected 'node 1' in /proc/net/pktgen/veth0: ERROR: node not possible",
    ),
    (dict(devices=[dict(VETH, burst=4)]), "rejected 'burst 4' in /proc/net/pktgen/veth0"),
    (dict(devices=[dict(VETH, flags=["NOSUCH"])]), "flags: unknown pktgen flag 'NOSUCH'"),
]


@pytest.mark.parametrize("args, words", BAD, ids=[words[:30] for _args, words in BAD])
def test_bad_input_fails_by_name_and_leaves_pktgen_as_it_was(empty, args, words):
    assert module("pktgen_tx", dict(devices=[NIC]))[0] == 0
    before = pktgen_files()
    code, res, _out = module("pktgen_tx", args)
    assert code != 0 and not res.get("unreachable"), res
    assert words in res["msg"], res["msg"]
    assert pktgen_files() == before


def test_no_change_while_pktgen_sends(empty):
    assert module("pktgen_tx", dict(devices=[dict(VETH, count=0, rate="20kpps")]))[0] == 0
    background("ip netns exec lab-tx sh -c 'echo start > %s/pgctrl'" % PROC)
    try:
        deadline = time.monotonic() + 30
        while not running() and time.monotonic() < deadline:
            time.sleep(0.5)
        code, res, _out = module("pktgen_tx", SETUP)
        assert code != 0 and "pktgen is sending on veth0" in res["msg"]
        code, res, _out = module("pktgen_run", {})
        assert code != 0 and "pktgen is already sending on: veth0" in res["msg"]
    finally:
        in_ns("lab-tx", "echo stop > %s/pgctrl" % PROC)
