# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_host_info: what a traffic host is, read with one shell script."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import host
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import NETNS_OPTION, ShellAction


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(netns=NETNS_OPTION)

    def act(self, args, check_mode, diff):
        rc, out, err = self.sh(host.facts_script())
        if rc != 0 or host.SECTION + "interrupts" not in out:
            raise AnsibleActionFail(
                "reading the host failed (rc %d): %s" % (rc, (err or out).strip()[-2000:])
            )
        return dict(changed=False, host=host.parse_facts(out))
