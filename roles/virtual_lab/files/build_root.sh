#!/bin/sh
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# A kernel line's build root: a Debian tree in the lab's cache, made with debootstrap, whose own apt
# (sources only in the tree's /etc/apt) installs the kernel image, its headers and the compiler.
# The same tree is the lab guest's root file system. Nothing is installed on the controller, and
# nothing is mounted: apt, dpkg and the kernel's initramfs run in the chroot without /proc.
#
#   build_root.sh base DIR SUITE MIRROR SUITES SECURITY_MIRROR SECURITY_SUITES PACKAGES KEYRING VALID_UNTIL
#       debootstrap SUITE (minbase + the comma-separated PACKAGES) into DIR/root from MIRROR
#       (empty: debootstrap's default), verified with KEYRING; write the tree's apt sources
#       (MIRROR: the space-separated SUITES; SECURITY_MIRROR, when given: SECURITY_SUITES) and read
#       the package lists. VALID_UNTIL "no": the tree's apt takes Release files past their
#       Valid-Until (a mirror that stopped updating sid; signatures are still checked).
#       Writes DIR/base.done last.
#   build_root.sh kernel DIR VERSION PACKAGES
#       install linux-image-VERSION, linux-headers-VERSION and the comma-separated PACKAGES into
#       DIR/root in one apt call (one initramfs); the rest from the suite's own default release.
#       Writes DIR/kernel-VERSION.done last.
#   build_root.sh meta DIR RELEASE      print the kernel ABI that linux-image-amd64 depends on
#   build_root.sh has DIR VERSION       exit 0 when the tree's archive has linux-image-VERSION
set -eu

chrooted() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		chroot "$root" "$@"
}

# Keep services from starting inside the tree while apt works in it.
no_services() {
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	trap 'rm -f "$root/usr/sbin/policy-rc.d"' EXIT
}

[ $# -ge 2 ] || { echo "usage: see the head of $0" >&2; exit 2; }
action=$1 dir=$2
root=$dir/root

case "$action" in
base)
	[ $# -eq 10 ] || { echo "usage: $0 base DIR SUITE MIRROR SUITES SECURITY_MIRROR SECURITY_SUITES PACKAGES KEYRING VALID_UNTIL" >&2; exit 2; }
	suite=$3 mirror=$4 suites=$5 security=$6 security_suites=$7 packages=$8 keyring=$9 valid_until=${10}
	[ -r "$keyring" ] || {
		echo "no Debian archive keyring at $keyring: install the package debian-archive-keyring" >&2
		exit 1
	}
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck disable=SC2086 # an empty mirror is no argument: debootstrap's default
	debootstrap --variant=minbase --keyring="$keyring" --include="$packages" "$suite" "$root" ${mirror:+"$mirror"}
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' "$root/etc/apt/sources.list")
	rm -f "$root/etc/apt/sources.list"
	{
		printf '# Written by netlab.pktgen.virtual_lab: this build root'"'"'s own sources.\n'
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$mirror" "$suites"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [ -n "$security" ] && [ -n "$security_suites" ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$security" "$security_suites"
			printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$root/etc/apt/sources.list.d/debian.sources"
	# The guest's apt (roles/pktgen_kmod in the lab) has no network: it must find what is installed.
	printf 'APT::Install-Recommends "false";\nAcquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/90netlab"
	[ "$valid_until" != no ] || printf 'Acquire::Check-Valid-Until "false";\n' >>"$root/etc/apt/apt.conf.d/90netlab"
	chrooted apt-get update -q
	touch "$dir/base.done"
	;;
kernel)
	[ $# -eq 4 ] || { echo "usage: $0 kernel DIR VERSION PACKAGES" >&2; exit 2; }
	version=$3 packages=$4
	[ -e "$dir/base.done" ] || { echo "$dir has no base tree: run $0 base first" >&2; exit 1; }
	no_services
	# shellcheck disable=SC2046 # the package list is split on commas, on purpose
	chrooted apt-get install -y -q --no-install-recommends \
		"linux-image-$version" "linux-headers-$version" $(echo "$packages" | tr ',' ' ')
	chrooted apt-get clean
	for f in "boot/vmlinuz-$version" "boot/initrd.img-$version" "lib/modules/$version/kernel" "usr/src/linux-headers-$version"; do
		[ -e "$root/$f" ] || { echo "the build root has no /$f after installing the kernel" >&2; exit 1; }
	done
	touch "$dir/kernel-$version.done"
	;;
meta)
	release=${3:-}
	chrooted apt-cache ${release:+-o "APT::Default-Release=$release"} depends linux-image-amd64 |
		awk '/Depends: linux-image-/ {sub("linux-image-", "", $2); print $2; exit}'
	;;
has)
	chrooted apt-cache show --no-all-versions "linux-image-$3" 2>/dev/null | grep -q '^Package: linux-image-'
	;;
*)
	echo "unknown action $action" >&2
	exit 2
	;;
esac
