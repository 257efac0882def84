# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Queue, IRQ and steering plans, on the lab NIC recorded with host.facts_script() on Debian 12's 6.1."""

import re

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host, queues
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

FACTS = host.parse_facts(fixture("host-facts-6.1-lab-rx.txt"))
NIC, CPUS = FACTS["nics"]["nic0"], FACTS["cpus"]

NAMES = [
    ("virtio2-input.1", 1),
    ("virtio2-output.3", 3),
    ("virtio2-config", None),
    ("eth0-TxRx-3", 3),
    ("i40e-eth0-TxRx-12", 12),
    ("mlx5_comp5@pci:0000:3b:00.0", 5),
    ("ens1f0-rx-2", 2),
    ("timer", None),
    (None, None),
]


@pytest.mark.parametrize("name, queue", NAMES)
def test_irq_queue(name, queue):
    assert queues.irq_queue(name) == queue


def topology(nodes, siblings):
    """CPU facts: NODES[cpu] is its NUMA node; SIBLINGS lists CPUs that share a core."""
    cores = dict((cpu, index) for index, group in enumerate(siblings) for cpu in group)
    cpus = sorted(cores)
    return dict(
        online=cpus, topology=dict((cpu, dict(core=cores[cpu], package=0, node=nodes[cpu])) for cpu in cpus)
    )


def test_spread_takes_one_cpu_per_core_before_siblings():
    cpus = topology([0] * 4, [(0, 2), (1, 3)])
    assert queues.spread_order(cpus) == [0, 1, 2, 3]


def test_spread_takes_the_nics_numa_node_first():
    cpus = topology([0, 0, 1, 1, 0, 0, 1, 1], [(0, 4), (1, 5), (2, 6), (3, 7)])
    assert queues.spread_order(cpus, numa_node=1) == [2, 3, 0, 1, 6, 7, 4, 5]
    assert queues.spread_order(cpus, numa_node=-1) == [0, 1, 2, 3, 4, 5, 6, 7]


def test_channels():
    assert queues.plan_channels("nic0", NIC, dict(combined=2)) == "combined 2"
    assert queues.plan_channels("nic0", NIC, dict(combined=4)) is None
    assert queues.plan_channels("nic0", NIC, None) is None
    with pytest.raises(queues.QueuesError, match="channels.combined=5: nic0 takes 1 to 4 combined channels"):
        queues.plan_channels("nic0", NIC, dict(combined=5))
    with pytest.raises(queues.QueuesError, match="channels.rx=1: nic0 takes 1 to 0 rx channels"):
        queues.plan_channels("nic0", NIC, dict(rx=1))


def test_virtio_already_spreads_its_queues_over_the_two_cpus():
    assert queues.plan_affinity("nic0", NIC, CPUS, "spread") == []


def test_an_explicit_map_moves_both_irqs_of_a_queue():
    assert queues.plan_affinity("nic0", NIC, CPUS, {"0": "1"}) == [(40, [1]), (41, [1])]
    assert queues.plan_affinity("nic0", NIC, CPUS, {0: "0"}) == []


@pytest.mark.parametrize(
    "affinity, words",
    [
        ({"0": "2"}, "CPU 2 does not exist on the target"),
        ({"0": ""}, "an IRQ needs at least one CPU"),
        ({"0": "a-b"}, "is not a CPU list"),
        ({"4": "0"}, "nic0 has no IRQ for queue 4"),
        (["spread"], "neither 'spread' nor a map"),
    ],
)
def test_affinity_refuses_what_cannot_be(affinity, words):
    with pytest.raises(queues.QueuesError, match=words):
        queues.plan_affinity("nic0", NIC, CPUS, affinity)


def test_a_device_without_queue_irqs():
    with pytest.raises(queues.QueuesError, match="veth0 has no per-queue IRQs"):
        queues.plan_affinity("veth0", FACTS["nics"]["veth0"], CPUS, "spread")


def test_steering_and_restore():
    assert queues.plan_steering("nic0", NIC, CPUS, "rps", {"0": "1", "1": ""}) == [(0, [1])]
    with pytest.raises(queues.QueuesError, match="rps: nic0 has no rx queue 7"):
        queues.plan_steering("nic0", NIC, CPUS, "rps", {"7": "0"})
    saved = queues.saved_state(NIC)
    assert saved["channels"] == {"combined": 4}
    assert saved["irq_affinity"]["40"] == [0]
    assert queues.plan_restore_irqs("nic0", NIC, saved["irq_affinity"]) == []
    assert queues.plan_restore_irqs("nic0", NIC, {"40": [1]}) == [(40, [1])]
    with pytest.raises(queues.QueuesError, match="nic0 has no IRQ 99 any more"):
        queues.plan_restore_irqs("nic0", NIC, {"99": [0]})


def test_write_script_reports_refusals_and_reads_back():
    script = queues.write_script("nic0", "combined 2", [(40, [1])], [(0, [0, 1])], [])
    assert "ethtool -L nic0 combined 2" in script
    assert "echo 1 2>/dev/null > /proc/irq/40/smp_affinity_list || echo 'refused irq 40'" in script
    assert "echo 3 2>/dev/null > /sys/class/net/nic0/queues/rx-0/rps_cpus" in script
    assert script.rstrip().endswith("cat /proc/interrupts")
    assert script.index("==> interrupts_at_write") < script.index("/proc/irq/40/smp_affinity_list")
    assert queues.refusals("refused irq 40\n==> uname\n") == ["irq 40"]
    assert "interrupts_at_write" not in queues.write_script("nic0", rps=[(0, [1])])


def test_unfired_irqs_are_those_whose_counts_did_not_move():
    before, after = (fixture("interrupts-6.1-%s.txt" % when) for when in ("before", "after"))
    out = "==> interrupts_at_write\n%s\n==> uname\n6.1.0-56-amd64\n==> interrupts\n%s" % (before, after)
    unfired = queues.unfired(out)
    assert {43, 45, 47} <= set(unfired)  # virtio2-output.1-3: no interrupt in between
    assert not {40, 41, 42, 44, 46} & set(unfired)  # input.0-3 and output.0 fired
    assert queues.unfired(after) == []  # no snapshot, nothing to compare


@pytest.mark.parametrize("mask, cpus", [("3", [0, 1]), ("00000000,00000003", [0, 1]), ("0", []), ("", None)])
def test_cpu_masks(mask, cpus):
    assert host.cpu_mask_to_list(mask) == cpus
    if cpus is not None:
        assert host.cpu_mask_to_list(host.cpu_list_to_mask(cpus)) == cpus


def test_features_by_name_or_alias_only_what_changes():
    # Recorded on 6.1: nic0 (virtio) has generic-receive-offload on, large-receive-offload off [fixed].
    assert queues.plan_features("nic0", NIC, {"gro": False}) == [("generic-receive-offload", False)]
    assert queues.plan_features("nic0", NIC, {"generic-receive-offload": True, "lro": False}) == []
    saved = queues.saved_state(NIC)["features"]
    assert saved["generic-receive-offload"] is True and "large-receive-offload" not in saved  # fixed
    script = queues.write_script("nic0", features=[("generic-receive-offload", False)])
    assert "ethtool -K nic0 generic-receive-offload off 2>/dev/null || echo 'refused features" in script


@pytest.mark.parametrize(
    "wanted, words",
    [
        ({"lro": True}, "features: large-receive-offload is fixed off on nic0 by its driver"),
        ({"turbo": False}, "features: nic0 has no offload 'turbo' (ethtool -k nic0 lists them"),
    ],
)
def test_features_refused_by_name(wanted, words):
    with pytest.raises(queues.QueuesError, match=re.escape(words)):
        queues.plan_features("nic0", NIC, wanted)
