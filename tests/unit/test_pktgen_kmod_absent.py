# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod's removal script (pktgen_kmod_state=absent) in a fake system tree.

The script's absolute paths (/proc/modules, /sys/module, /usr/src, /lib/modules, /etc, /var/lib/dkms) are
pointed at a temporary folder laid out as each method leaves a host; rmmod, dkms and depmod are fakes that
act on that tree and record their calls. The lab runs the real thing (tests/integration/test_pktgen_kmod.py).
"""

import os
import re
import subprocess

import pytest
from ansible_collections.netlab.pktgen.tests.unit.role_template import render

PATHS = ("/proc/modules", "/sys/module", "/usr/src", "/lib/modules", "/etc/modules-load.d", "/etc/modprobe.d")
FAKES = {
    "rmmod": 'sed -i "/^$1 /d" "$FAKE/proc/modules"',
    "dkms": (
        'case $1 in status) for v in "$FAKE"/var/lib/dkms/pktgen_rx/*; do [ -d "$v" ] &&'
        ' echo "pktgen_rx/${v##*/}, 6.1.0-9-amd64, x86_64: installed"; done ;;'
        ' remove) rm -rf "$FAKE/var/lib/dkms/pktgen_rx/$5"'
        ' "$FAKE"/lib/modules/*/updates/dkms/pktgen_rx.ko ;; esac'
    ),
    "depmod": "",
}


def script(tmp_path, check_mode=False, dest=None):
    text = render(
        "absent.sh.j2",
        ansible_check_mode=check_mode,
        pktgen_kmod_dest=dest or str(tmp_path / "run/netlab-pktgen/pktgen_rx.ko"),
    )
    for path in PATHS:
        assert path in text, path
        text = text.replace(path, str(tmp_path) + path)
    # Nothing outside TMP_PATH: every absolute path the script names is one of PATHS (or the destination).
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    named = re.findall(r"(?<![\w$}.])/(?:proc|sys|usr|lib|etc|var|run|boot)\b[^\s'\"]*", code)
    assert named == [], named
    return text


def run(tmp_path, **kwargs):
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name, body in FAKES.items():
        (folder / name).write_text('#!/bin/sh\necho "%s $*" >> "$FAKE/calls"\n%s\n' % (name, body))
        (folder / name).chmod(0o755)
    env = dict(os.environ, FAKE=str(tmp_path), PATH=str(folder) + os.pathsep + os.environ["PATH"])
    text = script(tmp_path, **kwargs)
    subprocess.run(["sh", "-n", "-c", text], check=True)
    return subprocess.run(["sh", "-c", text], env=env, capture_output=True, text=True, check=False)


def tree(tmp_path):
    return sorted(
        os.path.relpath(os.path.join(top, name), tmp_path)
        for top, dirs, files in os.walk(tmp_path)
        for name in dirs + files
        if not os.path.relpath(top, tmp_path).startswith("bin") and name not in ("bin", "calls")
    )


@pytest.fixture
def installed(tmp_path):
    """A host every method has been at: loaded, DKMS for 6.1, make install for 6.12 (.ko.xz), the persist
    files, the controller method's copy; and files that are not the role's."""
    files = {
        "proc/modules": "pktgen_rx 16384 0 - Live 0x0\npktgen 65536 0 - Live 0x0\n",
        "sys/module/pktgen_rx/refcnt": "0\n",
        "usr/src/pktgen_rx-0.1.0/dkms.conf": "",
        "usr/src/linux-headers-6.1.0-9-amd64/Makefile": "",
        "var/lib/dkms/pktgen_rx/0.1.0/source": "",
        "lib/modules/6.1.0-9-amd64/updates/dkms/pktgen_rx.ko": "",
        "lib/modules/6.1.0-9-amd64/kernel/net/core/pktgen.ko": "",
        "lib/modules/6.12.0-1-amd64/updates/pktgen_rx.ko.xz": "",
        "etc/modules-load.d/pktgen_rx.conf": "pktgen\npktgen_rx\n",
        "etc/modprobe.d/pktgen_rx.conf": "options pktgen_rx \n",
        "etc/modprobe.d/other.conf": "",
        "run/netlab-pktgen/pktgen_rx.ko": "",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "sys/module/pktgen_rx/holders").mkdir()
    return tree(tmp_path)


KEPT = [
    "etc",
    "etc/modprobe.d",
    "etc/modprobe.d/other.conf",
    "etc/modules-load.d",
    "lib",
    "lib/modules",
    "lib/modules/6.1.0-9-amd64",
    "lib/modules/6.1.0-9-amd64/kernel",
    "lib/modules/6.1.0-9-amd64/kernel/net",
    "lib/modules/6.1.0-9-amd64/kernel/net/core",
    "lib/modules/6.1.0-9-amd64/kernel/net/core/pktgen.ko",
    "lib/modules/6.1.0-9-amd64/updates",
    "lib/modules/6.1.0-9-amd64/updates/dkms",
    "lib/modules/6.12.0-1-amd64",
    "lib/modules/6.12.0-1-amd64/updates",
    "proc",
    "proc/modules",
    "run",
    "sys",
    "sys/module",
    "sys/module/pktgen_rx",
    "sys/module/pktgen_rx/holders",
    "sys/module/pktgen_rx/refcnt",
    "usr",
    "usr/src",
    "usr/src/linux-headers-6.1.0-9-amd64",
    "usr/src/linux-headers-6.1.0-9-amd64/Makefile",
    "var",
    "var/lib",
    "var/lib/dkms",
    "var/lib/dkms/pktgen_rx",
]


def test_removes_what_every_method_wrote_then_has_nothing_to_do(tmp_path, installed):
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stdout.splitlines() if line.startswith("change: ")] == [
        "change: rmmod pktgen_rx",
        "change: dkms remove -m pktgen_rx -v 0.1.0 --all",
        "change: rm -rf %s/usr/src/pktgen_rx-0.1.0" % tmp_path,
        "change: rm -f %s/lib/modules/6.12.0-1-amd64/updates/pktgen_rx.ko.xz" % tmp_path,
        "change: depmod -a 6.12.0-1-amd64",
        "change: rm -f %s/etc/modules-load.d/pktgen_rx.conf" % tmp_path,
        "change: rm -f %s/etc/modprobe.d/pktgen_rx.conf" % tmp_path,
        "change: rm -f %s/run/netlab-pktgen/pktgen_rx.ko" % tmp_path,
        "change: rmdir %s/run/netlab-pktgen" % tmp_path,
    ]
    assert tree(tmp_path) == KEPT
    assert (tmp_path / "proc/modules").read_text() == "pktgen 65536 0 - Live 0x0\n"  # pktgen stays
    again = run(tmp_path)
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr
    assert tree(tmp_path) == KEPT


def test_check_mode_reports_the_same_and_changes_nothing(tmp_path, installed):
    proc = run(tmp_path, check_mode=True)
    assert proc.returncode == 0, proc.stderr
    # Each change a real run makes (the test above lists them) but the folder's rmdir, which follows the
    # copy's removal; and DKMS's module file, which only `dkms remove` would have taken away: none made.
    dkms_ko = "%s/lib/modules/6.1.0-9-amd64/updates/dkms/pktgen_rx.ko" % tmp_path
    assert proc.stdout.splitlines() == [
        "change: rmmod pktgen_rx",
        "change: dkms remove -m pktgen_rx -v 0.1.0 --all",
        "change: rm -rf %s/usr/src/pktgen_rx-0.1.0" % tmp_path,
        "change: rm -f %s" % dkms_ko,
        "change: depmod -a 6.1.0-9-amd64",
        "change: rm -f %s/lib/modules/6.12.0-1-amd64/updates/pktgen_rx.ko.xz" % tmp_path,
        "change: depmod -a 6.12.0-1-amd64",
        "change: rm -f %s/etc/modules-load.d/pktgen_rx.conf" % tmp_path,
        "change: rm -f %s/etc/modprobe.d/pktgen_rx.conf" % tmp_path,
        "change: rm -f %s/run/netlab-pktgen/pktgen_rx.ko" % tmp_path,
    ]
    assert tree(tmp_path) == installed
    assert (tmp_path / "calls").read_text() == "dkms status -m pktgen_rx\n"  # asked, nothing done


@pytest.mark.parametrize("refcnt, holders", [("1", []), ("0", ["pktgen_rx_user"])])
def test_a_module_in_use_is_refused_with_nothing_removed(tmp_path, installed, refcnt, holders):
    (tmp_path / "sys/module/pktgen_rx/refcnt").write_text(refcnt + "\n")
    for name in holders:
        (tmp_path / "sys/module/pktgen_rx/holders" / name).mkdir()
    proc = run(tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("pktgen_rx is in use (refcnt %s" % refcnt)
    assert "nothing was removed" in proc.stderr and all(name in proc.stderr for name in holders)
    assert tree(tmp_path) == sorted(installed + ["sys/module/pktgen_rx/holders/%s" % n for n in holders])


def test_a_copy_elsewhere_keeps_its_folder(tmp_path, installed):
    dest = tmp_path / "root" / "pktgen_rx.ko"
    dest.parent.mkdir()
    dest.write_text("")
    proc = run(tmp_path, dest=str(dest))
    assert proc.returncode == 0 and "change: rm -f %s\n" % dest in proc.stdout
    assert dest.parent.is_dir() and not dest.exists()
