# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Galaxy path as a user takes it (README: Install): build the collection's tarball, install it
into a collections path of its own, run `netlab.pktgen.throughput` by FQCN from a folder outside the
checkout with a copy of the lab's inventory, and find the results in that folder. Once per
ansible-core version given (NETLAB_PKTGEN_CORE_VENVS: virtualenvs, `make core-range` builds the lowest
and newest; by default the one running the tests)."""

import json
import os
import re
import shutil
import subprocess
import tarfile

import jsonschema
import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab
from ansible_collections.netlab.pktgen.tests.integration.test_throughput import SCHEMA

VENVS = os.environ.get("NETLAB_PKTGEN_CORE_VENVS", "").split() or [os.path.dirname(lab.BIN)]


def in_venv(venv, args, cwd, **env):
    """ARGS with VENV's ansible, from CWD, with nothing of the checkout's settings (ansible.cfg, the
    collections link): what a shell in CWD with that virtualenv on PATH runs."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    clean.update(env, PWD=str(cwd), PATH=os.path.join(venv, "bin") + os.pathsep + clean.get("PATH", ""))
    proc = subprocess.run(  # noqa: S603 - the venv's own ansible commands
        [os.path.join(venv, "bin", args[0])] + list(args[1:]),
        cwd=str(cwd),
        env=clean,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def checkout_results():
    path = os.path.join(lab.ROOT, "results")
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The tarball `ansible-galaxy collection build` makes in a clean checkout's copy of the tree."""
    out = tmp_path_factory.mktemp("dist")
    code, log = in_venv(
        VENVS[0], ["ansible-galaxy", "collection", "build", lab.ROOT, "--output-path", str(out)], out
    )
    assert code == 0, log
    (name,) = os.listdir(out)
    return out / name


def test_the_tarball_holds_only_what_git_tracks(tarball):
    """Nothing built in the checkout (kmod's .ko and .o, venvs, results, the lab's connection file) is
    shipped: every member is a tracked file, or the two manifests Galaxy writes."""
    tracked = set(lab.host_cmd("git", "-C", lab.ROOT, "ls-files").split("\n"))
    with tarfile.open(tarball) as tar:
        files = {m.name for m in tar.getmembers() if m.isfile()}
    extra = files - tracked - {"MANIFEST.json", "FILES.json"}
    assert not extra, sorted(extra)
    assert {"kmod/pktgen_rx.c", "playbooks/throughput.yml", "roles/traffic_test/tasks/main.yml"} <= files


@pytest.mark.parametrize("venv", VENVS, ids=os.path.basename)
def test_installed_from_the_tarball_throughput_runs_by_fqcn_outside_the_checkout(
    booted, tarball, tmp_path, venv
):
    collections, work = tmp_path / "collections", tmp_path / "work"
    work.mkdir()
    code, out = in_venv(venv, ["ansible", "--version"], work)
    assert code == 0, out
    core = re.search(r"\[core ([0-9.]+)\]", out).group(1)
    print("ansible-core", core)  # which one ran, in the test's log
    code, out = in_venv(
        venv, ["ansible-galaxy", "collection", "install", "-p", str(collections), str(tarball)], work
    )
    assert code == 0, out
    # The user's own inventory: a copy of the lab's (with the connection details lab-up wrote).
    shutil.copytree(os.path.join(lab.ROOT, "inventories", "lab"), work / "inventory")
    before = checkout_results()
    playbook = ["ansible-playbook", "-i", "inventory", "netlab.pktgen.throughput"]
    env = dict(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR="1")
    if tuple(map(int, core.split(".")[:2])) < (2, 19):  # README: ansible-core versions
        code, out = in_venv(venv, playbook, work, **env)
        assert code != 0 and "Set ANSIBLE_JINJA2_NATIVE=1 in the environment" in out.replace("\n", " "), out[
            -3000:
        ]
        assert "Load pktgen" not in out and not os.path.exists(work / "results")  # stopped before anything
        env["ANSIBLE_JINJA2_NATIVE"] = "1"
    code, out = in_venv(venv, playbook, work, **env)
    assert code == 0, out[-5000:]
    (folder,) = os.listdir(work / "results")
    with open(work / "results" / folder / "results.json", encoding="utf-8") as src:
        doc = json.load(src)
    jsonschema.validate(doc, SCHEMA)
    assert doc["complete"] and len(doc["points"]) == 3, doc["points"]
    assert all(p["passed"] and p["received"] == p["sent"] > 0 for p in doc["points"]), doc["points"]
    # The collection that ran is the installed one, the only one on that collections path.
    code, out = in_venv(
        venv,
        ["ansible-galaxy", "collection", "list", "netlab.pktgen"],
        work,
        ANSIBLE_COLLECTIONS_PATH=str(collections),
    )
    assert code == 0 and str(collections) in out and "0.1.0" in out, out
    assert checkout_results() == before  # nothing written into the checkout
