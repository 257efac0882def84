# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/pktgen_kmod's templates rendered as Ansible would, for tests that run the scripts they make."""

import os
import shlex

import jinja2
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "pktgen_kmod")


def render(template, **variables):
    """TEMPLATE with the role's vars/main.yml (as written: their own templates are not rendered) and
    VARIABLES; quote is Ansible's shlex.quote, split is str.split. Undefined variables fail."""
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters.update({"quote": shlex.quote, "ansible.builtin.split": lambda text: text.split()})
    with open(os.path.join(ROLE, "templates", template), encoding="utf-8") as src:
        return env.from_string(src.read()).render(**dict(role_vars, **variables))
