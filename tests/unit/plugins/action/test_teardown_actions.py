# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The teardown's two tasks, pktgen_tx state absent and pktgen_rx state disabled, on targets as recorded.

The actions' act() runs with its shell round trips answered by outputs recorded from real kernels; the
scripts it sends are kept, so the test sees what would reach the target.
"""

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.netlab.pktgen.plugins.action import pktgen_rx, pktgen_tx
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx, pktgen
from ansible_collections.netlab.pktgen.plugins.plugin_utils.shell_action import ShellAction
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture


def recorded(name):
    return "".join(line for line in fixture(name).splitlines(True) if not line.startswith("#"))


def action(cls, answers):
    """An action whose sh() answers with ANSWERS in turn and keeps the scripts sent in .sent."""
    act = cls.__new__(cls)
    act.netns, act.round_trips, act.sent = "lab-tx", 0, []
    replies = iter(answers)

    def sh(script):
        act.sent.append(script)
        act.round_trips += 1
        return next(replies)

    act.sh = sh
    return act


def read(*threads_and_devices):
    """pktgen.read_script()'s output of a namespace whose files are the recorded ones given."""
    out = ["==> cpus 0-1", "==> loaded"]
    for name, text in threads_and_devices:
        out += ["==> file %s" % name, text.rstrip("\n")]
    return "\n".join(out) + "\n"


# lab-tx while nic0 sends on kpktgend_1 (count 0), as recorded from 6.1.
SENDING = read(
    ("kpktgend_0", "Running: \nStopped: \nResult: OK: \n"),
    ("kpktgend_1", recorded("pktgen-6.1-thread-running.txt")),
    ("nic0", recorded("pktgen-6.1-nic-run.txt").split("\n", 1)[1]),
)
EMPTY = read(("kpktgend_0", "Running: \nStopped: \nResult: OK: \n"), ("kpktgend_1", "Running: \nStopped: \n"))
ABSENT = dict(devices=[], state="absent", purge=True, netns=None)


def test_emptying_stops_a_run_still_sending_and_resets():
    act = action(pktgen_tx.ActionModule, [(0, SENDING, ""), (0, EMPTY, "")])
    res = act.act(dict(ABSENT), False, False)
    assert res["changed"] is True and res["stopped"] == ["nic0"] and res["devices"] == {}
    assert act.round_trips == 2
    rebuild = act.sent[1]
    apply = rebuild[rebuild.index("apply() {") : rebuild.index("restore() {")]
    # The reset (which stops kpktgend's devices) and nothing added after it.
    assert [line.strip() for line in apply.splitlines()[1:-1]] == ["pgset %s reset" % pktgen.PGCTRL]


def test_emptying_in_check_mode_reports_and_writes_nothing():
    act = action(pktgen_tx.ActionModule, [(0, SENDING, "")])
    res = act.act(dict(ABSENT), True, False)
    assert res["changed"] is True and res["stopped"] == ["nic0"] and list(res["devices"]) == ["nic0"]
    assert act.round_trips == 1


def test_emptying_an_empty_or_unloaded_pktgen_changes_nothing():
    for answer in (EMPTY, "==> cpus 0-1\n"):
        act = action(pktgen_tx.ActionModule, [(0, answer, "")])
        res = act.act(dict(ABSENT), False, False)
        assert res["changed"] is False and res["stopped"] == [] and act.round_trips == 1


def test_removing_named_devices_while_pktgen_sends_is_still_refused():
    act = action(pktgen_tx.ActionModule, [(0, SENDING, "")])
    args = dict(ABSENT, devices=[dict(name="nic0", threads=[1])])
    with pytest.raises(AnsibleActionFail, match="pktgen is sending on nic0"):
        act.act(args, False, False)


DISABLE = dict(
    state="disabled", devices=None, statistics=None, display=None, drop=None, reset=False, netns=None
)


def test_disabling_where_no_receiver_is_loaded_changes_nothing():
    act = action(pktgen_rx.ActionModule, [(pgrx.NO_RECEIVER, "", "")])
    assert act.act(dict(DISABLE), False, False) == dict(changed=False, commands=[], path=None, config=None)


def test_other_states_still_need_a_receiver():
    act = action(pktgen_rx.ActionModule, [(pgrx.NO_RECEIVER, "", "")])
    with pytest.raises(AnsibleActionFail, match="no pktgen receiver on the target in netns lab-tx"):
        act.act(dict(DISABLE, state="enabled", devices=["veth0"]), False, False)


def test_disabling_an_enabled_receiver_writes_rx_disable_and_a_disabled_one_nothing():
    enabled = "%s%s\n%s" % (
        pgrx.READ_MARKER,
        pgrx.CONTROL_FILES[0],
        recorded("pgrx-6.1-config-counter-script.txt"),
    )
    disabled = "%s%s\n%s" % (
        pgrx.READ_MARKER,
        pgrx.CONTROL_FILES[0],
        recorded("pgrx-6.1-config-disabled.txt"),
    )
    act = action(pktgen_rx.ActionModule, [(0, enabled, ""), (0, disabled, "")])
    res = act.act(dict(DISABLE), False, False)
    assert res["changed"] is True and res["commands"] == ["rx_disable"] and res["config"]["enabled"] is False
    act = action(pktgen_rx.ActionModule, [(0, disabled, "")])
    res = act.act(dict(DISABLE), False, False)
    assert res["changed"] is False and res["commands"] == [] and act.round_trips == 1


@pytest.mark.parametrize("device", ["x y", "a/b", "a:b", "", "sixteen-chars-xx"])
def test_the_receiver_refuses_what_cannot_be_a_device_name_before_any_round_trip(device):
    act = action(pktgen_rx.ActionModule, [])
    with pytest.raises(AnsibleActionFail, match="is not a network device name"):
        act.act(dict(DISABLE, state="enabled", devices=[device]), False, False)
    assert act.round_trips == 0


def test_the_shell_action_base_is_what_the_fake_replaces():
    assert pktgen_tx.ActionModule.sh is ShellAction.sh and pktgen_rx.ActionModule.sh is ShellAction.sh
