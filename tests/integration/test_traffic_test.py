# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/traffic_test in the lab: lab-tx sends over the veth pair, lab-rx's receiver counts."""

import json

from ansible_collections.netlab.pktgen.tests.integration import lab

PLAYBOOK = "../tests/integration/playbooks/traffic_test.yml"


def point(*extra):
    """Run one point (the targets without Python); returns (the point, the output)."""
    code, out = lab.playbook_without_python(PLAYBOOK, *extra)
    assert code == 0, out[-4000:]
    start = out.rindex('"traffic_test_point": ') + len('"traffic_test_point": ')
    return json.JSONDecoder().raw_decode(out, start)[0], out


def test_without_loss_every_packet_is_counted(loaded):
    res, out = point("-e", json.dumps(dict(traffic_test_count=20000, traffic_test_rate="20kpps")))
    assert res["sent"] == res["received"] == 20000 and res["lost"] == 0 and res["passed"] is True
    (pair,) = res["pairs"]
    assert (
        pair["address"] == "198.18.0.1"
        and pair["generators"] == ["lab-tx"]
        and pair["receivers"] == ["lab-rx"]
    )
    assert res["senders"][0]["device"] == "veth0" and res["receivers"][0]["packets"] == 20000
    assert "lost 0 (0.0000 %)" in out


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
