# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules cost: round trips per call, and a rate sweep through them against a bare shell loop.

usage: make bench-modules [LAB_KERNEL=stable|backports] [POINT_SECONDS=2]

1. Round trips: each module runs once against the lab with -vvv; the SSH
   commands in that output are counted and printed next to the module's own
   ``round_trips`` (a read, and a write when something changes).
2. Sweep: 10 rates (10-100 kpps) on lab-tx's veth0, POINT_SECONDS of sending
   each (count = rate x seconds), configured, run and collected
   - through the modules: bench/sweep.yml, pktgen_tx + pktgen_run per point;
   - by a bare shell loop on the target, in the style of the kernel's
     samples/pktgen: the same writes, each Result: checked, start, cat.
   Both are timed on the controller from the command's start to its end (one
   ansible start-up each); printed with their ratio. The lab must be up
   (make lab-up); the figures are software-emulation figures: compare ratios.
"""

import json
import os
import re
import sys
import time

from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen, shell
from ansible_collections.netlab.pktgen.tests.integration import lab

RATES = [10000 * step for step in range(1, 11)]
POINT_SECONDS = int(os.environ.get("POINT_SECONDS", "2"))
VETH = dict(dst="198.18.0.2", dst_mac="02:c6:12:00:00:02")

CALLS = [
    ("pktgen_host_info", "lab-tx", ""),
    ("pktgen_tx", "lab-tx", json.dumps(dict(devices=[dict(name="veth0", count=1000, **VETH)]))),
    ("pktgen_tx", "lab-tx", json.dumps(dict(devices=[dict(name="veth0", count=1000, **VETH)]))),
    ("pktgen_run", "lab-tx", ""),
    ("pktgen_rx", "lab-rx", json.dumps(dict(devices=["veth0"], statistics="basic", reset=True))),
    ("pktgen_rx_info", "lab-rx", ""),
    ("nic_queues", "lab-rx", json.dumps(dict(device="nic0", irq_affinity={"0": "1"}))),
    ("nic_queues", "lab-rx", json.dumps(dict(device="nic0", irq_affinity={"0": "0"}))),
    ("nic_queues", "lab-rx", json.dumps(dict(device="nic0", irq_affinity={"0": "0"}))),
]


def round_trips():
    print("round trips per module call (SSH commands in -vvv / the module's round_trips):")
    for name, host, args in CALLS:
        code, out = lab.run(["ansible", host, "-m", "netlab.pktgen." + name, "-a", args, "-vvv"])
        if code != 0:
            sys.exit("%s failed: %s" % (name, out[-2000:]))
        ssh = len(re.findall(r"SSH: EXEC ssh ", out))
        own = re.search(r'"round_trips": (\d+)', out) or re.search(r"round_trips: (\d+)", out)
        changed = "CHANGED" in out
        print(
            "  %-16s %-8s %s ssh %d, round_trips %s"
            % (name, host, "changed  " if changed else "unchanged", ssh, own.group(1) if own else "?")
        )


def shell_loop():
    """The sweep as one sh script on the target, as samples/pktgen would do it."""
    body = [shell.SH_PGSET.rstrip("\n")]
    for rate in RATES:
        params = dict(pkt_size=60, count=rate * POINT_SECONDS, ratep=rate, **VETH)
        writes = pktgen.config_writes({0: ["veth0"]}, {"veth0": params})
        body.extend(shell.pgset_calls(writes))
        body.append("pgset %s start" % pktgen.PGCTRL)
        body.append("sed -n '/^Result:/,$p' %s/veth0" % pktgen.PROC_DIR)
    return shell.command("\n".join(body) + "\n", "lab-tx")


def timed(what, argv):
    start = time.monotonic()
    code, out = lab.run(argv)
    elapsed = time.monotonic() - start
    if code != 0:
        sys.exit("%s failed: %s" % (what, out[-3000:]))
    return elapsed, out


def sweep():
    lab.raw("lab-vm", "modprobe pktgen")
    modules, out = timed(
        "modules",
        [
            "ansible-playbook",
            "bench/sweep.yml",
            "-e",
            json.dumps(dict(rates=RATES, point_seconds=POINT_SECONDS)),
        ],
    )
    shell_time, shell_out = timed(
        "shell", ["ansible", "lab-vm", "-m", "ansible.builtin.raw", "-a", shell_loop()]
    )
    sent = [int(pps) for pps in re.findall(r"(\d+)pps", shell_out)]
    print("rate sweep: %d points x %d s on veth0, lab kernel %s" % (len(RATES), POINT_SECONDS, lab.KERNEL))
    print("  pps per point, shell loop: %s" % sent)
    points = re.findall(r'"msg": \[([^\]]*)\]', out)
    print("  pps per point, modules:    [%s]" % " ".join(points[-1].split()) if points else "?")
    print("  modules (pktgen_tx + pktgen_run per point): %.1f s" % modules)
    print("  bare shell loop (one ssh command):          %.1f s" % shell_time)
    print("  ratio modules / shell: %.2f (%.2f s more per point)" % (
        modules / shell_time, (modules - shell_time) / len(RATES),
    ))  # fmt: skip


def main():
    os.chdir(lab.ROOT)
    lab.build_kmod(lab.lab_state()["kernel"])  # pktgen_rx and pktgen_rx_info need the receiver
    lab.load_kmod()
    round_trips()
    sweep()


if __name__ == "__main__":
    main()
