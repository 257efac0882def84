#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_tx.py): the target needs only a shell.

DOCUMENTATION = r"""
module: pktgen_tx
short_description: Declare the kernel packet generator's devices, threads and settings
version_added: 0.1.0
description:
  - Sets up the kernel's pktgen in a network namespace - which devices send on which kpktgend threads and
    with which settings - through C(/proc/net/pktgen), the way the kernel's C(samples/pktgen) scripts do.
    Loads the pktgen module when it is not loaded. M(netlab.pktgen.pktgen_run) then sends.
  - Every value is checked on the controller first (addresses and MACs with netaddr, rates with their
    units, ranges, combinations pktgen refuses); an error names the device, the option, the value and
    what is allowed.
  - Reads every pktgen device's C(Params:) back and compares it with what the task asks, so a second run
    reports no change. To change anything, it resets pktgen and writes the whole setup in the order the
    kernel needs (transmit mode first, sizes before the rate, which pktgen turns into a gap using the size
    of the moment), reading each write's C(Result:) line back. If pktgen refuses a write, the setup from
    before the task is written back, so no thread is left half-configured, and the task fails with
    pktgen's words.
  - The target needs only a POSIX shell, no Python - one round trip to read, one to write.
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
options:
  devices:
    description:
      - The devices to send on. With O(state=absent), only their names count.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The network interface (up, in the namespace).
        type: str
        required: true
      threads:
        description:
          - The CPUs whose kpktgend threads send on this interface. On one thread the pktgen device is
            called like the interface; on several, C(NAME@CPU) each, all with the same settings (add
            C(QUEUE_MAP_CPU) to O(devices[].flags) to give each thread its own transmit queue, and
            O(devices[].srcs) its own source address).
        type: list
        elements: int
        default: [0]
      count:
        description: Packets to send per pktgen device; C(0) sends until stopped. pktgen's default is 1000.
        type: int
      rate:
        description:
          - Packets per second (V(1.5Mpps), V(20000pps), V(100kpps)) or bits per second (V(800Mbit),
            V(1Gbit), V(10Gbps)); k, M and G are powers of 1000. Bits count the frame without FCS, as pktgen
            does, at the smallest packet size. Left out, pktgen sends as fast as it can.
          - Written as C(ratep) for packet rates, C(rate) for whole Mb/s, else as the C(delay) pktgen would
            compute.
        type: str
      delay:
        description: Gap between packets in nanoseconds, instead of O(devices[].rate).
        type: int
      pkt_size:
        description: Frame size without FCS, at least 42. Default 60, as the kernel's sample scripts.
        type: int
      min_pkt_size:
        description:
          - Smallest frame size, with O(devices[].max_pkt_size) and the C(TXSIZE_RND) flag for random sizes.
        type: int
      max_pkt_size:
        description: Largest frame size.
        type: int
      imix:
        description: Frame sizes and weights as C(SIZE,WEIGHT) entries, e.g. V([64,7, 576,4, 1500,1]).
        type: list
        elements: str
      frags:
        description: Page fragments per packet (0-17).
        type: int
      clone_skb:
        description: Send each packet this many times (only on devices that can share an skb; not veth).
        type: int
      burst:
        description: Packets handed to the driver per call (only on devices that can share an skb).
        type: int
      dst:
        description: Destination IPv4 or IPv6 address, or a range C(FIRST-LAST).
        type: str
      src:
        description: Source IPv4 address or range, or one IPv6 address.
        type: str
      srcs:
        description:
          - One source address per thread of O(devices[].threads), in that order - each pktgen device
            (C(NAME@CPU)) sends from its own, so a receiver's per-sender sequence analysis keeps the threads
            apart. Instead of O(devices[].src).
        type: list
        elements: str
      dst_mac:
        description: Destination MAC address.
        type: str
      src_mac:
        description: Source MAC address; the interface's own when left out.
        type: str
      dst_mac_count:
        description: Number of destination MACs to step through from O(devices[].dst_mac).
        type: int
      src_mac_count:
        description: Number of source MACs to step through.
        type: int
      udp_dst:
        description: UDP destination port or range C(FIRST-LAST). pktgen's default is 9.
        type: str
      udp_src:
        description: UDP source port or range.
        type: str
      flows:
        description: Concurrent flows (at most 65536).
        type: int
      flowlen:
        description: Packets per flow before the next.
        type: int
      queue_map:
        description: Transmit queue or range of queues C(FIRST-LAST).
        type: str
      vlan_id:
        description: VLAN ID (0-4095).
        type: int
      vlan_p:
        description: VLAN priority (0-7).
        type: int
      vlan_cfi:
        description: VLAN CFI bit (0-1).
        type: int
      svlan_id:
        description: S-VLAN ID (0-4095), outside the VLAN tag; needs O(devices[].vlan_id).
        type: int
      svlan_p:
        description: S-VLAN priority (0-7).
        type: int
      svlan_cfi:
        description: S-VLAN CFI bit (0-1).
        type: int
      tos:
        description: IPv4 TOS byte, 0-255 or hex such as V(0x10).
        type: str
      traffic_class:
        description: IPv6 traffic class byte, 0-255 or hex.
        type: str
      skb_priority:
        description: skb priority of the packets.
        type: int
      node:
        description: NUMA node to allocate packets on (with the C(NODE) flag).
        type: int
      mpls:
        description: MPLS label stack entries, 32 bits each in hex, e.g. V([0001000a]).
        type: list
        elements: str
      xmit_mode:
        description:
          - How packets are sent - C(start_xmit) to the driver, C(queue_xmit) through the qdisc (for netem or
            tc), C(netif_receive) into the device's own receive path (the receiver's cost alone).
          - pktgen's default is C(start_xmit).
        type: str
        choices: [start_xmit, netif_receive, queue_xmit]
      flags:
        description:
          - pktgen flags to set, e.g. C(UDPCSUM), C(QUEUE_MAP_CPU), C(IPSRC_RND), C(FLOW_SEQ). C(IPV6) follows
            from IPv6 addresses. C(SHARED) exists from kernel 6.4 on (and is set by default there).
        type: list
        elements: str
        default: []
  state:
    description:
      - C(present) sets the devices up as declared. C(absent) removes the named devices, or every pktgen
        device when O(devices) is empty.
      - C(absent) with O(devices) empty is the teardown - pktgen is reset and left without devices, and a run
        still sending is stopped (RV(stopped) names its devices). Without pktgen loaded it changes nothing.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), remove the pktgen devices the task does not declare, so that a run sends
        exactly what this task describes. V(false) keeps them, with their settings.
    type: bool
    default: true
attributes:
  check_mode:
    description: Reads pktgen and reports what it would write, writing nothing.
    support: full
  diff_mode:
    description: Shows the devices, their threads and their settings before and after.
    support: full
seealso:
  - module: netlab.pktgen.pktgen_run
  - name: The kernel's pktgen documentation
    description: Every parameter and flag.
    link: https://docs.kernel.org/networking/pktgen.html
notes:
  - pktgen refuses new settings while it sends; the task then fails, naming the devices that are sending
    (except O(state=absent) with no O(devices), which stops them).
  - pktgen can only empty a whole thread, so any change rebuilds the namespace's pktgen setup; with
    O(purge=false) the devices the task does not name are written back with the settings they had.
"""

EXAMPLES = r"""
- name: One flow of 60-byte frames at 100 kpps, 1 million packets
  netlab.pktgen.pktgen_tx:
    devices:
      - name: eth1
        count: 1000000
        rate: 100kpps
        dst: 198.18.1.2
        dst_mac: 52:54:00:c6:12:02

- name: Four threads on one NIC, each on its own queue, 16 flows over a port range
  netlab.pktgen.pktgen_tx:
    devices:
      - name: eth1
        threads: [0, 1, 2, 3]
        count: 0
        rate: 800Mbit
        pkt_size: 1500
        dst: 198.18.1.2
        dst_mac: 52:54:00:c6:12:02
        udp_src: 1000-1015
        flags: [QUEUE_MAP_CPU, UDPSRC_RND]

- name: Two threads, each a sender of its own at the receiver (its own source address)
  netlab.pktgen.pktgen_tx:
    devices:
      - name: eth1
        threads: [0, 1]
        count: 0
        rate: 100kpps
        dst: 198.18.1.2
        dst_mac: 52:54:00:c6:12:02
        srcs: [198.19.128.1, 198.19.128.2]

- name: Remove every pktgen device of the namespace
  netlab.pktgen.pktgen_tx:
    state: absent
    netns: lab-tx
"""

RETURN = r"""
devices:
  description:
    - pktgen's devices after the task (before it, in check mode) - the kpktgend thread, the interface, and the
      settings that differ from a new device's, in the words of pktgen's C(Params:) section.
  returned: always
  type: dict
  sample: {eth1: {thread: 0, interface: eth1, settings: {count: 1000000, delay: 10000, dst_min: 198.18.1.2,
           dst_mac: "52:54:00:c6:12:02", min_pkt_size: 60, max_pkt_size: 60}}}
writes:
  description:
    - The device lines written after a reset (in check mode, that would be), each after its device; empty
      when nothing changes.
  returned: always
  type: list
  elements: str
  sample: ["eth1: min_pkt_size 60", "eth1: max_pkt_size 60", "eth1: count 1000000", "eth1: ratep 100000"]
stopped:
  description:
    - With O(state=absent) and no O(devices), the pktgen devices that were still sending and are stopped by
      the reset (in check mode, would be).
  returned: when O(state=absent) and O(devices) is empty
  type: list
  elements: str
  sample: [eth1@0, eth1@1]
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 2
"""
