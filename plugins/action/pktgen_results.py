# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_results: an experiment's results folder on the controller."""

from __future__ import annotations

import datetime
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.netlab.pktgen.plugins.module_utils import results
from ansible_collections.netlab.pktgen.plugins.plugin_utils import plots

ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    experiment=dict(type="str", default="throughput"),
    plan=dict(type="list", elements="dict"),
    parameters=dict(type="dict", default={}),
    hosts=dict(type="dict", default={}),
    point=dict(type="dict"),
    grow=dict(type="bool", default=False),
    findings=dict(type="list", elements="dict"),
    report=dict(type="bool", default=False),
    resume=dict(type="bool", default=False),
)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _resume_warnings(folder, doc, args):
    warnings = []
    same = [p["key"] for p in args["plan"] or []] == [p["key"] for p in doc["plan"]]
    if args["plan"] is not None and not same and not doc.get("searched"):
        warnings.append(
            "%s already holds a sweep with other points: resuming that sweep, as stored, and "
            "ignoring the plan given" % folder
        )
    stored = doc.get("parameters") or {}
    changed = sorted(
        name
        for name in set(stored) | set(args["parameters"])
        if name != "resume" and args["parameters"] and stored.get(name) != args["parameters"].get(name)
    )
    if changed:
        warnings.append(
            "resuming %s with other settings than it started with (%s): the points measured now use the "
            "new ones; give the first run's settings to keep the points comparable"
            % (folder, ", ".join(changed))
        )
    return warnings


def _check_resume(folder, doc, experiment):
    """Fail unless FOLDER holds the results of an EXPERIMENT run (DOC) to resume."""
    if not os.path.isdir(folder):
        raise AnsibleActionFail(
            "resume=%s: no such results folder (give the folder an earlier %s run printed, such as "
            "results/%s-20261126T140000Z)" % (folder, experiment, experiment)
        )
    if doc is None:
        raise AnsibleActionFail(
            "resume=%s: the folder holds no %s, so no run to resume" % (folder, results.RESULTS)
        )
    if doc["experiment"] != experiment:
        raise AnsibleActionFail(
            "resume=%s: the folder holds a %s run, not %s; resume it with %s.yml"
            % (folder, doc["experiment"], experiment, doc["experiment"])
        )


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        try:
            _validated, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
            result.update(self._act(args, bool(self._task.check_mode)))
        except AnsibleActionFail as exc:
            result.update(exc.result)
        except results.ResultsError as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def _act(self, args, check_mode):
        folder = args["path"]
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise AnsibleActionFail("path %s is a file, not a results folder: give a folder" % folder)
        doc = results.load(folder)
        if args["resume"]:
            _check_resume(folder, doc, args["experiment"])
            args = dict(args, plan=None, point=None, findings=None, report=False)
        changed = False
        warnings = []
        if doc is None:
            if args["plan"] is None:
                raise AnsibleActionFail(
                    "%s holds no %s: give plan (and parameters, hosts) to start one there"
                    % (folder, results.RESULTS)
                )
            doc = results.new(args["experiment"], args["plan"], args["parameters"], args["hosts"], _now())
            if args["grow"]:
                doc.update(searched=True, complete=False)
            changed = True
        else:
            warnings += _resume_warnings(folder, doc, args)
        if args["point"] is not None:
            doc = results.add_point(doc, args["point"], _now(), grow=args["grow"])
            changed = True
        if args["findings"] is not None:
            doc = results.finish(doc, args["findings"], _now())
            changed = True
        files = []
        if changed and not check_mode:
            files += results.save(folder, doc)
        if args["report"] and doc["points"] and not check_mode:
            names = plots.draw(doc, folder)
            if not plots.HAS_MATPLOTLIB:
                warnings.append("matplotlib is not installed on the controller: report.md has no plots")
            report = os.path.join(folder, results.REPORT)
            results.write_atomic(report, results.report(doc, names))
            files += [report] + [os.path.join(folder, name) for name in names]
            changed = True
        out = dict(
            changed=changed,
            path=folder,
            plan=doc["plan"],
            done=results.done(doc),
            todo=results.todo(doc),
            complete=doc["complete"],
            files=files,
            contents=sorted(name for name in os.listdir(folder) if not name.startswith("."))
            if os.path.isdir(folder)
            else [],
            summary=results.summary(doc)
            + ([""] + results.findings_table(doc) if doc.get("findings") else []),
            results=doc,
        )
        if warnings:
            out["warnings"] = warnings
        return out
