# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send malformed and truncated pktgen-like frames from a raw socket (runs inside the lab guest).

usage: python3 malformed_frames.py IFACE DST_MAC SRC_MAC COUNT SEED
Prints one JSON object: frames sent per kind, how many were well-formed
pktgen packets (the only ones a receiver may count), and how many of those
were stamped in the future (a receiver at level time reports them as future). Addresses are from
198.18.0.0/15 and 2001:2::/48; frames go out of IFACE only (a veth in the lab).
"""

import itertools
import json
import random
import socket
import struct
import sys
import time

MAGIC = 0xBE9BE955
SRC4, DST4 = socket.inet_aton("198.18.0.1"), socket.inet_aton("198.18.0.2")
SRC6, DST6 = socket.inet_pton(socket.AF_INET6, "2001:2::1"), socket.inet_pton(socket.AF_INET6, "2001:2::2")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pktgen_payload(rng, magic=MAGIC, size=16):
    head = struct.pack("!IIII", magic, rng.randrange(1 << 32), rng.randrange(1 << 31), rng.randrange(10**6))
    return (head + bytes(max(0, size - 16)))[:size]


def udp(payload, length=None):
    return struct.pack("!HHHH", 9, 9, 8 + len(payload) if length is None else length, 0) + payload


def ipv4(l4, proto=17, options=b"", frag=0, tot_len=None, *, ttl_after_csum=64):
    ihl = 5 + len(options) // 4
    total = 20 + len(options) + len(l4) if tot_len is None else tot_len
    head = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0, SRC4, DST4) + options
    head = head[:8] + bytes([ttl_after_csum]) + head[9:10] + struct.pack("!H", csum(head)) + head[12:]
    return head + l4


def v6_ext(nexthdr, size=8):
    """An IPv6 extension header (hop-by-hop, destination options, routing) of SIZE bytes, PadN-filled."""
    return bytes([nexthdr, size // 8 - 1, 1, size - 4]) + bytes(size - 4)


ROUTING_TO_UDP = bytes([17, 0, 0, 0, 0, 0, 0, 0])


def ipv6(l4, nexthdr=17, ext=b""):
    return struct.pack("!IHBB16s16s", 6 << 28, len(ext) + len(l4), nexthdr, 64, SRC6, DST6) + ext + l4


def ether(dst, src, ethertype, body, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ethertype) + body


def frames(rng, dst, src):
    """Yield (kind, frame, well_formed_pktgen)."""
    while True:
        kind = rng.choice(KINDS)
        yield (kind,) + KINDS_BUILD[kind](rng, dst, src)


KINDS_BUILD = {
    "valid_v4": lambda r, d, s: (ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, size=18)))), True),
    "valid_v6": lambda r, d, s: (ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r, size=18)))), True),
    "valid_v4_options": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r)), options=b"\x01" * 4 * r.randrange(1, 11))),
        True,
    ),
    "valid_v6_hopbyhop": lambda r, d, s: (
        ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r)), nexthdr=0, ext=bytes([17, 0, 1, 4, 0, 0, 0, 0]))),
        True,
    ),
    "valid_v6_three_ext_headers": lambda r, d, s: (
        # hop-by-hop -> destination options -> routing (type 0, no segments left) -> UDP
        ether(
            d,
            s,
            0x86DD,
            ipv6(udp(pktgen_payload(r)), nexthdr=0, ext=v6_ext(60) + v6_ext(43) + ROUTING_TO_UDP),
        ),
        True,
    ),
    "v6_fragment_header": lambda r, d, s: (
        # a first fragment (offset 0, more fragments): pktgen's header is there, but not the whole datagram
        ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r)), nexthdr=44, ext=struct.pack("!BBHI", 17, 0, 1, 7))),
        False,
    ),
    "udp_length_beyond_ip": lambda r, d, s: (
        # a 72-byte frame whose UDP length says 1000 (or anything past the IP payload)
        ether(
            d,
            s,
            0x0800,
            ipv4(udp(pktgen_payload(r, size=30), length=r.choice([1000, 55, r.randrange(55, 65536)]))),
        ),
        False,
    ),
    "udp_length_below_24": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, size=30), length=r.randrange(24)))),
        False,
    ),
    "udp_length_within_ip": lambda r, d, s: (
        # UDP shorter than the IP payload (trailing padding) but covering pktgen's header
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, size=30), length=r.randrange(24, 39)))),
        True,
    ),
    "v6_udp_length_beyond_payload": lambda r, d, s: (
        ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r, size=30), length=r.randrange(39, 65536)))),
        False,
    ),
    "v6_udp_length_below_24": lambda r, d, s: (
        ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r, size=30), length=r.randrange(24)))),
        False,
    ),
    "wrong_magic": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, magic=r.randrange(1 << 32) | 1)))),
        False,
    ),
    "truncated_header": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, size=r.randrange(0, 16))))),
        False,
    ),
    "truncated_v6": lambda r, d, s: (
        ether(d, s, 0x86DD, ipv6(udp(pktgen_payload(r, size=r.randrange(16))))),
        False,
    ),
    "udp_length_lies": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r, size=4), length=r.randrange(0, 65536)))),
        False,
    ),
    "ip_length_lies": lambda r, d, s: (
        # anything but the true length (44): shorter cuts the pktgen header, longer is dropped
        ether(
            d,
            s,
            0x0800,
            ipv4(udp(pktgen_payload(r)), tot_len=r.choice([r.randrange(44), r.randrange(45, 65536)])),
        ),
        False,
    ),
    "fragment_first": lambda r, d, s: (ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r)), frag=0x2000)), False),
    "fragment_later": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(pktgen_payload(r, size=24), frag=r.randrange(1, 0x2000))),
        False,
    ),
    "not_udp": lambda r, d, s: (ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r)), proto=6)), False),
    "vlan_tagged": lambda r, d, s: (
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r))), vlan=r.randrange(1, 4095)),
        True,
    ),
    "bad_ip_checksum": lambda r, d, s: (
        # a TTL changed after the checksum was computed: the checksum no longer holds
        ether(d, s, 0x0800, ipv4(udp(pktgen_payload(r)), ttl_after_csum=r.randrange(65, 256))),
        False,
    ),
    "short_garbage": lambda r, d, s: (
        d + s + r.randbytes(r.randrange(2, 60)),
        False,
    ),
}
KINDS = sorted(KINDS_BUILD)


def main(argv):
    iface, dst, src, count, seed = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    rng = random.Random(seed)
    dst_b, src_b = bytes.fromhex(dst.replace(":", "")), bytes.fromhex(src.replace(":", ""))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    sent = dict.fromkeys(KINDS, 0)
    valid = future = 0
    for kind, frame, ok in itertools.islice(frames(rng, dst_b, src_b), count):
        try:
            sock.send(frame)
        except OSError:  # e.g. a frame the device refuses as too short: not sent, not counted
            continue
        sent[kind] += 1
        valid += ok
        if ok:
            # the stamp pktgen_payload wrote: tv_sec, tv_usec after magic and seq_num
            start = frame.index(struct.pack("!I", MAGIC))
            tv_sec, tv_usec = struct.unpack_from("!II", frame, start + 8)
            future += tv_sec + tv_usec / 1e6 > time.time() + 1
    print(json.dumps({"sent": sent, "valid": valid, "future": future}))


if __name__ == "__main__":
    main(sys.argv[1:])
