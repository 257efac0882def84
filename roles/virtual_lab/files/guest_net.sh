#!/bin/sh
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Inside the lab guest: create the sender and receiver namespaces, join them
# by a veth pair (veth0 in each) and give each one of the multiqueue virtio
# NICs (found by MAC, renamed nic0) with QUEUES combined channels.
# Idempotent: prints CHANGED when it changed anything, then the layout.
#
# usage: guest_net.sh QUEUES SIDE SIDE
#   SIDE = netns,nic_mac,nic_cidr,nic_cidr6,veth_mac,veth_cidr,veth_cidr6
set -eu

[ $# -eq 3 ] || { echo "usage: $0 QUEUES SIDE SIDE" >&2; exit 2; }
queues=$1
changed=0

has_flag_up() { ip -n "$1" -o link show dev "$2" | grep -q '[<,]UP[,>]'; }

ensure_up() {
	has_flag_up "$1" "$2" || { ip -n "$1" link set dev "$2" up; changed=1; }
}

ensure_addr() { # ns dev cidr
	case "$3" in *:*) fam=-6 extra=nodad ;; *) fam=-4 extra= ;; esac
	ip -n "$1" "$fam" -o addr show dev "$2" | grep -q " ${3%/*}/" && return 0
	# shellcheck disable=SC2086
	ip -n "$1" addr add "$3" dev "$2" $extra
	changed=1
}

ensure_nic() { # ns mac
	ip -n "$1" link show dev nic0 >/dev/null 2>&1 && return 0
	dev=
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$2" ] && dev=${d##*/}
	done
	[ -n "$dev" ] || { echo "no NIC with MAC $2 in the guest" >&2; exit 1; }
	ip link set dev "$dev" down
	ip link set dev "$dev" netns "$1"
	ip -n "$1" link set dev "$dev" name nic0
	changed=1
}

ensure_channels() { # ns
	cur=$(ip netns exec "$1" ethtool -l nic0 | awk '/^Current/{c=1} c && /^Combined:/{print $2; exit}')
	[ "$cur" = "$queues" ] && return 0
	ip netns exec "$1" ethtool -L nic0 combined "$queues"
	changed=1
}

IFS=, read -r ns_a nic_mac_a nic4_a nic6_a veth_mac_a veth4_a veth6_a <<EOF
$2
EOF
IFS=, read -r ns_b nic_mac_b nic4_b nic6_b veth_mac_b veth4_b veth6_b <<EOF
$3
EOF

for ns in "$ns_a" "$ns_b"; do
	[ -e "/run/netns/$ns" ] || { ip netns add "$ns"; changed=1; }
	ensure_up "$ns" lo
done

if ! ip -n "$ns_a" link show dev veth0 >/dev/null 2>&1; then
	ip -n "$ns_b" link del dev veth0 2>/dev/null || true
	ip link add veth0 netns "$ns_a" address "$veth_mac_a" type veth \
		peer name veth0 netns "$ns_b" address "$veth_mac_b"
	changed=1
fi

ensure_nic "$ns_a" "$nic_mac_a"
ensure_nic "$ns_b" "$nic_mac_b"

for side in a b; do
	eval "ns=\$ns_$side nic4=\$nic4_$side nic6=\$nic6_$side veth4=\$veth4_$side veth6=\$veth6_$side"
	ensure_channels "$ns"
	for dev in veth0 nic0; do
		ensure_up "$ns" "$dev"
	done
	ensure_addr "$ns" veth0 "$veth4"
	ensure_addr "$ns" veth0 "$veth6"
	ensure_addr "$ns" nic0 "$nic4"
	ensure_addr "$ns" nic0 "$nic6"
done

[ "$changed" -eq 0 ] || echo CHANGED
for ns in "$ns_a" "$ns_b"; do
	echo "== $ns"
	ip -n "$ns" -br addr
	ip netns exec "$ns" ethtool -l nic0 | awk '/^Current/{c=1} c && /^Combined:/{print "nic0 combined channels: " $2; exit}'
done
