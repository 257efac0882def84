# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start qemu with multi-queue taps that live in a private network namespace.

qemu must run in the controller's own namespace, so that its user-mode NIC
forwards SSH on the controller's 127.0.0.1; the lab NICs' taps must live in
a private namespace with no uplink. A tap's file descriptors keep working
whatever namespace their holder runs in, so this helper enters the private
namespace, creates each tap with one descriptor per queue, returns to its own
namespace and execs qemu with those descriptors (``-netdev tap,fds=...``).

Usage: qemu_tap_launch.py NETNS QUEUES TAP=MAC[,TAP=MAC...] -- QEMU ARGS
Each tap becomes a virtio NIC with QUEUES queue pairs, that MAC and one MSI
vector per queue (plus config and control vectors), appended to the qemu arguments.
The taps are not persistent: they vanish when qemu exits.
"""

import ctypes
import fcntl
import os
import struct
import sys

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_MULTI_QUEUE = 0x0100
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000

_LIBC = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    """Move this (single-threaded) process into the namespace behind ``fd``."""
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: %s" % os.strerror(err))


def open_tap(name, queues):
    """Create tap ``name`` in the current namespace; one descriptor per queue."""
    flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE
    fds = []
    for _queue in range(queues):
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), flags))
        os.set_inheritable(fd, True)
        fds.append(fd)
    return fds


def nic_args(name, fds, mac):
    """qemu arguments for a multiqueue virtio NIC on tap ``name``."""
    return [
        "-netdev",
        "tap,id=%s,fds=%s,vhost=off" % (name, ":".join(str(fd) for fd in fds)),
        "-device",
        "virtio-net-pci,netdev=%s,mq=on,vectors=%d,mac=%s" % (name, 2 * len(fds) + 2, mac),
    ]


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.exit("usage: qemu_tap_launch.py NETNS QUEUES TAP=MAC[,TAP=MAC...] -- QEMU ARGS")
    netns, queues, taps, qemu = argv[0], int(argv[1]), argv[2].split(","), argv[4:]
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        target = os.open("/run/netns/" + netns, os.O_RDONLY)
    except OSError as exc:
        sys.exit("network namespace %r not found (%s): create it first" % (netns, exc.strerror))
    setns(target)
    args = list(qemu)
    try:
        for spec in taps:
            name, mac = spec.split("=", 1)
            args += nic_args(name, open_tap(name, queues), mac)
    finally:
        setns(own)
    os.close(target)
    os.close(own)
    os.execvp(args[0], args)


if __name__ == "__main__":
    main(sys.argv[1:])
