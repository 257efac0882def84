# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.nic_queues: channels, IRQ affinity, RPS, XPS and offloads of one NIC."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import host, queues
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import (
    NETNS_OPTION,
    ShellAction,
    text_diff,
)


def _text(state):
    lines = ["channels: %s" % state["channels"]]
    for key in ("irq_affinity", "rps", "xps"):
        for item, cpus in sorted(state[key].items(), key=lambda pair: int(pair[0])):
            lines.append("%s %s: %s" % (key, item, ",".join(map(str, cpus)) or "-"))
    for name, on in sorted((state.get("features") or {}).items()):
        lines.append("feature %s: %s" % (name, "on" if on else "off"))
    return "\n".join(lines) + "\n"


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(
        device=dict(type="str", required=True),
        channels=dict(type="dict", options=dict((kind, dict(type="int")) for kind in queues.CHANNEL_KINDS)),
        irq_affinity=dict(type="raw"),
        rps=dict(type="dict"),
        xps=dict(type="dict"),
        features=dict(type="dict"),
        restore=dict(type="dict"),
        netns=NETNS_OPTION,
    )

    def read(self, device):
        """(this NIC's facts, the CPU facts), in one round trip."""
        try:
            script = host.facts_script(device)
        except ValueError as exc:
            raise AnsibleActionFail("device: %s" % exc) from exc
        rc, out, err = self.sh(script)
        return self.parse(device, rc, out, err)

    def parse(self, device, rc, out, err):
        if rc == queues.CHANNELS_REFUSED:
            raise AnsibleActionFail((err or out).strip())
        facts = host.parse_facts(out)
        if rc != 0 or device not in facts["nics"]:
            where = " in netns %s" % self.netns if self.netns else ""
            raise AnsibleActionFail("no network device %s%s on the target (see ip link)" % (device, where))
        return facts["nics"][device], facts["cpus"]

    def act(self, args, check_mode, diff):
        device = args["device"]
        if args["restore"] is not None and any(args[key] is not None for key in _SETTINGS):
            raise AnsibleActionFail(
                "restore stands alone: leave channels, irq_affinity, rps, xps and features out"
            )
        want = _wanted(args)
        nic, cpus = self.read(device)
        previous = queues.saved_state(nic)
        result = dict(previous=previous, refused=[], not_effective=[], pending=[])
        channels = _plan(queues.plan_channels, device, nic, want["channels"])
        queue_count = None
        if channels and check_mode:
            queue_count = int(channels.split()[1])
        elif channels:
            # Queues (and with some drivers their IRQs) follow the channels: set them, read again.
            nic, cpus = self.parse(device, *self.sh(queues.write_script(device, channels=channels)))
        if want["restore_irqs"] is not None:
            irqs = _plan(queues.plan_restore_irqs, device, nic, want["restore_irqs"])
        else:
            irqs = _plan(
                queues.plan_affinity, device, nic, cpus, want["irq_affinity"], queue_count=queue_count
            )
        rps = _plan(queues.plan_steering, device, nic, cpus, "rps", want["rps"], queue_count=queue_count)
        xps = _plan(queues.plan_steering, device, nic, cpus, "xps", want["xps"], queue_count=queue_count)
        features = _plan(queues.plan_features, device, nic, want["features"])
        result.update(
            changed=bool(channels or irqs or rps or xps or features),
            writes=dict(_writes(channels, irqs, rps, xps), features=dict(features)),
        )
        if check_mode:
            result["state"] = previous
            if diff and result["changed"]:
                predicted = _predict(previous, result["writes"])
                result["diff"] = text_diff(device, _text(previous), _text(predicted))
            return result
        if irqs or rps or xps or features:
            rc, out, err = self.sh(
                queues.write_script(device, irqs=irqs, rps=rps, xps=xps, features=features)
            )
            nic, cpus = self.parse(device, rc, out, err)
            result["refused"] = queues.refusals(out)
            unfired = queues.unfired(out)
            effective = dict((irq["irq"], irq["effective"]) for irq in nic["irqs"])
            for irq, cpus_ in irqs:
                if not set(effective.get(irq) or []) <= set(cpus_):
                    result["pending" if irq in unfired else "not_effective"].append(irq)
        result["state"] = queues.saved_state(nic)
        if diff and result["changed"]:
            result["diff"] = text_diff(device, _text(previous), _text(result["state"]))
        return result


def _wanted(args):
    """The settings to reach: from the options, or from a state saved by an earlier run (restore)."""
    saved = args["restore"]
    if saved is None:
        return dict(args, restore_irqs=None)
    return dict(
        channels=saved.get("channels"),
        irq_affinity=None,
        restore_irqs=saved.get("irq_affinity") or {},
        rps=_cpu_lists(saved.get("rps")),
        xps=_cpu_lists(saved.get("xps")),
        features=saved.get("features"),
    )


def _plan(planner, *args, **kwargs):
    try:
        return planner(*args, **kwargs)
    except queues.QueuesError as exc:
        raise AnsibleActionFail(str(exc)) from exc


_SETTINGS = ("channels", "irq_affinity", "rps", "xps", "features")


def _writes(channels, irqs, rps, xps):
    return dict(
        channels=channels,
        irq_affinity=dict((str(irq), cpus) for irq, cpus in irqs),
        rps=dict((str(queue), cpus) for queue, cpus in rps),
        xps=dict((str(queue), cpus) for queue, cpus in xps),
    )


def _cpu_lists(mapping):
    """Saved CPU lists ([0, 1]) as the CPU list text plan_steering takes."""
    return dict((queue, ",".join(map(str, cpus))) for queue, cpus in (mapping or {}).items())


def _predict(previous, writes):
    after = dict((key, dict(value)) for key, value in previous.items())
    if writes["channels"]:
        words = writes["channels"].split()
        after["channels"].update(dict(zip(words[::2], map(int, words[1::2]))))
    for key in ("irq_affinity", "rps", "xps", "features"):
        after.setdefault(key, {}).update(writes[key])
    return after
