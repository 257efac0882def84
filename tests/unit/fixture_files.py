# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Outputs recorded from real kernels in the virtual lab (each file's first line says which)."""

import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def fixture(name):
    """Contents of a recorded output."""
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()
