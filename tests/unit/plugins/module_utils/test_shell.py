# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shell commands every script runs through."""

import subprocess

from ansible_collections.netlab.pktgen.plugins.module_utils import shell


def run(command):
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)


def test_command_without_netns_runs_the_script():
    proc = run(shell.command("echo 'it ran'; exit 7"))
    assert (proc.returncode, proc.stdout) == (7, "it ran\n")


def test_a_missing_netns_has_an_exit_code_of_its_own():
    proc = run(shell.command("echo never", "netlab-pktgen-no-such-netns"))
    assert proc.returncode == shell.NO_NETNS
    assert proc.stdout == ""
    assert "no network namespace netlab-pktgen-no-such-netns" in proc.stderr
