#!/bin/bash
# Boots one lab node. Runs inside the node's own network, UTS and mount namespaces:
#   ip netns exec NS unshare -u -m --propagation private boot_node.sh DIR HOSTNAME "ovs frr ssh"
# Binds the node's own directories over the daemons' standard paths, so plain vtysh, frr-reload.py,
# ovs-vsctl and wardnet-node work in SSH sessions on the node. Ends as the node's anchor process.
set -euo pipefail
dir=$1 name=$2 daemons=" $3 "
hostname "$name"
ip link set lo up
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.ip_nonlocal_bind=1 \
  net.ipv6.ip_nonlocal_bind=1
mount --bind "$dir/bin" /usr/local/sbin
mount --bind "$dir/state" /var/lib/wardnet
# The device's own ~/.bashrc (empty): Debian's bash reads it for every command sshd starts, and the host's
# (here `pyenv init`: ~110 ms of CPU per SSH command) is no part of a device. /root itself stays: the
# agent's Python may live there.
if [[ -f /root/.bashrc ]]; then mount --bind "$dir/bashrc" /root/.bashrc; fi
if [[ $daemons == *" ovs "* ]]; then
  mount --bind "$dir/etc/openvswitch" /etc/openvswitch
  mount --bind "$dir/run/openvswitch" /run/openvswitch
  mount --bind "$dir/log/openvswitch" /var/log/openvswitch
  ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock --pidfile --detach \
    --log-file
  ovs-vsctl --no-wait init
  ovs-vswitchd --pidfile --detach --log-file
fi
if [[ $daemons == *" frr "* ]]; then
  mount --bind "$dir/etc/frr" /etc/frr
  mount --bind "$dir/run/frr" /run/frr
  for daemon in zebra staticd bgpd; do
    /usr/lib/frr/$daemon -d -F traditional -A 127.0.0.1 -i /run/frr/$daemon.pid
  done
  for _ in $(seq 1 50); do vtysh -c 'show version' >/dev/null 2>&1 && break; sleep 0.1; done
  vtysh -b >"$dir/log/vtysh-boot.log" 2>&1
fi
if [[ $daemons == *" ssh "* ]]; then
  /usr/sbin/sshd -f "$dir/ssh/sshd_config"
fi
touch "$dir/ready"
exec sleep infinity
