# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_rx: configure the pktgen receiver through procfs."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import host, pgrx, shell
from ansible_collections.netlab.pktgen.plugins.plugin_utils.receiver import read_receiver
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import (
    NETNS_OPTION,
    ShellAction,
    text_diff,
)


def _config_text(config):
    if config is None:
        return "(the receiver does not print its settings)\n"
    return "".join("%s: %s\n" % (key, config[key]) for key in sorted(config))


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(
        state=dict(type="str", choices=["enabled", "disabled"], default="enabled"),
        devices=dict(type="list", elements="str"),
        statistics=dict(type="str", choices=list(pgrx.LEVELS)),
        display=dict(type="str", choices=list(pgrx.DISPLAYS)),
        drop=dict(type="bool"),
        reset=dict(type="bool", default=False),
        netns=NETNS_OPTION,
    )

    def act(self, args, check_mode, diff):
        devices = args["devices"]
        if devices and "all" in devices and len(devices) > 1:
            raise AnsibleActionFail("devices: 'all' stands alone, got %s" % ", ".join(devices))
        for device in devices or []:
            if device != "all" and not host.valid_device_name(device):
                raise AnsibleActionFail(
                    "devices: %r is not a network device name (1 to 15 characters, no /, : or white space)"
                    % (device,)
                )
        disabling = args["state"] == "disabled"
        path, before = read_receiver(self, missing_ok=disabling)
        if path is None:
            # Nothing loaded, nothing counting: a teardown on a host whose receiver never came up.
            return dict(changed=False, commands=[], path=None, config=None)
        try:
            commands = pgrx.plan(before["config"], args)
        except pgrx.PgrxError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result = dict(changed=bool(commands), commands=commands, path=path, config=before["config"])
        if diff and commands:
            after = pgrx.apply(before["config"], commands)
            result["diff"] = text_diff(path, _config_text(before["config"]), _config_text(after))
        if not commands or check_mode:
            return result
        rc, out, err = self.sh(pgrx.write_script(path, commands))
        if rc == shell.REJECTED:
            why = [line for line in (err + out).splitlines() if line.startswith("rejected ")]
            raise AnsibleActionFail(
                "the receiver %s. Nothing after that command was written." % (why or [err.strip()])[0]
            )
        if rc != 0:
            raise AnsibleActionFail(
                "configuring the receiver failed (rc %d): %s" % (rc, (err or out).strip())
            )
        result["config"] = pgrx.parse(pgrx.split_read(out)[1])["config"]
        return result
