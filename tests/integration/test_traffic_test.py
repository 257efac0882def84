# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/traffic_test in the lab: lab-tx sends over the veth pair (or the NIC path), lab-rx counts."""

import json

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

PLAYBOOK = "../tests/integration/playbooks/traffic_test.yml"
# The NIC path: lab-tx nic0 -> lab-rx nic0 (virtio, 4 queues on lab-rx).
NIC = dict(
    traffic_test_tx_device="nic0",
    traffic_test_dst="198.18.1.2",
    traffic_test_dst_mac="52:54:00:c6:12:02",
    traffic_test_rx_device="nic0",
)


def point(*extra):
    """Run one point (the targets without Python); returns (the point, the output)."""
    code, out = lab.playbook_without_python(PLAYBOOK, *extra)
    assert code == 0, out[-4000:]
    start = out.rindex('"traffic_test_point": ') + len('"traffic_test_point": ')
    return json.JSONDecoder().raw_decode(out, start)[0], out


def test_without_loss_every_packet_is_counted(loaded):
    res, out = point("-e", json.dumps(dict(traffic_test_count=20000, traffic_test_rate="20kpps")))
    assert res["sent"] == res["received"] == 20000 and res["lost"] == res["excess"] == 0
    assert res["status"] == "passed" and res["passed"] is True
    (pair,) = res["pairs"]
    # The first thread of the first generator: 198.19.(128 + 0).(1 + 0).
    assert (
        pair["address"] == "198.19.128.1"
        and pair["generators"] == ["lab-tx"]
        and pair["receivers"] == ["lab-rx"]
    )
    assert res["senders"][0]["device"] == "veth0" and res["receivers"][0]["packets"] == 20000
    assert res["intended_pps"] == 20000 and res["offered_ratio"] >= 0.99 and res["settle_s"] == 1
    assert "lost 0 (0.0000 %)" in out and "PASSED: intended 20000 pps" in out


def test_loss_injected_with_netem_is_found(loaded):
    lab.raw("lab-vm", "ip netns exec lab-tx tc qdisc add dev veth0 root netem loss 2%")
    try:
        settings = dict(
            traffic_test_count=20000, traffic_test_rate="20kpps", traffic_test_xmit_mode="queue_xmit"
        )
        res, _out = point("-e", json.dumps(settings))
    finally:
        lab.raw("lab-vm", "ip netns exec lab-tx tc qdisc del dev veth0 root")
    print("netem loss 2%%: sent %d, received %d, lost %d" % (res["sent"], res["received"], res["lost"]))
    assert res["sent"] == 20000 and 0 < res["lost"] == res["sent"] - res["received"]
    assert res["passed"] is False and res["pairs"][0]["loss_ratio"] == res["lost"] / 20000
    assert res["status"] == "loss"


def assert_two_senders_apart(res, count):
    """Two pktgen threads: two senders, each all its packets, sums equal to the receiver's total."""
    print(
        "two threads: %s; receiver total %d"
        % (
            [
                (p["address"], p["sent"], p["received"], p["seq_lost"], p["duplicated"], p["reordered"])
                for p in res["pairs"]
            ],
            res["receivers"][0]["packets"],
        )
    )
    assert [p["address"] for p in res["pairs"]] == ["198.19.128.1", "198.19.128.2"]
    interface = res["senders"][0]["device"].split("@")[0]
    assert sorted(s["device"] for s in res["senders"]) == [interface + "@0", interface + "@1"]
    for pair in res["pairs"]:
        assert pair["sent"] == pair["received"] == count
        assert (pair["seq_lost"], pair["duplicated"], pair["excess"], pair["lost"]) == (0, 0, 0, 0)
    assert sum(p["received"] for p in res["pairs"]) == res["receivers"][0]["packets"] == res["received"]
    assert res["untracked"] == 0 and res["foreign"] == []


def test_two_threads_are_two_senders_kept_apart(loaded):
    settings = dict(traffic_test_count=10000, traffic_test_rate="10kpps", traffic_test_threads=[0, 1])
    res, _out = point("-e", json.dumps(settings))
    assert_two_senders_apart(res, 10000)
    assert res["intended_pps"] == 20000  # two devices at 10 kpps each


def test_two_threads_with_many_flows_on_the_nic_path_stay_apart(loaded):
    settings = dict(
        NIC,
        traffic_test_count=8000,
        traffic_test_rate="8kpps",
        traffic_test_threads=[0, 1],
        traffic_test_flows=16,
    )
    res, _out = point("-e", json.dumps(settings))
    assert_two_senders_apart(res, 8000)
    counting = [cpu for cpu, packets in res["receivers"][0]["cpus"].items() if packets]
    print("NIC path, 16 flows: packets per receiver CPU %s" % res["receivers"][0]["cpus"])
    assert counting  # flows vary the UDP port, never the sender: RSS may spread them, the senders stay two


def test_a_rate_the_generator_cannot_offer_is_generator_limited(loaded):
    # 0.5 Gbit/s of 60-byte frames is 1.04 Mpps; pktgen under qemu TCG sends a few tens of kpps.
    res, out = point(
        "-e", json.dumps(dict(traffic_test_count=0, traffic_test_duration=2, traffic_test_rate="0.5Gbit"))
    )
    print("0.5 Gbit: intended %s pps, offered %d pps (ratio %.4f), status %s"
          % (res["intended_pps"], res["offered_pps"], res["offered_ratio"], res["status"]))  # fmt: skip
    assert res["intended_pps"] == 5 * 10**8 / 480 and res["offered_ratio"] < 0.99
    assert res["status"] == "generator_limited" and res["passed"] is False
    assert "GENERATOR_LIMITED: intended 1041666 pps" in out


@pytest.mark.parametrize(
    "knobs, message",
    [
        (dict(traffic_test_min_offered_ratio=0), "traffic_test_min_offered_ratio 0: give a ratio above 0"),
        (
            dict(traffic_test_min_offered_ratio=1.5),
            "traffic_test_min_offered_ratio 1.5: give a ratio above 0",
        ),
        (dict(traffic_test_settle=-1), "traffic_test_settle -1: give a whole number of seconds"),
        (dict(traffic_test_tx_device="lo"), "lo as the sending or receiving device is not supported"),
        (dict(traffic_test_src="192.0.2.1"), "traffic_test_src 192.0.2.1: outside 198.18.0.0/15"),
    ],
    ids=["ratio 0", "ratio above 1", "negative settle", "loopback", "source outside the range"],
)
def test_a_bad_knob_fails_before_anything_changes(loaded, knobs, message):
    code, out = lab.playbook_without_python(PLAYBOOK, "-e", json.dumps(knobs))
    assert code != 0 and message in out, out[-3000:]
    assert all(host["changed"] == 0 for host in lab.recap(out).values()), out[-3000:]
