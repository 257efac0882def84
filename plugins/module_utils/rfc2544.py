# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2544 for one frame size: which trial comes next, and what the trials found.

Plain Python with no Ansible imports and no state but the trials so far, so
rfc2544.yml loops one trial at a time and a resumed run goes on from the
trials in its results folder. For each frame size, in this order:

- throughput (RFC 2544 26.1): the highest rate whose loss is at most
  ``max_loss_ratio`` (0: no-drop rate; more: partial-drop rate), by binary
  search between ``low`` and ``high`` packets/s to ``resolution``, the best
  rate then run again to validate it (module_utils/ndr.py);
- latency (26.2): one trial at ``latency_fraction`` of the rate found, timed
  by the receiver (0 or ``latency`` false: skipped, as when the hosts share
  no clock);
- frame loss rate (26.3): trials at 100 %, 90 %, ... of ``high`` until two
  in a row lose nothing (or 10 % was tried);
- back-to-back (26.4): the longest burst, sent at the generator's full
  speed, that arrives whole, by binary search between ``burst_low`` and
  ``burst_high`` frames to ``burst_resolution`` (``burst_high`` 0: skipped).

A trial is a dict: ``phase``, ``target`` (packets/s, or frames for
back-to-back) and, once measured, ``loss_ratio`` and ``status`` (the point's:
a ``generator_limited`` trial caps the throughput search without passing or
failing it, and the findings say the generator was the limit; an ``excess``
trial fails).
"""

from __future__ import annotations

from ansible_collections.netlab.pktgen.plugins.module_utils import ndr

PHASES = ("throughput", "latency", "frame_loss", "back_to_back")
# RFC 2544's frame sizes on Ethernet (FCS included); pktgen's pkt_size is 4 bytes less.
FRAME_SIZES = (64, 128, 256, 512, 1024, 1280, 1518)
FCS = 4
# What a frame costs on the wire beyond pkt_size (no FCS): FCS 4, preamble 8, inter-frame gap 12.
# (Also what sweep_plan checks rates against.)
WIRE_OVERHEAD = 24
LOSS_STEPS = 10


class Rfc2544Error(ValueError):
    """A setting that makes no test; the message names it and the fix."""


def line_rate_pps(speed_mbps, pkt_size):
    """Frames per second a link of SPEED_MBPS carries at PKT_SIZE (None when the speed is unknown)."""
    if not speed_mbps:
        return None
    return int(speed_mbps * 1e6 // ((pkt_size + WIRE_OVERHEAD) * 8))


def check(spec):
    """SPEC with its numbers checked; raises Rfc2544Error naming the knob."""
    try:
        ndr.next_trial(spec["low"], spec["high"], spec["resolution"], [])
    except ndr.SearchError as exc:
        raise Rfc2544Error("rfc2544_min_rate, rfc2544_max_rate, rfc2544_resolution: %s" % exc) from exc
    if not 0 <= spec.get("max_loss_ratio", 0.0) < 1:
        raise Rfc2544Error("rfc2544_max_loss_ratio: %r is not from 0 to below 1" % spec["max_loss_ratio"])
    if not 0 <= spec.get("latency_fraction", 0) <= 1:
        raise Rfc2544Error("rfc2544_latency_fraction: %r is not from 0 to 1" % spec["latency_fraction"])
    if spec.get("burst_high"):
        try:
            ndr.next_trial(spec["burst_low"], spec["burst_high"], spec["burst_resolution"], [])
        except ndr.SearchError as exc:
            raise Rfc2544Error(
                "rfc2544_burst_min, rfc2544_burst_max, rfc2544_burst_resolution: %s" % exc
            ) from exc
    return spec


def _verdict(trial):
    """The loss a search judges a trial by: None when the generators could not offer its rate
    (generator_limited: ndr caps the search there), infinite when more arrived than was sent (excess:
    the count cannot be trusted, so the trial fails), else its loss ratio."""
    if trial.get("status") == "generator_limited":
        return None
    if trial.get("status") == "excess":
        return float("inf")
    return trial["loss_ratio"]


def _pairs(trials, phase):
    return [(trial["target"], _verdict(trial)) for trial in trials if trial["phase"] == phase]


def _throughput(spec, trials):
    return ndr.result(
        spec["low"],
        spec["high"],
        spec["resolution"],
        _pairs(trials, "throughput"),
        spec.get("max_loss_ratio", 0.0),
    )


def _loss_rates(spec):
    return [spec["high"] * (LOSS_STEPS - step) // LOSS_STEPS for step in range(LOSS_STEPS)]


def _frame_loss_done(spec, trials):
    measured = _pairs(trials, "frame_loss")
    lossless = [loss is not None and loss == 0 for _rate, loss in measured]
    return len(measured) >= LOSS_STEPS or lossless[-2:] == [True, True]


def next_trial(spec, trials):
    """The next trial ({phase, target}) for one frame size after TRIALS, or None when all are done."""
    max_loss = spec.get("max_loss_ratio", 0.0)
    rate = ndr.next_trial(
        spec["low"], spec["high"], spec["resolution"], _pairs(trials, "throughput"), max_loss
    )
    if rate is not None:
        return dict(phase="throughput", target=rate)
    found = _throughput(spec, trials)["rate"]
    fraction = spec.get("latency_fraction", 0)
    if found and fraction and spec.get("latency", True) and not _pairs(trials, "latency"):
        return dict(phase="latency", target=max(1, int(found * fraction)))
    if not _frame_loss_done(spec, trials):
        return dict(phase="frame_loss", target=_loss_rates(spec)[len(_pairs(trials, "frame_loss"))])
    if spec.get("burst_high"):
        burst = ndr.next_trial(
            spec["burst_low"], spec["burst_high"], spec["burst_resolution"], _pairs(trials, "back_to_back")
        )
        if burst is not None:
            return dict(phase="back_to_back", target=burst)
    return None


def findings(spec, trials, line_rate=None):
    """What the trials of one frame size found, for the report and results.json."""
    search = _throughput(spec, trials)
    out = dict(
        throughput_pps=search["rate"],
        throughput_trials=len(_pairs(trials, "throughput")),
        bracket_pps=search["bracket"],
        line_rate_pps=line_rate,
        of_line_rate=search["rate"] / line_rate if search["rate"] and line_rate else None,
        latency=None,
        frame_loss=[
            dict(
                rate_pps=trial["target"],
                of_max=trial["target"] / spec["high"],
                loss_ratio=trial["loss_ratio"],
                status=trial.get("status"),
            )
            for trial in trials
            if trial["phase"] == "frame_loss"
        ],
        back_to_back_frames=None,
        done=next_trial(spec, trials) is None,
        max_rate_passed=None,
        generator_limited_pps=search["generator_limited"],
    )
    losses = _pairs(trials, "frame_loss")
    if losses and losses[0][0] == spec["high"] and losses[0][1] is not None:
        # The search never tries its top; the frame loss curve starts there and says whether it passes
        # (unknown when the generators could not offer it).
        out["max_rate_passed"] = losses[0][1] <= spec.get("max_loss_ratio", 0.0)
    latency = [trial for trial in trials if trial["phase"] == "latency"]
    if latency:
        out["latency"] = dict(
            rate_pps=latency[-1]["target"], **(latency[-1].get("time") or {}).get("latency", {})
        )
    bursts = _pairs(trials, "back_to_back")
    if bursts:
        out["back_to_back_frames"] = ndr.result(
            spec["burst_low"], spec["burst_high"], spec["burst_resolution"], bursts
        )["rate"]
    return out


def _fraction(value, name, low, high):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise Rfc2544Error("%s: %r is not a number from %s to %s" % (name, value, low, high))
    return number


def _whole_seconds(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def trial_limit(spec):
    """Trials a size may take before it is reported unfinished: every phase's bound, twice over for
    validations that fail on a noisy device."""
    limit = 2 * ndr.trial_bound(spec["low"], spec["high"], spec["resolution"]) + 1 + LOSS_STEPS
    if spec.get("burst_high"):
        limit += 2 * ndr.trial_bound(spec["burst_low"], spec["burst_high"], spec["burst_resolution"])
    return limit


def plan(frame_sizes, knobs, speed_mbps=None):
    """One search spec per frame size from rfc2544.yml's KNOBS, checked; SPEED_MBPS of the sending link.

    KNOBS: min_rate, max_rate (packets/s; None for the line rate), resolution and burst_resolution
    (fractions of the top), max_loss_ratio, latency_fraction, latency (bool), burst_min, burst_max
    (frames; 0: no back-to-back).
    Each spec also has pkt_size, frame_size, line_rate_pps and limit (trial_limit).
    """
    if isinstance(frame_sizes, (str, int)):
        frame_sizes = [
            part for part in str(frame_sizes).replace("[", "").replace("]", "").split(",") if part.strip()
        ]
    seconds = knobs.get("trial_duration", 1)
    if str(seconds).strip() != str(_whole_seconds(seconds)) or _whole_seconds(seconds) < 1:
        raise Rfc2544Error(
            "rfc2544_trial_duration: %r is not a whole number of seconds, 1 or more (RFC 2544 asks 60)"
            % (seconds,)
        )
    out = []
    for frame in frame_sizes:
        try:
            size = int(frame)
        except (TypeError, ValueError):
            size = 0
        if size < 64:
            raise Rfc2544Error("rfc2544_frame_sizes: %r is not a frame size of 64 bytes or more" % (frame,))
        line = line_rate_pps(speed_mbps, size - FCS)
        if knobs.get("max_rate") is None:
            if line is None:
                raise Rfc2544Error(
                    "rfc2544_max_rate: the sending NIC reports no speed, so the line rate is unknown; "
                    "give the top of the search (rfc2544_max_rate=1Mpps)"
                )
            high = line
        else:
            high = knobs["max_rate"]
        burst_high = int(knobs.get("burst_max") or 0)
        spec = dict(
            pkt_size=size - FCS,
            frame_size=size,
            line_rate_pps=line,
            low=knobs.get("min_rate", 1000),
            high=high,
            resolution=max(
                1, int(high * _fraction(knobs.get("resolution", 0.01), "rfc2544_resolution", 1e-6, 0.5))
            ),
            max_loss_ratio=_fraction(knobs.get("max_loss_ratio", 0.0), "rfc2544_max_loss_ratio", 0, 0.999999),
            latency_fraction=_fraction(knobs.get("latency_fraction", 0.9), "rfc2544_latency_fraction", 0, 1),
            latency=bool(knobs.get("latency", True)),
            burst_low=int(knobs.get("burst_min") or 1),
            burst_high=burst_high,
            burst_resolution=max(
                1,
                int(
                    burst_high
                    * _fraction(knobs.get("burst_resolution", 0.01), "rfc2544_burst_resolution", 1e-6, 0.5)
                ),
            ),
        )
        check(spec)
        out.append(dict(spec, limit=trial_limit(spec)))
    if not out:
        raise Rfc2544Error(
            "rfc2544_frame_sizes: give at least one frame size (such as 64,128,256,512,1024,1280,1518)"
        )
    return out


def trials_of(points, pkt_size):
    """The trials of PKT_SIZE among a results document's POINTS, in the order measured."""
    out = []
    for point in points:
        params = point.get("params") or {}
        if params.get("phase") in PHASES and params.get("pkt_size") == pkt_size:
            out.append(
                dict(
                    phase=params["phase"],
                    target=params["target"],
                    loss_ratio=point["loss_ratio"],
                    status=point.get("status"),
                    time=point.get("time") or {},
                )
            )
    return out
