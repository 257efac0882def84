# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a latency can be trusted: do sender and receiver read one clock, or how far apart are theirs.

Plain Python with no Ansible imports. pktgen stamps each packet with the
sender's wall clock and the receiver subtracts that from its own, so latency
is exact only in one kernel (network namespaces share its clock); across
hosts it is off by however far their clocks disagree. Hosts in one kernel
have the same boot id (/proc/sys/kernel/random/boot_id). Otherwise the
clocks must be declared synchronised, and each host's offset from the common
reference is read: PTP from ptp4l (pmc 'GET TIME_STATUS_NP', master_offset
in ns), NTP from chrony (chronyc -c tracking, field 5, the system time's
offset in seconds).
"""

from __future__ import annotations

import re

SYNC_METHODS = ("none", "ptp", "ntp")


class ClockError(ValueError):
    """Clocks that cannot give a latency; the message says why and the fix."""


def parse_pmc_time_status(text):
    """ns the host's clock is off its PTP master (0 on the grandmaster itself)."""
    match = re.search(r"^\s*master_offset\s+(-?\d+)\s*$", text, re.MULTILINE)
    if not match:
        raise ClockError("no master_offset in pmc's answer (is ptp4l running?): %r" % text[-300:])
    return int(match.group(1))


def parse_chronyc_tracking(text):
    """ns the host's clock is off NTP time, from ``chronyc -c tracking``."""
    lines = [line for line in text.splitlines() if line.count(",") >= 13 and not line.startswith("#")]
    if not lines:
        raise ClockError(
            "chronyc -c tracking printed no tracking line (is chronyd running?): %r" % text[-300:]
        )
    fields = lines[-1].split(",")
    if fields[13].strip() == "Not synchronised":
        raise ClockError("chrony is not synchronised (chronyc tracking: Leap status Not synchronised)")
    return int(round(float(fields[4]) * 1e9))


def offset_ns(text, method):
    """The host's offset from the common reference by METHOD (ptp or ntp)."""
    if method == "ptp":
        return parse_pmc_time_status(text)
    if method == "ntp":
        return parse_chronyc_tracking(text)
    raise ClockError("latency_clock_sync %r: give none, ptp or ntp" % method)


def check(boot_ids, sync="none", offsets=None):
    """Whether latency can be measured between the hosts of BOOT_IDS ({host: boot id}).

    Returns ok, reason (why not, and the fix), shared_kernel, sync, offsets_ns and error_ns (the most two
    hosts' clocks can disagree: the sum of the two largest offsets; 0 in one kernel). Not ok when the
    hosts run several kernels and SYNC is none.
    """
    if sync not in SYNC_METHODS:
        raise ClockError("latency_clock_sync %r: give none, ptp or ntp" % (sync,))
    kernels = sorted(set(boot_ids.values()))
    if len(kernels) <= 1:
        return dict(ok=True, reason=None, shared_kernel=True, sync="kernel", offsets_ns={}, error_ns=0)
    if sync == "none":
        groups = dict((kernel, sorted(h for h, k in boot_ids.items() if k == kernel)) for kernel in kernels)
        names = "; ".join(", ".join(hosts) for hosts in groups.values())
        reason = (
            "latency needs sender and receiver on one clock, and these hosts run %d kernels (%s): run them "
            "in one kernel (network namespaces, as the virtual lab does), or synchronise their clocks "
            "with PTP or NTP and set latency_clock_sync=ptp or ntp, which then reports the sync "
            "error with the latency" % (len(kernels), names)
        )
        return dict(ok=False, reason=reason, shared_kernel=False, sync=sync, offsets_ns={}, error_ns=None)
    worst = sorted((abs(value) for value in (offsets or {}).values()), reverse=True)
    return dict(
        ok=True,
        reason=None,
        shared_kernel=False,
        sync=sync,
        offsets_ns=dict(offsets or {}),
        error_ns=sum(worst[:2]),
    )
