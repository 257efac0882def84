# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One virtual lab for the whole integration session, on the kernel line $LAB_KERNEL."""

import os

import pytest
from ansible_collections.netlab.pktgen.tests.integration import lab

# The controller as the session found it (lab.host_snapshot), before anything booted the lab.
HOST_BEFORE = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "first: run before any other test (it needs the lab down)")
    config.addinivalue_line("markers", "last: run after every other test (it takes the lab down)")
    config.addinivalue_line("markers", "final: run after the last ones (the lab is down)")
    config.addinivalue_line(
        "markers", "guest_build: builds the receiver inside the guest under emulation (minutes each)"
    )


def pytest_sessionstart(session):
    HOST_BEFORE.update(lab.host_snapshot())


def pytest_collection_modifyitems(items):
    def order(item):
        marked = item.get_closest_marker
        return (not marked("first"), bool(marked("last") or marked("final")), bool(marked("final")))

    items.sort(key=order)


@pytest.fixture(scope="session")
def host_before():
    """lab.host_snapshot() of the controller at the session's start."""
    return HOST_BEFORE


@pytest.fixture(scope="session")
def booted():
    """Boot the lab (idempotent); take it down at the end even if a test failed.

    With NETLAB_PKTGEN_KEEP_LAB set, a failed run leaves the lab up to look at.
    """
    if os.geteuid() != 0:
        pytest.fail("the integration tests drive the virtual lab and need root")
    try:
        code, out = lab.playbook(
            "lab.yml", "-e", "lab_kernel=" + lab.KERNEL, "-e", "lab_kernel_line=" + lab.KERNEL_LINE
        )
        assert code == 0, out[-5000:]
        yield out
    finally:
        if not os.environ.get("NETLAB_PKTGEN_KEEP_LAB"):  # set it to debug a failing test in the lab
            lab.playbook("lab.yml", "-e", "lab_state=absent")


@pytest.fixture(scope="session")
def built(booted):
    """The receiver built (W=1, sparse) against the lab's kernel, once a session: kmod/pktgen_rx.ko."""
    kernel = lab.lab_state()["kernel"]
    lab.build_kmod(kernel, "C=1")
    return kernel


@pytest.fixture(scope="module")
def loaded(built):
    """That build loaded afresh in the guest for each test module (default parameters, counts at 0)."""
    lab.load_kmod()
    return built
