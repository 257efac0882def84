# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The no-drop-rate search against simulated devices: a loss(rate) model, exact and noisy."""

import random

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import ndr


def bottleneck(cap):
    """A device that forwards up to CAP packets/s and drops the excess."""
    return lambda rate: 0.0 if rate <= cap else (rate - cap) / rate


def noisy(cap, seed, flake=0.2, near=0.1):
    """BOTTLENECK(cap), and within NEAR of it a trial loses a few packets with probability FLAKE."""
    pick = random.Random(seed)

    def loss(rate):
        if rate > cap:
            return (rate - cap) / rate
        return 0.0001 if rate > cap * (1 - near) and pick.random() < flake else 0.0

    return loss


@pytest.mark.parametrize(
    "low, high, resolution, cap, found",
    [
        (1000, 1000000, 1000, 412345, 411720),  # a bottleneck inside the range
        (1000, 1000000, 1000, 5000000, 999024),  # nothing drops: the top, within the resolution
        (1000, 1000000, 1000, 500, None),  # everything drops, low too
        (1000, 1000000, 1000, 1000, 1000),  # only low passes
        (10, 20, 1, 15, 15),
        (1, 2, 1, 5, 1),  # already within the resolution: low is the answer
    ],
)
def test_an_exact_device_is_found_within_the_bound(low, high, resolution, cap, found):
    res = ndr.search(bottleneck(cap), low, high, resolution)
    assert res["rate"] == found and res["done"]
    assert res["trials"] <= ndr.trial_bound(low, high, resolution)
    if found is not None:
        assert found <= cap and min(cap, high) - found <= resolution


def test_any_exact_device_within_the_bound():
    pick = random.Random(7)
    for _trial in range(3000):
        low = pick.randint(1, 10000)
        high = low + pick.randint(1, 10**7)
        resolution = pick.randint(1, (high - low) // 2 + 1)
        cap = pick.randint(0, 2 * high)
        res = ndr.search(bottleneck(cap), low, high, resolution)
        assert res["trials"] <= ndr.trial_bound(low, high, resolution), (low, high, resolution, cap)
        assert (res["rate"] is None) == (cap < low), (low, high, resolution, cap, res)
        if res["rate"] is not None:
            assert res["rate"] <= cap and min(cap, high) - res["rate"] <= resolution


@pytest.mark.parametrize("seed", range(200))
def test_a_noisy_device_never_gets_a_rate_whose_final_trial_lost(seed):
    res = ndr.search(noisy(600000, seed), 1000, 1000000, 1000)
    if res["rate"] is not None:
        final = [loss for rate, loss in res["history"] if rate == res["rate"]][-1]
        assert final == 0.0 and res["rate"] <= 600000
        assert sum(1 for rate, _loss in res["history"] if rate == res["rate"]) >= 2 or res["rate"] == 1000
    assert res["history"][-1][0] == res["rate"] or res["rate"] is None


def test_a_threshold_lets_some_loss_pass():
    # 1% partial drop rate: loss (rate - cap) / rate <= 0.01 up to cap / 0.99.
    res = ndr.search(bottleneck(99000), 1000, 1000000, 100, max_loss_ratio=0.01)
    assert 99900 <= res["rate"] <= 100000


def test_it_resumes_from_the_trials_so_far():
    device = bottleneck(300000)
    whole = ndr.search(device, 1000, 1000000, 1000)["history"]
    trials = whole[:3]
    while (rate := ndr.next_trial(1000, 1000000, 1000, trials)) is not None:
        trials.append((rate, device(rate)))
    assert trials == whole


@pytest.mark.parametrize(
    "low, high, resolution, message",
    [
        (0, 10, 1, "0 < low < high"),
        (10, 10, 1, "0 < low < high"),
        (1, 10, 0, "resolution must be at least 1"),
        (1.5, 10, 1, "whole numbers"),
    ],
)
def test_bad_bounds(low, high, resolution, message):
    with pytest.raises(ndr.SearchError, match=message):
        ndr.next_trial(low, high, resolution, [])
