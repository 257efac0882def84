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

# pgset FILE LINE: write LINE, then insist on "Result: OK" (pgctrl has no Result: line).
SH_PGSET = r"""pgset() {
    if ! printf '%s\n' "$2" 2>/dev/null >"$1"; then
        r=$(sed -n 's/^Result: //p' "$1" 2>/dev/null)
        case "$r" in OK:*) r= ;; esac  # an earlier write's line: pktgen gave no reason
        echo "rejected '$2' in $1: ${r:-write failed, no reason given}" >&2
        exit 3
    fi
    case "$1" in */pgctrl) return 0 ;; esac
    r=$(sed -n 's/^Result: //p' "$1")
    case "$r" in
    OK:*) ;;
    *) echo "rejected '$2' in $1: $r" >&2; exit 3 ;;
    esac
}
"""


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
