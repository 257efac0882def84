# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netlab.pktgen.nic_queues on lab-rx's virtio NIC: 4 queue pairs, one MSI vector per queue."""

import json

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host, nic
from ansible_collections.netlab.pktgen.tests.integration import lab


def queues(args, *extra):
    code, out, hosts = lab.adhoc(
        "lab-rx", "netlab.pktgen.nic_queues", json.dumps(dict(device="nic0", **args)), *extra
    )
    assert "lab-rx" in hosts, out[-3000:]
    return code, hosts["lab-rx"], out


def ok(args, *extra):
    code, res, out = queues(args, *extra)
    assert code == 0, out[-3000:]
    return res


def in_guest(command):
    return lab.raw_out("lab-vm", "ip netns exec lab-rx sh -c '%s'" % command).strip()


def channels():
    return int(in_guest('ethtool -l nic0 | sed -n "/Current/,\\$ s/^Combined:[[:space:]]*//p"'))


def queue_irqs():
    """{queue: [irq]} of nic0's input and output IRQs, from the guest's own files."""
    virtio = in_guest("basename $(readlink -f /sys/class/net/nic0/device)")
    out = {}
    for line in lab.raw_out("lab-vm", "grep %s- /proc/interrupts" % virtio).splitlines():
        irq, name = line.split(":")[0].strip(), line.split()[-1]
        if "-input." in name or "-output." in name:
            out.setdefault(int(name.rsplit(".", 1)[1]), []).append(int(irq))
    return out


def effective(irq):
    return host.parse_cpu_list(lab.raw_out("lab-vm", "cat /proc/irq/%d/effective_affinity_list" % irq))


def fired():
    """{irq: times fired, summed over CPUs} from the guest's /proc/interrupts."""
    irqs = nic.parse_interrupts(lab.raw_out("lab-vm", "cat /proc/interrupts"))
    return dict((irq, sum(counts)) for irq, (_name, counts) in irqs.items())


@pytest.fixture
def saved(booted):
    """The NIC's state before a test, put back after it (checked: restore is what is under test)."""
    before = ok({})["previous"]
    yield before
    ok(dict(restore=before))


def test_channels_1_4_2_spread_and_restore_exactly(saved):
    assert saved["channels"] == {"combined": 4}
    res = ok(dict(channels=dict(combined=1)))
    assert res["changed"] is True and channels() == 1
    res = ok(dict(channels=dict(combined=4)))
    assert channels() == 4
    # virtio_net lays its IRQs out again whenever the queue count changes: swap two queues after it.
    res = ok(dict(channels=dict(combined=2), irq_affinity={"0": "1", "1": "0"}))
    assert channels() == 2 and res["round_trips"] == 3  # read; channels and read again; IRQs
    before = fired()
    res = ok(dict(irq_affinity="spread"), *lab.NO_PYTHON)
    assert res["changed"] is True and res["round_trips"] == 2
    assert res["refused"] == [] and res["not_effective"] == []
    irqs = queue_irqs()
    for queue, cpu in ((0, 0), (1, 1)):  # two cores, one queue each
        for irq in irqs[queue]:
            assert res["state"]["irq_affinity"][str(irq)] == [cpu]
            # An IRQ that has not fired since keeps its old CPU until it does (x86, no IRQ remapping).
            now = effective(irq)
            moved = now == [cpu]
            assert moved or (irq in res["pending"] and fired()[irq] == before[irq]), (queue, irq, now)
    again = ok(dict(channels=dict(combined=2), irq_affinity="spread"))
    assert again["changed"] is False and again["round_trips"] == 1
    back = ok(dict(restore=saved))
    assert back["changed"] is True and channels() == 4
    assert ok({})["previous"] == saved  # channels, every IRQ's CPUs, RPS and XPS as they were


def test_check_mode_and_diff_change_nothing(saved):
    code, res, out = queues(dict(channels=dict(combined=3), rps={"0": "1"}), "--check", "--diff")
    assert code == 0 and res["changed"] is True
    assert res["writes"]["channels"] == "combined 3" and res["writes"]["rps"] == {"0": [1]}
    assert "-channels: {'combined': 4}" in out and "+channels: {'combined': 3}" in out
    assert "+rps 0: 1" in out
    assert channels() == 4 and ok({})["previous"] == saved


def test_rps_and_xps_by_queue(saved):
    res = ok(dict(rps={"0": "1", "1": "0-1"}, xps={"0": "1"}))
    assert in_guest("cat /sys/class/net/nic0/queues/rx-0/rps_cpus").lstrip("0,") == "2"
    assert in_guest("cat /sys/class/net/nic0/queues/rx-1/rps_cpus").lstrip("0,") == "3"
    assert in_guest("cat /sys/class/net/nic0/queues/tx-0/xps_cpus").lstrip("0,") == "2"
    assert res["state"]["rps"]["0"] == [1] and res["state"]["xps"]["0"] == [1]


def test_offloads_off_and_restored(saved):
    assert saved["features"]["generic-receive-offload"] is True
    res = ok(dict(features=dict(gro=False)))
    assert res["changed"] is True and res["writes"]["features"] == {"generic-receive-offload": False}
    assert in_guest('ethtool -k nic0 | sed -n "s/^generic-receive-offload: //p"') == "off"
    assert ok(dict(features={"generic-receive-offload": False}))["changed"] is False
    ok(dict(restore=saved))
    assert in_guest('ethtool -k nic0 | sed -n "s/^generic-receive-offload: //p"') == "on"


BAD = [
    (dict(channels=dict(combined=9)), "channels.combined=9: nic0 takes 1 to 4 combined channels"),
    (dict(channels=dict(combined=0)), "channels.combined=0: nic0 takes 1 to 4 combined channels"),
    (
        dict(irq_affinity={"0": "7"}),
        "irq_affinity of queue 0: CPU 7 does not exist on the target (online: 0,1)",
    ),
    (dict(irq_affinity={"9": "0"}), "irq_affinity: nic0 has no IRQ for queue 9"),
    (dict(irq_affinity="everywhere"), "irq_affinity: 'everywhere' is neither 'spread' nor a map"),
    (dict(rps={"5": "0"}), "rps: nic0 has no rx queue 5"),
    (dict(restore={"channels": {}}, channels=dict(combined=2)), "restore stands alone"),
    (dict(features=dict(lro=True)), "features: large-receive-offload is fixed off on nic0 by its driver"),
]


@pytest.mark.parametrize("args, words", BAD, ids=[words[:28] for _args, words in BAD])
def test_bad_input_fails_by_name_and_changes_nothing(saved, args, words):
    code, res, _out = queues(args)
    assert code != 0 and not res.get("unreachable")
    assert words in res["msg"], res["msg"]
    assert ok({})["previous"] == saved


def test_a_device_that_is_not_there(booted):
    code, out, hosts = lab.adhoc("lab-rx", "netlab.pktgen.nic_queues", "device=nosuch0 irq_affinity=spread")
    assert code != 0 and "no network device nosuch0 in netns lab-rx on the target" in hosts["lab-rx"]["msg"]
