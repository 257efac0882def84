# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether latency can be trusted, from boot ids and the clock offsets ptp4l and chrony report (recorded)."""

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import clock
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def test_offsets_as_ptp4l_and_chrony_report_them():
    assert clock.offset_ns(fixture("pmc-time-status-slave.txt"), "ptp") == 897
    assert clock.offset_ns(fixture("pmc-time-status-master.txt"), "ptp") == 0
    assert clock.offset_ns(fixture("chronyc-tracking-synchronised.txt"), "ntp") == -3189


@pytest.mark.parametrize(
    "text, method, words",
    [
        ("chronyc-tracking-unsynchronised.txt", "ntp", "chrony is not synchronised"),
        ("pgrx-6.1-basic-script.txt", "ptp", "no master_offset in pmc's answer"),
        ("pgrx-6.1-basic-script.txt", "ntp", "printed no tracking line"),
        ("pmc-time-status-slave.txt", "gps", "latency_clock_sync 'gps': give none, ptp or ntp"),
    ],
)
def test_clocks_that_give_no_offset_say_why(text, method, words):
    with pytest.raises(clock.ClockError, match=words):
        clock.offset_ns(fixture(text), method)


def test_one_kernel_needs_nothing():
    res = clock.check({"lab-tx": "a", "lab-rx": "a"})
    assert res == dict(ok=True, reason=None, shared_kernel=True, sync="kernel", offsets_ns={}, error_ns=0)


def test_two_kernels_are_refused_unless_synchronised():
    res = clock.check({"tx": "a", "rx": "b"})
    assert res["ok"] is False
    assert "these hosts run 2 kernels (tx; rx)" in res["reason"] and "latency_clock_sync=ptp" in res["reason"]
    res = clock.check({"tx": "a", "rx": "b", "gm": "c"}, "ptp", {"tx": 116, "rx": -40, "gm": 0})
    assert res["ok"] and res["shared_kernel"] is False and res["error_ns"] == 156
