# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod's templates and variables rendered as Ansible would, for tests that run them."""

import os
import shlex

import jinja2
import jinja2.nativetypes
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "pktgen_kmod")


def _role_vars():
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def value(name, **variables):
    """The role's variable NAME (vars/main.yml) as Ansible evaluates it with VARIABLES: a native value
    (a list stays a list). Undefined variables fail."""
    env = jinja2.nativetypes.NativeEnvironment(undefined=jinja2.StrictUndefined)
    return env.from_string(_role_vars()[name]).render(**variables)


def render(template, **variables):
    """TEMPLATE with the role's vars/main.yml (as written: their own templates are not rendered) and
    VARIABLES; quote is Ansible's shlex.quote, split is str.split. Undefined variables fail."""
    role_vars = _role_vars()
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters.update({"quote": shlex.quote, "ansible.builtin.split": lambda text: text.split()})
    with open(os.path.join(ROLE, "templates", template), encoding="utf-8") as src:
        return env.from_string(src.read()).render(**dict(role_vars, **variables))
