# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod: built on the controller (in the lab kernel's build root) and copied with
shell-only tasks; DKMS and make on a Debian target (the lab guest)."""

import os
import shlex

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


PERSIST = ("/etc/modules-load.d/pktgen_rx.conf", "/etc/modprobe.d/pktgen_rx.conf")


def leftovers(dest="/run/netlab-pktgen/pktgen_rx.ko"):
    """What of the receiver is on the guest: loaded, the controller method's copy (and its folder), the
    files pktgen_kmod_persist writes."""
    out = lab.raw_out(
        "lab-vm",
        "grep -q '^pktgen_rx ' /proc/modules && echo loaded; "
        'for f in %s %s %s; do [ -e "$f" ] && echo "$f"; done; true'
        % (shlex.quote(dest), shlex.quote(os.path.dirname(dest)), " ".join(PERSIST)),
    )
    return out.split()


def absent(*extra):
    return play("-e", "pktgen_kmod_state=absent", *extra)


def test_state_absent_unloads_and_removes_what_the_role_wrote_then_nothing_to_do(booted):
    """Method controller, shell only: check mode reports and keeps; absent removes; then nothing to do."""
    code, out = play()
    assert code == 0 and receiver() == "ingress", out[-4000:]
    # What pktgen_kmod_persist writes (methods dkms and make): removed by absent whatever the method.
    lab.raw("lab-vm", "printf 'pktgen\\npktgen_rx\\n' > %s && echo 'options pktgen_rx ' > %s" % PERSIST)
    loaded = ["loaded", "/run/netlab-pktgen/pktgen_rx.ko", "/run/netlab-pktgen", *PERSIST]
    assert leftovers() == loaded
    code, out = absent("--check")
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 1, out[-4000:]
    assert leftovers() == loaded and receiver() == "ingress"  # check mode changed nothing
    code, out = absent()
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 1, out[-4000:]
    assert leftovers() == []
    assert "rmmod pktgen_rx" in out and "rm -f /run/netlab-pktgen/pktgen_rx.ko" in out
    for extra in ((), ("--check",)):
        code, out = absent(*extra)
        assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 0, out[-4000:]
    code, out = play()  # present again, as the other tests expect
    assert code == 0 and receiver() == "ingress", out[-4000:]


def test_state_absent_remounts_a_read_only_destination_only_while_it_removes_the_copy(booted):
    dest = "/mnt/ro/netlab-pktgen/pktgen_rx.ko"
    code, out = absent()  # the loaded receiver would make present a no-op, with no copy at DEST
    assert code == 0 and leftovers() == [], out[-4000:]
    lab.raw("lab-vm", "mkdir -p /mnt/ro && mount -t tmpfs -o ro,size=8m netlab-ro /mnt/ro")
    try:
        code, out = play("-e", "pktgen_kmod_dest=%s" % dest)
        assert code == 0 and receiver() == "ingress", out[-4000:]
        assert leftovers(dest) == ["loaded", dest, os.path.dirname(dest)]
        code, out = absent("-v", "-e", "pktgen_kmod_dest=%s" % dest)
        assert code == 0 and "remounted /mnt/ro writable" in out and "remounted /mnt/ro read-only" in out, (
            out[-4000:]
        )
        assert leftovers(dest) == []
        assert " ro," in lab.raw_out("lab-vm", "grep ' /mnt/ro ' /proc/mounts")
        code, out = absent("-e", "pktgen_kmod_dest=%s" % dest)
        assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 0, out[-4000:]
    finally:
        lab.raw("lab-vm", "umount /mnt/ro")
    code, out = play()
    assert code == 0 and receiver() == "ingress", out[-4000:]


def guest_install(kernel):
    """What methods dkms and make leave in the guest: one line per thing found."""
    return lab.raw_out(
        "lab-vm",
        "grep -q '^pktgen_rx ' /proc/modules && echo loaded; "
        "modinfo -k %s -n pktgen_rx >/dev/null 2>&1 && echo modinfo; "
        "find /lib/modules -name 'pktgen_rx.ko*'; ls -d /usr/src/pktgen_rx-* 2>/dev/null; "
        "command -v dkms >/dev/null && dkms status -m pktgen_rx; "
        'for f in %s; do [ -e "$f" ] && echo "$f"; done; true' % (shlex.quote(kernel), " ".join(PERSIST)),
    ).splitlines()


@pytest.mark.guest_build
@pytest.mark.parametrize("method", ["dkms", "make"])
def test_on_a_debian_target_installs_once_then_absent_removes_it_all(booted, method):
    """Methods dkms and make (with pktgen_kmod_persist) on a Debian target with Python: the lab guest, booted
    from its kernel's build root, so its apt finds the headers, gcc, make and DKMS installed (it has no
    network). Installs once, then does nothing; then absent: DKMS's registration, the module files and
    depmod's entry, the source under /usr/src and the persist files all go. One install per method: each
    takes minutes under emulation."""
    kernel = lab.lab_state()["kernel"]
    # --limit: only ever the guest, never the controller (which packs the source: its own Python, so not
    # lab.WITH_PYTHON, an extra var that would reach the tasks delegated to it; the lab's inventory gives the
    # guest its Python).
    args = ("--limit", "lab-vm", "-e", "pktgen_kmod_method=%s pktgen_kmod_persist=true" % method)
    absent_args = args + ("-e", "pktgen_kmod_state=absent")
    removed = False
    try:
        lab.raw("lab-vm", "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx || true")
        code, out = lab.playbook(TARGET_PLAYBOOK, *args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] >= 1, out[-4000:]
        assert receiver() == "ingress"
        installed = guest_install(kernel)
        assert {"loaded", "modinfo", "/usr/src/pktgen_rx-0.1.0", *PERSIST} <= set(installed), installed
        if method == "dkms":  # kmod/Makefile's dkms-install, run in DKMS's copy of the source
            assert any(": installed" in line for line in installed), installed
        version = lab.raw_out("lab-vm", "modinfo -k %s -F version pktgen_rx" % kernel).strip()
        path = lab.raw_out("lab-vm", "modinfo -k %s -n pktgen_rx" % kernel).strip()
        # make: Kbuild's INSTALL_MOD_DIR, extra on 6.1, updates (and .ko.xz) on 6.12
        where = {"dkms": ["updates/dkms"], "make": ["extra", "updates"]}[method]
        assert version == "0.1.0" and os.path.dirname(path) in [
            "/lib/modules/%s/%s" % (kernel, w) for w in where
        ], path
        code, out = lab.playbook(TARGET_PLAYBOOK, *args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] == 0, out[-4000:]
        assert receiver() == "ingress" and guest_install(kernel) == installed
        if method == "dkms":  # absent's check mode is one script for both methods: once is enough
            code, out = lab.playbook(TARGET_PLAYBOOK, *absent_args, "--check")
            assert code == 0 and lab.recap(out)["lab-vm"]["changed"] == 1, out[-4000:]
            assert guest_install(kernel) == installed
        code, out = lab.playbook(TARGET_PLAYBOOK, *absent_args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] == 1, out[-4000:]
        assert [line for line in guest_install(kernel) if line.strip()] == []
        assert "not found" in lab.raw_out("lab-vm", "modprobe -n -v pktgen_rx 2>&1; true")  # depmod forgot it
        code, out = lab.playbook(TARGET_PLAYBOOK, *absent_args)
        assert code == 0 and lab.recap(out)["lab-vm"]["changed"] == 0, out[-4000:]
        removed = True
    finally:
        if not removed:  # a failure on the way: leave no install behind for the next tests
            lab.playbook(TARGET_PLAYBOOK, *absent_args)
        code, out = play()  # the receiver back, as the other tests expect
        assert code == 0 and receiver() == "ingress", out[-4000:]
