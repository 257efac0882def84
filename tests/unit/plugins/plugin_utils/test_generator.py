# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a pktgen_tx device declares, checked and turned into the settings pktgen's Params: shows."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.plugins.plugin_utils import generator
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def spec(**options):
    """A device as validate_argument_spec() hands it over: every option, unset ones None."""
    out = dict((key, value.get("default")) for key, value in generator.DEVICE_OPTIONS.items())
    out.update(name="eth1", **options)
    return out


RATES = [
    ("1.5Mpps", ("pps", 1500000)),
    ("20000pps", ("pps", 20000)),
    ("100kpps", ("pps", 100000)),
    ("800Mbit", ("bps", 800000000)),
    ("1Gbit", ("bps", 10**9)),
    ("10Gbps", ("bps", 10**10)),
    ("2.5 Mbit/s", ("bps", 2500000)),
]


@pytest.mark.parametrize("text, expected", RATES)
def test_rates_with_units(text, expected):
    assert generator.parse_rate(text) == expected


@pytest.mark.parametrize("text", ["1000", "0pps", "-5pps", "1.5pps", "fast", "1Tpps", "0.5bit"])
def test_rates_refused(text):
    with pytest.raises(generator.GeneratorError, match="rate"):
        generator.parse_rate(text)


# The gap pktgen itself computed, recorded in the lab: ratep 1500000 -> delay 666 (6.1, veth0 at 1000 B),
# rate 1000 (Mb/s) at 128 B -> delay 1024 (6.1 and 6.12, nic0), ratep 20000 -> delay 50000.
GAPS = [
    (("pps", 1500000), 1000, ("ratep 1500000", 666)),
    (("bps", 10**9), 128, ("rate 1000", 1024)),
    (("pps", 20000), 60, ("ratep 20000", 50000)),
    (("bps", 2500000), 60, ("delay 192000", 192000)),
    (("pps", 10**10), 60, ("ratep 1000000000", 1)),  # pktgen's ceiling
]


@pytest.mark.parametrize("rate, size, expected", GAPS)
def test_gap_is_what_pktgen_computes(rate, size, expected):
    assert generator.gap(*rate, size=size) == expected


def test_recorded_gaps_match_pktgen():
    assert pktgen.parse_params(fixture("pktgen-6.12-params-vlan-burst.txt"))["delay"] == 1024
    assert pktgen.parse_params(fixture("pktgen-6.1-params-many.txt"))["delay"] == 50000


def test_a_device_becomes_params_keys():
    state, rate_line = generator.settings(
        spec(
            count=1000000, rate="100kpps", dst="198.18.1.2-198.18.1.9", src="198.18.1.1",
            dst_mac="52:54:00:C6:12:02", udp_src="1000-1015", tos="0x10", vlan_id=5, svlan_id=7,
            queue_map="0-3", mpls=["1000a"], flags=["UDPCSUM"], imix=["64,7", " 576 , 4"],
        )
    )  # fmt: skip
    assert rate_line == "ratep 100000"
    assert {key: value for key, value in state.items() if value != pktgen.DEFAULTS.get(key)} == dict(
        count=1000000, min_pkt_size=60, max_pkt_size=60, delay=10000, dst_min="198.18.1.2",
        dst_max="198.18.1.9", src_min="198.18.1.1", dst_mac="52:54:00:c6:12:02", udp_src_min=1000,
        udp_src_max=1015, tos=16, vlan_id=5, svlan_id=7, queue_map_max=3, mpls="0001000a",
        flags=("UDPCSUM",), imix_weights="64,7 576,4",
    )  # fmt: skip


def test_ipv6_sets_the_flag_and_daddr_keys():
    state, _rate = generator.settings(spec(dst="fd00::2-fd00::20", src="fd00::1"))
    assert (state["daddr"], state["min_daddr"], state["max_daddr"], state["saddr"]) == (
        "fd00::2", "fd00::2", "fd00::20", "fd00::1",
    )  # fmt: skip
    assert state["flags"] == ("IPV6",) and state["dst_min"] == ""
    assert "dst6_max fd00::20" in pktgen.state_writes(state) and "flag IPV6" not in pktgen.state_writes(state)


def test_several_threads_name_devices_by_cpu():
    assert generator.device_names(spec(threads=[2])) == [(2, "eth1")]
    assert generator.device_names(spec(threads=[0, 1])) == [(0, "eth1@0"), (1, "eth1@1")]


BAD = [
    (dict(dst_mac="02:00:00:00:00:zz"), "dst_mac '02:00:00:00:00:zz': not a MAC address"),
    (dict(src_mac="02:00:00:00:00"), "src_mac '02:00:00:00:00': not a MAC address"),
    (dict(dst="198.18.0.300"), "dst '198.18.0.300': not an IPv4 or IPv6 address"),
    (dict(dst="1.2.3"), "dst '1.2.3': not an IPv4 or IPv6 address"),  # pktgen takes this one as written
    (dict(dst="198.18.0.9-198.18.0.2"), "smallest first"),
    (dict(dst="198.18.0.2", src="fd00::1"), "give both IPv4 or both IPv6"),
    (dict(src="fd00::1-fd00::9"), "one IPv6 source address, not a range"),
    (dict(rate="0pps"), "rate '0pps': must be a whole number of pps, at least 1"),
    (dict(rate="-1Mbit"), "rate '-1Mbit': give a number and a unit"),
    (dict(rate="1000"), "rate '1000': give a number and a unit"),
    (dict(rate="1Mpps", delay=100), "rate and delay both set the gap"),
    (dict(count=-1), "count=-1: must be at least 0"),  # pktgen would read it as 0: forever
    (dict(pkt_size=20), "pkt_size=20: must be 42-65535"),  # pktgen would raise it to 42
    (dict(pkt_size=60, min_pkt_size=64), "give one size or a range"),
    (dict(min_pkt_size=200, max_pkt_size=100), "min_pkt_size=200 is above max_pkt_size=100"),
    (dict(vlan_id=5000), "vlan_id=5000: must be 0-4095"),  # pktgen would silently drop the tag
    (dict(svlan_id=10), "svlan_id needs vlan_id"),  # pktgen would silently ignore it
    (dict(vlan_p=3), "vlan_p needs vlan_id"),
    (dict(flows=99999999), "flows=99999999: must be 0-65536"),
    (dict(frags=18), "frags=18: must be 0-17"),
    (dict(burst=0), "burst=0: must be at least 1"),
    (dict(tos="0x1ff"), "tos '0x1ff': must lie in 0-255"),  # pktgen would keep the low byte
    (dict(tos="high"), "tos 'high': give 0-255 or hex"),
    (dict(udp_dst="70000"), "udp_dst '70000': must lie in 0-65535"),
    (dict(udp_src="9-x"), "udp_src '9-x': give a number or a range"),
    (dict(flags=["NOSUCH"]), "flags: unknown pktgen flag 'NOSUCH'"),
    (dict(flags=["IPV6"]), "IPV6 follows from IPv6 addresses"),
    (dict(imix=["64"]), "imix entry '64': give SIZE,WEIGHT"),
    (dict(imix=["64,7"], clone_skb=2), "pktgen takes imix only with clone_skb 0"),
    (dict(xmit_mode="netif_receive", clone_skb=2), "pktgen takes clone_skb 0 there"),
    (dict(xmit_mode="queue_xmit", burst=8), "pktgen takes burst 1 there"),
    (dict(mpls=["xyz"]), "mpls label 'xyz': give the 32-bit label entry in hex"),
]


@pytest.mark.parametrize("options, words", BAD, ids=[words[:40] for _options, words in BAD])
def test_bad_values_are_named(options, words):
    with pytest.raises(generator.GeneratorError) as info:
        generator.settings(spec(**options))
    assert words in str(info.value)


def test_each_thread_sends_from_its_own_source():
    threads = generator.thread_settings(
        spec(threads=[0, 1], dst="198.18.0.2", srcs=["198.19.128.1", "198.19.128.2"], rate="10kpps")
    )
    assert [(cpu, dev, state["src_min"], rate) for cpu, dev, state, rate in threads] == [
        (0, "eth1@0", "198.19.128.1", "ratep 10000"),
        (1, "eth1@1", "198.19.128.2", "ratep 10000"),
    ]
    assert threads[0][2]["dst_min"] == threads[1][2]["dst_min"] == "198.18.0.2"


def test_without_srcs_the_threads_share_one_state():
    threads = generator.thread_settings(spec(threads=[0, 1], dst="198.18.0.2"))
    assert [dev for _cpu, dev, _state, _rate in threads] == ["eth1@0", "eth1@1"]
    assert threads[0][2] is threads[1][2] and threads[0][2]["src_min"] == ""


@pytest.mark.parametrize(
    "options, words",
    [
        (
            dict(threads=[0, 1], srcs=["198.19.128.1"]),
            r"srcs \['198.19.128.1'\]: give one source address per thread",
        ),
        (dict(srcs=["198.19.128.1"], src="198.19.128.1"), "src and srcs: give one source"),
        (dict(srcs=["198.19.128.1-198.19.128.9"]), "give one address per thread, not a range"),
        (dict(srcs=["nowhere"]), "src 'nowhere': not an IPv4 or IPv6 address"),
    ],
)
def test_srcs_refused(options, words):
    with pytest.raises(generator.GeneratorError, match=words):
        generator.thread_settings(spec(**options))
