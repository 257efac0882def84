# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host facts, against host.facts_script() output recorded in the lab on Debian 12's 6.1 kernel."""

import subprocess

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

FACTS = host.parse_facts(fixture("host-facts-6.1-lab-rx.txt"))


def test_kernel_pktgen_and_receiver():
    assert FACTS["kernel"] == dict(release="6.1.0-56-amd64", machine="x86_64")
    assert FACTS["pktgen"] == dict(loaded=True, version="2.75", threads=[0, 1])
    assert FACTS["receiver"] == dict(
        path="/proc/net/pktgen_rx/pgrx", kind="pktgen_rx", version="0.1.0", hook="ingress"
    )


def test_cpu_topology():
    cpus = FACTS["cpus"]
    assert (cpus["online"], cpus["count"], cpus["cores"], cpus["packages"], cpus["nodes"]) == (
        [0, 1],
        2,
        2,
        1,
        [0],
    )
    assert cpus["topology"][1] == dict(core=1, package=0, siblings=[1], node=0)


def test_virtio_nic_with_its_queues_irqs_and_channels():
    nic = FACTS["nics"]["nic0"]
    assert (nic["driver"], nic["mac"], nic["mtu"], nic["operstate"]) == (
        "virtio_net",
        "52:54:00:c6:12:02",
        1500,
        "up",
    )
    assert nic["speed_mbps"] is None  # virtio says -1: unknown
    assert (nic["rx_queues"], nic["tx_queues"]) == (4, 4)
    assert nic["channels"] == dict(
        max=dict(rx=None, tx=None, other=None, combined=4),
        current=dict(rx=None, tx=None, other=None, combined=4),
    )
    assert [irq["name"] for irq in nic["irqs"]] == ["virtio2-config"] + [
        "virtio2-%s.%d" % (kind, queue) for queue in range(4) for kind in ("input", "output")
    ]
    assert nic["irqs"][2] == dict(irq=41, name="virtio2-output.0", affinity=[0], effective=[0])
    assert nic["irqs"][0]["affinity"] == [0, 1]
    assert nic["features"]["rx-checksumming"] == "on [fixed]"
    assert nic["features"]["generic-receive-offload"] == "on"
    assert "tx-checksum-ipv4" not in nic["features"]  # sub-features are left out


def test_veth_has_no_irqs():
    veth = FACTS["nics"]["veth0"]
    assert (veth["driver"], veth["irqs"], veth["speed_mbps"]) == ("veth", [], 10000)
    assert "lo" not in FACTS["nics"]


@pytest.mark.parametrize(
    "text, cpus", [("0-1", [0, 1]), ("0", [0]), ("0-2,8,10-11", [0, 1, 2, 8, 10, 11]), ("", [])]
)
def test_parse_cpu_list(text, cpus):
    assert host.parse_cpu_list(text) == cpus


def test_the_script_runs_on_this_machine():
    out = subprocess.run(["sh", "-c", host.facts_script()], capture_output=True, text=True, check=True).stdout
    facts = host.parse_facts(out)
    assert facts["kernel"]["release"] and facts["cpus"]["count"] >= 1
