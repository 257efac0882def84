#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_rx.py): the target needs only a shell.

DOCUMENTATION = r"""
module: pktgen_rx
short_description: Configure the pktgen receiver through procfs
version_added: 0.1.0
description:
  - Sets which devices the pktgen receiver counts on, its statistics level, its display layout and
    whether it consumes pktgen packets, by writing commands into its control file.
  - Finds the control file of this collection's receiver module, C(/proc/net/pktgen_rx/pgrx), or of a kernel
    that carries the original receiver patch, C(/proc/net/pktgen/pgrx), and returns which one it used.
  - Reads the receiver's settings first and writes only what differs, so a second run reports no change
    and keeps the statistics. Writing C(rx) or C(statistics) zeroes the statistics, as the receiver defines.
  - Every write is read back through the receiver's C(Result:) line; a refused one fails the task with the
    receiver's own words, and nothing after it is written.
  - The target needs only a POSIX shell, no Python - one round trip to read, one to write.
author: netlab.pktgen maintainers (@netlab)
extends_documentation_fragment:
  - netlab.pktgen.shell_target
options:
  state:
    description:
      - C(enabled) counts on O(devices); C(disabled) stops counting (C(rx_disable)). On a target with no
        receiver at all (the module is not loaded) C(disabled) changes nothing and succeeds, so a teardown
        also passes where the receiver never came up.
    type: str
    choices: [enabled, disabled]
    default: enabled
  devices:
    description:
      - The devices of the namespace to count on (at most 8), or C([all]) for every device, present and
        future.
      - Required to enable a receiver that is disabled; left out, an enabled receiver keeps its devices.
    type: list
    elements: str
  statistics:
    description:
      - What to measure; see the receiver's documentation (docs/receiver.md). Left out, kept as it is.
    type: str
    choices: [counter, basic, time]
  display:
    description:
      - The layout reading the control file returns. Left out, kept as it is.
    type: str
    choices: [human, script]
  drop:
    description:
      - V(true) consumes pktgen packets after counting them; V(false) lets them go on up the stack. Left out,
        kept as it is. The original receiver has no such command.
    type: bool
  reset:
    description:
      - Zero the statistics even when nothing else changes (always reports a change).
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads the receiver and reports the commands it would write, writing none.
    support: full
  diff_mode:
    description: Shows the receiver's settings before and after.
    support: full
seealso:
  - module: netlab.pktgen.pktgen_rx_info
notes:
  - The receiver's statistics are per network namespace, like its control file.
"""

EXAMPLES = r"""
- name: Count pktgen packets on eth1 with timing statistics
  netlab.pktgen.pktgen_rx:
    devices: [eth1]
    statistics: time
    display: script

- name: Start a new measurement on the same settings
  netlab.pktgen.pktgen_rx:
    reset: true

- name: Count on every device of the receiver's namespace, and let pktgen packets through
  netlab.pktgen.pktgen_rx:
    devices: [all]
    drop: false
    netns: lab-rx

- name: Stop counting
  netlab.pktgen.pktgen_rx:
    state: disabled
"""

RETURN = r"""
path:
  description: The receiver's control file; null when O(state=disabled) found no receiver.
  returned: always
  type: str
  sample: /proc/net/pktgen_rx/pgrx
commands:
  description: The commands written, in order (in check mode, the ones that would be).
  returned: always
  type: list
  elements: str
  sample: ["rx eth1", "statistics time"]
config:
  description:
    - The receiver's settings after the task (before it, in check mode); null for a receiver that does not
      print them (the original patch).
  returned: always
  type: dict
  sample: {enabled: true, rx: [eth1], statistics: time, display: script, drop: true, hook: ingress}
round_trips:
  description: Shell scripts run on the target for this task.
  returned: always
  type: int
  sample: 2
"""
