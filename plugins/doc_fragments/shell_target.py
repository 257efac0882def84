# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the modules whose action plugins send shell scripts (shell_action.py)."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  netns:
    description:
      - Network namespace on the target to run in (C(ip netns exec)). Defaults to the host's C(netns)
        variable, which the virtual lab's hosts set; without either, the target's own namespace.
      - A namespace the target does not have fails the task, naming it. The name reaches the target's shell
        quoted, as data (blanks, quotes and C($) are safe); a name C(ip netns) cannot have (with C(/), or
        C(.) or C(..)) is refused before anything runs.
    type: str
attributes:
  platform:
    description: Linux targets with a POSIX shell; Python is not needed.
    support: full
    platforms: posix
"""

    # For the modules that only read.
    INFO = r"""
attributes:
  check_mode:
    description: Reads only, in check mode too.
    support: full
  diff_mode:
    description: Nothing to show.
    support: none
"""
