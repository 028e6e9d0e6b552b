# Linux as the oracle (docs/linux-differences.md): the same crafted packets through a Linux router
# namespace and through fastpathd, the answers compared. Sourced by run.sh.
#
# Two test beds of the same shape, every address and MAC alike, so that the answers compare byte
# for byte: $FPT-lx-* (a Linux router, $FPT-lx-r) and $FPT-fp-* (fastpathd in $FPT-fp-r), each
# with hosts h1, h2, h3 on links p1, p2, p3 (p3 a 1280-byte link). The harness (oracle/oracle.py)
# sends each case of oracle/cases_*.py to both beds at once and compares what the hosts receive.

ORACLE_SOCK=$WORK/oracle.sock
# af_xdp: the frames as they are on the wire. An af_packet port gets IPv4 fragments reassembled by
# the kernel (DPDK's PMD asks for it: PACKET_FANOUT_FLAG_DEFRAG), which Linux would forward as
# they come
ORACLE_DRIVER=${FPT_ORACLE_DRIVER:-af_xdp}

# oracle_link BED N ROUTER_IFACE MTU: host hN of bed BED on the router's interface ROUTER_IFACE
# (link 10.0.N.0/24, 2001:db8:N::/64; the router .1, the host .2)
oracle_link() {
	local r=$FPT-$1-r h=$FPT-$1-h$2 n=$2 rif=$3 mtu=$4
	ip netns add "$h"
	# hosts answer as often as asked (no ICMP rate limit of their own: what they send back
	# through the router is the same in both beds), and their link-local addresses are usable at
	# once (no DAD)
	ip netns exec "$h" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	ip link add "$rif" netns "$r" address 02:00:00:00:0$n:01 mtu "$mtu" type veth \
		peer name eth0 netns "$h" address 02:00:00:00:0$n:02 mtu "$mtu"
	ip -n "$h" link set lo up
	ip -n "$h" addr add 10.0.$n.2/24 dev eth0
	ip -n "$h" -6 addr add 2001:db8:$n::2/64 dev eth0 nodad
	ip -n "$h" link set eth0 up
	ip -n "$h" route add default via 10.0.$n.1
	ip -n "$h" -6 route add default via 2001:db8:$n::1
	ip -n "$r" link set "$rif" up
	# what a packet socket captures is what went on the wire: checksums filled in
	ip netns exec "$h" ethtool -K eth0 tx off >/dev/null 2>&1
	ip netns exec "$r" ethtool -K "$rif" tx off >/dev/null 2>&1
}

# oracle_bed BED IFACE-PREFIX: the router's namespace and its three hosts
oracle_bed() {
	local r=$FPT-$1-r n
	ip netns add "$r"
	ip -n "$r" link set lo up
	ip netns exec "$r" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	for n in 1 2 3; do
		oracle_link "$1" $n "$2$n" $([ $n = 3 ] && echo 1280 || echo 1500)
	done
}

# The Linux router: Linux's defaults but forwarding on, fastpath's configuration in iproute2
oracle_linux() {
	local r=$FPT-lx-r n
	oracle_bed lx p
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for n in 1 2 3; do
		ip -n "$r" addr add 10.0.$n.1/24 dev p$n
		ip -n "$r" -6 addr add 2001:db8:$n::1/64 dev p$n nodad
	done
	ip -n "$r" neigh add 10.0.1.3 lladdr 02:00:00:00:01:03 dev p1 nud permanent
	ip -n "$r" -6 neigh add 2001:db8:1::3 lladdr 02:00:00:00:01:03 dev p1 nud permanent
	ip -n "$r" route add 10.9.0.0/24 via 10.0.1.3
	ip -n "$r" -6 route add 2001:db8:9::/64 via 2001:db8:1::3
	ip -n "$r" route add blackhole 10.66.0.0/16
	ip -n "$r" route add unreachable 10.77.0.0/16
	ip -n "$r" route add prohibit 10.88.0.0/16
	ip -n "$r" -6 route add blackhole 2001:db8:66::/48
	ip -n "$r" -6 route add unreachable 2001:db8:77::/48
	ip -n "$r" -6 route add prohibit 2001:db8:88::/48
}

oracle_port() { # N: port pN's JSON
	local mac=", \"mac\": \"02:00:00:00:0$1:01\"" mtu=
	# an af_xdp port has its netdev's MAC, which oracle_link gave it
	[ "$ORACLE_DRIVER" = af_xdp ] && mac=
	[ "$1" = 3 ] && mtu=', "mtu": 1280'
	printf '{"name": "p%s", "driver": "%s", "iface": "r-h%s"%s%s}' "$1" "$ORACLE_DRIVER" "$1" "$mac" "$mtu"
}

oracle_fastpath_config() { # path
	cat >"$1" <<CONF
{
	"eal": {"file_prefix": "$FPT-oracle", "log_level": "*:notice"},
	"workers": {"count": 1, "idle_sleep_us": 50, "fast_path": $FAST_PATH},
	"api": {"socket": "$ORACLE_SOCK"},
	"twins": {"enabled": false},
	"ports": [
		$(oracle_port 1),
		$(oracle_port 2),
		$(oracle_port 3)
	],
	"addresses": [
		{"iface": "p1", "address": "10.0.1.1/24"},
		{"iface": "p2", "address": "10.0.2.1/24"},
		{"iface": "p3", "address": "10.0.3.1/24"},
		{"iface": "p1", "address": "2001:db8:1::1/64"},
		{"iface": "p2", "address": "2001:db8:2::1/64"},
		{"iface": "p3", "address": "2001:db8:3::1/64"}
	],
	"routes": [
		{"prefix": "10.9.0.0/24", "via": "10.0.1.3"},
		{"prefix": "2001:db8:9::/64", "via": "2001:db8:1::3"},
		{"prefix": "10.66.0.0/16", "type": "blackhole"},
		{"prefix": "10.77.0.0/16", "type": "unreachable"},
		{"prefix": "10.88.0.0/16", "type": "prohibit"},
		{"prefix": "2001:db8:66::/48", "type": "blackhole"},
		{"prefix": "2001:db8:77::/48", "type": "unreachable"},
		{"prefix": "2001:db8:88::/48", "type": "prohibit"}
	],
	"fib": {"ipv6_max_routes": 4096},
	"neighbours": [
		{"iface": "p1", "address": "10.0.1.3", "mac": "02:00:00:00:01:03"},
		{"iface": "p1", "address": "2001:db8:1::3", "mac": "02:00:00:00:01:03"}
	]
}
CONF
}

# fastpathd without twins: every answer is its own (with twins, the kernel would answer UDP, TCP
# and other protocols to the router's addresses: Linux compared with itself)
oracle_fastpath() {
	local r=$FPT-fp-r n
	oracle_bed fp r-h
	for n in 1 2 3; do
		# the ports' netdevs are fastpath's alone: the kernel keeps off what reaches it
		ip netns exec "$r" sysctl -qw net.ipv6.conf.r-h$n.disable_ipv6=1 net.ipv4.conf.r-h$n.arp_ignore=8
	done
	oracle_fastpath_config "$WORK/oracle.json"
	ip netns exec "$r" "$FASTPATHD" -c "$WORK/oracle.json" >"$WORK/oracle.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && return 0; sleep 0.1; done
	cat "$WORK/oracle.log" >&2
	return 1
}

oracle_cleanup() {
	[ -n "$FPD_PID" ] && kill "$FPD_PID" 2>/dev/null && wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	for ns in $(ip netns list | awk -v lx="$FPT-lx-" -v fp="$FPT-fp-" \
		'index($1, lx) == 1 || index($1, fp) == 1 {print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns"
	done
}

# oracle_warm BED: every host reaches its router and the other hosts, both families, so that
# neither side answers a case with a neighbour resolution
oracle_warm() {
	local h a
	for h in 1 2 3; do
		for a in 10.0.$h.1 2001:db8:$h::1 10.0.$((h % 3 + 1)).2 2001:db8:$((h % 3 + 1))::2; do
			poll_for 5 ip netns exec "$FPT-$1-h$h" ping -c 1 -W 1 "$a" >/dev/null || {
				echo "$1: h$h cannot reach $a"
				return 1
			}
		done
	done
}

# oracle_run: the harness's verdicts, one "ok NAME" or "FAIL NAME" line a case (the lines after
# a FAIL, indented, show both outcomes), counted as this test bed's checks
oracle_run() {
	local line status=0
	"$PY" "$TESTDIR/oracle/oracle.py" --linux "$FPT-lx" --fastpath "$FPT-fp" \
		--fastpathctl "$FASTPATHCTL -s $ORACLE_SOCK" --log "$WORK/oracle-cases.log" \
		${FPT_ORACLE_CASES:+--cases "$FPT_ORACLE_CASES"} >"$WORK/oracle.out" 2>&1 || status=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "${line#ok }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		*) log "$line" ;;
		esac
	done <"$WORK/oracle.out"
	# the harness itself failed (not a case): that is a failure too
	[ $status -le 1 ] || fail "the oracle harness runs to its end (exit $status)"
}

test_linux_oracle() {
	local SOCK=$ORACLE_SOCK # for api
	oracle_cleanup
	oracle_linux
	if ! oracle_fastpath; then
		fail "oracle: fastpathd starts"
		oracle_cleanup
		return
	fi
	check "oracle: fastpath's IPv6 addresses pass DAD" wait_dad
	check "oracle: hosts reach the Linux router and each other" oracle_warm lx
	check "oracle: hosts reach fastpath and each other" oracle_warm fp
	oracle_run
	check "oracle: fastpathd is alive after the cases" kill -0 "$FPD_PID"
	oracle_cleanup
}

OTHER_TESTS="$OTHER_TESTS test_linux_oracle"
# ip4_fastpath answers the common packets: the whole graph must answer them alike
BOTH_MODES_TESTS="${BOTH_MODES_TESTS:-} test_linux_oracle"
