# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receive capacity in the virtual lab for each receiver hook, and with no receiver at all.

usage: make bench-receiver [LAB_KERNEL=stable|backports] [ROUNDS=3] [COUNT=200000]

Two paths, each run with every configuration, the configurations interleaved
round by round so that a noisy neighbour hits them all alike:

- ``netif_receive``: pktgen in lab-rx's own namespace with ``xmit_mode
  netif_receive`` hands each packet straight to veth0's receive path on one
  CPU (the kernel's own way to benchmark a receive path). Its pps is what
  that path absorbs: the receiver's cost and nothing else.
- ``veth``: pktgen from lab-tx over the veth pair (send and receive share the
  sending CPU, so the receiver's cost shows as a lower send rate).

Configurations: ``none`` (no receiver: the packets go up to UDP port 9, which
has no socket, and are dropped there), ``prerouting`` and ``ingress``
(pktgen_rx with that hook, statistics basic, drop on), ``ingress-time``
(ingress at statistics time). Prints every run, then per path and
configuration the median and its ratio to ``none`` in the same run. Figures
are software-emulation figures: compare ratios, not absolute rates.
"""

import os
import statistics
import sys

from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.receiver import TX_VETH, pgrx_cmd, pgrx_read

CONFIGS = {
    "none": None,
    "prerouting": ("hook=prerouting", "basic"),
    "ingress": ("hook=ingress", "basic"),
    "ingress-time": ("hook=ingress", "time"),
}
PATHS = ("netif_receive", "veth")


def load(setup):
    """(Re)load the receiver with SETUP (module parameters, statistics level), or unload it for None."""
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx; modprobe pktgen")
    if setup is None:
        return
    params, level = setup
    lab.raw("lab-vm", "insmod %s %s" % (lab.GUEST_KO, params))
    pgrx_cmd("lab-rx", "rx veth0", "statistics " + level)


def run(path, count):
    """One pktgen run on PATH; returns pktgen's parsed result."""
    params = dict(count=count, pkt_size=60, **TX_VETH)
    netns = "lab-tx"
    if path == "netif_receive":
        params.update(xmit_mode="netif_receive", dst_mac=TX_VETH["dst_mac"])
        netns = "lab-rx"
    writes = pktgen.config_writes({0: ["veth0"]}, {"veth0": params})
    out = lab.raw_out("lab-vm", pktgen.render_script(writes, start=True, dump=["veth0"], netns=netns))
    return pktgen.parse_result(pktgen.split_dump(out)["veth0"])


def main():
    rounds = int(os.environ.get("ROUNDS", "3"))
    count = int(os.environ.get("COUNT", "200000"))
    code, out = lab.playbook("lab.yml", "-e", "lab_kernel=" + lab.KERNEL)
    if code != 0:
        sys.exit("the lab did not come up:\n" + out[-3000:])
    kernel = lab.lab_state()["kernel"]
    lab.build_kmod(kernel)
    lab.load_kmod()
    print("receive capacity, kernel %s, %d packets of 60 bytes per run, %d rounds" % (kernel, count, rounds))
    pps = {(path, config): [] for path in PATHS for config in CONFIGS}
    for rnd in range(rounds):
        for config, setup in CONFIGS.items():
            load(setup)
            for path in PATHS:
                result = run(path, count)
                counted = "-"
                if setup:
                    counted = pgrx_read("lab-rx")["total"]["packets"]
                    pgrx_cmd("lab-rx", "rx_reset")
                pps[(path, config)].append(result["pps"])
                print(
                    "round %d %-13s %-12s %8d pps  sent %d errors %d counted %s"
                    % (rnd + 1, path, config, result["pps"], result["packets"], result["errors"], counted)
                )
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx; true")
    print("\n%-13s %-12s %12s %9s" % ("path", "receiver", "median pps", "vs none"))
    for path in PATHS:
        base = statistics.median(pps[(path, "none")])
        for config in CONFIGS:
            median = statistics.median(pps[(path, config)])
            print("%-13s %-12s %12d %9.2f" % (path, config, median, median / base))


if __name__ == "__main__":
    main()
