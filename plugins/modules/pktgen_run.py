#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_run.py): the target needs only a shell.

DOCUMENTATION = r"""
module: pktgen_run
short_description: Send with every pktgen device, wait for the end, return each device's result
version_added: 0.1.0
description:
  - Starts pktgen (C(start) into C(/proc/net/pktgen/pgctrl)) in a network namespace, so every device that
    M(netlab.pktgen.pktgen_tx) declared sends, and waits until each has sent its C(count), or O(duration)
    seconds have passed. Returns, per pktgen device, the parsed C(Result:) line (packets, elapsed, busy and
    idle time, pps, bps, errors) and the C(Current:) section.
  - O(start_at) starts at an agreed time, so that several hosts, each in its own task, start together.
  - pktgen is stopped (C(stop)) when O(duration) or O(timeout) runs out, on an interrupt, and when the
    controller's connection goes away (the task sends a tick every second; a closed connection stops it).
  - The target needs only a POSIX shell, no Python - one round trip.
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
options:
  duration:
    description:
      - Stop after this many seconds, even if devices have not sent their count. Needed for devices
        with C(count 0), which send until stopped.
    type: float
  timeout:
    description:
      - Without O(duration), stop pktgen and fail the task (returning the results so far) if it still sends
        after this many seconds.
    type: float
    default: 600
  start_at:
    description:
      - Start at this time, in seconds since the epoch by the target's clock (keep the hosts' clocks in
        sync, e.g. with NTP or PTP). A time already past starts at once, with a warning.
    type: float
attributes:
  check_mode:
    description: Reads which devices would send and sends nothing.
    support: full
  diff_mode:
    description: Nothing to show.
    support: none
seealso:
  - module: netlab.pktgen.pktgen_tx
  - module: netlab.pktgen.pktgen_rx_info
notes:
  - The task always reports a change - it sends packets.
  - The C(started_us) and C(stopped_us) of C(current) are the kernel's monotonic clock, comparable between
    namespaces of one host only.
"""

EXAMPLES = r"""
- name: Send what pktgen_tx declared and wait for the counts
  netlab.pktgen.pktgen_run:
  register: sent

- name: Ten seconds, on every sender at the same moment
  netlab.pktgen.pktgen_run:
    duration: 10
    start_at: "{{ now(utc=true).timestamp() + 5 }}"

- name: Packets sent by eth1
  ansible.builtin.debug:
    msg: "{{ sent.results.eth1.packets }} packets at {{ sent.results.eth1.pps }} pps"
"""

RETURN = r"""
results:
  description:
    - Per pktgen device, its C(Result:) line parsed - C(packets), C(elapsed_us), C(busy_us), C(idle_us),
      C(pps), C(mbps), C(bps) (frames without FCS), C(errors), C(pkt_size), C(frags) - with the raw
      C(result_line) and C(current), the C(Current:) section (C(pkts_sofar), C(errors), C(started_us),
      C(stopped_us), C(idle_us), C(seq_num), C(cur_saddr), C(cur_daddr), ...).
    - In check mode, the devices that would send, each with a null value.
  returned: always
  type: dict
  sample: {eth1: {packets: 100000, elapsed_us: 1333995, busy_us: 1330337, idle_us: 3657, pps: 74962, mbps: 35,
           bps: 35981760, errors: 0, pkt_size: 60, frags: 0, current: {pkts_sofar: 100000, seq_num: 100001}}}
totals:
  description: Packets, errors, pps and bps summed over the devices.
  returned: success
  type: dict
  sample: {packets: 200000, errors: 0, pps: 149924, bps: 71963520}
started_at:
  description: When pktgen was started, in seconds since the epoch (the target's clock).
  returned: success
  type: float
stopped_at:
  description: When every device had stopped, in seconds since the epoch (the target's clock).
  returned: success
  type: float
stopped_by:
  description:
    - C(count) when the devices finished by themselves, C(duration) or C(timeout) when the task stopped them.
  returned: success
  type: str
  sample: count
late_s:
  description: How long after O(start_at) pktgen started (0 when on time or without it).
  returned: success
  type: float
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 1
"""
