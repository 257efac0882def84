# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pktgen protocol helpers, against outputs recorded from Debian 12's 6.1 kernel."""

import os
import subprocess

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

RESULTS = [
    (
        "pktgen-6.1-veth-run.txt",
        "veth0",
        dict(
            elapsed_us=228369,
            busy_us=222892,
            idle_us=5477,
            packets=10000,
            pkt_size=60,
            frags=0,
            pps=43788,
            mbps=21,
            bps=21018240,
            errors=0,
        ),
    ),
    (
        "pktgen-6.1-nic-run.txt",
        "nic0",
        dict(
            elapsed_us=931286,
            busy_us=923763,
            idle_us=7522,
            packets=16000,
            pkt_size=60,
            frags=0,
            pps=17180,
            mbps=8,
            bps=8246400,
            errors=0,
        ),
    ),
]


@pytest.mark.parametrize("name, dev, expected", RESULTS)
def test_parse_result_of_a_finished_run(name, dev, expected):
    text = fixture(name)
    assert pktgen.parse_result(text) == expected
    assert pktgen.parse_result(pktgen.split_dump(text)[dev]) == expected


def test_bps_counts_frames_without_fcs():
    result = pktgen.parse_result(fixture("pktgen-6.1-veth-run.txt"))
    # 60-byte frames: bps = pps * 60 * 8 within rounding of pps.
    assert abs(result["bps"] - result["pps"] * result["pkt_size"] * 8) < result["pkt_size"] * 8


@pytest.mark.parametrize(
    "text, words",
    [
        (fixture("pktgen-6.1-idle-device.txt"), "Result: OK: count=5"),
        ('Result: No such parameter "foo"\n', 'No such parameter "foo"'),
        ("Params: count 5\n", "no Result: line"),
        ("", "no Result: line"),
    ],
)
def test_parse_result_without_a_finished_run(text, words):
    with pytest.raises(pktgen.PktgenError, match=words):
        pktgen.parse_result(text)


def test_config_writes_order():
    writes = pktgen.config_writes(
        {1: ["eth1@1"], 0: ["eth1"]},
        {"eth1": {"ratep": 1000, "dst": "198.18.0.2", "pkt_size": 128, "flag": ["IPV6", "!UDPCSUM"]}},
    )
    assert writes == [
        (pktgen.PGCTRL, "reset"),
        ("/proc/net/pktgen/kpktgend_0", "rem_device_all"),
        ("/proc/net/pktgen/kpktgend_0", "add_device eth1"),
        ("/proc/net/pktgen/kpktgend_1", "rem_device_all"),
        ("/proc/net/pktgen/kpktgend_1", "add_device eth1@1"),
        ("/proc/net/pktgen/eth1", "pkt_size 128"),
        ("/proc/net/pktgen/eth1", "dst 198.18.0.2"),
        ("/proc/net/pktgen/eth1", "flag IPV6"),
        ("/proc/net/pktgen/eth1", "flag !UDPCSUM"),
        ("/proc/net/pktgen/eth1", "ratep 1000"),
    ]


def test_config_writes_without_reset():
    assert pktgen.config_writes({}, {}, reset=False) == []


@pytest.mark.parametrize(
    "threads, devices, words",
    [
        ({}, {"eth0": {"count 1\nstart": 1}}, "invalid pktgen parameter name"),
        ({}, {"eth0": {"Count": 1}}, "invalid pktgen parameter name"),
        ({}, {"eth0": {"dst": "198.18.0.2\nreset"}}, "invalid value"),
        ({}, {"eth0": {"dst": ""}}, "invalid value"),
        ({}, {"../pgctrl": {"count": 1}}, "invalid pktgen device name"),
        ({0: [""]}, {}, None),
    ],
)
def test_config_writes_refuses_what_would_break_the_protocol(threads, devices, words):
    if words is None:
        # An empty device name is the kernel's to refuse (add_device with no name).
        assert pktgen.config_writes(threads, devices)[-1] == ("/proc/net/pktgen/kpktgend_0", "add_device ")
        return
    with pytest.raises(pktgen.PktgenError, match=words):
        pktgen.config_writes(threads, devices)


def test_render_script_quotes_and_wraps_in_netns():
    command = pktgen.render_script([(pktgen.PGCTRL, "reset")], netns="lab tx")
    assert "; ip netns exec 'lab tx' sh -c '" in command
    assert "pgset /proc/net/pktgen/pgctrl reset" in command


def run_script(writes, start=False):
    command = pktgen.render_script(writes, start=start)
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)


def test_script_refuses_a_write_whose_result_is_not_ok(tmp_path):
    # A plain file has no Result: line after the write, as when pktgen rejected a value.
    dev = tmp_path / "veth0"
    proc = run_script([(str(dev), "flag BOGUS")])
    assert proc.returncode == 3
    assert "rejected 'flag BOGUS' in %s" % dev in proc.stderr


def test_script_reports_a_failed_write(tmp_path):
    proc = run_script([(str(tmp_path / "missing" / "veth0"), "count 1")])
    assert proc.returncode == 3
    assert "write failed" in proc.stderr


def test_script_does_not_read_back_pgctrl(tmp_path):
    ctrl = tmp_path / "pgctrl"
    proc = run_script([(str(ctrl), "reset"), (str(ctrl), "stop")])
    assert proc.returncode == 0, proc.stderr
    assert ctrl.read_text() == "stop\n"


def test_script_stops_at_the_first_rejected_write(tmp_path):
    ctrl = tmp_path / "pgctrl"
    proc = run_script([(str(tmp_path / "dev"), "count 1"), (str(ctrl), "start")])
    assert proc.returncode == 3
    assert not os.path.exists(ctrl)
