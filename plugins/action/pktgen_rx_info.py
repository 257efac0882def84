# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_rx_info: the receiver's statistics as data."""

from __future__ import annotations

from ansible_collections.netlab.pktgen.plugins.plugin_utils.receiver import read_receiver
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import NETNS_OPTION, ShellAction


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(netns=NETNS_OPTION)

    def act(self, args, check_mode, diff):
        path, stats = read_receiver(self)
        return dict(changed=False, path=path, receiver=stats)
