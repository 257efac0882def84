# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a NIC's queues: channel count, IRQ affinity per queue, RPS and XPS CPUs.

Pure Python with no Ansible imports. The state comes from host.parse_facts()
(one NIC and the CPU topology); plans are lists of writes that
write_script() turns into one POSIX sh script.
"""

from __future__ import annotations

import re
import shlex

from ansible_collections.netlab.pktgen.plugins.module_utils import host
from ansible_collections.netlab.pktgen.plugins.module_utils.nic import parse_interrupts

CHANNEL_KINDS = ("combined", "rx", "tx")
# Exit code of write_script() when ethtool refuses the channel count.
CHANNELS_REFUSED = 6
# Marker before each IRQ, RPS or XPS write the kernel refused (a managed IRQ, for one).
REFUSED = "refused "
# Section of write_script() with /proc/interrupts as it was just before the IRQ writes.
AT_WRITE = "interrupts_at_write"

_QUEUE = re.compile(r"(?:input|output|rx|tx|txrx|comp|queue|fp)[._-]?(\d+)(?:@.*)?$|-(\d+)$", re.IGNORECASE)


class QueuesError(ValueError):
    """A request the NIC or the host cannot satisfy; the message names the value and the limit."""


def irq_queue(name):
    """The queue an IRQ serves, from its name in /proc/interrupts (``virtio2-input.1``, ``eth0-TxRx-3``)."""
    if not name or "config" in name:
        return None
    match = _QUEUE.search(name)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def spread_order(cpus, numa_node=None):
    """CPUs in the order ``spread`` gives them to queues.

    One CPU per physical core first, the NIC's NUMA node first, then the
    remaining SMT siblings (which share a core's capacity), in the same order.
    """
    topology = cpus["topology"]

    def local(cpu):
        node = topology.get(cpu, {}).get("node")
        return numa_node is None or numa_node < 0 or node is None or node == numa_node

    firsts, siblings, cores = [], [], set()
    for cpu in sorted(cpus["online"], key=lambda cpu: (not local(cpu), cpu)):
        place = topology.get(cpu, {})
        core = (place.get("package"), place["core"]) if place.get("core") is not None else ("cpu", cpu)
        (siblings if core in cores else firsts).append(cpu)
        cores.add(core)
    return firsts + siblings


def _cpus(text, what, online):
    try:
        cpus = host.parse_cpu_list(str(text))
    except ValueError as exc:
        raise QueuesError("%s: %r is not a CPU list such as 0-3,8" % (what, text)) from exc
    missing = sorted(set(cpus) - set(online))
    if missing:
        raise QueuesError(
            "%s: CPU %s does not exist on the target (online: %s)"
            % (what, ",".join(map(str, missing)), ",".join(map(str, online)))
        )
    return cpus


def plan_channels(device, nic, channels):
    """The ethtool -L arguments that set CHANNELS ({combined, rx, tx}), or None when nothing changes."""
    wanted = dict((kind, count) for kind, count in (channels or {}).items() if count is not None)
    if not wanted:
        return None
    known = nic.get("channels")
    if not known:
        raise QueuesError(
            "%s has no channel settings (ethtool -l %s says nothing): leave channels out" % (device, device)
        )
    args = []
    for kind in CHANNEL_KINDS:
        if kind not in wanted:
            continue
        top = known["max"].get(kind)
        if wanted[kind] < 1 or not top or wanted[kind] > top:
            raise QueuesError(
                "channels.%s=%d: %s takes 1 to %s %s channels (ethtool -l %s)"
                % (kind, wanted[kind], device, top or 0, kind, device)
            )
        if known["current"].get(kind) != wanted[kind]:
            args.append("%s %d" % (kind, wanted[kind]))
    return " ".join(args) or None


def active_queues(nic):
    """How many queues carry traffic: the current combined (or rx) channels, else the rx queues in sysfs."""
    current = (nic.get("channels") or {}).get("current") or {}
    return current.get("combined") or current.get("rx") or nic["rx_queues"]


def _queue_irqs(nic):
    """{queue: [IRQ facts]} of the IRQs whose names say which queue they serve."""
    by_queue = {}
    for irq in nic["irqs"]:
        queue = irq_queue(irq["name"])
        if queue is not None:
            by_queue.setdefault(queue, []).append(irq)
    return by_queue


def _wanted_affinity(device, nic, cpus, affinity, *, by_queue, queue_count):
    """{queue: [cpus]} that AFFINITY asks for."""
    if affinity == "spread":
        order = spread_order(cpus, nic.get("numa_node"))
        return dict(
            (queue, [order[queue % len(order)]]) for queue in range(queue_count or active_queues(nic))
        )
    if not isinstance(affinity, dict):
        raise QueuesError("irq_affinity: %r is neither 'spread' nor a map of queue to CPU list" % (affinity,))
    wanted = {}
    for queue, text in affinity.items():
        if not str(queue).isdigit() or int(queue) not in by_queue:
            raise QueuesError(
                "irq_affinity: %s has no IRQ for queue %s (queues with IRQs: %s)"
                % (device, queue, ",".join(map(str, sorted(by_queue))))
            )
        wanted[int(queue)] = _cpus(text, "irq_affinity of queue %s" % queue, cpus["online"])
        if not wanted[int(queue)]:
            raise QueuesError("irq_affinity of queue %s: an IRQ needs at least one CPU" % queue)
    return wanted


def plan_affinity(device, nic, cpus, affinity, *, queue_count=None):
    """[(irq, [cpus])] for AFFINITY: ``spread``, or {queue: CPU list}; only IRQs whose CPUs change.

    QUEUE_COUNT: the active queues once a planned channel change is made (default: now).
    """
    if affinity is None:
        return []
    by_queue = _queue_irqs(nic)
    if not by_queue:
        raise QueuesError("%s has no per-queue IRQs to pin (is it virtual?): leave irq_affinity out" % device)
    wanted = _wanted_affinity(device, nic, cpus, affinity, by_queue=by_queue, queue_count=queue_count)
    writes = []
    for queue in sorted(wanted):
        for irq in by_queue.get(queue, []):
            if irq["affinity"] != wanted[queue]:
                writes.append((irq["irq"], wanted[queue]))
    return writes


def plan_steering(device, nic, cpus, key, wanted, *, queue_count=None):
    """[(queue, [cpus])] for RPS (key rps) or XPS (key xps), {queue: CPU list, '' for none}; only changes.

    QUEUE_COUNT: the queues there will be once a planned channel change is made (default: now).
    """
    writes = []
    for queue, text in sorted((wanted or {}).items(), key=lambda item: str(item[0])):
        known = str(queue).isdigit() and (int(queue) in nic[key] or int(queue) < (queue_count or 0))
        if not known:
            raise QueuesError(
                "%s: %s has no %s queue %s (queues: %s)"
                % (key, device, "rx" if key == "rps" else "tx", queue, ",".join(map(str, sorted(nic[key]))))
            )
        target = _cpus(text, "%s of queue %s" % (key, queue), cpus["online"]) if str(text).strip() else []
        if (nic[key].get(int(queue)) or []) != target:
            writes.append((int(queue), target))
    return writes


# Short names ethtool also takes, for the offloads a traffic test cares about.
FEATURE_ALIASES = dict(
    gro="generic-receive-offload",
    lro="large-receive-offload",
    gso="generic-segmentation-offload",
    tso="tcp-segmentation-offload",
    rxvlan="rx-vlan-offload",
    txvlan="tx-vlan-offload",
    rxhash="receive-hashing",
    ntuple="ntuple-filters",
    sg="scatter-gather",
    rx="rx-checksumming",
    tx="tx-checksumming",
)


def _feature_states(nic):
    """{feature: (on, fixed)} from the NIC's ethtool -k words (``on``, ``off [fixed]``)."""
    return dict(
        (name, (words.split()[0] == "on", "[fixed]" in words))
        for name, words in (nic.get("features") or {}).items()
        if words.split()[:1] in (["on"], ["off"])
    )


def plan_features(device, nic, wanted):
    """[(feature, on)] that set WANTED ({name or alias: bool}); only changes. Fixed or unknown: an error."""
    known = _feature_states(nic)
    writes = []
    for name, on in sorted((wanted or {}).items()):
        feature = FEATURE_ALIASES.get(name, name)
        if feature not in known:
            raise QueuesError(
                "features: %s has no offload %r (ethtool -k %s lists them; short names: %s)"
                % (device, name, device, ", ".join(sorted(FEATURE_ALIASES)))
            )
        current, fixed = known[feature]
        if current != bool(on) and fixed:
            raise QueuesError(
                "features: %s is fixed %s on %s by its driver and cannot be changed"
                % (feature, "on" if current else "off", device)
            )
        if current != bool(on):
            writes.append((feature, bool(on)))
    return writes


def saved_state(nic):
    """What restore takes back: channels, IRQ CPUs, RPS and XPS CPUs, as they are now."""
    current = (nic.get("channels") or {}).get("current") or {}
    return dict(
        channels=dict((kind, count) for kind, count in current.items() if kind in CHANNEL_KINDS and count),
        irq_affinity=dict(
            (str(irq["irq"]), irq["affinity"]) for irq in nic["irqs"] if irq["affinity"] is not None
        ),
        rps=dict((str(queue), cpus) for queue, cpus in nic["rps"].items() if cpus is not None),
        xps=dict((str(queue), cpus) for queue, cpus in nic["xps"].items() if cpus is not None),
        features=dict((name, on) for name, (on, fixed) in _feature_states(nic).items() if not fixed),
    )


def plan_restore_irqs(device, nic, saved):
    """[(irq, [cpus])] that put the IRQs of SAVED back; an IRQ that is gone is an error naming it."""
    current = dict((irq["irq"], irq["affinity"]) for irq in nic["irqs"])
    writes = []
    for irq, cpus in sorted(saved.items(), key=lambda item: int(item[0])):
        if int(irq) not in current:
            raise QueuesError("restore: %s has no IRQ %s any more" % (device, irq))
        if current[int(irq)] != list(cpus):
            writes.append((int(irq), list(cpus)))
    return writes


def write_script(device, channels=None, irqs=(), rps=(), xps=(), *, features=()):
    """One sh script: ethtool -L, the affinity, RPS and XPS writes, ethtool -K, refusals noted; then facts.

    Every value from the task or the target (the device, channel and feature words) reaches the
    script as quoted words, data only.
    """
    dev = shlex.quote(device)
    body = ["set -u"]
    if channels:
        words = " ".join(shlex.quote(word) for word in channels.split())
        said = shlex.quote("ethtool -L %s %s: " % (device, channels))
        body.append(
            'if ! out=$(ethtool -L %s %s 2>&1); then echo %s"$out" >&2; exit %d; fi'
            % (dev, words, said, CHANNELS_REFUSED)
        )
    if irqs:
        body.append("echo %s; cat /proc/interrupts" % shlex.quote(host.SECTION + AT_WRITE))
    for irq, cpus in irqs:
        target = "/proc/irq/%d/smp_affinity_list" % int(irq)
        cpu_list = ",".join("%d" % cpu for cpu in cpus)
        body.append(
            "echo %s 2>/dev/null > %s || echo %s"
            % (shlex.quote(cpu_list), target, shlex.quote("%sirq %d" % (REFUSED, irq)))
        )
    for key, kind, writes in (("rps_cpus", "rx", rps), ("xps_cpus", "tx", xps)):
        for queue, cpus in writes:
            target = "/sys/class/net/%s/queues/%s-%d/%s" % (device, kind, queue, key)
            body.append(
                "echo %s 2>/dev/null > %s || echo %s"
                % (
                    shlex.quote(host.cpu_list_to_mask(cpus)),
                    shlex.quote(target),
                    shlex.quote("%s%s %d" % (REFUSED, key, queue)),
                )
            )
    if features:
        words = ["%s %s" % (name, "on" if on else "off") for name, on in features]
        args = " ".join("%s %s" % (shlex.quote(name), "on" if on else "off") for name, on in features)
        body.append(
            "ethtool -K %s %s 2>/dev/null || echo %s"
            % (dev, args, shlex.quote("%sfeatures %s" % (REFUSED, " ".join(words))))
        )
    body.append(host.facts_script(device))
    return "\n".join(body) + "\n"


def unfired(text):
    """IRQs that have not fired between write_script()'s IRQ writes and its read-back.

    The kernel may move an IRQ only when it next fires (x86 without interrupt
    remapping), so until then its effective affinity still shows the old CPUs.
    """
    counts = {}
    for name, _arg, lines in host.sections(text):
        if name in (AT_WRITE, "interrupts"):
            counts[name] = parse_interrupts("\n".join(lines))
    before, after = counts.get(AT_WRITE, {}), counts.get("interrupts", {})
    return sorted(
        irq for irq, (_name, fired) in before.items() if irq in after and sum(after[irq][1]) == sum(fired)
    )


def refusals(text):
    """The writes write_script() reported refused, as words (``irq 41``, ``rps_cpus 0``)."""
    return [line[len(REFUSED) :].strip() for line in text.splitlines() if line.startswith(REFUSED)]
