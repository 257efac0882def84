# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins decide before touching anything: the folder to resume, the pktgen devices."""

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.action import pktgen_results, pktgen_tx
from ansible_collections.netlab.pktgen.plugins.module_utils import results
from ansible_collections.netlab.pktgen.plugins.plugin_utils import generator

NOW = "2026-11-26T14:00:00.000000Z"
PLAN = [dict(key="rate=10kpps size=60 flows=1", rate="10kpps", pkt_size=60, flows=1)]


def test_resuming_a_folder_that_does_not_exist_names_it(tmp_path):
    folder = str(tmp_path / "throughput-20261126T140000Z")
    with pytest.raises(AnsibleActionFail, match="resume=%s: no such results folder" % folder):
        pktgen_results._check_resume(folder, results.load(folder), "throughput")


def test_resuming_a_folder_without_results_names_it(tmp_path):
    with pytest.raises(AnsibleActionFail, match="the folder holds no results.json, so no run to resume"):
        pktgen_results._check_resume(str(tmp_path), results.load(str(tmp_path)), "throughput")


def test_resuming_another_experiments_folder_says_which(tmp_path):
    results.save(str(tmp_path), results.new("rfc2544", PLAN, {}, {}, NOW))
    with pytest.raises(
        AnsibleActionFail, match="holds a rfc2544 run, not throughput; resume it with rfc2544.yml"
    ):
        pktgen_results._check_resume(str(tmp_path), results.load(str(tmp_path)), "throughput")


def test_a_folder_of_this_experiment_resumes(tmp_path):
    results.save(str(tmp_path), results.new("throughput", PLAN, {}, {}, NOW))
    pktgen_results._check_resume(str(tmp_path), results.load(str(tmp_path)), "throughput")


def spec(**options):
    out = dict((key, value.get("default")) for key, value in generator.DEVICE_OPTIONS.items())
    out.update(name="veth0", dst="198.18.0.2", dst_mac="02:c6:12:00:00:02", **options)
    return out


def test_two_threads_are_two_pktgen_devices_each_with_its_source():
    declared = pktgen_tx._declare([spec(threads=[0, 1], srcs=["198.19.128.1", "198.19.128.2"])], "present")
    assert sorted(declared) == ["veth0@0", "veth0@1"]
    assert [(declared[dev][0], declared[dev][1]["src_min"]) for dev in sorted(declared)] == [
        (0, "198.19.128.1"),
        (1, "198.19.128.2"),
    ]


def test_srcs_that_do_not_match_the_threads_fail_naming_the_device():
    with pytest.raises(
        AnsibleActionFail, match=r"devices\[0\] \(veth0\): srcs .* one source address per thread"
    ):
        pktgen_tx._declare([spec(threads=[0, 1], srcs=["198.19.128.1"])], "present")
