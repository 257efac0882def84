# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod in the lab: built on the controller, copied and loaded with shell-only tasks."""

from ansible_collections.netlab.pktgen.tests.integration import lab

PLAYBOOK = "../tests/integration/playbooks/pktgen_kmod.yml"


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
