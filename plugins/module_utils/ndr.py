# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RFC 2544 throughput: the highest rate whose loss stays within a threshold, by binary search.

Plain Python with no Ansible imports, and no state but the trials so far:
``next_trial`` reads the list of (rate, loss ratio) measured and says which
rate to try next, or that the search is done, so a playbook can loop on it
one trial at a time and an interrupted search resumes from its trials.

The search bisects [low, high] (low assumed to pass, high to fail, neither
tried) until the bracket is within ``resolution``, then repeats the best
passing rate once to validate it. A trial the generators could not offer
(loss None) is an upper bound like a failed one, but reported as the
generator's limit, not the device's. On a device whose loss grows with the rate
that is ceil(log2((high - low) / resolution)) + 1 trials. A rate is reported
only when its latest trial passed: a validation that fails (a noisy device)
makes that rate the new upper bound and the search goes on below it.
"""

from __future__ import annotations

import math


class SearchError(ValueError):
    """Bounds or a resolution that make no search."""


def _check(low, high, resolution):
    if not (isinstance(low, int) and isinstance(high, int) and isinstance(resolution, int)):
        raise SearchError(
            "low, high and resolution must be whole numbers, got %r, %r, %r" % (low, high, resolution)
        )
    if not 0 < low < high:
        raise SearchError("the search needs 0 < low < high, got low %d, high %d" % (low, high))
    if resolution < 1:
        raise SearchError("resolution must be at least 1, got %d" % resolution)


def trial_bound(low, high, resolution):
    """The trials a search takes on a device whose loss grows with the rate."""
    return max(0, math.ceil(math.log2((high - low) / resolution))) + 1


def _bracket(low, high, trials, max_loss_ratio):
    """(lo, hi, latest): the highest rate passing in its latest trial below the lowest one that failed or
    that the generator could not offer (loss None): the search does not go above either."""
    latest = {}
    for rate, loss in trials:
        latest[rate] = None if loss is None else loss <= max_loss_ratio
    hi = min([rate for rate, passed in latest.items() if passed is not True] + [high])
    passing = [rate for rate, passed in latest.items() if passed is True and rate < hi]
    return max(passing + [low]), hi, latest


def next_trial(low, high, resolution, trials, max_loss_ratio=0.0):
    """The next rate to try, or None when the search is done (then ``result`` says what it found).

    TRIALS: (rate, loss ratio) pairs in the order measured; a loss ratio of None is a trial whose
    generators could not offer the rate (generator_limited): neither a pass nor a fail of the device,
    it caps the search, which goes on below it.
    """
    _check(low, high, resolution)
    lo, hi, latest = _bracket(low, high, trials, max_loss_ratio)
    if hi - lo > resolution:
        return (lo + hi) // 2
    if lo not in latest:
        return lo  # nothing passed above low: try low itself
    if lo == low:
        return None  # low was tried: passed, it is the floor; failed, nothing passes
    tried = sum(1 for rate, _loss in trials if rate == lo)
    if tried >= 2 and trials[-1][0] == lo:
        return None  # validated: its latest trial, the last one, passed
    return lo


def result(low, high, resolution, trials, max_loss_ratio=0.0):
    """What a finished search found: ``rate`` (None when even LOW lost too much), ``trials``, ``bracket``,
    ``generator_limited`` (the bracket's top when the generators could not offer it: the rate found is
    then the generator's limit as much as the device's, a floor of the device's throughput)."""
    _check(low, high, resolution)
    lo, hi, latest = _bracket(low, high, trials, max_loss_ratio)
    found = lo if latest.get(lo) else None
    done = next_trial(low, high, resolution, trials, max_loss_ratio) is None
    capped = hi if hi in latest and latest[hi] is None else None
    return dict(rate=found, trials=len(trials), bracket=[lo, hi], done=done, generator_limited=capped)


def search(loss, low, high, resolution, max_loss_ratio=0.0, *, limit=1000):
    """Run a whole search against LOSS(rate) -> loss ratio (a model, or a device in a test)."""
    trials = []
    while len(trials) < limit:
        rate = next_trial(low, high, resolution, trials, max_loss_ratio)
        if rate is None:
            return dict(result(low, high, resolution, trials, max_loss_ratio), history=trials)
        trials.append((rate, loss(rate)))
    raise SearchError("no result after %d trials" % limit)
