# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip.

ansible-test fetches get-pip.py from a host outside the package registries,
which CI cannot reach. It runs the script found at
~/.ansible/test/cache/get_pip_<version>.py instead, if present, with pip
install arguments (e.g. ``pip==24.2 --no-setuptools``). This does the same
with what is at hand: the interpreter's own ensurepip, then pip from PyPI.
`make sanity` and `make core-range` copy it into place.

ensurepip runs in a child process: ensurepip.bootstrap() in this one would set
PIP_CONFIG_FILE=/dev/null and drop the PIP_* variables in os.environ, so the
pip install after it would run without the machine's pip configuration (its
CA bundle among others; seen with pyenv's Python 3.12, whose ensurepip pip
carries certifi's bundle, where Debian's carries the system's).
"""

import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main(argv):
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    args = [arg for arg in argv if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
    if "--no-setuptools" in argv:
        subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "-q", "-y", "setuptools"])


if __name__ == "__main__":
    main(sys.argv[1:])
