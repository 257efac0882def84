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


def capped(cap, generator):
    """BOTTLENECK(cap) sent by a generator that cannot offer more than GENERATOR packets/s: a trial above
    that is generator_limited (loss None: neither a pass nor a fail of the device)."""
    device = bottleneck(cap)
    return lambda rate: None if rate > generator else device(rate)


def test_a_generator_limited_trial_caps_the_search_and_is_reported():
    # Worked by hand: low 1000, high 9000, resolution 1000, the generator offers up to 5500 and the
    # device forwards 8000. 5000 passes; 7000 and 6000 the generator cannot offer (the bracket's top comes
    # down to 6000); 6000 - 5000 is the resolution, so 5000 is run again to validate it.
    res = ndr.search(capped(8000, 5500), 1000, 9000, 1000)
    assert res["history"] == [(5000, 0.0), (7000, None), (6000, None), (5000, 0.0)]
    assert res["rate"] == 5000 and res["bracket"] == [5000, 6000] and res["generator_limited"] == 6000


def test_a_device_below_the_generator_is_found_as_before():
    plain = ndr.search(bottleneck(4000), 1000, 9000, 1000)
    res = ndr.search(capped(4000, 8500), 1000, 9000, 1000)
    assert res["history"] == plain["history"] and res["rate"] == plain["rate"] == 4000
    assert res["generator_limited"] is None


def test_a_generator_that_cannot_offer_even_low_finds_nothing():
    res = ndr.search(capped(8000, 500), 1000, 9000, 1000)
    assert res["rate"] is None and res["generator_limited"] == 1000
    assert all(loss is None for _rate, loss in res["history"])
