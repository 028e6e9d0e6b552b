# BGP through the kernel twins: BIRD on the router's kernel side peers with a BIRD on h3 over
# p3's twin; the routes it learns reach the kernel's main table, the netlink mirror copies them
# into fastpath, and fastpath forwards to them. Sourced by run.sh.

# bird_start NAME NS ROUTER_ID LOCAL_AS PEER PEER6 PEER_AS [PREFIX...]: a BIRD in NS with an IPv4
# and an IPv6 BGP session, announcing the prefixes (protocols "announced" and "announced6"), its
# socket in $WORK; $BIRD_BFD=1: the sessions with BFD
bird_start() {
	local name=$1 ns=$2 rid=$3 las=$4 peer=$5 peer6=$6 pas=$7 routes="" routes6="" bfd="" bfd_proto=""
	if [ -n "${BIRD_BFD:-}" ]; then
		bfd="bfd on;"
		bfd_proto="protocol bfd { }"
	fi
	shift 7
	for p in "$@"; do
		case $p in
		*:*) routes6="$routes6	route $p blackhole;
" ;;
		*) routes="$routes	route $p blackhole;
" ;;
		esac
	done
	cat >"$WORK/bird-$name.conf" <<CONF
router id $rid;
log "$WORK/bird-$name.log" all;
protocol device { scan time 1; }
protocol kernel {
	ipv4 { import none; export where source = RTS_BGP; };
	scan time 2;
}
protocol kernel {
	ipv6 { import none; export where source = RTS_BGP; };
	scan time 2;
}
protocol static announced {
	ipv4;
$routes}
protocol static announced6 {
	ipv6;
$routes6}
template bgp peering {
	local as $las;
	connect delay time 1;
	connect retry time 2;
	error wait time 1, 5;
	hold time 9;
	$bfd
}
$bfd_proto
protocol bgp peer from peering {
	neighbor $peer as $pas;
	ipv4 { import all; export where proto = "announced"; };
}
protocol bgp peer6 from peering {
	neighbor $peer6 as $pas;
	ipv6 { import all; export where proto = "announced6"; };
}
CONF
	ip netns exec "$ns" bird -f -c "$WORK/bird-$name.conf" -s "$WORK/bird-$name.ctl" \
		-P "$WORK/bird-$name.pid" >"$WORK/bird-$name.out" 2>&1 &
}

birdc_in() { # name command...
	local name=$1
	shift
	birdc -s "$WORK/bird-$name.ctl" "$@"
}

fp_has_route() { # prefix [protocol]: in fastpath's route.list, mirrored from the kernel
	api route.list | jq -e --arg p "$1" --arg proto "${2:-}" \
		'.routes[] | select(.prefix == $p and .origin == "kernel" and ($proto == "" or .protocol == $proto))'
}

fp_lacks_route() { ! fp_has_route "$1"; }

bgp_established() { # bird protocol
	birdc_in "$1" show protocols "$2" | grep -q Established
}

test_bgp_bird() {
	local r_pid h3_pid
	# h3 announces prefixes of both families and answers on 10.220.0.1 and 2001:db8:220::1; the
	# router's BIRD announces none
	in_ns h3 ip addr add 10.220.0.1/32 dev lo
	in_ns h3 ip addr add 2001:db8:220::1/128 dev lo
	bird_start r $R 10.0.3.1 65001 10.0.3.2 2001:db8:3::2 65002
	r_pid=$!
	bird_start h3 $FPT-h3 10.0.3.2 65002 10.0.3.1 2001:db8:3::1 65001 \
		10.220.0.0/24 10.221.0.0/24 2001:db8:220::/48
	h3_pid=$!

	check "bgp: BIRD on the router's twin peers with BIRD on h3" poll_for 30 bgp_established r peer
	check "bgp: ... over IPv6 too" poll_for 30 bgp_established r peer6
	check "bgp: the learned prefix reaches the router's kernel (proto bird)" poll_for 15 sh -c \
		"ip -n $R route show 10.220.0.0/24 proto bird | grep -q 'via 10.0.3.2 dev p3'"
	check "bgp: the netlink mirror puts it into fastpath (origin kernel, protocol bird)" \
		poll_for 10 fp_has_route 10.220.0.0/24 bird
	check "bgp: fastpath forwards h1's traffic to the learned prefix" \
		in_ns h1 ping -c 3 -i 0.2 -W 2 10.220.0.1
	check "bgp: the IPv6 prefix reaches fastpath" poll_for 15 fp_has_route 2001:db8:220::/48 bird
	check "bgp: and fastpath forwards to it" in_ns h1 ping -6 -c 3 -i 0.2 -W 2 2001:db8:220::1
	check "bgp: withdrawn by h3" birdc_in h3 disable announced
	check "bgp: the withdrawn prefix leaves fastpath" poll_for 15 fp_lacks_route 10.220.0.0/24
	check "bgp: traffic to it no longer goes through" sh -c \
		"! ip netns exec $FPT-h1 ping -c 2 -i 0.2 -W 1 10.220.0.1"
	check "bgp: announced again" birdc_in h3 enable announced
	check "bgp: and back in fastpath" poll_for 15 fp_has_route 10.221.0.0/24 bird
	check "bgp: the session going down removes every learned route" birdc_in r disable peer
	check "bgp: ... from fastpath too" poll_for 15 fp_lacks_route 10.221.0.0/24
	check "bgp: the IPv6 session going down" birdc_in r disable peer6
	check "bgp: ... removes its prefix from fastpath" poll_for 15 fp_lacks_route 2001:db8:220::/48
	kill $r_pid $h3_pid 2>/dev/null
	wait $r_pid $h3_pid 2>/dev/null
	in_ns h3 ip addr del 10.220.0.1/32 dev lo
	in_ns h3 ip addr del 2001:db8:220::1/128 dev lo
}

# before test_stop, which ends the router's list
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_bgp_bird test_stop}
