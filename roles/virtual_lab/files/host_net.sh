#!/bin/sh
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# On the controller: the private namespace that bridges the lab NICs' taps.
# It has no uplink: frames between the taps never reach any other interface.
#   host_net.sh up NETNS BRIDGE [TAP ...]  create namespace and bridge; enslave
#                                          and raise the taps that exist
#   host_net.sh down NETNS                 delete the namespace (taps vanish with qemu)
# Prints CHANGED when it changed anything.
set -eu
action=$1 ns=$2
changed=0
case "$action" in
up)
	br=$3
	shift 3
	[ -e "/run/netns/$ns" ] || { ip netns add "$ns"; changed=1; }
	ip -n "$ns" link show dev "$br" >/dev/null 2>&1 || {
		ip -n "$ns" link add "$br" type bridge stp_state 0
		changed=1
	}
	for dev in "$br" "$@"; do
		ip -n "$ns" link show dev "$dev" >/dev/null 2>&1 || { echo "no device $dev in namespace $ns" >&2; exit 1; }
		if [ "$dev" != "$br" ] && ! ip -n "$ns" -o link show dev "$dev" | grep -q "master $br "; then
			ip -n "$ns" link set dev "$dev" master "$br"
			changed=1
		fi
		ip -n "$ns" -o link show dev "$dev" | grep -q '[<,]UP[,>]' || { ip -n "$ns" link set dev "$dev" up; changed=1; }
	done
	;;
down)
	[ ! -e "/run/netns/$ns" ] || { ip netns del "$ns"; changed=1; }
	;;
*)
	echo "usage: $0 up NETNS BRIDGE [TAP ...] | down NETNS" >&2
	exit 2
	;;
esac
[ "$changed" -eq 0 ] || echo CHANGED
