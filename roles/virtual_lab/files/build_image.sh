#!/bin/sh
# Copyright: netlab.pktgen contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Build the lab's base disk image from a kernel line's build root (build_root.sh).
# usage: build_image.sh ROOTFS KERNEL_VERSION IMAGE SIZE AUTHORIZED_KEY HOST_KEY MGMT_MAC MGMT_ADDR SCRATCH
#   ROOTFS          the build root's tree, with that kernel installed (left untouched; a staging
#                   copy is customised)
#   KERNEL_VERSION  the kernel the image boots (its modules are in the tree)
#   IMAGE           ext4 image to write (written to IMAGE.tmp, then renamed)
#   SIZE            image size for mkfs (sparse), e.g. 3G
#   AUTHORIZED_KEY  public key allowed to log in as root
#   HOST_KEY        private ed25519 host key for sshd (HOST_KEY.pub beside it)
#   MGMT_MAC        MAC of the management NIC (user-mode network, SSH forward)
#   MGMT_ADDR       its address with prefix length, e.g. 198.18.2.15/24
#   SCRATCH         the tree's build folder (receiver builds on the controller): not copied
set -eu

[ $# -eq 9 ] || { echo "usage: $0 ROOTFS KERNEL_VERSION IMAGE SIZE AUTHORIZED_KEY HOST_KEY MGMT_MAC MGMT_ADDR SCRATCH" >&2; exit 2; }
rootfs=$1 kver=$2 image=$3 size=$4 authkey=$5 hostkey=$6 mgmt_mac=$7 mgmt_addr=$8 scratch=$9

[ -d "$rootfs/lib/modules/$kver/kernel" ] || { echo "the build root $rootfs has no modules for $kver" >&2; exit 1; }
stage="$image.stage"
rm -rf "$stage" "$image.tmp"
trap 'rm -rf "$stage" "$image.tmp"' EXIT
cp -a "$rootfs" "$stage"
rm -rf "${stage:?}$scratch"
# The controller's resolver means nothing in the guest (it has no network beyond the lab's).
rm -f "$stage/etc/resolv.conf"

echo netlab-lab >"$stage/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tnetlab-lab\n' >"$stage/etc/hosts"
printf '/dev/vda\t/\text4\trw,noatime\t0\t1\n' >"$stage/etc/fstab"

# SSH: only our key, only the recorded host key.
install -d -m 0700 "$stage/root/.ssh"
install -m 0600 "$authkey" "$stage/root/.ssh/authorized_keys"
rm -f "$stage"/etc/ssh/ssh_host_*
install -m 0600 "$hostkey" "$stage/etc/ssh/ssh_host_ed25519_key"
install -m 0644 "$hostkey.pub" "$stage/etc/ssh/ssh_host_ed25519_key.pub"
cat >"$stage/etc/ssh/sshd_config.d/netlab.conf" <<EOF
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
PermitRootLogin prohibit-password
UseDNS no
EOF

# Management NIC: found by MAC, static address, no default route (the
# user-mode network is restrict=on: nothing but the SSH forward answers).
cat >"$stage/usr/local/sbin/netlab-mgmt-net" <<EOF
#!/bin/sh
ip link set lo up
for i in \$(seq 1 300); do
	for d in /sys/class/net/*; do
		[ "\$(cat "\$d/address")" = "$mgmt_mac" ] && dev=\${d##*/} && break 2
	done
	sleep 0.1
done
[ -n "\${dev:-}" ] || { echo "no NIC with MAC $mgmt_mac" >&2; exit 1; }
ip link set "\$dev" up
ip addr replace $mgmt_addr dev "\$dev"
EOF
chmod 0755 "$stage/usr/local/sbin/netlab-mgmt-net"
cat >"$stage/etc/systemd/system/netlab-mgmt.service" <<'EOF'
[Unit]
Description=netlab lab management network
Before=ssh.service network.target
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/netlab-mgmt-net

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/netlab-mgmt.service "$stage/etc/systemd/system/multi-user.target.wants/netlab-mgmt.service"

# Quieter, faster boots under emulation.
for unit in apt-daily.timer apt-daily-upgrade.timer getty@tty1.service; do
	ln -sf /dev/null "$stage/etc/systemd/system/$unit"
done
mkdir -p "$stage/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$stage/etc/systemd/journald.conf.d/netlab.conf"

mkfs.ext4 -q -F -L netlab-lab -d "$stage" "$image.tmp" "$size"
mv "$image.tmp" "$image"
