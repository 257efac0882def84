# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""POSIX sh for procfs control files: verified writes and network namespaces.

Pure Python with no Ansible imports. pktgen and the receiver both answer a
write by updating a ``Result:`` line in the file written to, and some rejected
values still let the write succeed, so every write is read back.
"""

from __future__ import annotations

import shlex

# Exit code of a script whose write the kernel refused.
REJECTED = 3
# Exit code of command() when its network namespace does not exist (ip netns exec
# itself would exit 255, which an SSH connection takes for its own failure).
NO_NETNS = 125

# Reading files without starting a program (a fork and an exec each: about 0.14 s in the emulated lab
# guest): rd FILE sets v to its first line (empty when it cannot be read); result FILE sets r to what
# follows "Result: " on its Result: line (empty when there is none); show FILE prints it, as cat would.
# Some sysfs files give the shell's read (one byte at a time) nothing although cat reads them (6.1's
# cpu topology lists): rd asks cat then.
SH_READ = r"""rd() {
    v=
    { IFS= read -r v || :; } 2>/dev/null <"$1"
    [ -n "$v" ] || v=$(cat "$1" 2>/dev/null) || :
}
show() { { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done; } <"$1"; }
result() {
    r=
    { while IFS= read -r l || [ -n "$l" ]; do
        case $l in "Result: "*) r=${l#Result: }; break ;; esac
    done; } 2>/dev/null <"$1"
    return 0
}
"""

# pgset FILE LINE: write LINE, then insist on "Result: OK" (pgctrl has no Result: line).
SH_PGSET = (
    SH_READ
    + r"""pgset() {
    if ! printf '%s\n' "$2" 2>/dev/null >"$1"; then
        result "$1"
        case "$r" in OK:*) r= ;; esac  # an earlier write's line: pktgen gave no reason
        echo "rejected '$2' in $1: ${r:-write failed, no reason given}" >&2
        exit 3
    fi
    case "$1" in */pgctrl) return 0 ;; esac
    result "$1"
    case "$r" in
    OK:*) ;;
    *) echo "rejected '$2' in $1: $r" >&2; exit 3 ;;
    esac
}
"""
)


def pgset_calls(writes):
    """One verified write per (file, line): the calls of the pgset function, which must come first."""
    return ["pgset %s %s" % (shlex.quote(path), shlex.quote(line)) for path, line in writes]


def pgset_lines(writes):
    """Script lines: the pgset function, then one verified write per (file, line)."""
    return ["set -u", SH_PGSET.rstrip("\n")] + pgset_calls(writes)


def check_netns(netns):
    """NETNS if ``ip netns`` can name a namespace so (a file in /run/netns); ValueError otherwise.

    Any other character is data: command() quotes the name wherever it reaches the shell.
    """
    if not netns or "/" in netns or "\0" in netns or netns in (".", ".."):
        raise ValueError("netns %r: not a network namespace name (no /, not . or ..)" % (netns,))
    return netns


def command(script, netns=None):
    """A shell command that runs SCRIPT with sh, inside network namespace NETNS when given.

    SCRIPT and NETNS reach the target's shell as quoted words only.
    """
    if not netns:
        return "sh -c %s" % shlex.quote(script)
    ns = shlex.quote(check_netns(netns))
    return (
        "if [ ! -e /run/netns/%s ] && [ ! -e /var/run/netns/%s ]; then "
        "echo 'no network namespace '%s >&2; exit %d; fi; ip netns exec %s sh -c %s"
        % (ns, ns, ns, NO_NETNS, ns, shlex.quote(script))
    )
