# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlab.pktgen.pktgen_tx: declare pktgen's devices, threads and settings."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import host, pktgen, shell
from ansible_collections.netlab.pktgen.plugins.plugin_utils import generator
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import (
    NETNS_OPTION,
    ShellAction,
    text_diff,
)

# Words added to a refusal pktgen gives no (or a terse) reason for.
_HINTS = (
    (("burst ", "clone_skb "), "pktgen takes burst above 1 and clone_skb above 0 only on devices that can "
     "share an skb (veth cannot)"),
    (("add_device ",), "is the device up and on no other thread already?"),
    (("flag ",), "this kernel's pktgen does not know that flag"),
)  # fmt: skip


def _config_text(config):
    """A generator as text for diffs: a line per device and thread, then its settings but defaults."""
    lines = []
    for dev in sorted(config, key=lambda name: (config[name][0], name)):
        cpu, state, _rate = config[dev]
        lines.append("kpktgend_%d: %s" % (cpu, dev))
        for key, value in sorted(_settings(state).items()):
            lines.append("  %s: %s" % (key, " ".join(value) if isinstance(value, list) else value))
    return "\n".join(lines) + "\n" if lines else "(no pktgen devices)\n"


def _settings(state):
    """The settings of STATE that differ from a new device's (src_mac and the SHARED flag only if set)."""
    out = {}
    for key, value in state.items():
        if key in ("ifname", "src_mac"):
            continue
        if key == "flags":
            # 6.12 sets SHARED on every new device: a default there, not a setting.
            flags = [flag for flag in value if flag != "SHARED"]
            if flags:
                out[key] = flags
        elif value != pktgen.DEFAULTS.get(key) and value is not None:
            out[key] = "0x%02x" % value if key in ("tos", "traffic_class") else value
    if state.get("src_mac"):
        out["src_mac"] = state["src_mac"]
    return out


class ActionModule(ShellAction):
    ARGUMENT_SPEC = dict(
        devices=dict(type="list", elements="dict", default=[], options=generator.DEVICE_OPTIONS),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=True),
        netns=NETNS_OPTION,
    )

    def act(self, args, check_mode, diff):
        declared = _declare(args["devices"], args["state"])
        interfaces = sorted(set(spec["name"] for spec in args["devices"]))
        rc, out, err = self.sh(pktgen.read_script(interfaces))
        if rc != 0:
            raise AnsibleActionFail("reading pktgen failed (rc %d): %s" % (rc, (err or out).strip()))
        seen = pktgen.parse_read(out)
        if args["state"] == "present":
            self._check_target(seen, args["devices"])
        current = _config(seen)
        # Emptying pktgen (state absent, no devices named) is the teardown: its reset stops a run too.
        emptying = args["state"] == "absent" and not args["devices"]
        if seen["running"] and not emptying:
            raise AnsibleActionFail(
                "pktgen is sending on %s: wait for the run to end or stop it (netlab.pktgen.pktgen_run, "
                "or echo stop > %s) before changing its setup"
                % (", ".join(sorted(seen["running"])), pktgen.PGCTRL)
            )
        target = _target(current, declared, args)
        changed = not _same(current, target)
        result = dict(changed=changed, devices=_report(current if not changed or check_mode else target))
        if emptying:
            result["stopped"] = sorted(seen["running"])
        writes = dict((dev, _writes(dev, target)) for dev in target)
        result["writes"] = [
            "%s: %s" % (dev, line) for dev in sorted(writes) for line in writes[dev] if changed
        ]
        if diff and changed:
            result["diff"] = text_diff(pktgen.PROC_DIR, _config_text(current), _config_text(target))
        if not changed or check_mode:
            return result
        script = pktgen.rebuild_script(
            _threads(target),
            writes,
            _threads(current),
            dict((dev, _writes(dev, current)) for dev in current),
            interfaces,
        )
        rc, out, err = self.sh(script)
        if rc != 0:
            raise AnsibleActionFail(_refusal(rc, err or out))
        after = _config(pktgen.parse_read(out))
        for dev, value in target.items():
            cpu, state, _rate = value
            if dev not in after or after[dev][0] != cpu:
                raise AnsibleActionFail("after writing, pktgen does not show %s on kpktgend_%d" % (dev, cpu))
            wrong = pktgen.differences(after[dev][1], state)
            if wrong:
                key, have, want = wrong[0]
                raise AnsibleActionFail(
                    "after writing, pktgen shows %s %s=%s where %s was asked (Params: of %s)"
                    % (dev, key, have, want, dev)
                )
        result["devices"] = _report(after)
        return result

    def _check_target(self, seen, specs):
        where = " in netns %s" % self.netns if self.netns else ""
        for spec in specs:
            link = seen["links"].get(spec["name"])
            if link is None:
                raise AnsibleActionFail(
                    "devices: no network device %s%s on the target (ip link shows the ones there)"
                    % (spec["name"], where)
                )
            if not link["up"]:
                raise AnsibleActionFail(
                    "devices: %s is down; pktgen takes only devices that are up (ip link set %s up)"
                    % (spec["name"], spec["name"])
                )
            missing = sorted(set(spec["threads"]) - set(seen["cpus"]))
            if missing:
                raise AnsibleActionFail(
                    "devices: %s threads: CPU %s is not online on the target (online: %s); pktgen has one "
                    "kpktgend thread per online CPU"
                    % (spec["name"], ",".join(map(str, missing)), ",".join(map(str, seen["cpus"])))
                )


def _declare(specs, state):
    """{pktgen device: (cpu, Params state, rate line)} of the task's devices, checked."""
    declared = {}
    for index, spec in enumerate(specs):
        where = "devices[%d] (%s)" % (index, spec.get("name"))
        try:
            pktgen.device_file(spec["name"])
            if not host.valid_device_name(spec["name"].split("@", 1)[0]):
                raise generator.GeneratorError("name: not a network device name (no /, : or white space)")
            if "@" in spec["name"]:
                raise generator.GeneratorError("name: give the interface; threads makes NAME@CPU devices")
            if not spec["threads"] or len(set(spec["threads"])) != len(spec["threads"]):
                raise generator.GeneratorError("threads %s: give one or more distinct CPUs" % spec["threads"])
            if state == "present":
                threads = generator.thread_settings(spec)
            else:
                threads = [(cpu, dev, None, None) for cpu, dev in generator.device_names(spec)]
        except (generator.GeneratorError, pktgen.PktgenError) as exc:
            raise AnsibleActionFail("%s: %s" % (where, exc)) from exc
        for cpu, dev, settings, rate_line in threads:
            if dev in declared:
                raise AnsibleActionFail("%s: pktgen device %s is declared twice" % (where, dev))
            declared[dev] = (cpu, settings, rate_line)
    return declared


def _config(seen):
    """{pktgen device: (cpu, Params state, None)} as read; src_mac left out where it is the device's own."""
    out = {}
    for cpu, devs in seen["threads"].items():
        for dev in devs:
            if dev in seen["devices"]:
                state = pktgen.parse_params(seen["devices"][dev])
                link = seen["links"].get(dev.split("@", 1)[0])
                if link and state.get("src_mac") == link["mac"]:
                    del state["src_mac"]
                out[dev] = (cpu, state, None)
    return out


def _target(current, declared, args):
    """{pktgen device: (cpu, state, rate line)} pktgen should have after the task."""
    names = set(spec["name"] for spec in args["devices"])
    if args["state"] == "absent" and not names:
        return {}
    if args["state"] == "present" and args["purge"]:
        return dict(declared)
    target = dict((dev, value) for dev, value in current.items() if dev.split("@", 1)[0] not in names)
    if args["state"] == "present":
        target.update(declared)
    return target


def _same(current, target):
    if set(current) != set(target):
        return False
    for dev, (cpu, state, _rate) in target.items():
        if current[dev][0] != cpu or pktgen.differences(current[dev][1], state):
            return False
    return True


def _writes(dev, target):
    """Lines for device DEV of TARGET: its state's, the declared rate (ratep, rate) in place of the delay."""
    _cpu, state, rate_line = target[dev]
    lines = pktgen.state_writes(state)
    if rate_line:
        lines = [line for line in lines if not line.startswith("delay ")] + [rate_line]
    return lines


def _threads(config):
    out = {}
    for dev, value in config.items():
        out.setdefault(value[0], []).append(dev)
    return dict((cpu, sorted(devs)) for cpu, devs in out.items())


def _report(config):
    return dict(
        (dev, dict(thread=value[0], interface=dev.split("@", 1)[0], settings=_settings(value[1])))
        for dev, value in config.items()
    )


def _refusal(rc, text):
    if rc == pktgen.NOT_AVAILABLE:
        return text.strip()
    lines = [line for line in text.splitlines() if line.startswith("rejected ")]
    if rc != shell.REJECTED or not lines:
        return "configuring pktgen failed (rc %d): %s" % (rc, text.strip())
    why = lines[0]
    written = why.split("'")[1] if "'" in why else ""
    hints = [hint for starts, hint in _HINTS if written.startswith(starts)]
    return "pktgen %s%s. Nothing was left half-configured: pktgen was put back as it was before the task." % (
        why,
        " (%s)" % hints[0] if hints else "",
    )
