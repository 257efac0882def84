# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""execution-environment.yml: the build context `ansible-builder create` makes from it.

The steps README's "Execution environments" section gives run here as written, in a temporary folder:
the collection tarball is built from this checkout with ansible-galaxy into .build/ee beside a copy of
the definition and the files it names, then `ansible-builder create` writes the context. The test reads
what it wrote: the Containerfile's base image, interpreter and ansible-core, the requirement files it
copies and hands to introspect.py, and the collection tarball in the context. introspect.py from the
context is then run on that tarball unpacked as the galaxy stage would install it, and bindep evaluates
the system packages for the base image's platform, as the build would. No container runtime is needed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
# What the definition chose (README: Execution environments).
BASE_IMAGE = "quay.io/centos/centos:stream9"
PYTHON = "/usr/bin/python3.12"
# bindep profiles of the base image (CentOS Stream 9), as `bindep --profiles` prints there.
CENTOS_PROFILES = ["default", "platform:centos", "platform:redhat", "platform:rpm", "platform:centos-9"]
DEBIAN_PROFILES = ["default", "platform:debian", "platform:dpkg", "platform:debian-12"]
LAB_ONLY = ("qemu", "qemu-system-x86", "qemu-utils", "qemu-img", "debootstrap", "e2fsprogs")

try:
    import ansible_builder  # noqa: F401  (only whether it is there)
    from bindep.depends import Depends
except ImportError:  # pragma: no cover - make venv installs both (requirements-test.txt)
    ansible_builder = None

pytestmark = pytest.mark.skipif(
    ansible_builder is None,
    reason="ansible-builder is not installed in this Python (requirements-test.txt pins it: make venv)",
)


def _read(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as src:
        return src.read()


def _requirement_names(text):
    """Project names of a pip requirements file, lower case, comments and blank lines left out."""
    names = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower().replace("_", "-"))
    return names


def _ansible_core_line():
    """ansible-core's requirement in requirements.txt (the range the collection runs with)."""
    lines = [
        line.split("#", 1)[0].strip()
        for line in _read(ROOT, "requirements.txt").splitlines()
        if line.strip().startswith("ansible-core")
    ]
    assert len(lines) == 1, "requirements.txt names ansible-core once"
    return lines[0]


def _run(argv, cwd):
    """Run ARGV in CWD, away from the checkout's ansible.cfg (its collections path holds this checkout,
    which would make ansible-galaxy find netlab.pktgen installed already)."""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("ANSIBLE_"))
    env["ANSIBLE_COLLECTIONS_PATH"] = str(cwd)
    done = subprocess.run(argv, cwd=str(cwd), env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, "%s: %s" % (" ".join(argv), done.stdout + done.stderr)
    return done.stdout + done.stderr


def _tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name)


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """(definition, context folder, Containerfile text, the copied definition's folder)."""
    tmp = tmp_path_factory.mktemp("ee")
    work = tmp / "checkout"
    work.mkdir()
    definition = yaml.safe_load(_read(ROOT, "execution-environment.yml"))
    shutil.copy(os.path.join(ROOT, "execution-environment.yml"), work)
    deps = definition["dependencies"]
    for key in ("python", "system"):
        assert isinstance(deps[key], str), "dependencies.%s names a file of the checkout" % key
        shutil.copy(os.path.join(ROOT, deps[key]), work / deps[key])
    _run(
        [_tool("ansible-galaxy"), "collection", "build", "--output-path", str(work / ".build" / "ee"), ROOT],
        tmp,
    )
    ctx = tmp / "context"
    output = _run(
        [
            _tool("ansible-builder"),
            "create",
            "-f",
            str(work / "execution-environment.yml"),
            "-c",
            str(ctx),
            "--output-filename",
            "Containerfile",
        ],
        tmp,
    )
    # A source that matched nothing is only a warning to ansible-builder: here it is a fault.
    assert "No matches for" not in output and "does not exist" not in output, output
    return definition, ctx, _read(ctx, "Containerfile"), work


def test_containerfile_names_the_base_image_and_interpreter(context):
    definition, _ctx, containerfile, _work = context
    assert definition["version"] == 3
    assert definition["images"]["base_image"]["name"] == BASE_IMAGE
    assert 'ARG EE_BASE_IMAGE="%s"' % BASE_IMAGE in containerfile.splitlines()
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile.splitlines()
    assert 'ARG PYCMD="%s"' % PYTHON in containerfile.splitlines()
    assert "RUN $PKGMGR install $PYPKG -y" in containerfile
    pypkg = re.search(r'^ARG PYPKG="([^"]*)"$', containerfile, re.M).group(1).split()
    assert "python3.12" in pypkg and "python3.12-pip" in pypkg


def test_containerfile_installs_ansible_core_from_requirements_range(context):
    _definition, _ctx, containerfile, _work = context
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"$', containerfile, re.M)
    assert refs, "the Containerfile installs ansible-core and ansible-runner with pip"
    assert _ansible_core_line() in refs.group(1).split(), (
        "the image's ansible-core is requirements.txt's %s" % _ansible_core_line()
    )
    assert any(word.startswith("ansible-runner") for word in refs.group(1).split())
    assert "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS" in containerfile


def test_python_requirements_are_in_the_context_and_handed_to_the_build(context):
    _definition, ctx, containerfile, _work = context
    copied = _read(ctx, "_build", "requirements.txt")
    names = _requirement_names(copied)
    assert names == _requirement_names(_read(ROOT, "requirements.txt"))
    assert {"netaddr", "matplotlib"} <= set(names)
    lines = containerfile.splitlines()
    assert "COPY _build/requirements.txt requirements.txt" in lines
    introspect = [line for line in lines if line.startswith("RUN $PYCMD /output/scripts/introspect.py")]
    assert len(introspect) == 1 and "--user-pip=requirements.txt" in introspect[0].split()
    assert "RUN /output/scripts/assemble" in lines


def test_system_packages_are_in_the_context_and_installed(context):
    _definition, ctx, containerfile, _work = context
    depends = Depends(_read(ctx, "_build", "bindep.txt"))
    on_centos = sorted(rule[0] for rule in depends.active_rules(CENTOS_PROFILES))
    on_debian = sorted(rule[0] for rule in depends.active_rules(DEBIAN_PROFILES))
    assert on_centos == ["openssh-clients"]
    assert on_debian == ["openssh-client"]
    lines = containerfile.splitlines()
    assert "COPY _build/bindep.txt bindep.txt" in lines
    introspect = [line for line in lines if line.startswith("RUN $PYCMD /output/scripts/introspect.py")]
    assert "--user-bindep=bindep.txt" in introspect[0].split()
    assert "RUN /output/scripts/install-from-bindep && rm -rf /output/wheels" in lines


def test_the_lab_tools_stay_out(context):
    _definition, ctx, _containerfile, _work = context
    depends = Depends(_read(ctx, "_build", "bindep.txt"))
    every = {rule[0] for rule in depends.active_rules(CENTOS_PROFILES)}
    every |= {rule[0] for rule in depends.active_rules(DEBIAN_PROFILES)}
    assert not every & set(LAB_ONLY)


def test_the_collection_is_in_the_context_and_installed_from_it(context):
    _definition, ctx, containerfile, _work = context
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as src:
        galaxy = yaml.safe_load(src)
    tarball_name = "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])
    requirements = yaml.safe_load(_read(ctx, "_build", "requirements.yml"))
    entries = requirements["collections"]
    assert len(entries) == 1 and entries[0]["type"] == "file"
    # COPY _build /build: a path under /build in the image is that path under _build in the context.
    lines = containerfile.splitlines()
    assert "COPY _build /build" in lines
    assert entries[0]["name"].startswith("/build/")
    in_context = os.path.join(ctx, "_build", entries[0]["name"][len("/build/") :])
    assert os.path.basename(in_context) == tarball_name, "the definition names galaxy.yml's version"
    assert os.path.isfile(in_context)
    install = [line for line in lines if "ansible-galaxy collection install" in line]
    assert len(install) == 1 and "-r requirements.yml" in install[0]
    assert "COPY --from=galaxy /usr/share/ansible /usr/share/ansible" in lines
    with tarfile.open(in_context) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
        members = set(tar.getnames())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        galaxy["namespace"],
        galaxy["name"],
        galaxy["version"],
    )
    for path in ("plugins/action/pktgen_tx.py", "roles/traffic_test/tasks/main.yml", "requirements.txt"):
        assert path in members
    # Nothing of the checkout's build areas and tool caches (ansible-lint's .ansible holds collections).
    junk = (".ansible", ".pytest_cache", ".ruff_cache", ".venv", ".build", ".git", "results")
    assert not [name for name in members if name.split("/")[0] in junk or "__pycache__" in name.split("/")]


def test_introspect_of_the_installed_collection_gives_its_requirements(context, tmp_path):
    """The builder stage's introspect.py, from the context, on the collection as the galaxy stage installs
    it: the pip and bindep lists the image gets."""
    _definition, ctx, _containerfile, work = context
    tarball = [name for name in os.listdir(work / ".build" / "ee") if name.endswith(".tar.gz")]
    installed = tmp_path / "collections"
    _run(
        [
            _tool("ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "-p",
            str(installed),
            str(work / ".build" / "ee" / tarball[0]),
        ],
        tmp_path,
    )
    assert (installed / "ansible_collections" / "netlab" / "pktgen" / "MANIFEST.json").is_file()
    pip_out, bindep_out = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    _run(
        [
            sys.executable,
            os.path.join(ctx, "_build", "scripts", "introspect.py"),
            "introspect",
            str(installed),
            "--user-pip=%s" % os.path.join(ctx, "_build", "requirements.txt"),
            "--user-bindep=%s" % os.path.join(ctx, "_build", "bindep.txt"),
            "--write-pip=%s" % pip_out,
            "--write-bindep=%s" % bindep_out,
        ],
        tmp_path,
    )
    pip_names = set(_requirement_names(pip_out.read_text(encoding="utf-8")))
    assert pip_names == {"ansible-core", "netaddr", "matplotlib"}
    # ansible-core only from the definition's file, in requirements.txt's range (the base stage's too);
    # the collection's own copy of requirements.txt gives netaddr and matplotlib again.
    core = [
        line for line in pip_out.read_text(encoding="utf-8").splitlines() if line.startswith("ansible-core")
    ]
    assert core == [_ansible_core_line() + "  # from collection user"]
    # Each line names where it came from: the user's file and the collection itself.
    assert "netlab.pktgen" in pip_out.read_text(encoding="utf-8")
    depends = Depends(bindep_out.read_text(encoding="utf-8"))
    assert sorted({rule[0] for rule in depends.active_rules(CENTOS_PROFILES)}) == ["openssh-clients"]
