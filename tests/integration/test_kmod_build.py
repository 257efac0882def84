# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building the receiver the ways kmod/Makefile offers, against the lab kernel's headers with its own
compiler: in its build root (lab.build_kmod, W=1 and sparse) and, for DKMS, in the guest booted from
that build root. Nothing is built or installed on the controller itself."""

import os
import re

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

GUEST_SOURCE = "/root/kmod-dkms"


def pgrx_version():
    with open(os.path.join(lab.KMOD_DIR, "pktgen_rx.c"), encoding="utf-8") as handle:
        return re.search(r'^#define PGRX_VERSION "(.+)"', handle.read(), re.MULTILINE).group(1)


def test_the_build_root_builds_the_receiver_without_warnings(booted):
    kernel = lab.lab_state()["kernel"]
    out = lab.build_kmod(kernel, "C=1")
    assert "CHECK" in out, out  # sparse ran
    vermagic = lab.chroot("modinfo", "-F", "vermagic", lab.SCRATCH + "/kmod/pktgen_rx.ko").stdout
    assert vermagic.split()[0] == kernel


@pytest.mark.guest_build
def test_dkms_install_builds_a_module_for_the_lab_kernel(booted):
    kernel = lab.lab_state()["kernel"]
    name = "pktgen_rx/" + pgrx_version()
    installed = "/lib/modules/%s/updates/dkms" % kernel
    try:
        lab.kmod_in_guest(GUEST_SOURCE)
        lab.raw("lab-vm", "make -C %s dkms-install KVER=%s" % (GUEST_SOURCE, kernel))
        status = lab.raw_out("lab-vm", "dkms status %s -k %s" % (name, kernel))
        assert "installed" in status, status
        built = lab.raw_out("lab-vm", "ls %s/pktgen_rx.ko*" % installed).split()
        assert built, "dkms installed nothing under %s" % installed
        vermagic = lab.raw_out("lab-vm", "modinfo -F vermagic %s" % built[0])
        assert vermagic.split()[0] == kernel
    finally:
        lab.raw(
            "lab-vm",
            "dkms remove %s --all >/dev/null 2>&1; rm -rf /usr/src/pktgen_rx-%s %s"
            % (name, pgrx_version(), GUEST_SOURCE),
        )
    left = lab.raw_out("lab-vm", "ls %s/pktgen_rx.ko* /var/lib/dkms/pktgen_rx 2>/dev/null; true" % installed)
    assert left.strip() == "", left
