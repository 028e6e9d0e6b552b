# FRR as Debian installs it (zebra, staticd, bgpd, ospfd, ospf6d, bfdd in their default setup:
# routes go to the kernel through nexthop objects) on the router's kernel side, peering over the
# twins with BIRD on h3 (and h2, for ECMP); the netlink mirror resolves the routes through the
# objects and fastpath forwards to them. Sourced by run.sh, after bird.sh (bird_start, birdc_in).

FRR_DIR=/usr/lib/frr

# frr_start: zebra, staticd and bgpd in the router's namespace, everything of theirs (config,
# pid files, sockets, logs) under $WORK/frr; never /etc/frr nor /var/run/frr. They run as
# Debian runs them, as user frr (root is not in the frrvty group they ask for): the directory
# is frr's, $WORK open to it for the way there.
frr_start() {
	local d=$WORK/frr daemon
	mkdir -p "$d"
	chown frr:frr "$d"
	chmod o+x "$WORK"
	cat >"$d/zebra.conf" <<CONF
hostname r
log file $d/zebra.log
CONF
	cat >"$d/staticd.conf" <<CONF
hostname r
log file $d/staticd.log
ip route 10.229.0.0/24 10.0.3.2
ipv6 route 2001:db8:229::/48 2001:db8:3::2
CONF
	cat >"$d/ospfd.conf" <<CONF
hostname r
log file $d/ospfd.log
interface p3
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 3
router ospf
 ospf router-id 10.0.3.1
 network 10.0.3.0/24 area 0
CONF
	cat >"$d/ospf6d.conf" <<CONF
hostname r
log file $d/ospf6d.log
interface p3
 ipv6 ospf6 area 0.0.0.0
 ipv6 ospf6 network point-to-point
 ipv6 ospf6 hello-interval 1
 ipv6 ospf6 dead-interval 3
router ospf6
 ospf6 router-id 10.0.3.1
CONF
	cat >"$d/bgpd.conf" <<CONF
hostname r
log file $d/bgpd.log
router bgp 65001
 bgp router-id 10.0.3.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor 10.0.3.2 remote-as 65002
 neighbor 10.0.3.2 timers connect 2
 neighbor 10.0.3.2 bfd
 neighbor 10.0.2.2 remote-as 65002
 neighbor 10.0.2.2 timers connect 2
 neighbor 2001:db8:3::2 remote-as 65002
 neighbor 2001:db8:3::2 timers connect 2
 address-family ipv4 unicast
  neighbor 10.0.3.2 activate
  neighbor 10.0.2.2 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 2001:db8:3::2 activate
 exit-address-family
CONF
	FRR_PIDS=""
	for daemon in zebra staticd bfdd bgpd ospfd ospf6d; do
		ip netns exec $R "$FRR_DIR/$daemon" -f "$d/$daemon.conf" -i "$d/$daemon.pid" \
			-z "$d/zserv.api" --vty_socket "$d" -P 0 \
			>"$d/$daemon.out" 2>&1 &
		FRR_PIDS="$FRR_PIDS $!"
		# the others connect to zebra's socket
		[ $daemon = zebra ] && poll_for 10 test -S "$d/zserv.api"
	done
}

frr_stop() {
	kill $FRR_PIDS 2>/dev/null
	wait $FRR_PIDS 2>/dev/null
	FRR_PIDS=""
}

vtysh_r() { # command: in the router's FRR
	vtysh --vty_socket "$WORK/frr" -c "$1"
}

frr_established() { # peer
	# -n and input: no output (vtysh failing) is false, not jq's empty success
	vtysh_r "show bgp neighbor $1 json" | jq -en --arg p "$1" 'input | .[$p].bgpState == "Established"' >/dev/null
}

# fp_route_is PREFIX WANT: fastpath's route for PREFIX is "protocol via..." (sorted), WANT ""
# for none
fp_route_is() {
	local r
	r=$(api route.list | jq -r --arg p "$1" '.routes[] | select(.prefix == $p and .origin == "kernel") | "\(.protocol)" + ([.nexthops[]? | " \(.via)"] | sort | join(""))')
	echo "$1: ${r:-none}" >&2
	[ "$r" = "$2" ]
}

# frr_counts N: the kernel and fastpath both have N routes in 10.240/16
frr_counts() {
	local k f
	k=$(ip -n $R route show root 10.240.0.0/16 proto bgp | grep -c '^10\.240\.')
	# more than 10000 routes: the reply comes in chunks, one JSON document each
	f=$(api route.list '{"family": "ipv4"}' | jq -s '[.[].routes[] | select(.prefix | startswith("10.240."))] | length')
	echo "kernel $k, fastpath $f, want $1" >&2
	[ "$k" = "$1" ] && [ "$f" = "$1" ]
}

# frr_counts_settled: the kernel's and fastpath's counts equal, and unchanged 2 s later
frr_counts_settled() {
	local a b
	a=$(frr_counts same 2>&1)
	sleep 2
	b=$(frr_counts same 2>&1)
	echo "$a; 2 s later: $b" >&2
	[ "$a" = "$b" ] && set -- $a && [ "$2" = "${4}" ] && [ "$2" != "0," ]
}

# bird_ospf_start: a BIRD on h3 speaking OSPFv2 and OSPFv3 on eth0 (the router's p3),
# announcing 10.226.0.0/24 and 2001:db8:226::/48
bird_ospf_start() {
	cat >"$WORK/bird-ospf.conf" <<CONF
router id 10.0.3.2;
log "$WORK/bird-ospf.log" all;
protocol device { scan time 1; }
protocol static ospfnets { ipv4; route 10.226.0.0/24 blackhole; }
protocol ospf v2 {
	ipv4 { import none; export where proto = "ospfnets"; };
	area 0 { interface "eth0" { type ptp; hello 1; dead 3; }; };
}
protocol static ospfnets6 { ipv6; route 2001:db8:226::/48 blackhole; }
protocol ospf v3 ospf6 {
	ipv6 { import none; export where proto = "ospfnets6"; };
	area 0 { interface "eth0" { type ptp; hello 1; dead 3; }; };
}
CONF
	ip netns exec $FPT-h3 bird -f -c "$WORK/bird-ospf.conf" -s "$WORK/bird-ospf.ctl" \
		-P "$WORK/bird-ospf.pid" >"$WORK/bird-ospf.out" 2>&1 &
}

test_frr() {
	local h3_pid h2_pid ospf_pid before_unsupported
	before_unsupported=$(api netlink.show | jq .mirror.ignored.unsupported)
	in_ns h3 ip addr add 10.222.0.1/32 dev lo
	in_ns h3 ip addr add 2001:db8:222::1/128 dev lo
	in_ns h3 ip addr add 10.224.0.1/32 dev lo
	in_ns h2 ip addr add 10.224.0.1/32 dev lo
	in_ns h3 ip addr add 10.229.0.1/32 dev lo
	in_ns h3 ip addr add 2001:db8:229::1/128 dev lo
	frr_start
	# and 10k /32s in 10.240/16, for the announce-and-withdraw rounds
	BIRD_BFD=1 bird_start h3 $FPT-h3 10.0.3.2 65002 10.0.3.1 2001:db8:3::1 65001 \
		10.222.0.0/24 10.223.0.0/24 10.224.0.0/24 2001:db8:222::/48 \
		$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "10.240.%d.%d/32\n", i / 250, i % 250 }')
	h3_pid=$!
	check "frr: zebra, staticd and bgpd run in the router's namespace" poll_for 10 sh -c \
		"vtysh --vty_socket $WORK/frr -c 'show version' | grep -q FRRouting"
	# staticd's routes: FRR's proto 196, "static" as ip route names it
	check "frr: staticd's route is in the kernel through a nexthop object" poll_for 15 sh -c \
		"ip -n $R route show 10.229.0.0/24 | tee /dev/stderr | grep -q 'nhid [0-9]* via 10.0.3.2 dev p3 proto static'"
	check "frr: ... and in fastpath, protocol static" poll_for 10 fp_route_is 10.229.0.0/24 'static 10.0.3.2'
	check "frr: fastpath forwards to it" ping_ok h1 10.229.0.1
	check "frr: staticd's IPv6 route too" poll_for 10 fp_route_is 2001:db8:229::/48 'static 2001:db8:3::2'
	check "frr: and forwards to it" ping6_ok h1 2001:db8:229::1
	check "frr: bgpd peers with BIRD on h3" poll_for 30 frr_established 10.0.3.2
	check "frr: ... over IPv6 too" poll_for 30 frr_established 2001:db8:3::2
	check "frr: the learned prefix is in the kernel through a nexthop object (proto bgp)" poll_for 15 sh -c \
		"ip -n $R route show 10.222.0.0/24 | tee /dev/stderr | grep -q 'nhid [0-9]* via 10.0.3.2 dev p3 proto bgp'"
	check "frr: the mirror puts it into fastpath (protocol bgp)" poll_for 10 fp_route_is 10.222.0.0/24 'bgp 10.0.3.2'
	check "frr: fastpath forwards h1's traffic to it" ping_ok h1 10.222.0.1
	# FRR's IPv6 next hop: the peer's link-local address on the twin
	check "frr: the IPv6 prefix reaches fastpath, via h3's link-local address" poll_for 15 sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"2001:db8:222::/48\" and .protocol == \"bgp\" and (.nexthops | length) == 1 and (.nexthops[0].via | startswith(\"fe80:\")) and .nexthops[0].dev == \"p3\")'"
	check "frr: and fastpath forwards to it" ping6_ok h1 2001:db8:222::1
	check "frr: no route of FRR's left out as unsupported" test \
		"$(api netlink.show | jq .mirror.ignored.unsupported)" -eq "$before_unsupported"
	# ECMP: h2 announces 10.224.0.0/24 too, from the same AS: two paths, a group object
	bird_start h2 $FPT-h2 10.0.2.2 65002 10.0.2.1 2001:db8:2::1 65001 10.224.0.0/24
	h2_pid=$!
	check "frr: bgpd peers with BIRD on h2" poll_for 30 frr_established 10.0.2.2
	check "frr: ECMP from two peers: a nexthop group in the kernel" poll_for 15 sh -c \
		"ip -n $R route show 10.224.0.0/24 | tee /dev/stderr | grep -q 'nhid' && ip -n $R route show 10.224.0.0/24 | grep -c 'nexthop via' | grep -qx 2"
	check "frr: ... both paths in fastpath" poll_for 10 fp_route_is 10.224.0.0/24 'bgp 10.0.2.2 10.0.3.2'
	check "frr: h1 reaches 10.224.0.1 over them" ping_ok h1 10.224.0.1
	check "frr: h2's session down: the group shrinks, fastpath keeps the path via h3" birdc_in h2 disable peer
	check "frr: ... one path left in fastpath" poll_for 15 fp_route_is 10.224.0.0/24 'bgp 10.0.3.2'
	check "frr: withdrawn by h3" birdc_in h3 disable announced
	check "frr: the withdrawn prefixes leave fastpath" poll_for 15 fp_route_is 10.222.0.0/24 ''
	check "frr: ... all of them" poll_for 15 fp_route_is 10.224.0.0/24 ''
	check "frr: traffic to them no longer goes through" sh -c \
		"! ip netns exec $FPT-h1 ping -c 2 -i 0.2 -W 1 10.222.0.1"
	check "frr: announced again: back in fastpath" sh -c \
		"$(declare -f birdc_in); WORK=$WORK; birdc_in h3 enable announced >/dev/null"
	check "frr: ... back in fastpath (10k routes with it)" poll_for 60 fp_route_is 10.223.0.0/24 'bgp 10.0.3.2'
	for round in 1 2 3; do
		check "frr: round $round: 10k prefixes at rest, fastpath's count is the kernel's (10000)" \
			poll_for 60 frr_counts 10000
		check "frr: round $round: withdrawn" birdc_in h3 disable announced
		check "frr: round $round: all gone, from the kernel and fastpath" poll_for 60 frr_counts 0
		check "frr: round $round: announced again" birdc_in h3 enable announced
	done
	check "frr: after three rounds: 10k again, counts equal" poll_for 60 frr_counts 10000
	check "frr: ... the mirror's nexthop objects are the kernel's" sh -c \
		"$(declare -f api); SOCK=$SOCK; [ \$(api netlink.show | jq .mirror.nexthops.objects) = \$(ip -n $R -j nexthop show | jq length) ]"
	check "frr: ... h1 reaches one of them" sh -c "$(declare -f in_ns); FPT=$FPT; in_ns h3 ip addr add 10.240.39.249/32 dev lo && in_ns h1 ping -c 2 -i 0.2 -W 2 10.240.39.249; rc=\$?; in_ns h3 ip addr del 10.240.39.249/32 dev lo; exit \$rc"
	# BFD: h3's BIRD frozen (SIGSTOP), the link up; BFD (detection 1.5 s) takes the session down
	# long before the hold time (9 s)
	check "frr: BFD session up with h3" poll_for 15 sh -c \
		"vtysh --vty_socket $WORK/frr -c 'show bfd peers brief' | tee /dev/stderr | grep -q '10.0.3.2 *up'"
	kill -STOP $h3_pid
	check "frr: h3 frozen: BFD withdraws its routes from fastpath within 5 s (hold time 9 s)" \
		poll_for 5 fp_route_is 10.223.0.0/24 ''
	kill -CONT $h3_pid
	check "frr: h3 back: its routes too" poll_for 30 fp_route_is 10.223.0.0/24 'bgp 10.0.3.2'
	# BFD off again: BIRD sends BFD from the thread that sends the 10k routes, so on a loaded
	# machine the re-announcement can take the session down again and again (seen in CI),
	# and nothing would ever be at rest
	check "frr: BFD off for h3 (FRR accepts the change)" vtysh --vty_socket "$WORK/frr" \
		-c 'configure terminal' -c 'router bgp 65001' -c 'no neighbor 10.0.3.2 bfd'
	# how many of the 10k FRR puts back after the BFD flap is FRR's business (9981 after 60 s
	# once, on a loaded machine); fastpath's is to hold what the kernel holds
	check "frr: ... fastpath holds what the kernel holds again (at rest)" poll_for 90 frr_counts_settled
	check "frr: the IPv6 session down removes its prefix" birdc_in h3 disable peer6
	check "frr: ... from fastpath" poll_for 15 fp_route_is 2001:db8:222::/48 ''
	# OSPF: ospfd on p3's twin, BIRD on h3
	in_ns h3 ip addr add 10.226.0.1/32 dev lo
	in_ns h3 ip addr add 2001:db8:226::1/128 dev lo
	bird_ospf_start
	ospf_pid=$!
	check "frr: OSPF adjacency with BIRD on h3 (Full)" poll_for 30 sh -c \
		"vtysh --vty_socket $WORK/frr -c 'show ip ospf neighbor' | tee /dev/stderr | grep -q Full"
	check "frr: the OSPF route reaches fastpath (protocol ospf)" poll_for 20 fp_route_is 10.226.0.0/24 'ospf 10.0.3.2'
	check "frr: fastpath forwards to it" ping_ok h1 10.226.0.1
	check "frr: OSPFv3 adjacency (Full)" poll_for 30 sh -c \
		"vtysh --vty_socket $WORK/frr -c 'show ipv6 ospf6 neighbor' | tee /dev/stderr | grep -q Full"
	check "frr: the OSPFv3 route reaches fastpath, via h3's link-local address on p3" poll_for 20 sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"2001:db8:226::/48\" and .protocol == \"ospf\" and (.nexthops | length) == 1 and (.nexthops[0].via | startswith(\"fe80:\")) and .nexthops[0].dev == \"p3\")'"
	check "frr: fastpath forwards to it" ping6_ok h1 2001:db8:226::1
	kill $ospf_pid
	wait $ospf_pid 2>/dev/null
	check "frr: BIRD's OSPF gone (dead interval): the route leaves fastpath" poll_for 20 fp_route_is 10.226.0.0/24 ''
	check "frr: ... the OSPFv3 one too" poll_for 20 fp_route_is 2001:db8:226::/48 ''
	in_ns h3 ip addr del 10.226.0.1/32 dev lo
	in_ns h3 ip addr del 2001:db8:226::1/128 dev lo
	frr_stop
	check "frr: zebra stopped: FRR's routes leave the kernel and fastpath" poll_for 15 fp_route_is 10.223.0.0/24 ''
	check "frr: ... staticd's too" poll_for 15 fp_route_is 10.229.0.0/24 ''
	kill $h3_pid $h2_pid 2>/dev/null
	wait $h3_pid $h2_pid 2>/dev/null
	in_ns h3 ip addr del 10.222.0.1/32 dev lo
	in_ns h3 ip addr del 2001:db8:222::1/128 dev lo
	in_ns h3 ip addr del 10.224.0.1/32 dev lo
	in_ns h2 ip addr del 10.224.0.1/32 dev lo
	in_ns h3 ip addr del 10.229.0.1/32 dev lo
	in_ns h3 ip addr del 2001:db8:229::1/128 dev lo
}

# before test_stop, which ends the router's list
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_frr test_stop}
