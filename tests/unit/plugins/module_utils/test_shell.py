# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shell commands every script runs through."""

import subprocess

import pytest
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


def read_with(tmp_path, call, text):
    """Run CALL (rd, result or show on a file holding TEXT) after shell.SH_READ; (rc, stdout)."""
    path = tmp_path / "file"
    path.write_text(text)
    proc = run(
        'set -u\n%s%s %s\nprintf \'v=[%%s] r=[%%s]\\n\' "${v:-}" "${r:-}"' % (shell.SH_READ, call, path)
    )
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("text", ["0-3\n", "0-3", " 2 \nsecond\n", "a\\tb\n"])
def test_rd_takes_the_first_line_as_cat_would(tmp_path, text):
    assert read_with(tmp_path, "rd", text) == (0, "v=[%s] r=[]\n" % text.split("\n")[0])


def test_rd_of_a_missing_file_is_empty_and_no_error():
    proc = run('set -u\n%srd /nonexistent/netlab-pktgen; echo "rc=$? v=[$v]"' % shell.SH_READ)
    assert (proc.stdout, proc.stderr) == ("rc=0 v=[]\n", "")


def test_result_is_the_text_after_result_and_show_prints_the_file(tmp_path):
    pktgen_file = "Params: count 10\n     started: 5us  stopped: 9us idle: 0ns\nResult: OK: count=10\n"
    assert read_with(tmp_path, "result", pktgen_file) == (0, "v=[] r=[OK: count=10]\n")
    assert read_with(tmp_path, "result", "Params: count 10\n") == (0, "v=[] r=[]\n")
    assert read_with(tmp_path, "show", pktgen_file) == (0, pktgen_file + "v=[] r=[]\n")
    assert read_with(tmp_path, "show", "no newline") == (0, "no newline\nv=[] r=[]\n")
