#!/usr/bin/python
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# Implemented as an action plugin (plugins/action/pktgen_results.py): it works on the controller's files.

DOCUMENTATION = r"""
module: pktgen_results
short_description: Keep an experiment's results folder on the controller
version_added: 0.1.0
description:
  - Starts, extends and reports an experiment's results folder on the controller - C(results.json) (every
    point, every host, all parameters; layout in C(docs/results.schema.json)), C(results.csv), and with
    O(report) C(report.md) and PNG plots chosen by O(experiment) (throughput - rate offered vs received,
    loss, packets per receiver CPU; rss_scaling - capacity per queue count, packets per CPU; interarrival,
    latency - their statistics against the rate, log x; rfc2544 - throughput against line rate per frame
    size, frame loss, latency).
  - Each file is written to a temporary name and renamed, so an interrupted run leaves the previous
    complete file; points are kept in plan order, and a point given twice replaces the first.
  - A folder that already holds results is resumed - its stored plan wins and RV(todo) lists the points
    not finished yet.
  - Runs on the controller only; touches no target.
author: netlab.pktgen maintainers (@netlab)
options:
  path:
    description: The results folder, created when missing, such as C(results/throughput-20261126T140000Z).
    type: path
    required: true
  experiment:
    description: The experiment's name, stored in the file.
    type: str
    default: throughput
  plan:
    description:
      - The sweep's points, each a dict with a unique C(key) (such as the output of the
        P(netlab.pktgen.sweep_plan#filter) filter). Needed to start a folder; ignored, with a warning when
        different, when the folder already holds results.
    type: list
    elements: dict
  parameters:
    description: Every knob of the run, stored when the folder is started, enough to repeat it.
    type: dict
    default: {}
  hosts:
    description: Facts per host (from M(netlab.pktgen.pktgen_host_info)), stored when the folder is started.
    type: dict
    default: {}
  point:
    description:
      - One finished point to add (a P(netlab.pktgen.traffic_point#filter) result with the plan's C(key)
        added). Written at once.
    type: dict
  grow:
    description:
      - A O(point) whose key the plan does not name joins the plan at its end, for searches whose trials
        are not known in advance (C(rfc2544.yml)); the folder is then complete only once O(findings) is
        given. Given when starting a folder, marks it as such a search from the start.
    type: bool
    default: false
  findings:
    description:
      - What a finished search found (C(rfc2544.yml) - one item per frame size), stored in C(results.json)
        and shown in C(report.md); marks the folder complete.
    type: list
    elements: dict
  resume:
    description:
      - Only read the folder of an earlier run, to resume it - it must exist and hold a C(results.json) of
        O(experiment) (else the task fails, naming the folder). Nothing is written; RV(complete) and
        RV(todo) say what is left to measure.
    type: bool
    default: false
  report:
    description: Also write C(report.md) and the plots (plots need matplotlib on the controller).
    type: bool
    default: false
attributes:
  check_mode:
    description: Writes nothing; returns what it would hold.
    support: full
  diff_mode:
    description: Nothing to show.
    support: none
  platform:
    description: Runs on the controller.
    support: full
    platforms: posix
seealso:
  - module: netlab.pktgen.pktgen_run
  - module: netlab.pktgen.pktgen_rx_info
"""

EXAMPLES = r"""
- name: Start the results folder
  netlab.pktgen.pktgen_results:
    path: results/throughput-20261126T140000Z
    plan: "{{ ['10kpps', '20kpps'] | netlab.pktgen.sweep_plan([60], [1]) }}"
    parameters: {duration: 2}
  run_once: true
  register: sweep

- name: Add a point
  netlab.pktgen.pktgen_results:
    path: "{{ sweep.path }}"
    point: "{{ traffic_test_point | combine({'key': sweep.todo[0].key}) }}"
  run_once: true

- name: Write report.md and the plots
  netlab.pktgen.pktgen_results:
    path: "{{ sweep.path }}"
    report: true
  run_once: true
"""

RETURN = r"""
path:
  description: The results folder.
  returned: always
  type: str
plan:
  description: The sweep's points, as stored.
  returned: always
  type: list
  elements: dict
done:
  description: Keys of the finished points.
  returned: always
  type: list
  elements: str
todo:
  description: The points not finished yet, in plan order, each with its 1-based C(index) in the plan.
  returned: always
  type: list
  elements: dict
complete:
  description: Whether every point of the plan is finished.
  returned: always
  type: bool
files:
  description: The files written by this task.
  returned: always
  type: list
  elements: str
contents:
  description: The names of the files in the results folder after this task.
  returned: always
  type: list
  elements: str
  sample: [loss.png, per_cpu.png, rate_offered_vs_received.png, report.md, results.csv, results.json]
summary:
  description: The finished points as a text table, one line per item.
  returned: always
  type: list
  elements: str
results:
  description: The whole results document (the content of C(results.json)).
  returned: always
  type: dict
"""
