# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading pktgen back (Params:, Current:, threads) and writing a setup again; 6.1 and 6.12 outputs."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def changed(state):
    """The keys of STATE that differ from a new device's."""
    return dict((key, value) for key, value in state.items() if value != pktgen.DEFAULTS.get(key))


PARAMS = [
    ("pktgen-6.1-params-fresh.txt", dict(ifname="veth0", src_mac="02:c6:12:00:00:01")),
    ("pktgen-6.12-params-fresh.txt", dict(ifname="veth0", src_mac="02:c6:12:00:00:01", flags=("SHARED",))),
    (
        "pktgen-6.1-params-many.txt",
        dict(
            count=0, min_pkt_size=100000, max_pkt_size=100000, imix_weights="64,7 576,4 1500,1", frags=100,
            delay=50000, flows=65536, flowlen=8, queue_map_max=3, skb_priority=7, dst_min="1.2.3",
            dst_max="198.18.0.20", src_min="198.18.0.1", src_max="198.18.0.9", src_mac="02:c6:12:00:00:11",
            dst_mac="02:c6:12:00:00:02", udp_src_min=1000, udp_src_max=1010, udp_dst_min=2000,
            udp_dst_max=2010, src_mac_count=3, dst_mac_count=2, mpls="0001000a 0002000b", node=0,
            xmit_mode="queue_xmit", flags=("FLOW_SEQ", "IPSRC_RND", "QUEUE_MAP_CPU"), ifname="veth0",
        ),
    ),
    (
        "pktgen-6.1-params-ipv6-range.txt",
        dict(
            saddr="fd00::1", daddr="fd00::2", min_daddr="fd00::2", max_daddr="fd00::20", flags=("IPV6",),
            ifname="veth0@1", src_mac="02:c6:12:00:00:01",
        ),
    ),
    (
        "pktgen-6.12-params-ipv6.txt",
        dict(
            saddr="fd00::1", daddr="fd00::2", flags=("IPV6", "SHARED"), ifname="veth0@1",
            src_mac="02:c6:12:00:00:01",
        ),
    ),
    (
        "pktgen-6.12-params-vlan-burst.txt",
        dict(
            min_pkt_size=128, max_pkt_size=128, delay=1024, clone_skb=10, vlan_id=100, vlan_p=3, vlan_cfi=1,
            svlan_id=200, svlan_p=2, tos=0x10, traffic_class=0x2F, burst=4,
            flags=("NO_TIMESTAMP", "SHARED", "UDPCSUM"), ifname="nic0", src_mac="52:54:00:c6:12:01",
        ),
    ),
]  # fmt: skip


@pytest.mark.parametrize("name, expected", PARAMS, ids=[name for name, _expected in PARAMS])
def test_params_read_back_key_by_key(name, expected):
    assert changed(pktgen.parse_params(fixture(name))) == expected


def test_params_of_the_many_flags_and_the_svlan_line():
    state = pktgen.parse_params(fixture("pktgen-6.1-params-vlan-burst.txt"))
    # 6.1 prints the S-VLAN's priority and CFI as vlan_p and vlan_cfi: they must not overwrite the VLAN's.
    assert (state["vlan_p"], state["vlan_cfi"], state["svlan_p"], state["svlan_cfi"]) == (3, 1, 2, 0)
    assert len(state["flags"]) == 14 and "NODE" in state["flags"]


def test_netif_receive_and_imix_read_back():
    state = pktgen.parse_params(fixture("pktgen-6.1-params-netif-receive-imix.txt"))
    assert state["xmit_mode"] == "netif_receive" and state["imix_weights"] == "64,7 576,4 1500,1"
    assert state["count"] == 0 and state["frags"] == 17


@pytest.mark.parametrize("text", ["", "Current:\n     pkts-sofar: 0  errors: 0\n", "Result: Idle\n"])
def test_params_missing_is_an_error(text):
    with pytest.raises(pktgen.PktgenError, match="no Params"):
        pktgen.parse_params(text)


@pytest.mark.parametrize("name", [name for name, _expected in PARAMS] + ["pktgen-6.1-params-vlan-burst.txt"])
def test_state_writes_make_what_was_read(name):
    """The writes for a state read back are the kernel's words for it, in the kernel's order."""
    state = pktgen.parse_params(fixture(name))
    lines = pktgen.state_writes(state)
    assert "flag IPV6" not in lines  # set by dst6/src6, and refused as a flag on 6.1
    assert all(line.split()[0] in KNOWN_PARAMETERS for line in lines), lines
    assert lines == sorted(lines, key=_kernel_order)


KNOWN_PARAMETERS = {
    *("xmit_mode", "min_pkt_size", "max_pkt_size", "imix_weights", "count", "frags", "flows", "flowlen"),
    *("queue_map_min", "queue_map_max", "skb_priority", "dst_min", "dst_max", "src_min", "src_max", "src6"),
    *("dst6", "dst6_min", "dst6_max", "src_mac", "dst_mac", "udp_src_min", "udp_src_max", "udp_dst_min"),
    *("udp_dst_max", "src_mac_count", "dst_mac_count", "mpls", "vlan_id", "vlan_p", "vlan_cfi", "svlan_id"),
    *("svlan_p", "svlan_cfi", "tos", "traffic_class", "node", "flag", "clone_skb", "burst", "delay"),
}


def _kernel_order(line):
    """xmit_mode first, sizes before the gap, the gap (delay) last."""
    word = line.split()[0]
    return {"xmit_mode": 0, "min_pkt_size": 1, "max_pkt_size": 1, "delay": 9}.get(word, 5)


def test_state_writes_of_a_vlan_device():
    lines = pktgen.state_writes(pktgen.parse_params(fixture("pktgen-6.1-params-vlan-burst.txt")))
    for line in ("svlan_id 200", "svlan_p 2", "tos 1f", "traffic_class 2f", "clone_skb 10", "burst 4"):
        assert line in lines
    assert lines[-1] == "delay 1024" and "svlan_cfi 0" not in lines  # defaults are not written


def test_state_writes_of_mpls_and_no_delay():
    state = dict(pktgen.parse_params(fixture("pktgen-6.1-params-many.txt")), delay=pktgen.DELAY_NONE)
    lines = pktgen.state_writes(state)
    assert "mpls 0001000a,0002000b" in lines and lines[0] == "xmit_mode queue_xmit"
    assert lines[-1] == "delay 2147483647"  # what pktgen reads back as 2^64-1


def test_differences_ignore_the_default_shared_flag_and_own_mac():
    fresh_61 = pktgen.parse_params(fixture("pktgen-6.1-params-fresh.txt"))
    fresh_612 = pktgen.parse_params(fixture("pktgen-6.12-params-fresh.txt"))
    assert pktgen.differences(fresh_612, dict(pktgen.DEFAULTS)) == []
    assert pktgen.differences(fresh_61, dict(pktgen.DEFAULTS)) == []
    wanted = dict(pktgen.DEFAULTS, src_mac="02:00:00:00:00:09", flags=("SHARED",))
    assert pktgen.differences(fresh_61, wanted) == [
        ("flags", (), ("SHARED",)),
        ("src_mac", "02:c6:12:00:00:01", "02:00:00:00:00:09"),
    ]


def test_threads_idle_and_running():
    assert pktgen.parse_thread(fixture("pktgen-6.1-thread.txt")) == dict(
        running=[], stopped=["nic0", "veth0@1"]
    )
    assert pktgen.parse_thread(fixture("pktgen-6.1-thread-running.txt")) == dict(running=["nic0"], stopped=[])


def test_current_while_running_and_after_stop():
    running = fixture("pktgen-6.1-current-running.txt")
    assert pktgen.result_line(running) == "Starting"
    assert pktgen.parse_current(running)["pkts_sofar"] == 1082
    stopped = fixture("pktgen-6.1-current-stopped.txt")
    current = pktgen.parse_current(stopped)
    assert current == dict(
        pkts_sofar=1092, errors=0, started_us=387920398, stopped_us=389012725, idle_us=1065444,
        seq_num=1093, cur_saddr="198.18.1.1", cur_daddr="198.18.1.2", cur_udp_dst=9, cur_udp_src=9,
        cur_queue_map=0, flows=0,
    )  # fmt: skip
    # A run stopped by pgctrl stop still gives a Result: OK line, with what was sent.
    assert pktgen.parse_result(stopped)["packets"] == 1092


def read_output():
    """read_script()'s markers around files recorded in the lab."""
    return (
        "==> cpus 0-1\n==> link veth0 up 0x1003 02:c6:12:00:00:01\n==> link nic9 missing\n"
        "==> link nic0 down 0x1002 52:54:00:c6:12:01\n==> loaded\n"
        "==> file kpktgend_0\n%s==> file kpktgend_1\n%s==> file nic0\n%s"
        % (
            fixture("pktgen-6.1-thread-running.txt"),
            fixture("pktgen-6.1-thread.txt"),
            fixture("pktgen-6.1-params-vlan-burst.txt"),
        )
    )


def test_parse_read():
    seen = pktgen.parse_read(read_output())
    assert seen["cpus"] == [0, 1] and seen["loaded"] is True
    assert seen["links"] == dict(
        veth0=dict(operstate="up", up=True, mac="02:c6:12:00:00:01"),
        nic9=None,
        nic0=dict(operstate="down", up=False, mac="52:54:00:c6:12:01"),
    )
    assert seen["threads"] == {0: ["nic0"], 1: ["nic0", "veth0@1"]} and seen["running"] == ["nic0"]
    assert pktgen.parse_params(seen["devices"]["nic0"])["burst"] == 4


def test_read_script_quotes_interfaces_and_refuses_bad_names():
    assert "for i in veth0 'nic0@x'; do" not in pktgen.read_script(["veth0"])
    assert "for i in veth0; do" in pktgen.read_script(["veth0"])
    with pytest.raises(pktgen.PktgenError):
        pktgen.read_script(["../pgctrl"])


def test_run_script_and_its_output():
    script = pktgen.run_script(duration=2.5, start_at=1800000000.25)
    assert "at=1800000000250000000" in script and "deadline=$((c + 250))" in script
    assert "reason=duration" in script and "exit %d" % pktgen.TIMED_OUT in script
    assert "reason=timeout" in pktgen.run_script(timeout=30)
    out = (
        "late_ns 0\nstarted_ns 1800000000250100000\ntick\nstopped_ns 1800000002750900000 duration\n"
        "==> result nic0\n" + fixture("pktgen-6.12-nic-done.txt")
    )
    run = pktgen.parse_run(out)
    assert run["started_at"] == pytest.approx(1800000000.2501) and run["stopped_by"] == "duration"
    nic0 = run["devices"]["nic0"]
    assert nic0["result"]["packets"] == 52 and nic0["current"]["pkts_sofar"] == 52
    assert nic0["result_line"].startswith("OK: 13478(c810+d12668) usec")
