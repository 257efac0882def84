# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the virtual lab from tests: playbooks and ad-hoc commands with JSON results."""

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml
from ansible_collections.netlab.pktgen.tests.unit import role_template

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CACHE = os.environ.get("NETLAB_PKTGEN_CACHE") or os.path.expanduser("~/.cache/netlab-pktgen")
STATE_FILE = os.path.join(CACHE, "run", "lab.json")
CONNECTION_FILE = os.path.join(ROOT, "inventories", "lab", "group_vars", "lab", "connection.yml")
HOST_NETNS = "netlab-pktgen-lab"
# The lab's kernel line for this session: stable, backports or an ABI name.
KERNEL = os.environ.get("LAB_KERNEL", "stable")
# With an ABI name: the line whose build root has it (stable or backports).
KERNEL_LINE = os.environ.get("LAB_KERNEL_LINE", "stable")


def _env():
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        # One line of JSON per task result: messages are never wrapped.
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        PATH=BIN + os.pathsep + env.get("PATH", ""),
    )
    return env


def run(args, timeout=1800):
    """Run an ansible command from the checkout; returns (returncode, output)."""
    proc = subprocess.run(
        [os.path.join(BIN, args[0])] + list(args[1:]),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def playbook(name, *extra):
    """Run playbooks/NAME; returns (returncode, output)."""
    return run(["ansible-playbook", os.path.join("playbooks", name)] + list(extra))


_RECAP = re.compile(
    r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.MULTILINE
)


def recap(output):
    """PLAY RECAP as {host: {ok, changed, unreachable, failed, skipped}}."""
    keys = ("ok", "changed", "unreachable", "failed", "skipped")
    return dict((m.group(1), dict(zip(keys, map(int, m.groups()[1:])))) for m in _RECAP.finditer(output))


# traffic_test_min_offered_ratio for tests about the loss they inject (netem, a policer), not about the
# generator: the lab's emulated sender stalls for tens of ms now and then, and pktgen catches up after a
# stall, so a 1 s trial offers 0.95-0.99 of its rate (2026-12-06: 0.945 and 0.983 in one run) and is
# generator_limited at the default 0.99. 0.9 still tells a sender that cannot offer the rate at all.
STALL_TOLERANT_OFFERED_RATIO = 0.9

# The collection's modules need no Python on the target: their tests run without it unless a test
# asks for it (WITH_PYTHON), so the whole module suite also proves that.
NO_PYTHON = ("-e", "ansible_python_interpreter=/nonexistent/python3")
WITH_PYTHON = ("-e", "ansible_python_interpreter=auto_silent")


def no_python_inventory(folder):
    """-i arguments for the lab's inventory with the lab hosts' Python made unavailable (a file in FOLDER);
    the controller (localhost, and tasks delegated to it) keeps its own, which an
    ``-e ansible_python_interpreter`` would take away."""
    path = os.path.join(folder, "no-python.yml")
    with open(path, "w", encoding="utf-8") as out:
        out.write("all:\n  hosts:\n")
        for host in ("lab-vm", "lab-tx", "lab-rx"):
            out.write(
                "    %s:\n      ansible_python_interpreter: %s\n" % (host, NO_PYTHON[1].split("=", 1)[1])
            )
    return ["-i", os.path.join(ROOT, "inventories", "lab"), "-i", path]


def playbook_without_python(name, *extra):
    """Run playbooks/NAME with the lab hosts' Python made unavailable (no_python_inventory)."""
    with tempfile.TemporaryDirectory() as tree:
        return playbook(name, *(no_python_inventory(tree) + list(extra)))


def spawn_playbook(name, log, *extra):
    """Start playbooks/NAME in its own session (a process group to signal), output into the file LOG."""
    return subprocess.Popen(  # noqa: S603 - our own ansible-playbook
        [os.path.join(BIN, "ansible-playbook"), os.path.join("playbooks", name)] + list(extra),
        cwd=ROOT,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def adhoc(pattern, module, args, *extra):
    """Run MODULE with ARGS on the hosts matching PATTERN; returns (returncode, output, {host: result}).

    The collection's own modules run with the targets' Python made unavailable, unless EXTRA sets
    ansible_python_interpreter (WITH_PYTHON).
    """
    if module.startswith("netlab.pktgen.") and not any("ansible_python_interpreter" in arg for arg in extra):
        extra = NO_PYTHON + tuple(extra)
    with tempfile.TemporaryDirectory() as tree:
        code, out = run(["ansible", pattern, "-m", module, "-a", args, "--tree", tree] + list(extra))
        hosts = {}
        for host in os.listdir(tree):
            with open(os.path.join(tree, host), encoding="utf-8") as handle:
                hosts[host] = json.load(handle)
    return code, out, hosts


# lab-vm, lab-tx and lab-rx are one guest behind one SSH endpoint (lab-tx and lab-rx differ only by
# their netns, which raw commands name themselves).
GUEST_HOSTS = ("lab-vm", "lab-tx", "lab-rx")


def _ssh_argv():
    """ssh to the guest as Ansible connects (connection.yml), over one master connection that
    ends itself 30 s after the last command (or with the guest)."""
    with open(CONNECTION_FILE, encoding="utf-8") as handle:
        conn = yaml.safe_load(handle)
    return (
        ["ssh", "-p", str(conn["ansible_port"]), "-i", conn["ansible_ssh_private_key_file"]]
        + shlex.split(conn["ansible_ssh_common_args"])
        + ["-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", "ControlPersist=30s"]
        + ["-o", "ControlPath=" + os.path.join(CACHE, "run", "ssh-%C")]
        + ["%s@%s" % (conn["ansible_user"], conn["ansible_host"]), "--"]
    )


def raw(pattern, command):
    """Run COMMAND in the guest's shell for the hosts matching PATTERN; returns {host: result}, each
    with stdout (and stderr after it, as the raw module's terminal merges them).

    One lab host and a command without Jinja: straight over SSH (0.16 s against 0.70 s for an
    `ansible` run, measured in the lab); otherwise the raw module, templating and inventory as a
    playbook sees them."""
    if pattern in GUEST_HOSTS and "{{" not in command:
        # stdin from /dev/null: ssh makes its stdin non-blocking, and an inherited one would stay so
        # for the ansible processes started after it (which refuse non-blocking standard streams)
        proc = subprocess.run(  # noqa: S603 - ssh to our own lab guest
            _ssh_argv() + [command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, "raw %r failed (rc %d): %s" % (command, proc.returncode, out[-3000:])
        return {pattern: {"rc": 0, "stdout": out}}
    code, out, hosts = adhoc(pattern, "ansible.builtin.raw", command)
    assert code == 0, "raw %r failed: %s" % (command, out[-3000:])
    return hosts


def raw_out(host, command):
    """stdout of COMMAND on one host."""
    return raw(host, command)[host]["stdout"]


def lab_state():
    with open(STATE_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def host_cmd(*argv):
    """Run a command on the controller; returns stdout."""
    return subprocess.run(list(argv), capture_output=True, text=True, check=True).stdout


KMOD_DIR = os.path.join(ROOT, "kmod")
KMOD_SOURCES = ("pktgen_rx.c", "pgrx_compat.h", "pgrx_stats.h", "Kbuild", "Makefile", "dkms.conf")
GUEST_KO = "/root/pktgen_rx.ko"
# Inside a build root: where tests build the receiver (the guest image never gets this folder).
SCRATCH = "/var/tmp/netlab-pktgen"


def build_root():
    """The running lab's build root: the Debian tree (a chroot) with the lab kernel's headers, its
    compiler, sparse and DKMS; the guest booted from a copy of it."""
    return lab_state()["build_root"]


def chroot(*argv, check=True):
    """Run ARGV in the running lab's build root with a clean environment; returns CompletedProcess.

    With roles/pktgen_kmod's own prefix (pktgen_kmod_in_build_root): in a mount and PID namespace of
    its own with its own /proc in the tree (objtool from 7.2 on reads /proc), gone with the command.
    """
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LC_ALL": "C.UTF-8"}
    inside = role_template.value("pktgen_kmod_in_build_root", pktgen_kmod_build_root=build_root())
    proc = subprocess.run(  # noqa: S603 - our own build root
        inside + list(argv), capture_output=True, text=True, check=False, env=env
    )
    assert not check or proc.returncode == 0, "chroot %s failed: %s" % (argv, proc.stdout + proc.stderr)
    return proc


def processes_in_cache():
    """PIDs of processes whose root directory (a chroot) is inside the lab's cache."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            root = os.readlink("/proc/%s/root" % pid)
        except OSError:
            continue
        if root.startswith(CACHE + os.sep):
            found.append(int(pid))
    return found


def kmod_in_build_root(name):
    """Copy kmod/'s sources into the build root's SCRATCH/NAME (emptied first); returns that path
    as seen inside the build root."""
    inside = "%s/%s" % (SCRATCH, name)
    outside = build_root() + inside
    shutil.rmtree(outside, ignore_errors=True)
    os.makedirs(outside)
    for source in KMOD_SOURCES:
        shutil.copy(os.path.join(KMOD_DIR, source), outside)
    return inside


def build_kmod(kernel, *make_args):
    """Build kmod/ against KERNEL's headers (W=1) with the build root's own compiler; the module
    lands in kmod/pktgen_rx.ko. Returns make's output.

    Fails on an error and on any warning, the compiler's or sparse's (with C=1).
    """
    inside = kmod_in_build_root("kmod")
    kdir = "KDIR=/usr/src/linux-headers-%s" % kernel
    build = chroot("make", "-C", inside, kdir, *make_args, check=False)
    out = build.stdout + build.stderr
    assert build.returncode == 0, out
    assert "warning:" not in out.lower(), out
    shutil.copy(build_root() + inside + "/pktgen_rx.ko", os.path.join(KMOD_DIR, "pktgen_rx.ko"))
    return out


def put_file(path, guest_path):
    """Copy the controller's file PATH to GUEST_PATH on the lab guest, straight over SSH (the copy
    module runs Python in the guest: about 6 s under emulation, against a fraction of a second)."""
    with open(path, "rb") as src:
        proc = subprocess.run(  # noqa: S603 - ssh to our own lab guest
            _ssh_argv() + ["cat > %s" % shlex.quote(guest_path)], stdin=src, capture_output=True, check=False
        )
    assert proc.returncode == 0, "copying %s to the guest failed: %r" % (path, proc.stderr[-2000:])


def load_kmod(params=""):
    """Copy the built module into the guest and (re)load it there with module PARAMS."""
    put_file(os.path.join(KMOD_DIR, "pktgen_rx.ko"), GUEST_KO)
    unload = "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx"
    raw("lab-vm", "%s; modprobe pktgen && insmod %s %s" % (unload, GUEST_KO, params))


# What the lab must leave as it found it on the controller: the package database, the kernels'
# folders and apt's configuration.
HOST_PACKAGES = ("dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\\n")
HOST_TREES = ("boot", "lib/modules", "etc/apt")


def host_snapshot(top="/"):
    """The controller's state the lab must not change: installed packages (when dpkg is there) and,
    under TOP, every file of HOST_TREES with its type, mode and content digest (links: target)."""
    snap = {}
    if top == "/" and shutil.which(HOST_PACKAGES[0]):
        out = subprocess.run(list(HOST_PACKAGES), capture_output=True, text=True, check=True).stdout
        snap.update(("package " + line.split()[1], line) for line in out.splitlines() if line.strip())
    for tree in HOST_TREES:
        base = os.path.join(top, tree)
        if not os.path.lexists(base):
            snap[tree] = "absent"
            continue
        snap[tree] = _file_state(base)
        for folder, dirs, files in os.walk(base):
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(folder, name)
                snap[os.path.relpath(path, top)] = _file_state(path)
    return snap


def _file_state(path):
    info = os.lstat(path)
    if os.path.islink(path):
        return "link -> " + os.readlink(path)
    if os.path.isdir(path):
        return "dir %o" % info.st_mode
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    return "file %o %s" % (info.st_mode, digest)


def snapshot_diff(before, after):
    """Lines naming what differs between two host_snapshot()s (empty: nothing changed)."""
    lines = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            lines.append("%s: %s -> %s" % (key, before.get(key, "(none)"), after.get(key, "(none)")))
    return lines
