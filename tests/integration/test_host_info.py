# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netlab.pktgen.pktgen_host_info on the lab's receiving namespace, with and without Python on the target."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import CONTROL


@pytest.mark.parametrize(
    "extra", [lab.WITH_PYTHON, lab.NO_PYTHON, ("--check",)], ids=["python", "no python", "check mode"]
)
def test_host_info_describes_the_lab(loaded, extra):
    code, out, hosts = lab.adhoc("lab-rx", "netlab.pktgen.pktgen_host_info", "", *extra)
    assert code == 0, out[-3000:]
    res = hosts["lab-rx"]
    assert res["changed"] is False and res["round_trips"] == 1
    facts = res["host"]
    assert facts["kernel"]["release"] == loaded
    assert facts["pktgen"]["loaded"] is True and facts["pktgen"]["threads"] == [0, 1]
    assert facts["receiver"] == dict(path=CONTROL, kind="pktgen_rx", version="0.1.0", hook="ingress")
    assert facts["cpus"]["online"] == [0, 1] and facts["cpus"]["count"] == 2
    assert sorted(facts["nics"]) == ["nic0", "veth0"]  # this namespace's interfaces, lo left out
    veth, nic = facts["nics"]["veth0"], facts["nics"]["nic0"]
    assert veth["driver"] == "veth" and veth["irqs"] == [] and veth["mac"] == "02:c6:12:00:00:02"
    assert nic["driver"] == "virtio_net" and nic["rx_queues"] == nic["tx_queues"] == 4
    assert nic["channels"]["current"]["combined"] == nic["channels"]["max"]["combined"] == 4
    assert nic["features"]["rx-checksumming"].startswith(("on", "off"))
    inputs = sorted(irq["name"].rsplit("-", 1)[1] for irq in nic["irqs"] if "-input." in (irq["name"] or ""))
    assert inputs == ["input.0", "input.1", "input.2", "input.3"], nic["irqs"]
    for irq in nic["irqs"][:2]:
        pinned = lab.raw_out("lab-vm", "cat /proc/irq/%d/smp_affinity_list" % irq["irq"])
        assert host.parse_cpu_list(pinned) == irq["affinity"]
