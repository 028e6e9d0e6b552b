#!/bin/sh
# make run: hosts h1 (192.0.2.2) and h2 (198.51.100.2, with 203.0.113.1 behind it)
# in network namespaces, routed through fastpathd on the built-in demo config.
BUILD=${1:-build}
cleanup() {
	ip netns del fpdemo-h1 2>/dev/null
	ip netns del fpdemo-h2 2>/dev/null
	ip link del fpdemo0 2>/dev/null
	ip link del fpdemo1 2>/dev/null
}
host() { # name, router-side veth, address/len, gateway
	ip netns add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip link set "$2" up
	sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via "$4"
	# af_packet sees what the host's stack hands over: full checksums, no TSO
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null 2>&1
}
cleanup
trap cleanup EXIT INT TERM
host fpdemo-h1 fpdemo0 192.0.2.2/24 192.0.2.1
host fpdemo-h2 fpdemo1 198.51.100.2/24 198.51.100.1
ip -n fpdemo-h2 addr add 203.0.113.1/32 dev lo
cat <<MSG
fastpathd is starting on the demo config ($BUILD/app/fastpathd --dump-demo-config shows it).
In another shell:
  ip netns exec fpdemo-h1 ping 198.51.100.2          # across the router
  ip netns exec fpdemo-h1 ping 192.0.2.1             # the router itself
  ip netns exec fpdemo-h1 traceroute -n 203.0.113.1  # the router is hop 1
  $BUILD/app/fastpathctl show stats
  $BUILD/app/fastpathctl show routes
  $BUILD/app/fastpathctl ip route add 10.9.0.0/16 via 198.51.100.2
Ctrl-C stops it and removes the namespaces.
MSG
"$BUILD/app/fastpathd"
