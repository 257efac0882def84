# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's action plugins: the target needs only a shell.

An action validates its arguments on the controller, reads the target's
state with one shell script, plans, and (unless in check mode) writes with
one more. Every script runs through the connection's shell (no module
transfer, no Python on the target), inside the task's network namespace
when one is set: the ``netns`` option, or else the host's ``netns``
variable, as the virtual lab's hosts have.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.netlab.pktgen.plugins.module_utils import shell

NETNS_OPTION = dict(type="str")


class ShellAction(ActionBase):
    """Subclasses set ARGUMENT_SPEC and implement act(args, check_mode, diff) -> result dict."""

    TRANSFERS_FILES = False
    _requires_connection = True
    ARGUMENT_SPEC: dict = {}

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        self.round_trips = 0
        try:
            _validated, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
            if args.get("netns") is None and "netns" in self.ARGUMENT_SPEC:
                args["netns"] = (task_vars or {}).get("netns") or None
            self.netns = args.get("netns")
            if self.netns:
                try:
                    shell.check_netns(self.netns)
                except ValueError as exc:
                    raise AnsibleActionFail(str(exc)) from exc
            result.update(self.act(args, bool(self._task.check_mode), bool(self._task.diff)))
        except AnsibleActionFail as exc:
            result.update(exc.result)
        result["round_trips"] = self.round_trips
        return result

    def sh(self, script):
        """Run SCRIPT on the target (in the task's netns); returns (rc, stdout, stderr).

        With become, stderr may arrive inside stdout: look for messages in both.
        """
        self.round_trips += 1
        # Without become, no terminal: stderr stays apart from stdout. With one (sudo),
        # the two arrive merged in stdout, with \r\n line ends.
        become = bool(self._play_context.become)
        res = self._low_level_execute_command(shell.command(script, self.netns), sudoable=become)
        rc = res.get("rc", 1)
        out, err = (res.get(key, "").replace("\r\n", "\n") for key in ("stdout", "stderr"))
        if self.netns and rc == shell.NO_NETNS:
            raise AnsibleActionFail(
                "netns %r does not exist on the target: `ip netns list` shows the ones that do" % self.netns
            )
        return rc, out, err


def text_diff(header, before, after):
    """The diff result of a task that changes what HEADER names from BEFORE to AFTER (texts)."""
    return dict(before_header=header, after_header=header, before=before, after=after)
