# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netlab.pktgen.pktgen_rx and pktgen_rx_info against the receiver in the lab.

The lab's hosts carry a netns variable, which the modules take as their
netns; lab-rx is the receiving namespace.
"""

import json

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import CONTROL, pgrx_cmd, pgrx_read, send


def rx(args, *extra, host="lab-rx"):
    """pktgen_rx on HOST; returns (returncode, result)."""
    code, out, hosts = lab.adhoc(host, "netlab.pktgen.pktgen_rx", args, *extra)
    assert host in hosts, out[-3000:]
    return code, hosts[host]


def rx_info(*extra, host="lab-rx"):
    code, out, hosts = lab.adhoc(host, "netlab.pktgen.pktgen_rx_info", "", *extra)
    assert code == 0, out[-3000:]
    return hosts[host]


def config():
    return pgrx_read("lab-rx")["config"]


@pytest.fixture
def disabled(loaded):
    pgrx_cmd("lab-rx", "rx veth0", "statistics basic", "display human", "drop on", "rx_disable")
    return config()


SETTINGS = json.dumps(dict(devices=["veth0"], statistics="time", display="script", drop=True))


@pytest.mark.parametrize("extra", [lab.WITH_PYTHON, lab.NO_PYTHON], ids=["python", "no python on the target"])
def test_configure_once_then_nothing_to_do(disabled, extra):
    code, first = rx(SETTINGS, *extra)
    assert code == 0 and first["changed"] is True, first
    assert first["commands"] == ["rx veth0", "statistics time", "display script"]
    assert first["config"] == dict(
        enabled=True, rx=["veth0"], statistics="time", display="script", drop=True, hook="ingress"
    )
    assert first["path"] == CONTROL and first["round_trips"] == 2
    send(1000)
    code, second = rx(SETTINGS, *extra)
    assert code == 0 and second["changed"] is False and second["commands"] == []
    assert second["round_trips"] == 1
    info = rx_info(*extra)
    assert info["changed"] is False and info["round_trips"] == 1
    assert info["receiver"]["total"]["packets"] == 1000  # the second run kept the statistics
    assert info["receiver"]["senders"]["198.18.0.1"]["received"] == 1000
    assert set(info["receiver"]["percentiles"]) == {"interarrival", "latency"}


def test_check_mode_writes_nothing_and_diff_shows_the_change(disabled):
    code, out, hosts = lab.adhoc("lab-rx", "netlab.pktgen.pktgen_rx", SETTINGS, "--check", "--diff")
    res = hosts["lab-rx"]
    assert code == 0 and res["changed"] is True
    assert res["commands"] == ["rx veth0", "statistics time", "display script"]
    # the callback prints the diff (and keeps it out of the result it stores)
    for line in (
        "--- before: " + CONTROL,
        "-enabled: False",
        "+enabled: True",
        "-statistics: basic",
        "+statistics: time",
    ):
        assert line in out, out[-3000:]
    assert config() == disabled


def test_reset_and_disable(disabled):
    rx(SETTINGS)
    send(500)
    code, res = rx(json.dumps(dict(reset=True)))
    assert code == 0 and res["commands"] == ["rx_reset"]
    assert rx_info()["receiver"]["total"]["packets"] == 0
    code, res = rx(json.dumps(dict(state="disabled")))
    assert code == 0 and res["changed"] is True and res["config"]["enabled"] is False
    code, res = rx(json.dumps(dict(state="disabled")))
    assert code == 0 and res["changed"] is False


BAD = [
    (dict(devices=["nosuch0"]), "rejected 'rx nosuch0' in /proc/net/pktgen_rx/pgrx: ERROR: no such device"),
    (dict(devices=["all", "veth0"]), "devices: 'all' stands alone"),
    (dict(statistics="time"), "the receiver is not enabled: name the devices to receive on"),
    (
        dict(devices=["veth0"], statistics="fast"),
        "value of statistics must be one of: counter, basic, time, got: fast",
    ),
    (dict(devices=["veth0"], netns="nosuch-ns"), "netns 'nosuch-ns' does not exist on the target"),
]


@pytest.mark.parametrize("args, words", BAD, ids=[words[:30] for _args, words in BAD])
def test_bad_input_fails_by_name_and_changes_nothing(disabled, args, words):
    code, res = rx(json.dumps(args))
    assert code != 0 and not res.get("unreachable"), res
    assert words in res["msg"], res["msg"]
    assert config() == disabled


def test_no_receiver_loaded(loaded):
    lab.raw("lab-vm", "rmmod pktgen_rx")
    try:
        code, res = rx(SETTINGS)
        info_code, _out, info = lab.adhoc("lab-rx", "netlab.pktgen.pktgen_rx_info", "")
    finally:
        lab.raw("lab-vm", "insmod " + lab.GUEST_KO)
    assert code != 0 and "no pktgen receiver on the target in netns lab-rx" in res["msg"]
    assert info_code != 0 and "load pktgen_rx.ko" in info["lab-rx"]["msg"].lower()
