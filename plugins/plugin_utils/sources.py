# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A source address of its own for every pktgen thread of every generator: one sender each.

The receiver tells senders apart by source address and numbers each one's
packets (pktgen's seq_num counts per device), so two pktgen threads sending
from one address would look like one sender with duplicates and losses that
did not happen. Flows vary the UDP source port, never the address.

Addresses come only from the benchmarking ranges, 198.18.0.0/15 (RFC 2544)
and 2001:2::/48 (RFC 5180). Deterministic: generator number G (0-based, in
the order given: the play's generators sorted by name) and thread slot T
(0-based, in the order of its traffic_test_threads):

- by default, IPv4 ``198.19.(128 + G).(1 + T)``, IPv6 ``2001:2:0:ff<G, two hex digits>::<1 + T>``
  (a block no lab or example inventory puts an interface in);
- with the generator's ``src`` (traffic_test_src) set: that address for slot 0, the next ones for the
  further slots.

Nothing may repeat across generators, nor equal a destination.
"""

from __future__ import annotations

try:
    import netaddr
except ImportError:  # pragma: no cover - reported when a task needs it
    netaddr = None

BENCHMARKING = {4: "198.18.0.0/15", 6: "2001:2::/48"}
MAX_GENERATORS = 128
MAX_THREADS = 254


class SourcesError(ValueError):
    """Source addresses that cannot keep the senders apart; the message names the host and the knob."""


def _address(text, what):
    try:
        return netaddr.IPAddress(str(text).strip(), flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise SourcesError("%s %r: not an IPv4 or IPv6 address" % (what, text)) from exc


def _destinations(gen):
    """(first, last) of a generator's destination, one address or a range A-B."""
    parts = str(gen.get("dst") or "").split("-", maxsplit=1)
    first = _address(parts[0], "%s traffic_test_dst" % gen["host"])
    return first, _address(parts[1], "%s traffic_test_dst" % gen["host"]) if len(parts) > 1 else first


def _default(version, number, slot):
    if version == 4:
        return netaddr.IPAddress("198.19.%d.%d" % (128 + number, 1 + slot))
    return netaddr.IPAddress("2001:2:0:ff%02x::%x" % (number, 1 + slot))


def _check(host, what, address, net, taken):
    dsts, owner = taken
    if address not in net:
        raise SourcesError(
            "%s %s: %s is outside %s, the benchmarking range test traffic may use"
            % (host, what, address, net)
        )
    for (first, last), other in dsts:
        if first.version == address.version and first <= address <= last:
            raise SourcesError(
                "%s %s: %s is %s's destination (traffic_test_dst); give traffic_test_src another address"
                % (host, what, address, other)
            )
    if address in owner:
        raise SourcesError(
            "%s %s: %s is also a source of %s; give the generators traffic_test_src addresses "
            "that do not overlap (each takes one per thread)" % (host, what, address, owner[address])
        )


def source_addresses(generators):
    """{host: [source address per thread slot]} for GENERATORS, a list in generator order of
    ``{host, threads, dst, src}`` (src: traffic_test_src, "" for the default); raises SourcesError."""
    if netaddr is None:
        raise SourcesError("the Python library netaddr is missing on the controller: pip install netaddr")
    if len(generators) > MAX_GENERATORS:
        raise SourcesError("at most %d generators get default source addresses" % MAX_GENERATORS)
    out, owner = {}, {}
    dsts = [(_destinations(gen), gen["host"]) for gen in generators]
    for number, gen in enumerate(generators):
        host = gen["host"]
        threads = list(gen.get("threads") or [0])
        if len(threads) > MAX_THREADS:
            raise SourcesError("%s traffic_test_threads: at most %d threads" % (host, MAX_THREADS))
        version = _destinations(gen)[0].version
        net = netaddr.IPNetwork(BENCHMARKING[version])
        if gen.get("src"):
            first = _address(gen["src"], "%s traffic_test_src" % host)
            if first.version != version:
                raise SourcesError(
                    "%s traffic_test_src %s: the destination %s is IPv%d; give an IPv%d source"
                    % (host, first, gen["dst"], version, version)
                )
            if first not in net:
                raise SourcesError(
                    "%s traffic_test_src %s: outside %s, the benchmarking range test traffic may use"
                    % (host, first, BENCHMARKING[version])
                )
            addresses = [first + slot for slot in range(len(threads))]
            what = "traffic_test_src %s and %d threads" % (first, len(threads))
        else:
            addresses = [_default(version, number, slot) for slot in range(len(threads))]
            what = "the default source"
        for address in addresses:
            _check(host, what, address, net, (dsts, owner))
            owner[address] = host
        out[host] = [str(address) for address in addresses]
    return out
