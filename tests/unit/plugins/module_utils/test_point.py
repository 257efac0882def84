# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A measurement point from what pktgen sent and the receiver counted, on outputs recorded in the lab."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.plugins.module_utils.point import PointError, traffic_point
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def run(name, device):
    """A pktgen_run result as the module returns it, from a device file recorded on 6.1."""
    text = fixture(name)
    return dict(results={device: dict(pktgen.parse_result(text), current=pktgen.parse_current(text))})


def info(name):
    """A pktgen_rx_info result as the module returns it, from the receiver's output recorded on 6.12."""
    return dict(receiver=pgrx.parse(fixture(name)))


def test_one_sender_one_receiver():
    # 10,000 sent from 198.18.0.1 (6.1 run); the two-sender receiver output counted 20,000 from it.
    point = traffic_point(
        {"lab-tx": run("pktgen-6.1-veth-run.txt", "veth0")},
        {"lab-rx": info("pgrx-6.12-two-senders-time-script.txt")},
        {"rate": "10kpps"},
    )
    (pair,) = point["pairs"]
    assert (
        pair["address"] == "198.18.0.1"
        and pair["generators"] == ["lab-tx"]
        and pair["receivers"] == ["lab-rx"]
    )
    assert (pair["sent"], pair["received"], pair["lost"]) == (10000, 20000, -10000)
    assert point["params"] == {"rate": "10kpps"} and point["passed"] is True  # more than sent is no loss
    assert point["senders"][0]["pps"] == 43788 and point["receivers"][0]["packets"] == 40000


def test_a_sender_nobody_counted_is_all_loss():
    point = traffic_point({"lab-tx": run("pktgen-6.1-nic-run.txt", "nic0")}, {"lab-rx": dict(receiver={})})
    (pair,) = point["pairs"]
    assert pair["receivers"] == [] and pair["lost"] == pair["sent"] == 16000 and pair["loss_ratio"] == 1.0
    assert point["passed"] is False


@pytest.mark.parametrize(
    "sent, received, words",
    [
        ({"lab-tx": dict(skipped=True)}, {}, "generator lab-tx has no pktgen_run result"),
        ({}, {"lab-rx": None}, "receiver lab-rx has no pktgen_rx_info result"),
    ],
)
def test_missing_results_are_named(sent, received, words):
    with pytest.raises(PointError, match=words):
        traffic_point(sent, received)
