# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nic_tuning on lab-rx's virtio NIC, with the target's Python made unavailable."""

import json
import os

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

PLAYBOOK = "../tests/integration/playbooks/nic_tuning.yml"


def nic_state():
    """nic0's channels, IRQ CPUs, RPS, XPS and offloads, as nic_queues reads them."""
    code, out, hosts = lab.adhoc("lab-rx", "netlab.pktgen.nic_queues", json.dumps(dict(device="nic0")))
    assert code == 0, out[-3000:]
    return hosts["lab-rx"]["previous"]


def play(*extra):
    return lab.playbook_without_python(PLAYBOOK, *extra)


@pytest.fixture
def original(booted):
    before = nic_state()
    yield before
    lab.adhoc("lab-rx", "netlab.pktgen.nic_queues", json.dumps(dict(device="nic0", restore=before)))


def test_a_failed_run_still_restores_everything(original):
    code, out = play("-e", "fail_midway=true")
    assert code != 0 and "failed on purpose, halfway through" in out
    assert lab.recap(out)["lab-rx"]["failed"] == 1
    assert nic_state() == original  # channels, every IRQ's CPUs, RPS, XPS and offloads


def test_tuned_twice_changes_once_and_check_mode_changes_nothing(original):
    code, out = play("--check", "-e", "keep=true")
    assert code == 0, out[-3000:]
    assert nic_state() == original
    code, out = play("-e", "keep=true")
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] >= 1, out[-3000:]
    tuned = nic_state()
    assert tuned["channels"] == {"combined": 2} and tuned["rps"]["0"] == [1]
    assert tuned["features"]["generic-receive-offload"] is False
    code, out = play("-e", "keep=true")
    assert code == 0 and lab.recap(out)["lab-rx"]["changed"] == 0, out[-3000:]
    kept = os.path.join(lab.CACHE, "nic_tuning", "lab-rx.json")
    assert os.path.exists(kept)  # the runs with keep=true ended without restoring: their original is kept
    code, out = play("--check")
    assert code == 0 and nic_state() == tuned, out[-3000:]  # check mode: would restore, writes nothing
    # Tune (nothing to do) and restore: to the state before the first, unrestored run, not the tuned one.
    code, out = play()
    assert code == 0 and nic_state() == original and not os.path.exists(kept), out[-3000:]
