# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device and netns names that are shell code, in the lab: nothing runs, the modules find the devices.

The kernel takes ``$``, parentheses, backquotes, ``;`` and ``>`` in a device name (only ``/``, ``:`` and
white space are refused), and ``ip netns`` takes blanks and quotes too (not ``/``). A veth pair whose ends
are named so joins lab-tx to lab-rx (and a third namespace with such a name holds a dummy device); host
facts, nic_queues, pktgen_tx/pktgen_run and the receiver modules work on them, and the marker file each
name would create if it were run never appears.
"""

import json
import shlex

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

# Device and netns names cannot hold "/": each name creates $HOME.pw (/root.pw) or pw in the working
# folder (/root/pw) if it is run.
MARKS = "/root.pw /root/pw"
RX_DEV = "x$(>$HOME.pw)"  # 13 bytes; IFNAMSIZ allows 15
TX_DEV = "y`>$HOME.pw`"
ODD_NETNS = "n $(>$HOME.pw) '"
ODD_DEV = "z;>pw"
RX_MAC = "02:c6:12:00:0f:02"
TX_MAC = "02:c6:12:00:0f:01"


def vm(command):
    return lab.raw_out("lab-vm", command)


def marked():
    return vm("for f in %s; do [ -e $f ] && echo MARKED; done; true" % MARKS).strip() != ""


def module(host, name, **args):
    """netlab.pktgen.NAME on HOST (its Python unavailable) with ARGS as JSON; returns (code, result)."""
    code, out, hosts = lab.adhoc(host, "netlab.pktgen." + name, json.dumps(args) if args else "")
    assert host in hosts, out[-3000:]
    return code, hosts[host]


@pytest.fixture
def hostile(loaded):
    """The veth pair TX_DEV (lab-tx) - RX_DEV (lab-rx), and netns ODD_NETNS holding ODD_DEV."""
    q = shlex.quote
    vm("rm -f %s" % MARKS)
    vm(
        "ip -n lab-rx link add %s address %s type veth peer name %s address %s netns lab-tx"
        % (q(RX_DEV), RX_MAC, q(TX_DEV), TX_MAC)
    )
    vm("ip -n lab-rx link set %s up && ip -n lab-tx link set %s up" % (q(RX_DEV), q(TX_DEV)))
    vm("ip netns add %s && ip -n %s link add %s type dummy" % (q(ODD_NETNS), q(ODD_NETNS), q(ODD_DEV)))
    vm("ip -n %s link set %s up" % (q(ODD_NETNS), q(ODD_DEV)))
    try:
        yield
    finally:
        module("lab-tx", "pktgen_tx", state="absent")
        module("lab-rx", "pktgen_rx", state="disabled")
        vm("ip -n lab-rx link del %s; ip netns del %s; true" % (q(RX_DEV), q(ODD_NETNS)))
        was_marked = marked()
        vm("rm -f %s" % MARKS)
        assert not was_marked, "a device or netns name was run as shell code"


def test_host_facts_find_the_hostile_devices(hostile):
    code, res = module("lab-rx", "pktgen_host_info")
    assert code == 0, res
    nic = res["host"]["nics"][RX_DEV]
    assert nic["driver"] == "veth" and nic["mac"] == RX_MAC and nic["rx_queues"] == 1 and nic["mtu"] == 1500
    assert sorted(res["host"]["nics"]) == sorted(["nic0", "veth0", RX_DEV])
    code, res = module("lab-vm", "pktgen_host_info", netns=ODD_NETNS)
    assert code == 0, res
    assert list(res["host"]["nics"]) == [ODD_DEV] and res["host"]["nics"][ODD_DEV]["driver"] == "dummy"
    assert not marked()


def test_nic_queues_reads_and_writes_a_hostile_device(hostile):
    code, res = module("lab-rx", "nic_queues", device=RX_DEV)
    assert code == 0 and res["changed"] is False, res
    assert res["state"]["rps"] == {"0": []}
    code, res = module("lab-rx", "nic_queues", device=RX_DEV, rps={"0": "1"}, features={"gro": False})
    assert code == 0 and res["changed"] is True and res["refused"] == [], res
    assert res["state"]["rps"] == {"0": [1]} and res["state"]["features"]["generic-receive-offload"] is False
    rps = vm("ip netns exec lab-rx cat %s" % shlex.quote("/sys/class/net/%s/queues/rx-0/rps_cpus" % RX_DEV))
    assert int(rps.strip().replace(",", ""), 16) == 2
    code, res = module("lab-rx", "nic_queues", device=RX_DEV, restore=res["previous"])
    assert code == 0 and res["state"]["rps"] == {"0": []}, res
    assert not marked()


def test_pktgen_sends_and_the_receiver_counts_on_hostile_devices(hostile):
    code, res = module(
        "lab-rx", "pktgen_rx", devices=[RX_DEV], statistics="basic", display="script", drop=True, reset=True
    )
    assert code == 0 and res["config"]["rx"] == [RX_DEV] and res["config"]["enabled"], res
    code, res = module(
        "lab-tx", "pktgen_tx", devices=[dict(name=TX_DEV, count=1000, dst="198.18.15.2", dst_mac=RX_MAC)]
    )
    assert code == 0 and list(res["devices"]) == [TX_DEV], res
    code, res = module("lab-tx", "pktgen_run")
    assert code == 0 and res["results"][TX_DEV]["packets"] == 1000, res
    code, res = module("lab-rx", "pktgen_rx_info")
    assert code == 0 and res["receiver"]["total"]["packets"] == 1000, res
    # Counted on the hostile device alone: veth0's peer sent nothing.
    assert (
        res["receiver"]["senders"] and sum(s["received"] for s in res["receiver"]["senders"].values()) == 1000
    )
    code, res = module("lab-tx", "pktgen_tx", state="absent")
    assert code == 0 and res["changed"] is True and res["devices"] == {}, res
    code, res = module("lab-rx", "pktgen_rx", state="disabled")
    assert code == 0 and res["changed"] is True and res["config"]["enabled"] is False, res
    assert not marked()
