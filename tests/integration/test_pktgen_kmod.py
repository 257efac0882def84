# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod: built on the controller (in the lab kernel's build root) and copied with
shell-only tasks; DKMS and make on a Debian target (the lab guest)."""

import os

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

PLAYBOOK = "../tests/integration/playbooks/pktgen_kmod.yml"
TARGET_PLAYBOOK = "../tests/integration/playbooks/pktgen_kmod_target.yml"


def play(*extra):
    """The role on lab-rx, whose Python is made unavailable (the controller keeps its own)."""
    return lab.playbook_without_python(PLAYBOOK, *extra)


def receiver():
    return lab.raw_out(
        "lab-vm",
        "ip netns exec lab-rx test -e /proc/net/pktgen_rx/pgrx && cat /sys/module/pktgen_rx/parameters/hook",
    ).strip()


def test_build_copy_load_then_nothing_to_do(booted):
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx || true")
    code, out = play()
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] >= 1, out[-4000:]
    assert receiver() == "ingress"
    code, out = play()
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 0, out[-4000:]
    code, out = play("-e", "pktgen_kmod_params=hook=prerouting")
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] >= 1 and receiver() == "prerouting", out[-4000:]
    code, out = play("-e", "pktgen_kmod_params=hook=ingress")
    assert code == 0 and receiver() == "ingress", out[-4000:]
    code, out = play("--check")
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 0, out[-4000:]


def test_a_read_only_destination_is_remounted_only_while_written(booted):
    """Bifrost's read-only root, simulated by a tmpfs mounted read-only in the guest."""
    lab.raw("lab-vm", "mkdir -p /mnt/ro && mount -t tmpfs -o ro,size=8m netlab-ro /mnt/ro")
    try:
        lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx || true")
        code, out = play("-v", "-e", "pktgen_kmod_dest=/mnt/ro/netlab/pktgen_rx.ko")
        assert code == 0 and "remounted /mnt/ro writable" in out, out[-4000:]
        assert "remounted /mnt/ro read-only" in out
        assert receiver() == "ingress"
        mounts = lab.raw_out("lab-vm", "grep ' /mnt/ro ' /proc/mounts; ls /mnt/ro/netlab")
        assert " ro," in mounts and "pktgen_rx.ko" in mounts, mounts
    finally:
        lab.raw("lab-vm", "umount /mnt/ro")


@pytest.mark.parametrize("method", ["dkms", "make"])
def test_on_a_debian_target_installs_once_then_does_nothing(booted, method):
    """Methods dkms and make on a Debian target with Python: the lab guest, booted from its kernel's
    build root, so its apt finds the headers, gcc, make and DKMS installed (it has no network)."""
    kernel = lab.lab_state()["kernel"]
    args = ("-e", "pktgen_kmod_method=%s" % method) + lab.WITH_PYTHON
    lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx || true")
    try:
        code, out = lab.playbook(TARGET_PLAYBOOK, *args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] >= 1, out[-4000:]
        assert receiver() == "ingress"
        version = lab.raw_out("lab-vm", "modinfo -k %s -F version pktgen_rx" % kernel).strip()
        path = lab.raw_out("lab-vm", "modinfo -k %s -n pktgen_rx" % kernel).strip()
        # make: Kbuild's INSTALL_MOD_DIR, extra on 6.1, updates (and .ko.xz) on 6.12
        where = {"dkms": ["updates/dkms"], "make": ["extra", "updates"]}[method]
        assert version == "0.1.0" and os.path.dirname(path) in [
            "/lib/modules/%s/%s" % (kernel, w) for w in where
        ], path
        code, out = lab.playbook(TARGET_PLAYBOOK, *args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] == 0, out[-4000:]
        assert receiver() == "ingress"
    finally:
        lab.raw(
            "lab-vm",
            "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx;"
            " dkms remove pktgen_rx/0.1.0 --all >/dev/null 2>&1;"
            " rm -rf /lib/modules/%s/*/pktgen_rx.ko* /usr/src/pktgen_rx-0.1.0; depmod -a %s"
            % (kernel, kernel),
        )
    left = lab.raw_out(
        "lab-vm", "find /lib/modules/%s /var/lib/dkms -name 'pktgen_rx*' 2>/dev/null; true" % kernel
    )
    assert left.strip() == "", left
