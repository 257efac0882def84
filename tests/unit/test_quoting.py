# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every value that reaches a target's shell is data: device names, netns names, paths.

The kernel allows network device names with ``$``, backquotes, quotes, ``;``, ``*`` (only ``/``, ``:`` and
white space are refused), and ``ip netns`` takes names with blanks and newlines. Each script builder is run
under ``sh`` with hostile names: where the script reads the kernel, in a fake tree (the script's absolute
prefix, a constant the builders write, pointed at a temporary folder) with fake commands on PATH that
record the arguments they get; nothing the names carry may run (the marker file stays absent), and the
results name the device exactly.
"""

import os
import shlex
import subprocess

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host, pgrx, pktgen, queues, shell
from ansible_collections.netlab.pktgen.tests.unit.role_template import render

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARK = "pw"  # created in the script's working directory by any name that gets executed
# At most 15 bytes, no blanks, as the kernel allows; each would create pw if it reached the shell as code.
DEVICES = [
    "x$(>pw)",
    "x`>pw`",
    "x;>pw",
    "x'$(>pw)",
    'x"$(>pw)',
    "x|>pw",
    "x&>pw",
    "x\\$(>pw)",
    "x*",
    "-x$(>pw)",
]
# Network namespace names: files in /run/netns, so also blanks and newlines.
NETNS = DEVICES + ["a b$(touch pw)", "a\n$(touch pw)", "a\\'b"]


def fake_bin(tmp_path, names, then):
    """A folder of commands NAMES that append their arguments to $ARGS (NUL after each, a newline after
    each call), then run what THEN gives for the name."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name in names:
        path = folder / name
        path.write_text(
            '#!/bin/sh\n{ printf \'%%s\\0\' %s "$@"; echo; } >> "$ARGS"\n%s\n' % (name, then.get(name, ""))
        )
        path.chmod(0o755)
    return str(folder)


def run(script, tmp_path, *fakes, then=None):
    """SCRIPT under sh in TMP_PATH, FAKES first on PATH; fails if it is not sh or if the mark appeared."""
    env = dict(os.environ, ARGS=str(tmp_path / "args"))
    env["PATH"] = fake_bin(tmp_path, fakes, then or {}) + os.pathsep + env["PATH"]
    check = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    proc = subprocess.run(
        ["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert not (tmp_path / MARK).exists(), "a name was executed: %s" % proc.stderr
    return proc


def records(tmp_path):
    """The calls of the fake commands, each [name, arguments...]."""
    with open(tmp_path / "args", encoding="utf-8") as handle:
        return [chunk.split("\0") for chunk in handle.read().split("\0\n") if chunk]


def fake_nic(root, name, mac="02:00:00:00:00:01"):
    """A /sys/class/net/NAME in ROOT: address, mtu, operstate, flags, one rx and one tx queue."""
    dev = root / name
    (dev / "queues" / "rx-0").mkdir(parents=True)
    (dev / "queues" / "tx-0").mkdir(parents=True)
    (dev / "address").write_text(mac + "\n")
    (dev / "mtu").write_text("1500\n")
    (dev / "operstate").write_text("up\n")
    (dev / "flags").write_text("0x1003\n")
    (dev / "queues" / "rx-0" / "rps_cpus").write_text("0\n")
    (dev / "queues" / "tx-0" / "xps_cpus").write_text("0\n")
    return dev


def in_tree(script, sysfs):
    """SCRIPT reading the fake SYSFS for /sys/class/net (the builders write that prefix as a constant)."""
    assert "/sys/class/net/" in script
    return script.replace("/sys/class/net/", str(sysfs) + "/")


@pytest.mark.parametrize("name", DEVICES)
def test_host_facts_of_a_hostile_device_name(tmp_path, name):
    sysfs = tmp_path / "net"
    fake_nic(sysfs, name)
    proc = run(in_tree(host.facts_script(name), sysfs), tmp_path, "ethtool")
    nics = host.parse_facts(proc.stdout)["nics"]
    assert list(nics) == [name] and nics[name]["mac"] == "02:00:00:00:00:01", proc.stdout
    assert nics[name]["rx_queues"] == nics[name]["tx_queues"] == 1 and nics[name]["mtu"] == 1500
    # ethtool got the name as one argument: -i (no driver link in the fake tree), -l and -k.
    assert [call[1:] for call in records(tmp_path)] == [["-i", name], ["-l", name], ["-k", name]]


def test_host_facts_of_every_device_with_hostile_names(tmp_path):
    sysfs = tmp_path / "net"
    for index, name in enumerate(DEVICES):
        fake_nic(sysfs, name, "02:00:00:00:00:%02x" % index)
    script = host.facts_script().replace("/sys/class/net/*", str(sysfs) + "/*")
    proc = run(script, tmp_path, "ethtool")
    nics = host.parse_facts(proc.stdout)["nics"]
    assert sorted(nics) == sorted(DEVICES)
    assert [nics[name]["mac"] for name in DEVICES] == ["02:00:00:00:00:%02x" % i for i in range(len(DEVICES))]


@pytest.mark.parametrize("name", ["a/b", "a b", "a:b", "", ".", "..", "sixteen-chars-xx", "a\nb"])
def test_what_the_kernel_refuses_as_a_device_name_is_refused(name):
    assert not host.valid_device_name(name)
    with pytest.raises(ValueError, match="invalid network device name"):
        host.facts_script(name)


@pytest.mark.parametrize("name", DEVICES)
def test_nic_queues_writes_with_a_hostile_device_name(tmp_path, name):
    sysfs = tmp_path / "net"
    dev = fake_nic(sysfs, name)
    script = queues.write_script(
        name,
        channels="combined 2",
        rps=[(0, [0, 1])],
        xps=[(0, [1])],
        features=[("generic-receive-offload", False)],
    )
    proc = run(in_tree(script, sysfs), tmp_path, "ethtool")
    assert proc.returncode == 0, proc.stderr
    assert (dev / "queues" / "rx-0" / "rps_cpus").read_text() == "3\n"
    assert (dev / "queues" / "tx-0" / "xps_cpus").read_text() == "2\n"
    calls = [call[1:] for call in records(tmp_path)]
    assert calls[:2] == [["-L", name, "combined", "2"], ["-K", name, "generic-receive-offload", "off"]]
    assert queues.refusals(proc.stdout) == []
    assert list(host.parse_facts(proc.stdout)["nics"]) == [name]


@pytest.mark.parametrize("name", DEVICES)
def test_a_refused_channel_count_names_a_hostile_device_as_data(tmp_path, name):
    sysfs = tmp_path / "net"
    fake_nic(sysfs, name)
    script = in_tree(queues.write_script(name, channels="combined 9"), sysfs)
    proc = run(script, tmp_path, "ethtool", then={"ethtool": "echo 'Invalid argument'; exit 1"})
    assert proc.returncode == queues.CHANNELS_REFUSED
    assert proc.stderr == "ethtool -L %s combined 9: Invalid argument\n" % name


@pytest.mark.parametrize("name", DEVICES)
def test_receiver_commands_and_control_file_with_hostile_names(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    control = folder / "pgrx"
    control.write_text("")
    script = pgrx.write_script(str(control), ["rx %s" % name])
    proc = run(script, tmp_path)
    # A plain file answers with what was written (no Result: OK line): refused, exit 3, the command as data.
    assert proc.returncode == shell.REJECTED
    assert control.read_text() == "rx %s\n" % name
    assert proc.stderr == "rejected 'rx %s' in %s: \n" % (name, control)


@pytest.mark.parametrize("name", DEVICES)
def test_pgset_takes_path_and_line_as_one_argument_each(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "pgctrl"  # pgctrl has no Result: line: a written line is taken
    line = "add_device %s" % name
    script = "\n".join(shell.pgset_lines([(str(path), line)])) + "\n"
    proc = run(script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == line + "\n"
    for call in shell.pgset_calls([(str(path), line)]):
        assert shlex.split(call) == ["pgset", str(path), line]


@pytest.mark.parametrize("name", DEVICES)
def test_pktgen_read_script_with_hostile_interfaces(tmp_path, name):
    sysfs = tmp_path / "net"
    fake_nic(sysfs, name)
    proc = run(in_tree(pktgen.read_script([name, name + "2"]), sysfs), tmp_path)
    links = pktgen.parse_read(proc.stdout)["links"]
    assert links == {name: dict(operstate="up", up=True, mac="02:00:00:00:00:01"), name + "2": None}


@pytest.mark.parametrize("name", DEVICES)
def test_pktgen_rebuild_script_quotes_every_device(name):
    script = pktgen.rebuild_script(
        {0: [name]}, {name: ["count 10"]}, {1: [name + "@1"]}, {name + "@1": []}, [name]
    )
    subprocess.run(["sh", "-n", "-c", script], check=True)
    calls = [shlex.split(line) for line in script.splitlines() if line.strip().startswith("pgset ")]
    assert ["pgset", "/proc/net/pktgen/kpktgend_0", "add_device " + name] in calls
    assert ["pgset", "/proc/net/pktgen/" + name, "count 10"] in calls
    assert ["pgset", "/proc/net/pktgen/kpktgend_1", "add_device %s@1" % name] in calls


def test_pktgen_run_takes_device_names_from_the_threads_as_data(tmp_path):
    proc_dir = tmp_path / "pktgen"
    proc_dir.mkdir()
    names = ["x$(>pw)", "x*", "x`>pw`"]
    (proc_dir / "pgctrl").write_text("")
    (proc_dir / "kpktgend_0").write_text(
        "Running: \nStopped: %s \nResult: OK: add_device=x\n" % " ".join(names)
    )
    done = (
        "Current:\n     pkts-sofar: 5  errors: 0\n     started: 1us  stopped: 2us idle: 0us\n"
        "Result: OK: 1(c1+d0) usec, 5 (60byte,0frags)\n  5pps 0Mb/sec (2400bps) errors: 0\n"
    )
    for name in names:
        (proc_dir / name).write_text(done)
    (tmp_path / "x-glob-bait").write_text("")  # what x* would match if it were globbed in the working folder
    script = pktgen.run_script(duration=None, timeout=30).replace("P=/proc/net/pktgen", "P=%s" % proc_dir)
    proc = run(script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_ = pktgen.parse_run(proc.stdout)
    assert sorted(run_["devices"]) == sorted(names)
    assert all(dev["result"]["packets"] == 5 for dev in run_["devices"].values())
    assert (proc_dir / "pgctrl").read_text() == "start\n"


@pytest.mark.parametrize("netns", NETNS)
def test_a_hostile_netns_name_reaches_ip_as_one_argument(tmp_path, netns):
    runs = tmp_path / "netns"
    runs.mkdir()
    (runs / netns).write_text("")
    script = "printf '%s\\n' \"it ran\""
    command = (
        shell.command(script, netns)
        .replace("/var/run/netns/", "/nonexistent/")
        .replace("/run/netns/", str(runs) + "/")
    )
    proc = run(command, tmp_path, "ip", then={"ip": 'shift 3; exec "$@"'})
    assert proc.returncode == 0 and proc.stdout == "it ran\n", proc.stderr
    assert [call[1:] for call in records(tmp_path)] == [["netns", "exec", netns, "sh", "-c", script]]


@pytest.mark.parametrize("netns", NETNS)
def test_a_missing_hostile_netns_is_named_as_data(tmp_path, netns):
    proc = run(shell.command("echo never", netns), tmp_path, "ip")
    assert proc.returncode == shell.NO_NETNS and proc.stdout == ""
    assert proc.stderr == "no network namespace %s\n" % netns
    assert not os.path.exists(tmp_path / "args")


@pytest.mark.parametrize("netns", ["", "a/b", ".", ".."])
def test_a_netns_ip_cannot_name_is_refused(netns):
    with pytest.raises(ValueError, match="not a network namespace name"):
        shell.check_netns(netns)


@pytest.mark.parametrize("name", DEVICES + ["a b$(touch pw)", "a\nb$(>pw)"])
def test_the_removal_script_in_check_mode_names_a_hostile_destination_as_data(tmp_path, name):
    """pktgen_kmod_state=absent's script in check mode, its system paths in an empty tree under TMP_PATH
    (tests/unit/test_pktgen_kmod_absent.py runs it on a full one)."""
    folder = tmp_path / name
    folder.mkdir()
    dest = folder / "pktgen_rx.ko"
    dest.write_text("")
    script = render("absent.sh.j2", ansible_check_mode=True, pktgen_kmod_dest=str(dest))
    for path in ("/proc/modules", "/sys/module", "/usr/src", "/lib/modules", "/etc/"):
        assert path in script
        script = script.replace(path, str(tmp_path / "root") + path)
    proc = run(script, tmp_path, "rmmod", "dkms", "depmod", "mount")
    assert proc.returncode == 0, proc.stderr
    assert "change: rm -f %s\n" % dest in proc.stdout
    assert dest.exists()  # check mode: nothing removed, and of the commands only DKMS's status was asked
    assert records(tmp_path) == [["dkms", "status", "-m", "pktgen_rx"]]
    assert proc.stdout == "change: rm -f %s\n" % dest


def test_the_load_script_passes_module_parameters_as_words():
    script = render(
        "load.sh.j2",
        pktgen_kmod_dest="/run/a b/$(>pw).ko",
        pktgen_kmod_params="hook=prerouting  x=$(>pw)",
        pktgen_kmod_ko=dict(content="AAAA"),
    )
    subprocess.run(["sh", "-n", "-c", script], check=True)
    assert "dest='/run/a b/$(>pw).ko'\n" in script
    assert shlex.split(script.splitlines()[-1]) == ["insmod", "$dest", "hook=prerouting", "x=$(>pw)"]
