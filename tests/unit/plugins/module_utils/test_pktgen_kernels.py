# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pktgen's outputs on every kernel line the lab records (tests/integration/record_pktgen.py).

Each kernel's files hold the same experiment, so the parsers must give the
same answer on all of them; the references are the experiment's own numbers
and the relations pktgen's Result: line keeps between its fields.
"""

import glob
import os

import pytest
from ansible_collections.netlab.pktgen.plugins.module_utils import pktgen
from ansible_collections.netlab.pktgen.tests.unit.fixture_files import FIXTURES, fixture


def recorded(kind):
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(FIXTURES, "pktgen-*-%s.txt" % kind)))
    assert names, kind
    return names


@pytest.mark.parametrize("name", recorded("veth-run"))
def test_a_run_of_10000_packets_of_60_bytes(name):
    text = fixture(name)
    result = pktgen.parse_result(pktgen.split_dump(text)["veth0"])
    assert (result["packets"], result["pkt_size"], result["frags"], result["errors"]) == (10000, 60, 0, 0)
    # each of the three is rounded to µs on its own
    assert abs(result["elapsed_us"] - result["busy_us"] - result["idle_us"]) <= 1 and result["elapsed_us"] > 0
    # pktgen's pps is packets per elapsed second from the time in ns (elapsed_us is that time truncated);
    # bps counts 60-byte frames, no FCS
    assert (
        10000 * 10**6 // (result["elapsed_us"] + 1) <= result["pps"] <= 10000 * 10**6 // result["elapsed_us"]
    )
    assert result["bps"] == result["pps"] * 60 * 8
    current = pktgen.parse_current(pktgen.split_dump(text)["veth0"])
    assert current["pkts_sofar"] == 10000
    params = pktgen.parse_params(pktgen.split_dump(text)["veth0"])
    assert (params["count"], params["min_pkt_size"], params["dst_min"]) == (10000, 60, "198.18.0.2")


@pytest.mark.parametrize("name", recorded("params-fresh"))
def test_a_device_that_never_ran(name):
    text = fixture(name)
    params = pktgen.parse_params(text)
    assert (params["ifname"], params["src_mac"], params["count"]) == ("veth0", "02:c6:12:00:00:01", 1000)
    assert pktgen.parse_current(text)["pkts_sofar"] == 0
    with pytest.raises(pktgen.PktgenError, match="no finished run: Result: Idle"):
        pktgen.parse_result(text)
