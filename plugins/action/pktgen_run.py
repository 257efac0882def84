# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_run: send with every pktgen device, wait, return the results."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import NETNS_OPTION, ShellAction


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(
        duration=dict(type="float"),
        timeout=dict(type="float", default=600),
        start_at=dict(type="float"),
        netns=NETNS_OPTION,
    )

    def act(self, args, check_mode, diff):
        for key in ("duration", "timeout"):
            if args[key] is not None and args[key] <= 0:
                raise AnsibleActionFail("%s=%s: give a number of seconds above 0" % (key, args[key]))
        if args["start_at"] is not None and args["start_at"] < 10**9:
            raise AnsibleActionFail(
                "start_at=%s: give a time in seconds since the epoch, e.g. the controller's now plus a few "
                "seconds ({{ now(utc=true).timestamp() + 5 }})" % args["start_at"]
            )
        if check_mode:
            return self._check(args)
        rc, out, err = self.sh(pktgen.run_script(args["duration"], args["timeout"], args["start_at"]))
        if rc in (pktgen.NO_DEVICES, pktgen.BUSY):
            raise AnsibleActionFail((err or out).strip())
        if rc not in (0, pktgen.TIMED_OUT):
            raise AnsibleActionFail("running pktgen failed (rc %d): %s" % (rc, (err or out).strip()))
        run = pktgen.parse_run(out)
        result = _report(run)
        if rc == pktgen.TIMED_OUT:
            raise AnsibleActionFail(
                "pktgen was still sending after timeout=%s s and was stopped (results so far are returned): "
                "raise timeout, lower count, or give duration" % args["timeout"],
                result=result,
            )
        unfinished = sorted(dev for dev, res in result["results"].items() if res["packets"] is None)
        if unfinished:
            raise AnsibleActionFail(
                "pktgen ran but %s reported no result (Result: %s)"
                % (", ".join(unfinished), run["devices"][unfinished[0]]["result_line"]),
                result=result,
            )
        if run["late_s"] > 0:
            result["warnings"] = [
                "started %.3f s after start_at: the task reached the host late (or its clock is off), so the "
                "hosts did not start together" % run["late_s"]
            ]
        return result

    def _check(self, args):
        rc, out, err = self.sh(pktgen.read_script())
        if rc != 0:
            raise AnsibleActionFail("reading pktgen failed (rc %d): %s" % (rc, (err or out).strip()))
        seen = pktgen.parse_read(out)
        devices = sorted(dev for devs in seen["threads"].values() for dev in devs)
        if not devices:
            raise AnsibleActionFail(
                "pktgen has no devices here: declare them with netlab.pktgen.pktgen_tx first"
            )
        return dict(changed=True, results=dict((dev, None) for dev in devices))


_EMPTY = dict.fromkeys(
    ("packets", "elapsed_us", "busy_us", "idle_us", "pps", "mbps", "bps", "errors", "pkt_size", "frags")
)


def _report(run):
    results = {}
    for dev, parsed in run["devices"].items():
        results[dev] = dict(
            parsed["result"] or _EMPTY, current=parsed["current"], result_line=parsed["result_line"]
        )
    done = [res for res in results.values() if res["packets"] is not None]
    return dict(
        changed=True,
        results=results,
        totals=dict(
            packets=sum(res["packets"] for res in done),
            errors=sum(res["errors"] for res in done),
            pps=sum(res["pps"] for res in done),
            bps=sum(res["bps"] for res in done),
        ),
        started_at=run["started_at"],
        stopped_at=run["stopped_at"],
        stopped_by=run["stopped_by"],
        late_s=run["late_s"],
    )
