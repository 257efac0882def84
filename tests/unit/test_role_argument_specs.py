# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every role documents exactly the variables its defaults set, with the same defaults."""

import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(
    os.path.basename(os.path.dirname(path)) for path in glob.glob(os.path.join(ROOT, "roles", "*", ""))
)


def load(role, *parts):
    with open(os.path.join(ROOT, "roles", role, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize("role", ROLES)
def test_argument_specs_match_defaults(role):
    defaults = load(role, "defaults", "main.yml")
    options = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(options) == sorted(defaults)
    for name, value in defaults.items():
        spec = options[name]
        if isinstance(value, str) and "{{" in value:
            continue  # computed at run time; the spec documents the result
        assert spec.get("default") == value, name
        assert spec["type"] == {bool: "bool", int: "int", float: "float", list: "list", str: "str"}[
            type(value)
        ] or (spec["type"] == "path" and isinstance(value, str)), name


def test_there_are_roles():
    assert "virtual_lab" in ROLES
