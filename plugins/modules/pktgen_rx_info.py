#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_rx_info.py): the target needs only a shell.

DOCUMENTATION = r"""
module: pktgen_rx_info
short_description: Read the pktgen receiver's statistics as data
version_added: 0.1.0
description:
  - Reads the pktgen receiver's control file (C(/proc/net/pktgen_rx/pgrx), or C(/proc/net/pktgen/pgrx) on
    kernels with the original receiver) and returns what it says as structured data, in either display
    layout.
  - Per CPU and in total - packets, bytes, work time, rates; at statistics level C(time) inter-arrival,
    jitter and latency (average, variance, max, min, samples) and percentiles; at levels C(basic) and
    C(time) sequence analysis per sender (received, lost, reordered, duplicated).
  - Changes nothing. The target needs only a POSIX shell, no Python - one round trip.
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
  - netlab.pktgen.shell_target.info
seealso:
  - module: netlab.pktgen.pktgen_rx
"""

EXAMPLES = r"""
- name: Read the receiver
  netlab.pktgen.pktgen_rx_info:
  register: rx

- name: Show the packets received and the loss per sender
  ansible.builtin.debug:
    msg: "{{ rx.receiver.total.packets }} packets; {{ rx.receiver.senders }}"
"""

RETURN = r"""
path:
  description: The receiver's control file.
  returned: always
  type: str
  sample: /proc/net/pktgen_rx/pgrx
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 1
receiver:
  description: What the receiver reported.
  returned: always
  type: dict
  contains:
    enabled:
      description: Whether the receiver counts; when false the other statistics are empty.
      type: bool
    display:
      description: The layout the receiver printed (human or script).
      type: str
    total:
      description:
        - All CPUs together - packets, bytes, work_us, pps, mbps, bps.
        - At statistics level C(time) also C(future), latency samples whose send time was ahead of the
          receiver's clock (left out of the latency series).
        - At level C(time) in the script layout also C(interarrival), C(jitter) and C(latency) over all
          CPUs, combined exactly by the receiver, with the same fields as in RV(receiver.cpus).
      type: dict
      sample: {packets: 40000, bytes: 2400000, work_us: 77401, pps: 516789, mbps: 248, bps: 248058810}
    cpus:
      description:
        - Per CPU number, the same counters as RV(receiver.total); at statistics level C(time) also
          C(interarrival), C(jitter) and C(latency), each with avg_ns, var_ns2, max_ns, min_ns, samples
          (avg_ns and var_ns2 are the floor of the exact mean and population variance), and C(future).
      type: dict
    percentiles:
      description: At level C(time), C(interarrival) and C(latency), each with p50, p90, p99, p99.9 in ns.
      type: dict
      sample: {interarrival: {p50: 3520, p90: 3648, p99: 4736, p99.9: 62464}}
    senders:
      description:
        - Per source address - received, lost, reordered, duplicated, first_seq, last_seq.
      type: dict
      sample:
        198.18.0.1: {received: 20000, lost: 0, reordered: 0, duplicated: 0, first_seq: 1, last_seq: 20000}
    untracked:
      description: Packets of senders beyond the receiver's table (no sequence analysis for them).
      type: int
    config:
      description: The receiver's settings, as netlab.pktgen.pktgen_rx returns them; null when not printed.
      type: dict
    result:
      description: The text of the receiver's last C(Result:) line.
      type: str
      sample: "OK: display script"
"""
