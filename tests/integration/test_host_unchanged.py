# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab leaves the controller as it found it: after the session's tests and lab-down, the package
database, /boot, /lib/modules and /etc/apt are what they were before the lab came up (conftest.py
took the snapshot at the session's start)."""

import os

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab


def test_the_snapshot_sees_a_new_module_a_new_apt_source_and_a_changed_kernel(tmp_path):
    os.makedirs(tmp_path / "etc" / "apt" / "sources.list.d")
    (tmp_path / "boot").mkdir()
    (tmp_path / "boot" / "vmlinuz-1").write_text("a")
    before = lab.host_snapshot(str(tmp_path))
    assert lab.snapshot_diff(before, lab.host_snapshot(str(tmp_path))) == []
    os.makedirs(tmp_path / "lib" / "modules" / "1" / "updates")
    (tmp_path / "lib" / "modules" / "1" / "updates" / "pktgen_rx.ko").write_text("")
    (tmp_path / "etc" / "apt" / "sources.list.d" / "extra.sources").write_text("")
    (tmp_path / "boot" / "vmlinuz-1").write_text("b")
    diff = "\n".join(lab.snapshot_diff(before, lab.host_snapshot(str(tmp_path))))
    assert "lib/modules: absent -> dir" in diff
    assert "lib/modules/1/updates/pktgen_rx.ko: (none) -> file" in diff
    assert "etc/apt/sources.list.d/extra.sources: (none) -> file" in diff
    assert "boot/vmlinuz-1: file" in diff


@pytest.mark.final
def test_after_the_lab_is_down_the_host_is_as_it_was(host_before):
    assert host_before, "conftest.py took no snapshot at the session's start"
    code, out = lab.playbook("lab.yml", "-e", "lab_state=absent")  # a no-op after test_lab's lab-down
    assert code == 0, out[-3000:]
    diff = lab.snapshot_diff(host_before, lab.host_snapshot())
    print("host before/after the session: %d entries, %d differ" % (len(host_before), len(diff)))
    assert diff == [], "the lab changed the controller:\n" + "\n".join(diff[:50])
