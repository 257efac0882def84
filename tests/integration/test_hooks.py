# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the receiver counts: netfilter netdev ingress (default) and PRE_ROUTING (hook=prerouting).

Ingress hooks live on devices, so devices that come, go and change namespace
under a running receiver are exercised here too.
"""

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import (
    TX_VETH,
    assert_clean_log,
    pgrx_cmd,
    pgrx_read,
    send,
    send_malformed_frames,
)

VLAN = 100
RX_VLAN_DEV = "veth0.%d" % VLAN


def in_rx(command):
    return lab.raw_out("lab-vm", "ip netns exec lab-rx sh -c '%s'" % command)


@pytest.fixture
def rx_vlan_dev(loaded):
    """A VLAN device on lab-rx's veth, for the tagged traffic PRE_ROUTING sees there."""
    in_rx(
        "ip link add link veth0 name %s type vlan id %d && ip link set %s up"
        % (RX_VLAN_DEV, VLAN, RX_VLAN_DEV)
    )
    yield RX_VLAN_DEV
    in_rx("ip link del %s" % RX_VLAN_DEV)


@pytest.fixture
def prerouting(loaded):
    """The receiver reloaded with hook=prerouting, and back to the default afterwards."""
    lab.raw("lab-vm", "rmmod pktgen_rx && insmod %s hook=prerouting" % lab.GUEST_KO)
    yield
    lab.raw("lab-vm", "rmmod pktgen_rx && insmod %s" % lab.GUEST_KO)


def test_an_unknown_hook_is_refused_by_name(loaded):
    out = lab.raw_out(
        "lab-vm", "rmmod pktgen_rx; insmod %s hook=egress 2>&1; echo rc=$?; dmesg | tail -n 3" % lab.GUEST_KO
    )
    lab.raw("lab-vm", "insmod " + lab.GUEST_KO)
    assert "rc=0" not in out
    assert "hook=egress: use hook=ingress or hook=prerouting" in out


def test_vlan_tagged_packets_count_on_the_device_at_ingress(rx_vlan_dev):
    pgrx_cmd("lab-rx", "rx veth0", "statistics basic")
    result = send(5000, dict(pkt_size=64, vlan_id=VLAN, **TX_VETH))
    total = pgrx_read("lab-rx")["total"]
    assert result["packets"] == total["packets"] == 5000
    assert total["bytes"] == 5000 * 64  # the frame on the wire, tag included
    pgrx_cmd("lab-rx", "rx " + rx_vlan_dev)
    send(1000, dict(pkt_size=64, vlan_id=VLAN, **TX_VETH))
    assert pgrx_read("lab-rx")["total"]["packets"] == 1000


def test_prerouting_counts_exactly_v4_and_v6(prerouting):
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    result = send(20000, dict(pkt_size=60, **TX_VETH))
    total = pgrx_read("lab-rx")["total"]
    assert result["packets"] == total["packets"] == 20000
    assert total["bytes"] == 20000 * 60
    pgrx_cmd("lab-rx", "rx veth0")
    result = send(5000, dict(pkt_size=80, dst6="2001:2::2", src6="2001:2::1", dst_mac=TX_VETH["dst_mac"]))
    assert result["packets"] == pgrx_read("lab-rx")["total"]["packets"] == 5000


def test_prerouting_sees_vlan_traffic_on_the_vlan_device(prerouting, rx_vlan_dev):
    pgrx_cmd("lab-rx", "rx veth0")
    send(1000, dict(pkt_size=64, vlan_id=VLAN, **TX_VETH))
    assert pgrx_read("lab-rx")["total"]["packets"] == 0
    pgrx_cmd("lab-rx", "rx " + rx_vlan_dev, "statistics basic")
    send(5000, dict(pkt_size=64, vlan_id=VLAN, **TX_VETH))
    total = pgrx_read("lab-rx")["total"]
    assert total["packets"] == 5000
    assert total["bytes"] == 5000 * 64


def test_prerouting_survives_malformed_frames(prerouting):
    pgrx_cmd("lab-rx", "rx veth0", "statistics time", "display script")
    sent = send_malformed_frames(30000, seed=11)
    # No VLAN device here: tagged packets never reach PRE_ROUTING on veth0.
    assert pgrx_read("lab-rx")["total"]["packets"] == sent["valid"] - sent["sent"]["vlan_tagged"]
    assert_clean_log()


def test_devices_that_come_go_and_move_under_rx_all(loaded):
    pgrx_cmd("lab-rx", "rx all")
    pgrx_cmd("lab-tx", "rx all")
    in_rx("for i in $(seq 20); do ip link add pgrx-d$i type dummy; done")
    in_rx("ip link add pgrx-v0 type veth peer name pgrx-v1 && ip link set pgrx-v1 netns lab-tx")
    in_rx("for i in $(seq 20); do ip link del pgrx-d$i; done; ip link del pgrx-v0")
    # A named device that goes away: the receiver forgets its hook, and still works.
    in_rx("ip link add pgrx-d0 type dummy")
    pgrx_cmd("lab-rx", "rx pgrx-d0 veth0")
    in_rx("ip link del pgrx-d0")
    result = send(2000)
    assert result["packets"] == pgrx_read("lab-rx")["total"]["packets"] == 2000
    pgrx_cmd("lab-tx", "rx_disable")
    lab.raw("lab-vm", "rmmod pktgen_rx && insmod " + lab.GUEST_KO)
    assert_clean_log()
