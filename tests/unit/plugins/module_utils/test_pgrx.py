# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receiver output parsing, against pktgen_rx output recorded on Debian 12's 6.1 kernel."""

import subprocess

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pgrx
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

TOTALS = [
    ("pgrx-6.1-counter-human.txt", dict(packets=20000, bytes=1200000, work_us=0, pps=0, mbps=0, bps=0)),
    ("pgrx-6.1-counter-script.txt", dict(packets=20000, bytes=1200000, work_us=0, pps=0, mbps=0, bps=0)),
    (
        "pgrx-6.1-basic-human.txt",
        dict(packets=20000, bytes=1200000, work_us=158527, pps=126161, mbps=60, bps=60557507),
    ),
    (
        "pgrx-6.1-basic-script.txt",
        dict(packets=20000, bytes=1200000, work_us=181793, pps=110015, mbps=52, bps=52807313),
    ),
]


@pytest.mark.parametrize("name, total", TOTALS)
def test_counter_and_basic_in_both_layouts(name, total):
    out = pgrx.parse(fixture(name))
    display = name.split("-")[-1][: -len(".txt")]
    assert out["enabled"] is True
    assert out["display"] == display
    assert out["result"] == "OK: display %s" % display
    assert out["total"] == total
    assert out["cpus"] == {0: total}  # one CPU: its line equals the total


@pytest.mark.parametrize("name", ["pgrx-6.1-time-human.txt", "pgrx-6.1-time-script.txt"])
def test_time_level_series(name):
    out = pgrx.parse(fixture(name))
    cpu = out["cpus"][0]
    assert out["total"]["packets"] == cpu["packets"] == 20000
    assert cpu["interarrival"]["samples"] == 19999
    assert cpu["jitter"]["samples"] == 19999
    assert cpu["latency"]["samples"] == 20000
    for series in pgrx.SERIES:
        stats = cpu[series]
        assert set(stats) == set(pgrx.SERIES_FIELDS)
        assert stats["min_ns"] <= stats["avg_ns"] <= stats["max_ns"]
    # mean inter-arrival is (last - first) / (n - 1): work time in us, within its rounding
    work_ns = cpu["work_us"] * 1000
    assert abs(cpu["interarrival"]["avg_ns"] * 19999 - work_ns) <= 1000 + 19999


def test_both_layouts_of_one_run_agree():
    human = pgrx.parse(fixture("pgrx-6.1-nic-time-human.txt"))
    script = pgrx.parse(fixture("pgrx-6.1-nic-time-script.txt"))
    for out in (human, script):
        assert sorted(out["cpus"]) == [0, 1]
        assert sum(cpu["packets"] for cpu in out["cpus"].values()) == out["total"]["packets"] == 16000
        assert out["total"]["bytes"] == 16000 * 60
    assert script["cpus"][0]["latency"] == dict(
        avg_ns=518769, var_ns2=919916754218, max_ns=8192570, min_ns=57970, samples=10668
    )


def test_disabled():
    out = pgrx.parse(fixture("pgrx-6.1-disabled.txt"))
    assert out["enabled"] is False
    assert out["result"] == "OK: rx_disable"


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "printed no statistics"),
        ("Result: OK: ready\n", "printed no statistics"),
        ("0 1 60 0 0 0 0\nResult: OK\n", "no G line"),
        ("x 1 2 3\nG 1 60 0 0 0 0\n", "unexpected line"),
        ("\t\tRECEPTION STATISTICS\nCPU 0:\tRx packets: 1\t Rx bytes: 60\n", "no Global Statistics"),
    ],
)
def test_parse_refuses_what_it_cannot_read(text, words):
    with pytest.raises(pgrx.PgrxError, match=words):
        pgrx.parse(text)


def test_appended_fields_are_ignored():
    out = pgrx.parse("0 1 60 0 0 0 0\nG 1 60 0 0 0 0 99 98\n")
    assert out["total"]["packets"] == 1 and len(out["total"]) == 6
    assert out["percentiles"] == {}
    # at level time, past future (per CPU) and the series over all CPUs (G line)
    series = " 1 0 1 1 1" * 3
    out = pgrx.parse("0 2 120 0 0 0 0%s 0 77\nG 2 120 0 0 0 0%s 0%s 66\n" % (series, " 1" * 8, series))
    assert out["cpus"][0]["future"] == out["total"]["future"] == 0
    assert out["total"]["latency"] == out["cpus"][0]["latency"]
    assert len(out["total"]) == 6 + 1 + 3 and len(out["cpus"][0]) == 6 + 3 + 1


TWO_SENDERS = dict(received=20000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=20000)


@pytest.mark.parametrize("layout", ["human", "script"])
def test_percentiles_and_senders_of_one_run_in_both_layouts(layout):
    out = pgrx.parse(fixture("pgrx-6.12-two-senders-time-%s.txt" % layout))
    assert out["display"] == layout
    assert out["total"]["packets"] == 40000
    assert out["percentiles"] == {
        "interarrival": {"p50": 3520, "p90": 3648, "p99": 4736, "p99.9": 62464},
        "latency": {"p50": 2112, "p90": 2496, "p99": 2624, "p99.9": 28160},
    }
    assert out["senders"] == {"198.18.0.1": TWO_SENDERS, "198.18.0.11": TWO_SENDERS}
    assert out["untracked"] == 0
    assert out["cpus"][1]["latency"] == dict(
        avg_ns=2182, var_ns2=14124023, max_ns=361357, min_ns=1492, samples=20000
    )


@pytest.mark.parametrize("layout", ["human", "script"])
def test_senders_beyond_the_table_are_counted_as_untracked(layout):
    out = pgrx.parse(fixture("pgrx-6.12-20-senders-basic-%s.txt" % layout))
    assert out["percentiles"] == {}  # level basic
    assert len(out["senders"]) == 16
    assert out["untracked"] == 800
    assert sum(s["received"] for s in out["senders"].values()) + out["untracked"] == out["total"]["packets"]
    # one pktgen device whose source address changes: its seq_num is split over the senders
    assert out["senders"]["198.18.0.116"] == dict(
        received=200, lost=3781, reordered=0, duplicated=0, first_seq=16, last_seq=3996
    )


def test_ipv6_sender():
    out = pgrx.parse(fixture("pgrx-6.12-ipv6-basic-script.txt"))
    assert out["total"]["bytes"] == 5000 * 80
    assert out["senders"] == {
        "2001:2::1": dict(received=5000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=5000)
    }


ON = dict(enabled=True, rx=["veth0"], statistics="basic", display="human", drop=True, hook="ingress")
OFF = dict(ON, enabled=False)


def want(**kwargs):
    base = dict(state="enabled", devices=None, statistics=None, display=None, drop=None, reset=False)
    base.update(kwargs)
    return base


PLANS = [
    ("nothing asked, nothing written", ON, want(), []),
    ("same settings", ON, want(devices=["veth0"], statistics="basic", display="human", drop=True), []),
    ("device order does not matter", dict(ON, rx=["nic0", "veth0"]), want(devices=["veth0", "nic0"]), []),
    ("another device", ON, want(devices=["nic0"]), ["rx nic0"]),
    ("all", ON, want(devices=["all"]), ["rx all"]),
    ("enable a disabled receiver", OFF, want(devices=["veth0"]), ["rx veth0"]),
    (
        "level and layout",
        ON,
        want(statistics="time", display="script"),
        ["statistics time", "display script"],
    ),
    ("drop off", ON, want(drop=False), ["drop off"]),
    ("reset alone", ON, want(reset=True), ["rx_reset"]),
    ("reset comes with rx", ON, want(devices=["nic0"], reset=True), ["rx nic0"]),
    ("reset comes with statistics", ON, want(statistics="time", reset=True), ["statistics time"]),
    ("display does not reset", ON, want(display="script", reset=True), ["display script", "rx_reset"]),
    ("disable", ON, want(state="disabled"), ["rx_disable"]),
    ("already disabled", OFF, want(state="disabled"), []),
    (
        "original receiver: all that is asked",
        None,
        want(devices=["eth1"], statistics="time"),
        ["rx eth1", "statistics time"],
    ),
    ("original receiver: disable", None, want(state="disabled"), ["rx_disable"]),
]


@pytest.mark.parametrize(
    "config, wanted, commands", [case[1:] for case in PLANS], ids=[case[0] for case in PLANS]
)
def test_plan(config, wanted, commands):
    assert pgrx.plan(config, wanted) == commands


@pytest.mark.parametrize("config", [OFF, None], ids=["disabled", "original receiver"])
def test_plan_needs_devices_to_enable(config):
    with pytest.raises(pgrx.PgrxError, match="name the devices"):
        pgrx.plan(config, want(statistics="time"))


def test_apply_predicts_the_settings():
    after = pgrx.apply(OFF, ["rx nic0 veth0", "statistics time", "display script", "drop off", "rx_reset"])
    assert after == dict(
        enabled=True, rx=["nic0", "veth0"], statistics="time", display="script", drop=False, hook="ingress"
    )
    assert pgrx.apply(ON, ["rx_disable"]) == OFF


def test_read_and_write_scripts_run_against_files(tmp_path):
    control = tmp_path / "pgrx"
    control.write_text("Not enabled.\nResult: OK: ready\n")
    script = pgrx.read_script().replace(pgrx.CONTROL_FILES[0], str(control))
    proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
    path, body = pgrx.split_read(proc.stdout)
    assert (proc.returncode, path) == (0, str(control))
    assert pgrx.parse(body)["enabled"] is False
    # a plain file has no Result: OK after the write, as when the receiver refuses a command
    script = pgrx.write_script(str(control), ["rx veth0"])
    proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert "rejected 'rx veth0' in %s" % control in proc.stderr


def test_read_script_says_when_there_is_no_receiver(tmp_path):
    script = pgrx.read_script()
    for path in pgrx.CONTROL_FILES:
        script = script.replace(path, str(tmp_path / "absent"))
    proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == pgrx.NO_RECEIVER


@pytest.mark.parametrize("line", ["Config: enabled yes", "Config: enabled yes rx veth0 statistics"])
def test_parse_config_refuses_a_line_it_cannot_read(line):
    with pytest.raises(pgrx.PgrxError, match="unexpected Config line"):
        pgrx.parse_config(line)


def test_config_line_recorded_from_the_module():
    out = pgrx.parse(fixture("pgrx-6.1-config-counter-script.txt"))
    assert out["total"]["packets"] == 1000
    assert out["config"] == dict(
        enabled=True, rx=["veth0", "nic0"], statistics="counter", display="script", drop=False, hook="ingress"
    )
    disabled = pgrx.parse(fixture("pgrx-6.1-config-disabled.txt"))
    assert disabled["enabled"] is False
    assert disabled["config"] == dict(out["config"], enabled=False)
    # what the modules plan from it
    assert pgrx.plan(disabled["config"], want(devices=["nic0", "veth0"])) == ["rx nic0 veth0"]
    assert pgrx.plan(out["config"], want(devices=["nic0", "veth0"], drop=False)) == []


def test_outputs_without_a_config_line_have_none():
    assert pgrx.parse(fixture("pgrx-6.1-basic-script.txt"))["config"] is None


@pytest.mark.parametrize("kernel", ["6.1"])
def test_future_and_exact_series_recorded_in_both_layouts(kernel):
    """Frames stamped ahead of the receiver clock count as future, not latency; G has the exact series."""
    script = pgrx.parse(fixture("pgrx-%s-future-time-script.txt" % kernel))
    human = pgrx.parse(fixture("pgrx-%s-future-time-human.txt" % kernel))
    total = script["total"]
    assert total["future"] == human["total"]["future"] > 0
    assert total["future"] == sum(cpu["future"] for cpu in script["cpus"].values())
    for number, cpu in script["cpus"].items():
        assert human["cpus"][number] == cpu  # the same run, read in both layouts
        assert cpu["latency"]["samples"] + cpu["future"] == cpu["packets"]
        assert cpu["interarrival"]["samples"] == cpu["packets"] - 1
        assert cpu["jitter"]["samples"] == max(cpu["latency"]["samples"] - 1, 0)
    for name in pgrx.SERIES:
        assert set(total[name]) == set(pgrx.SERIES_FIELDS)
        assert total[name]["samples"] == sum(cpu[name]["samples"] for cpu in script["cpus"].values())
        assert total[name]["min_ns"] == min(cpu[name]["min_ns"] for cpu in script["cpus"].values())
        assert total[name]["max_ns"] == max(cpu[name]["max_ns"] for cpu in script["cpus"].values())
    # one CPU: the exact combination over CPUs is that CPU's own series
    if len(script["cpus"]) == 1:
        cpu = next(iter(script["cpus"].values()))
        assert all(total[name] == cpu[name] for name in pgrx.SERIES)
    # random stamps in the past are far more than 2^42 ns old: the latency series sits at the cap
    assert total["latency"]["max_ns"] == (1 << 42) - 1
    assert human["percentiles"] == script["percentiles"]


def test_future_fields_as_recorded_on_6_1():
    out = pgrx.parse(fixture("pgrx-6.1-future-time-script.txt"))
    assert out["total"]["future"] == out["cpus"][0]["future"] == 156  # as malformed_frames.py counted
    assert out["total"]["latency"]["samples"] == 20793 and out["total"]["packets"] == 20949
    assert out["total"]["jitter"] == dict(
        avg_ns=167740040265, var_ns2=709591770583789103103305, max_ns=(1 << 42) - 1, min_ns=0, samples=20792
    )
