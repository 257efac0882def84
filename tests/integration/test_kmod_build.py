# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building the receiver the ways kmod/Makefile offers, against the lab kernel's headers with its own
compiler, in its build root (lab.build_kmod, W=1 and sparse). `make dkms-install` and `make install`
run in the guest booted from that build root, through pktgen_kmod's methods dkms and make
(test_pktgen_kmod.py). Nothing is built or installed on the controller itself."""

from ansible_collections.netlab.pktgen.tests.integration import lab


def test_the_build_root_builds_the_receiver_without_warnings(booted):
    kernel = lab.lab_state()["kernel"]
    out = lab.build_kmod(kernel, "C=1")
    assert "CHECK" in out, out  # sparse ran
    vermagic = lab.chroot("modinfo", "-F", "vermagic", lab.SCRATCH + "/kmod/pktgen_rx.ko").stdout
    assert vermagic.split()[0] == kernel
