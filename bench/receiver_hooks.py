# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receive capacity in the virtual lab for each receiver hook, and with no receiver at all.

usage: make bench-receiver [LAB_KERNEL=stable|backports] [ROUNDS=3] [COUNT=200000] [BASE=main] [SEED=1]
                          [CONFIGS=tc-drop,none,...] [ICOUNT=shift=0]

Two paths, each run with every configuration, the configurations interleaved
round by round so that a noisy neighbour hits them all alike:

- ``netif_receive``: pktgen in lab-rx's own namespace with ``xmit_mode
  netif_receive`` hands each packet straight to veth0's receive path on one
  CPU (the kernel's own way to benchmark a receive path). Its pps is what
  that path absorbs: the receiver's cost and nothing else.
- ``veth``: pktgen from lab-tx over the veth pair (send and receive share the
  sending CPU, so the receiver's cost shows as a lower send rate).

Configurations: ``tc-drop``, the baseline: no receiver, a clsact qdisc on
lab-rx's veth0 with ``tc filter add dev veth0 ingress matchall action drop``
(the cheapest way to drop every packet at the same device's ingress);
``none`` (no receiver and no filter: the packets go up to UDP port 9, which
has no socket, and are dropped there); ``prerouting`` and ``ingress``
(pktgen_rx with that hook, statistics basic, drop on), ``ingress-time``
(ingress at statistics time); and ``old-ingress``, ``old-ingress-time``: the
same two with the module of git revision BASE (default ``main``; ``git show
BASE:kmod/...`` built in a temporary directory), for a before/after in one
run; ``idle``: our module loaded and receiving on lo only, so that veth0 is a
device nobody receives on (its traffic should cost what it costs with no
module: ``none``). Each round runs the configurations in a new order (SEED).
Prints every run, then per path and configuration the median pps and the
median (and range) of its per-round ratios to ``tc-drop`` and to ``none``: a
ratio within one round is taken minutes apart at most, so the machine's
drift over the run cancels.

A second measure does not depend on what else the host runs: the CPU time
the busiest qemu thread spent during the run (the vCPU that runs pktgen's
thread 0, where both paths receive), from the host's
``/proc/<qemu>/task/*/schedstat``, per packet. Its capacity ratio to
``tc-drop`` is tc-drop's CPU ns per packet over the configuration's: time
the vCPU waited for a host core does not count, as it does in pps. The
run's shell and what it starts (pktgen's set-up, the readings) run on CPU 1
(``taskset``), so that vCPU 0 does pktgen's run and little else.

Then the memory each run left behind in the guest (Percpu and SUnreclaim
from /proc/meminfo, after minus before): with ``idle`` against ``none``, what
traffic on a device nobody receives on costs in memory. CONFIGS limits the
run to some configurations (tc-drop and none always). Figures are
software-emulation figures: compare ratios, not absolute rates.

With ICOUNT (qemu's -icount, e.g. ``shift=0``) the lab boots with one vCPU
whose clock advances 2^shift ns per guest instruction: pktgen's pps is then
1e9 / 2^shift over the instructions per packet of pktgen, the stack and the
receiver, the same in every round whatever else the host runs (a cache
miss, a clock read or a division count as one instruction each). A lab up
with another ICOUNT is taken down first; ``make lab-down`` after the run
gives the ordinary lab back.
"""

import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys

from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import TX_VETH, pgrx_cmd, pgrx_read

OLD_KO = "/root/pktgen_rx-main.ko"
TC_DROP = "tc-drop"
CONFIGS = {
    TC_DROP: None,
    "none": None,
    "prerouting": ("hook=prerouting", "basic", lab.GUEST_KO),
    "ingress": ("hook=ingress", "basic", lab.GUEST_KO),
    "ingress-time": ("hook=ingress", "time", lab.GUEST_KO),
    "old-ingress": ("hook=ingress", "basic", OLD_KO),
    "old-ingress-time": ("hook=ingress", "time", OLD_KO),
    "idle": ("hook=ingress", "basic", lab.GUEST_KO, "lo"),
}
PATHS = ("netif_receive", "veth")
TC = "ip netns exec lab-rx tc"


def build_main_kmod(kernel, base):
    """BASE's kmod/ built in the lab's build root as lab.build_kmod builds ours; copied to OLD_KO."""
    inside = "%s/main-kmod" % lab.SCRATCH
    outside = lab.build_root() + inside
    shutil.rmtree(outside, ignore_errors=True)
    os.makedirs(outside)
    listing = ["git", "-C", lab.ROOT, "ls-tree", "--name-only", base, "kmod/"]
    for name in subprocess.run(listing, capture_output=True, text=True, check=True).stdout.split():
        blob = subprocess.run(
            ["git", "-C", lab.ROOT, "show", "%s:%s" % (base, name)], capture_output=True, check=True
        )
        with open(os.path.join(outside, os.path.basename(name)), "wb") as out:
            out.write(blob.stdout)
    build = lab.chroot("make", "-C", inside, "KDIR=/usr/src/linux-headers-%s" % kernel, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    copy = "src=%s/pktgen_rx.ko dest=%s" % (outside, OLD_KO)
    code, out = lab.run(["ansible", "lab-vm", "-m", "ansible.builtin.copy", "-a", copy])
    assert code == 0, out


def load(config, setup):
    """(Re)load the receiver with SETUP (parameters, level, .ko); none for None (tc-drop: with the filter)."""
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx; modprobe pktgen")
    lab.raw("lab-vm", "%s qdisc del dev veth0 clsact 2>/dev/null; true" % TC)
    if config == TC_DROP:
        lab.raw(
            "lab-vm",
            "%s qdisc add dev veth0 clsact && %s filter add dev veth0 ingress matchall action drop"
            % (TC, TC),
        )
    if setup is None:
        return
    params, level, ko, dev = setup + ("veth0",) * (len(setup) == 3)
    lab.raw("lab-vm", "insmod %s %s" % (ko, params))
    pgrx_cmd("lab-rx", "rx " + dev, "statistics " + level)


def meminfo_kb():
    """The guest's Percpu and SUnreclaim (the kernel's unreclaimable slab), in kB."""
    out = lab.raw_out("lab-vm", "grep -E '^(Percpu|SUnreclaim):' /proc/meminfo")
    return dict((line.split(":")[0], int(line.split()[1])) for line in out.splitlines() if line.strip())


def qemu_pid():
    """The lab's qemu process, from its PID file beside the lab's state file."""
    with open(os.path.join(os.path.dirname(lab.STATE_FILE), "qemu.pid"), encoding="ascii") as handle:
        return int(handle.read())


def thread_cpu_ns(pid):
    """CPU time (ns, on a host core) of each thread of process PID, from schedstat."""
    times = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid), encoding="ascii") as handle:
                times[tid] = int(handle.read().split()[0])
        except OSError:
            continue  # a thread that ended
    return times


def busiest_ns(before, after):
    """The largest CPU time one thread gained between two thread_cpu_ns readings."""
    return max(after[tid] - before[tid] for tid in after if tid in before)


def run(path, count, pin):
    """One pktgen run on PATH (the shell on CPU 1 when PIN); returns pktgen's parsed result."""
    params = dict(count=count, pkt_size=60, **TX_VETH)
    netns = "lab-tx"
    if path == "netif_receive":
        params.update(xmit_mode="netif_receive", dst_mac=TX_VETH["dst_mac"])
        netns = "lab-rx"
    writes = pktgen.config_writes({0: ["veth0"]}, {"veth0": params})
    script = pktgen.render_script(writes, start=True, dump=["veth0"], netns=netns)
    # the shell and what it starts on CPU 1: CPU 0 (pktgen's thread 0) does pktgen's run alone
    if pin:
        script = "taskset -c 1 sh -c %s" % shlex.quote(script)
    out = lab.raw_out("lab-vm", script)
    return pktgen.parse_result(pktgen.split_dump(out)["veth0"])


def boot(icount):
    """The lab up, with qemu's -icount ICOUNT and one vCPU when ICOUNT is set; returns its kernel."""
    extra = ["-e", "lab_kernel=" + lab.KERNEL]
    if icount:
        extra += ["-e", "virtual_lab_icount=" + icount, "-e", "virtual_lab_cpus=1"]
    if os.path.exists(lab.STATE_FILE) and lab.lab_state().get("icount", "") != icount:
        code, out = lab.playbook("lab.yml", "-e", "lab_state=absent")
        if code != 0:
            sys.exit("the lab up with another ICOUNT did not go down:\n" + out[-3000:])
    code, out = lab.playbook("lab.yml", *extra)
    if code != 0:
        sys.exit("the lab did not come up:\n" + out[-3000:])
    return lab.lab_state()["kernel"]


def main():
    rounds = int(os.environ.get("ROUNDS", "3"))
    count = int(os.environ.get("COUNT", "200000"))
    icount = os.environ.get("ICOUNT", "")
    kernel = boot(icount)
    pin = int(lab.lab_state()["cpus"]) > 1  # a shell of its own on CPU 1 needs a second vCPU
    lab.build_kmod(kernel)
    lab.load_kmod()
    base = os.environ.get("BASE") or "main"
    build_main_kmod(kernel, base)
    print(
        "receive capacity, kernel %s, %d packets of 60 bytes per run, %d rounds; old-*: the module of %s"
        % (kernel, count, rounds, base)
    )
    if icount:
        print("qemu -icount %s, one vCPU: pps in the guest's clock, which counts instructions" % icount)
    asked = [name for name in os.environ.get("CONFIGS", ",".join(CONFIGS)).split(",") if name]
    unknown = sorted(set(asked) - set(CONFIGS))
    if unknown:
        sys.exit("CONFIGS: %s unknown; give any of %s" % (", ".join(unknown), ", ".join(CONFIGS)))
    configs = [TC_DROP, "none"] + [name for name in dict.fromkeys(asked) if name not in (TC_DROP, "none")]
    pps = {(path, config): [] for path in PATHS for config in configs}
    cpu = {(path, config): [] for path in PATHS for config in configs}
    qemu = qemu_pid()
    memory = {(path, config): [] for path in PATHS for config in configs}
    order = list(configs)
    shuffle = random.Random(int(os.environ.get("SEED", "1")))
    for rnd in range(rounds):
        shuffle.shuffle(order)  # a drift within a round must not always favour the same configuration
        for config in order:
            setup = CONFIGS[config]
            load(config, setup)
            for path in PATHS:
                before = meminfo_kb()
                threads = thread_cpu_ns(qemu)
                result = run(path, count, pin)
                busy = busiest_ns(threads, thread_cpu_ns(qemu))
                after = meminfo_kb()
                grown = dict((key, after[key] - before[key]) for key in after)
                memory[(path, config)].append(grown)
                counted = "-"
                if setup:
                    counted = pgrx_read("lab-rx")["total"]["packets"]
                    pgrx_cmd("lab-rx", "rx_reset")
                pps[(path, config)].append(result["pps"])
                cpu[(path, config)].append(busy / result["packets"])
                print(
                    "round %d %-13s %-16s %8d pps %7.0f cpu-ns/pkt  sent %d errors %d counted %s"
                    "  Percpu %+d kB SUnreclaim %+d kB"
                    % (
                        (rnd + 1, path, config, result["pps"], cpu[(path, config)][-1], result["packets"])
                        + (result["errors"], counted, grown["Percpu"], grown["SUnreclaim"])
                    )
                )
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx; true")
    lab.raw("lab-vm", "%s qdisc del dev veth0 clsact 2>/dev/null; true" % TC)
    report(configs, pps, cpu, memory)


def report(configs, pps, cpu, memory):
    """The medians and ratios over the rounds, then the memory the runs left behind."""
    print(
        "\nmedians over the rounds; vs: the median of each round's ratio to that round's tc-drop or none, "
        "then its smallest and largest"
    )
    print(
        "%-13s %-16s %11s %22s %22s %11s %22s"
        % ("path", "receiver", "median pps", "vs tc-drop", "vs none", "cpu-ns/pkt", "vs tc-drop (cpu)")
    )
    for path in PATHS:
        for config in configs:
            cells = [statistics.median(pps[(path, config)])]
            for base in (TC_DROP, "none"):
                ratios = [a / b for a, b in zip(pps[(path, config)], pps[(path, base)])]
                cells += [statistics.median(ratios), min(ratios), max(ratios)]
            cells.append(statistics.median(cpu[(path, config)]))
            ratios = [b / a for a, b in zip(cpu[(path, config)], cpu[(path, TC_DROP)])]
            cells += [statistics.median(ratios), min(ratios), max(ratios)]
            print(
                "%-13s %-16s %11d %8.2f (%.2f-%.2f) %8.2f (%.2f-%.2f) %11.0f %8.2f (%.2f-%.2f)"
                % ((path, config) + tuple(cells))
            )

    print("\nmemory the guest kept after a run (kB; median and range over the rounds)")
    print("%-13s %-16s %22s %22s" % ("path", "receiver", "Percpu", "SUnreclaim"))
    for path in PATHS:
        for config in configs:
            cells = []
            for key in ("Percpu", "SUnreclaim"):
                grown = [run_grown[key] for run_grown in memory[(path, config)]]
                cells += [statistics.median(grown), min(grown), max(grown)]
            print("%-13s %-16s %+10d (%+d to %+d) %+10d (%+d to %+d)" % ((path, config) + tuple(cells)))


if __name__ == "__main__":
    main()
