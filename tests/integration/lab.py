# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the virtual lab from tests: playbooks and ad-hoc commands with JSON results."""

import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CACHE = os.environ.get("NETLAB_PKTGEN_CACHE") or os.path.expanduser("~/.cache/netlab-pktgen")
STATE_FILE = os.path.join(CACHE, "run", "lab.json")
CONNECTION_FILE = os.path.join(ROOT, "inventories", "lab", "group_vars", "lab", "connection.yml")
HOST_NETNS = "netlab-pktgen-lab"
# The lab's kernel line for this session: stable, backports or an ABI name.
KERNEL = os.environ.get("LAB_KERNEL", "stable")


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


def raw(pattern, command):
    """Run COMMAND with the raw module on the hosts matching PATTERN; returns {host: result}."""
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
GUEST_KO = "/root/pktgen_rx.ko"


def build_kmod(kernel, *make_args):
    """Build kmod/ on the controller against KERNEL's headers (W=1); returns make's output.

    Fails on an error and on any warning, the compiler's or sparse's (with C=1).
    """
    kdir = "KDIR=/usr/src/linux-headers-%s" % kernel
    subprocess.run(["make", "-C", KMOD_DIR, kdir, "clean"], capture_output=True, check=False)
    build = subprocess.run(
        ["make", "-C", KMOD_DIR, kdir] + list(make_args), capture_output=True, text=True, check=False
    )
    out = build.stdout + build.stderr
    assert build.returncode == 0, out
    assert "warning:" not in out.lower(), out
    return out


def load_kmod(params=""):
    """Copy the built module into the guest and (re)load it there with module PARAMS."""
    copy = "src=%s/pktgen_rx.ko dest=%s" % (KMOD_DIR, GUEST_KO)
    code, out = run(["ansible", "lab-vm", "-m", "ansible.builtin.copy", "-a", copy])
    assert code == 0, out
    unload = "grep -q '^pktgen_rx ' /proc/modules && rmmod pktgen_rx"
    raw("lab-vm", "%s; modprobe pktgen && insmod %s %s" % (unload, GUEST_KO, params))
