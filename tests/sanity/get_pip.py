# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip.

ansible-test fetches get-pip.py from a host outside the package registries,
which CI cannot reach. It runs the script found at
~/.ansible/test/cache/get_pip_<version>.py instead, if present, with pip
install arguments (e.g. ``pip==24.2 --no-setuptools``). This does the same
with what is at hand: the interpreter's own ensurepip, then pip from PyPI.
`make sanity` copies it into place.
"""

import ensurepip
import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main(argv):
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in argv if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
    if "--no-setuptools" in argv:
        subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "-q", "-y", "setuptools"])


if __name__ == "__main__":
    main(sys.argv[1:])
