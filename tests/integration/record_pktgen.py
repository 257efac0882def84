# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record pktgen's own outputs on the running lab's kernel as unit-test fixtures.

usage: make record-pktgen [LAB_KERNEL=<line>]   (the lab must be up on that line)

Writes into tests/unit/fixtures, named by the kernel's major.minor (an existing
file is left as it is: remove it to record it again):
- ``pktgen-<M.m>-params-fresh.txt``: lab-tx's veth0 file right after
  ``add_device`` (Params:, Current:, Result: of a device that never ran);
- ``pktgen-<M.m>-veth-run.txt``: a pktgen_script run of 10,000 packets of
  60 bytes over the veth pair, with start and dump [veth0].
The unit tests parse every file of those two names (test_pktgen_kernels.py).
"""

import os
import re
import sys

from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import FIXTURES

VETH = dict(count=10000, pkt_size=60, dst="198.18.0.2", dst_mac="02:c6:12:00:00:02")


def header(state, what):
    return "# Recorded in the virtual lab: Debian %s line, kernel %s (package %s), qemu %s, %s\n" % (
        state["line"],
        state["kernel"],
        state["kernel_package"],
        state["accel"].upper(),
        what,
    )


def fresh():
    """veth0's file right after add_device, in a pktgen reset to nothing."""
    script = pktgen.render_script(
        pktgen.config_writes({0: ["veth0"]}, {"veth0": {}}), dump=["veth0"], netns="lab-tx"
    )
    out = lab.raw_out("lab-tx", "modprobe pktgen && " + script)
    return out[out.index(pktgen.DUMP_MARKER) :].split("\n", 1)[1]


def run():
    writes = pktgen.config_writes({0: ["veth0"]}, {"veth0": VETH})
    out = lab.raw_out("lab-tx", pktgen.render_script(writes, start=True, dump=["veth0"], netns="lab-tx"))
    lab.raw_out("lab-tx", pktgen.render_script([(pktgen.PGCTRL, "reset")], netns="lab-tx"))
    return out[out.index(pktgen.DUMP_MARKER) :]


def main():
    state = lab.lab_state()
    series = re.match(r"(\d+\.\d+)", state["kernel"]).group(1)
    files = {
        "pktgen-%s-params-fresh.txt" % series: lambda: (
            header(state, "lab-tx veth0 right after add_device.") + fresh()
        ),
        "pktgen-%s-veth-run.txt" % series: lambda: (
            header(state, "veth lab-tx -> lab-rx.")
            + "# Output of a pktgen_script run with start and dump [veth0].\n"
            + run()
        ),
    }
    for name, record in files.items():
        path = os.path.join(FIXTURES, name)
        if os.path.exists(path):
            print("%s: kept (remove it to record it again)" % path)
            continue
        with open(path, "w", encoding="utf-8") as out:
            out.write(record())
        print("%s: recorded" % path)


if __name__ == "__main__":
    sys.exit(main())
