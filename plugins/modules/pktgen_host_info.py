#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_host_info.py): the target needs only a shell.

DOCUMENTATION = r"""
module: pktgen_host_info
short_description: Describe a traffic host - kernel, pktgen, receiver, CPU topology, NICs, queues and IRQs
version_added: 0.1.0
description:
  - Reads what a measurement depends on and returns it as data, the metadata every result file carries -
    kernel release; whether pktgen is loaded, its version and threads; the receiver's control file, version
    and hook; CPU topology (cores, SMT siblings, NUMA nodes); and per network interface the driver, MAC, MTU,
    state, speed, NUMA node, queue counts, the IRQs of its device with their CPU affinity, channels and
    offloads (the last two where ethtool is installed).
  - Changes nothing. The target needs only a POSIX shell (busybox will do), no Python - one round trip.
  - Interfaces are those of the network namespace it runs in; CPUs and IRQs are the host's.
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
  - netlab.pktgen.shell_target.info
seealso:
  - module: netlab.pktgen.pktgen_rx_info
"""

EXAMPLES = r"""
- name: Describe the hosts of the experiment
  netlab.pktgen.pktgen_host_info:
  register: host

- name: Show the IRQs of eth1 and the CPUs they are pinned to
  ansible.builtin.debug:
    msg: "{{ host.host.nics.eth1.irqs }}"
"""

RETURN = r"""
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 1
host:
  description: The host's facts.
  returned: always
  type: dict
  contains:
    kernel:
      description: C(release) (uname -r) and C(machine) (uname -m).
      type: dict
      sample: {release: 6.1.0-56-amd64, machine: x86_64}
    pktgen:
      description: C(loaded) (its procfs directory exists here), C(version), C(threads) (kpktgend CPUs).
      type: dict
      sample: {loaded: true, version: "2.75", threads: [0, 1]}
    receiver:
      description:
        - C(path) of the control file (null without a receiver), C(kind) (C(pktgen_rx) or C(original)),
          C(version) and C(hook) of the pktgen_rx module when loaded.
      type: dict
      sample: {path: /proc/net/pktgen_rx/pgrx, kind: pktgen_rx, version: 0.1.0, hook: ingress}
    cpus:
      description:
        - C(online) CPUs, their C(count), physical C(cores), C(packages), NUMA C(nodes), and per CPU its
          C(core), C(package), SMT C(siblings) and C(node).
      type: dict
    nics:
      description:
        - Per interface (not C(lo)) - C(driver), C(mac), C(mtu), C(operstate), C(speed_mbps) (null when
          unknown), C(numa_node), C(rx_queues), C(tx_queues), C(irqs) (each with C(irq), C(name) from
          /proc/interrupts, C(affinity) and C(effective) CPU lists), C(channels) (C(max) and C(current)
          rx, tx, other, combined from ethtool -l) and C(features) (ethtool -k, each feature's state as
          ethtool words it).
      type: dict
"""
