# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the pktgen receiver from an action plugin."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx


def read_receiver(action, missing_ok=False):
    """Read the receiver on ACTION's target: (control file, parsed contents).

    With MISSING_OK, a target without a receiver gives (None, None) instead of failing.
    """
    rc, out, err = action.sh(pgrx.read_script())
    if rc == pgrx.NO_RECEIVER and missing_ok:
        return None, None
    if rc == pgrx.NO_RECEIVER:
        raise AnsibleActionFail(
            "no pktgen receiver on the target%s: neither %s exists. Load pktgen_rx.ko (kmod/ in this "
            "collection) or use a kernel that carries the original receiver"
            % (" in netns %s" % action.netns if action.netns else "", " nor ".join(pgrx.CONTROL_FILES))
        )
    if rc != 0:
        raise AnsibleActionFail("reading the receiver failed (rc %d): %s" % (rc, (err or out).strip()))
    path, text = pgrx.split_read(out)
    try:
        return path, pgrx.parse(text)
    except pgrx.PgrxError as exc:
        raise AnsibleActionFail("%s (from %s)" % (exc, path)) from exc
