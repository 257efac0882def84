# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building the receiver the ways kmod/Makefile offers, against the lab kernel's headers."""

import glob
import os
import re
import subprocess

from ansible_collections.netlab.pktgen.tests.integration import lab


def pgrx_version():
    with open(os.path.join(lab.KMOD_DIR, "pktgen_rx.c"), encoding="utf-8") as handle:
        return re.search(r'^#define PGRX_VERSION "(.+)"', handle.read(), re.MULTILINE).group(1)


def test_dkms_install_builds_a_module_for_the_lab_kernel(booted):
    kernel = lab.lab_state()["kernel"]
    name = "pktgen_rx/" + pgrx_version()
    try:
        make = subprocess.run(
            ["make", "-C", lab.KMOD_DIR, "dkms-install", "KVER=" + kernel],
            capture_output=True,
            text=True,
            check=False,
        )
        assert make.returncode == 0, make.stdout + make.stderr
        status = lab.host_cmd("dkms", "status", name, "-k", kernel)
        assert "installed" in status, status
        built = glob.glob("/lib/modules/%s/updates/dkms/pktgen_rx.ko*" % kernel)
        assert built, "dkms installed nothing under /lib/modules/%s/updates/dkms" % kernel
        vermagic = lab.host_cmd("modinfo", "-F", "vermagic", built[0])
        assert vermagic.split()[0] == kernel
    finally:
        subprocess.run(["dkms", "remove", name, "--all"], capture_output=True, check=False)
        subprocess.run(["rm", "-rf", "/usr/src/pktgen_rx-" + pgrx_version()], check=False)
    assert not glob.glob("/lib/modules/%s/updates/dkms/pktgen_rx.ko*" % kernel)
