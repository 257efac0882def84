#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/nic_queues.py): the target needs only a shell (and ethtool).

DOCUMENTATION = r"""
module: nic_queues
short_description: Set a NIC's queue count, the CPUs of its queue IRQs, RPS and XPS, and restore them
version_added: 0.1.0
description:
  - Sets the channel count of a NIC (C(ethtool -L)), pins the IRQ of each queue to CPUs
    (C(/proc/irq/N/smp_affinity_list)), sets the RPS and XPS CPUs of its queues (sysfs) and turns offloads
    on or off (C(ethtool -K)).
  - O(irq_affinity=spread) gives each active queue one CPU - one per physical core first, the NIC's NUMA
    node first, SMT siblings last (a sibling shares its core's capacity).
  - Returns the state before the task in RV(previous); pass it back as O(restore) to put everything back.
  - Writes only what differs, so a second run reports no change. An IRQ that refuses a new affinity (a
    kernel-managed one) is reported in RV(refused), not fatal. After writing, each IRQ's effective
    affinity is read back; those outside the CPUs asked for are reported in RV(not_effective), or in
    RV(pending) while they have not fired since the write.
  - The target needs a POSIX shell and, for channels, C(ethtool); no Python. One round trip to read, one
    to write (one more when channels change together with the IRQs, since a driver may rebuild them).
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
options:
  device:
    description: The network interface, in the target's (or O(netns)'s) namespace.
    type: str
    required: true
  channels:
    description: Channel counts to set; left out, kept. Above the NIC's maximum fails, naming the maximum.
    type: dict
    suboptions:
      combined:
        description: Combined (rx and tx) channels.
        type: int
      rx:
        description: Receive-only channels.
        type: int
      tx:
        description: Transmit-only channels.
        type: int
  irq_affinity:
    description:
      - C(spread), or a map of queue number to a CPU list (C(0-3,8)) for that queue's IRQs.
      - Queues are told by the IRQ names in /proc/interrupts (C(virtio2-input.1), C(eth0-TxRx-1),
        C(mlx5_comp1)); an IRQ named for no queue is left alone.
    type: raw
  rps:
    description: A map of rx queue number to the CPU list that receive packet steering uses (empty for none).
    type: dict
  xps:
    description: A map of tx queue number to the CPU list that transmit packet steering uses (empty for none).
    type: dict
  features:
    description:
      - Offloads to turn on (V(true)) or off (V(false)) with C(ethtool -K), by the names C(ethtool -k) prints
        (C(generic-receive-offload)) or the short ones C(ethtool) also takes (C(gro), C(lro), C(gso), C(tso),
        C(rxvlan), C(txvlan), C(rxhash), C(ntuple), C(sg), C(rx), C(tx)). A traffic receiver wants C(gro)
        and C(lro) off, since merged packets distort packet counts.
      - A feature the driver fixes, or that the NIC does not have, fails the task, naming it.
    type: dict
  restore:
    description:
      - RV(previous) of an earlier run - channels, IRQ CPUs, RPS, XPS and offloads as they were. Stands alone.
    type: dict
attributes:
  check_mode:
    description: Reads the NIC and reports the writes it would make, making none.
    support: full
  diff_mode:
    description: Shows channels, IRQ CPUs, RPS and XPS before and after.
    support: full
seealso:
  - module: netlab.pktgen.pktgen_host_info
notes:
  - Some drivers lay their IRQs out again whenever the queue count changes (virtio_net does), so the
    module sets the channels first, reads the NIC again, and only then plans the IRQs.
  - On x86 without interrupt remapping (virtio in qemu, for one) the kernel moves an IRQ only when it next
    fires, so the effective affinity of an IRQ that has not fired since the write still shows the old
    CPUs. The module tells these apart by the IRQ's count in /proc/interrupts and lists them in
    RV(pending), not in RV(not_effective).
"""

EXAMPLES = r"""
- name: Four queues, each IRQ on its own core
  netlab.pktgen.nic_queues:
    device: eth1
    channels:
      combined: 4
    irq_affinity: spread
  register: queues

- name: Queue 0 on CPUs 2 and 3, RPS of queue 0 on CPU 1
  netlab.pktgen.nic_queues:
    device: eth1
    irq_affinity:
      0: 2-3
    rps:
      0: "1"

- name: Put everything back as it was before the first task
  netlab.pktgen.nic_queues:
    device: eth1
    restore: "{{ queues.previous }}"
"""

RETURN = r"""
previous:
  description: The state before the task, as O(restore) takes it.
  returned: always
  type: dict
  contains:
    channels:
      description: Current channel counts (combined, rx, tx; those the NIC has).
      type: dict
      sample: {combined: 4}
    irq_affinity:
      description: Each IRQ of the NIC's device and its CPUs.
      type: dict
      sample: {"40": [0], "41": [0]}
    rps:
      description: Each rx queue and its RPS CPUs.
      type: dict
      sample: {"0": []}
    xps:
      description: Each tx queue and its XPS CPUs.
      type: dict
      sample: {"0": [0]}
    features:
      description: Each offload the driver lets change, on (V(true)) or off.
      type: dict
      sample: {generic-receive-offload: true}
state:
  description: The state after the task (before it, in check mode), like RV(previous).
  returned: always
  type: dict
writes:
  description:
    - What was written (in check mode, would be) - channels (ethtool -L arguments), irq_affinity, rps, xps,
      features.
  returned: always
  type: dict
  sample: {channels: combined 2, irq_affinity: {"40": [0], "42": [1]}, rps: {}, xps: {}, features: {}}
refused:
  description: Writes the kernel refused, such as C(irq 41) for a managed IRQ.
  returned: always
  type: list
  elements: str
not_effective:
  description:
    - IRQs that fired after the write and whose effective affinity still lies outside the CPUs written.
  returned: always
  type: list
  elements: int
pending:
  description:
    - IRQs whose effective affinity still lies outside the CPUs written but which have not fired since the
      write; the kernel moves them when they next fire.
  returned: always
  type: list
  elements: int
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 2
"""
