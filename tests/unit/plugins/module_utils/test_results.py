# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""results.json and its companions from outputs recorded in the lab, checked against the shipped schema."""

import json
import os
from fractions import Fraction

import jsonschema
import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import host, pgrx, pktgen, results
from ansible_collections.netlab.pktgen.plugins.module_utils.point import traffic_point
from ansible_collections.netlab.pktgen.plugins.plugin_utils import plots
from ansible_collections.netlab.pktgen.plugins.plugin_utils.sweep import sweep_plan
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import fixture

ROOT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
)
with open(os.path.join(ROOT, "docs", "results.schema.json"), encoding="utf-8") as _src:
    SCHEMA = json.load(_src)
NOW = "2026-11-26T14:00:00.000000Z"
PLAN = sweep_plan(["10kpps", "20kpps"], [60], [1])
FACTS = host.parse_facts(fixture("host-facts-6.1-lab-rx.txt"))  # 6.1, lab-rx


def measured(key):
    """A point as throughput.yml keeps it: 10,000 sent on 6.1, the two-sender receiver output of 6.12."""
    text = fixture("pktgen-6.1-veth-run.txt")
    sent = dict(results=dict(veth0=dict(pktgen.parse_result(text), current=pktgen.parse_current(text))))
    counted = dict(receiver=pgrx.parse(fixture("pgrx-6.12-two-senders-time-script.txt")))
    params = {"rate": "10kpps", "pkt_size": 60, "flows": 1}
    return dict(
        traffic_point({"lab-tx": sent}, {"lab-rx": counted}, params, intended_pps=10000, settle_s=1),
        key=key,
    )


def started():
    return results.new("throughput", PLAN, {"duration": 2}, {"lab-rx": FACTS}, NOW)


def test_a_new_folder_has_everything_to_do_and_validates():
    doc = started()
    jsonschema.validate(doc, SCHEMA)
    assert [point["index"] for point in results.todo(doc)] == [1, 2] and not doc["complete"]


def test_points_stay_in_plan_order_once_each_and_the_document_validates():
    doc = results.add_point(started(), measured(PLAN[1]["key"]), NOW)
    doc = results.add_point(doc, measured(PLAN[0]["key"]), NOW)
    doc = results.add_point(doc, measured(PLAN[0]["key"]), NOW)  # resumed: the same point again
    assert results.done(doc) == [PLAN[0]["key"], PLAN[1]["key"]] and doc["complete"]
    assert results.todo(doc) == []
    jsonschema.validate(doc, SCHEMA)
    assert doc["points"][0]["receivers"][0]["cpus"] == {"0": 20000, "1": 20000}


def test_a_point_outside_the_plan_is_refused():
    with pytest.raises(results.ResultsError, match="not in this sweep's plan"):
        results.add_point(started(), measured("rate=99pps size=60 flows=1"), NOW)


def test_the_schema_catches_a_broken_point():
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    del doc["points"][0]["sent"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_save_writes_whole_files_and_load_reads_them_back(tmp_path):
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    written = results.save(str(tmp_path / "run"), doc)
    assert sorted(os.listdir(tmp_path / "run")) == ["results.csv", "results.json"]
    assert [os.path.basename(path) for path in written] == ["results.json", "results.csv"]
    assert results.load(str(tmp_path / "run")) == json.loads(json.dumps(doc))
    csv_lines = (tmp_path / "run" / "results.csv").read_text().splitlines()
    assert csv_lines[0] == ",".join(results.CSV_FIELDS)
    # 10,000 sent in 228,369 us (Result: line): offered 10^10 / 228369 pps, 4.3788... times the 10 kpps asked.
    assert csv_lines[1] == (
        "1,rate=10kpps size=60 flows=1,10kpps,60,1,10000,20000,0,0.0,43788,516789,False,excess,10000.0,%r,"
        "10000,0,0,1" % float(Fraction(10**10, 228369) / 10000)
    )
    assert results.load(str(tmp_path / "empty")) is None


def test_load_refuses_a_file_that_is_not_ours(tmp_path):
    (tmp_path / "results.json").write_text('{"points": []}')
    with pytest.raises(results.ResultsError, match="not a netlab.pktgen results file"):
        results.load(str(tmp_path))
    (tmp_path / "results.json").write_text('{"format": ')
    with pytest.raises(results.ResultsError, match="cannot be read"):
        results.load(str(tmp_path))


def test_summary_host_side_and_report():
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    table = results.summary(doc)
    head = (
        "# rate size flows intended pps offered pps offered % received pps sent received lost excess loss %"
    )
    head += " pass"
    assert table[0].split() == head.split(" ")
    row = "1 10kpps 60 1 10000 43788 437.89 516789 10000 20000 0 10000 0.0000 EXCESS"
    assert table[2].split() == row.split(" ")
    side = results.host_side(doc, "lab-tx")
    assert side["points"][0]["sent"][0]["packets"] == 10000 and side["points"][0]["received"] == []
    assert results.host_side(doc, "lab-rx")["points"][0]["received"][0]["packets"] == 40000
    report = results.report(doc, ["loss.png"])
    assert "1 of 2 points (incomplete: run again with resume=" in report
    assert "![loss](loss.png)" in report and "- lab-rx: kernel 6.1.0-56-amd64, 2 CPUs" in report


@pytest.mark.skipif(not plots.HAS_MATPLOTLIB, reason="matplotlib is not installed")
def test_plots_are_png_files(tmp_path):
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    names = plots.draw(doc, str(tmp_path))
    assert names == ["rate_offered_vs_received.png", "loss.png", "per_cpu.png"]
    for name in names:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(os.listdir(tmp_path)) == sorted(names)


def test_timing_experiments_add_their_columns_and_plots(tmp_path):
    doc = results.new("interarrival", PLAN, {}, {"lab-rx": FACTS}, NOW)
    doc = results.add_point(doc, measured(PLAN[0]["key"]), NOW)
    jsonschema.validate(doc, SCHEMA)
    (row,) = results.rows(doc)
    assert (row["interarrival_min_ns"], row["interarrival_avg_ns"], row["interarrival_p99.9_ns"]) == (
        3455,
        3805,
        62464,
    )
    assert "latency_avg_ns" not in row
    assert results.summary(doc)[0].split()[-3:] == ["inter-arrival", "p99", "ns"]
    names = plots.draw(doc, str(tmp_path))
    assert names == ["interarrival_vs_rate.png", "rate_offered_vs_received.png"] or not plots.HAS_MATPLOTLIB


def test_a_search_grows_its_plan_and_is_complete_only_when_finished(tmp_path):
    doc = dict(results.new("rfc2544", [], {"max_loss_ratio": 0.0}, {"lab-rx": FACTS}, NOW), searched=True)
    doc["complete"] = False
    trial = measured("64 B #1 throughput 32500pps")
    trial["params"] = dict(trial["params"], phase="throughput", target=32500)
    doc = results.add_point(doc, trial, NOW, grow=True)
    assert [entry["key"] for entry in doc["plan"]] == ["64 B #1 throughput 32500pps"] and not doc["complete"]
    assert results.rows(doc)[0]["phase"] == "throughput"
    found = [
        dict(
            pkt_size=60,
            throughput_pps=32500,
            throughput_trials=1,
            bracket_pps=[32500, 60000],
            line_rate_pps=14880952,
            of_line_rate=32500 / 14880952,
            latency=None,
            frame_loss=[dict(rate_pps=60000, of_max=1.0, loss_ratio=0.0)],
            back_to_back_frames=None,
            done=False,
            max_rate_passed=True,
        )
    ]
    doc = results.finish(doc, found, NOW)
    jsonschema.validate(doc, SCHEMA)
    assert doc["complete"]
    table = results.findings_table(doc)
    assert table[2].split()[:5] == ["64", "14880952", ">=", "32500", "(unfinished)"]
    assert "the throughput is above the search's range; raise rfc2544_max_rate" in table[-1]
    report = results.report(doc, plots.draw(doc, str(tmp_path)))
    assert "## Found" in report and ("rfc2544_throughput.png" in report or not plots.HAS_MATPLOTLIB)


def limited(key):
    """The 0.5 Gbit point of the issue: 3125000/3 pps asked of one device, 98,000 sent in 2 s."""
    sent = {"lab-tx": dict(results=dict(veth0=dict(
        packets=98000, elapsed_us=2000000, pps=49000, bps=23520000, errors=2,
        current=dict(cur_saddr="198.19.128.1"))))}  # fmt: skip
    table = dict(received=98000, lost=0, reordered=0, duplicated=0, first_seq=1, last_seq=98000)
    counted = {
        "lab-rx": dict(receiver=dict(total=dict(packets=98000), cpus={}, senders={"198.19.128.1": table}))
    }
    params = {"rate": "0.5Gbit", "pkt_size": 60, "flows": 1}
    point = traffic_point(sent, counted, params, intended_pps=Fraction(3125000, 3), settle_s=1)
    return dict(point, key=key)


def test_a_generator_limited_point_in_every_file(tmp_path):
    plan = sweep_plan(["0.5Gbit"], [60], [1])
    doc = results.new("throughput", plan, {}, {"lab-rx": FACTS}, NOW)
    doc = results.add_point(doc, limited(plan[0]["key"]), NOW)
    jsonschema.validate(doc, SCHEMA)
    (row,) = results.rows(doc)
    assert (row["status"], row["passed"], row["errors"], row["settle_s"]) == (
        "generator_limited",
        False,
        2,
        1,
    )
    assert row["offered_ratio"] == float(Fraction(49000 * 3, 3125000))  # 0.04704
    (line,) = results.summary(doc)[2:]
    expected = "1 0.5Gbit 60 1 1041666 49000 4.70 0 98000 98000 0 0 0.0000 GEN-LIMITED"
    assert line.split() == expected.split(" ")
    note, errors = results.notes(doc)
    assert errors == "#1 rate=0.5Gbit size=60 flows=1: pktgen counted 2 transmit errors"
    assert note == (
        "#1 rate=0.5Gbit size=60 flows=1: GENERATOR-LIMITED - the generators offered 49000 pps, 4.70 % of "
        "the intended 1041666 pps (below traffic_test_min_offered_ratio 0.99): the generator, not the system "
        "under test, was the limit; neither a pass nor a loss"
    )
    report = results.report(doc, [])
    assert "## Notes" in report and note in report
    results.save(str(tmp_path), doc)
    header, values = (tmp_path / "results.csv").read_text().splitlines()
    assert dict(zip(header.split(","), values.split(",")))["status"] == "generator_limited"
    if plots.HAS_MATPLOTLIB:
        assert plots.draw(doc, str(tmp_path)) == [
            "rate_offered_vs_received.png",
            "loss.png",
        ]  # no CPUs counted


def test_the_schema_refuses_an_unknown_status():
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    doc["points"][0]["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_excess_and_untracked_notes():
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    assert results.notes(doc) == [
        "#1 rate=10kpps size=60 flows=1: EXCESS from 198.18.0.1 - received 10000 more than the 10000 sent: "
        "10000 more: pktgen traffic from 198.18.0.1 that this point did not send (another pktgen, or an "
        "earlier run still arriving; traffic_test_settle)",
        "#1 rate=10kpps size=60 flows=1: 20000 packets from 198.18.0.11, no sender of this point (foreign "
        "pktgen traffic), left out",
    ]


def test_a_point_recorded_before_statuses_reads_as_passed_or_loss():
    doc = results.add_point(started(), measured(PLAN[0]["key"]), NOW)
    del doc["points"][0]["status"]
    assert results.rows(doc)[0]["status"] == "loss"  # passed False
