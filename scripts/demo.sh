#!/bin/sh
# make run: fastpathd on the built-in demo config (conf/demo.json) in a router namespace,
# fpdemo-r, between two hosts in namespaces of their own: fpdemo-h1 (192.0.2.2) and fpdemo-h2
# (198.51.100.2, with 203.0.113.1 behind it). Everything is in those namespaces, the router's
# ports, twins, addresses and routes too: the machine's own network is not touched. Ctrl-C or
# SIGTERM stops fastpathd and removes the namespaces; a start first removes what a demo killed
# without its cleanup left.
# usage: demo.sh [BUILD_DIR]
BUILD=${1:-build}
P=fpdemo
R=$P-r

# the demo's namespaces, and in them fastpathd: asked to stop (it removes its own files), then
# killed if it does not
cleanup() {
	for ns in $R $P-h1 $P-h2; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null
	done
	for _ in $(seq 50); do
		[ -z "$(ip netns pids $R 2>/dev/null)" ] && break
		sleep 0.1
	done
	for ns in $R $P-h1 $P-h2; do
		ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del $ns 2>/dev/null
	done
	# the veths of a demo from before the router had a namespace (they are veths, by name)
	for l in ${P}0 ${P}1; do
		[ -n "$(ip link show dev $l type veth 2>/dev/null)" ] && ip link del $l
	done
	return 0
}

host() { # name, router-side veth, address/len, gateway
	ip netns add "$1"
	ip link add "$2" netns $R type veth peer name eth0 netns "$1"
	ip -n $R link set "$2" up
	# the port is fastpath's alone: the router's kernel neither speaks IPv6 on it nor answers
	# ARP there for the twins' addresses
	ip netns exec $R sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" "net.ipv4.conf.$2.arp_ignore=8"
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via "$4"
	# af_packet sees what the host's stack hands over: full checksums, no TSO
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null 2>&1
	ip netns exec $R ethtool -K "$2" tx off >/dev/null 2>&1
}

cleanup
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
set -e
ip netns add $R
ip -n $R link set lo up
host $P-h1 ${P}0 192.0.2.2/24 192.0.2.1
host $P-h2 ${P}1 198.51.100.2/24 198.51.100.1
ip -n $P-h2 addr add 203.0.113.1/32 dev lo
set +e
cat <<MSG
fastpathd is starting in namespace $R on the demo config ($BUILD/app/fastpathd --dump-demo-config shows it).
In another shell:
  ip netns exec $P-h1 ping 198.51.100.2          # across the router
  ip netns exec $P-h1 ping 192.0.2.1             # the router itself
  ip netns exec $P-h1 traceroute -n 203.0.113.1  # the router is hop 1
  $BUILD/app/fastpathctl show stats
  $BUILD/app/fastpathctl show routes
  $BUILD/app/fastpathctl ip route add 10.9.0.0/16 via 198.51.100.2
  ip netns exec $R ip route                    # the kernel's side: the twins p0 and p1
Ctrl-C stops it and removes the namespaces.
MSG
# in the background, so that a signal to this script runs its trap at once (the cleanup
# stops fastpathd)
ip netns exec $R "$BUILD/app/fastpathd" &
wait $!
