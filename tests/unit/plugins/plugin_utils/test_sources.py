# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A source address of its own for every pktgen thread of every generator."""

import pytest
from ansible_collections.netlab.pktgen.plugins.plugin_utils.sources import SourcesError, source_addresses


def gen(host, threads=(0,), dst="198.18.0.2", src=""):
    return dict(host=host, threads=list(threads), dst=dst, src=src)


ASSIGNED = [
    # The defaults: generator G, thread slot T -> 198.19.(128 + G).(1 + T).
    ("one thread", [gen("lab-tx")], {"lab-tx": ["198.19.128.1"]}),
    ("two threads", [gen("lab-tx", [0, 1])], {"lab-tx": ["198.19.128.1", "198.19.128.2"]}),
    # Slots, not CPU numbers: threads [2, 5] are slots 0 and 1.
    ("threads by slot", [gen("a", [2, 5]), gen("b", [0, 1, 3])],
     {"a": ["198.19.128.1", "198.19.128.2"], "b": ["198.19.129.1", "198.19.129.2", "198.19.129.3"]}),
    ("an IPv6 destination", [gen("a", [0, 1], dst="2001:2::2"), gen("b", dst="2001:2::2")],
     {"a": ["2001:2:0:ff00::1", "2001:2:0:ff00::2"], "b": ["2001:2:0:ff01::1"]}),
    # Given: the first thread's address, the next for each further thread.
    ("given", [gen("a", [0, 1, 2], src="198.18.0.100"), gen("b", [0], src="198.18.0.103")],
     {"a": ["198.18.0.100", "198.18.0.101", "198.18.0.102"], "b": ["198.18.0.103"]}),
    ("given and default", [gen("a", src="198.18.0.1"), gen("b")],
     {"a": ["198.18.0.1"], "b": ["198.19.129.1"]}),
    ("the top of the range", [gen("a", [0, 1], src="198.19.255.254")],
     {"a": ["198.19.255.254", "198.19.255.255"]}),
]  # fmt: skip


@pytest.mark.parametrize("generators, expected", [c[1:] for c in ASSIGNED], ids=[c[0] for c in ASSIGNED])
def test_every_thread_gets_an_address_of_its_own(generators, expected):
    assert source_addresses(generators) == expected
    every = [address for addresses in expected.values() for address in addresses]
    assert len(set(every)) == len(every)


REFUSED = [
    ("overlap across generators", [gen("a", [0, 1], src="198.18.0.10"), gen("b", src="198.18.0.11")],
     "b traffic_test_src 198.18.0.11 and 1 threads: 198.18.0.11 is also a source of a"),
    ("a destination", [gen("a", [0, 1], src="198.18.0.1")],
     "a traffic_test_src 198.18.0.1 and 2 threads: 198.18.0.2 is a's destination"),
    ("inside a destination range", [gen("a", dst="198.18.0.2-198.18.0.20", src="198.18.0.10")],
     "198.18.0.10 is a's destination"),
    ("outside the range", [gen("a", src="192.0.2.1")], "a traffic_test_src 192.0.2.1: outside 198.18.0.0/15"),
    ("running past the range", [gen("a", [0, 1], src="198.19.255.255")],
     "198.20.0.0 is outside 198.18.0.0/15"),
    ("IPv6 outside", [gen("a", dst="2001:2::2", src="2001:db8::1")], "outside 2001:2::/48"),
    ("family", [gen("a", src="2001:2::1")], "the destination 198.18.0.2 is IPv4; give an IPv4 source"),
    ("not an address", [gen("a", src="here")], "a traffic_test_src 'here': not an IPv4 or IPv6 address"),
    ("no destination", [gen("a", dst="")], "a traffic_test_dst '': not an IPv4 or IPv6 address"),
]  # fmt: skip


@pytest.mark.parametrize("generators, words", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_sources_that_cannot_keep_the_senders_apart_are_refused(generators, words):
    with pytest.raises(SourcesError, match=words.replace(".", r"\.").replace("(", r"\(")):
        source_addresses(generators)
