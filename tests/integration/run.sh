#!/bin/bash
# Integration tests: a real fastpathd (2 workers) between Linux hosts in namespaces.
# usage: run.sh [BUILD_DIR [TEST...]]   (FPT_KEEP=1 keeps the work directory, for its logs)
BUILD=${1:-build}
shift
. "$(dirname "$0")/lib.sh"
trap 'cleanup_all; [ -n "${FPT_KEEP:-}" ] && log "kept $WORK" || rm -rf "$WORK"' EXIT

ping_ok() { # host address [ping options]
	local h=$1 a=$2
	shift 2
	in_ns "$h" ping -c 3 -i 0.2 -W 2 "$@" "$a"
}

test_ping() {
	check "ping h1 -> h2 across the router" ping_ok h1 10.0.2.2
	check "ping h2 -> h1 across the router" ping_ok h2 10.0.1.2
	check "ping the router's near address" ping_ok h1 10.0.1.1
	check "ping the router's far address" ping_ok h1 10.0.2.1
	check "neighbours learned (h1 REACHABLE or STALE)" \
		sh -c "$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '.neighbours[] | select(.address == \"10.0.1.2\" and .mac != null)'"
}

# IPv6 ---------------------------------------------------------------------------------------
ROUTER_LL1=fe80::ff:fe00:101 # p1's link-local address: EUI-64 of 02:00:00:00:01:01

ping6_ok() { # host address [ping options]
	local h=$1 a=$2
	shift 2
	in_ns "$h" ping -6 -c 3 -i 0.2 -W 2 "$@" "$a"
}

test_ipv6_router() {
	check "the router's IPv6 addresses pass DAD" wait_dad
	check "every port has its EUI-64 link-local address, automatic, shown in addr.list" sh -c \
		"$(declare -f api); SOCK=$SOCK; api addr.list | tee /dev/stderr | jq -e '[.addresses[] | select(.scope == \"link\" and .automatic and .state == \"preferred\") | .iface + \" \" + .address] | sort == [\"p1 fe80::ff:fe00:101/64\", \"p2 fe80::ff:fe00:201/64\", \"p3 fe80::ff:fe00:301/64\"]'"
	check "ping -6 the router's near address" ping6_ok h1 2001:db8:1::1
	check "ping -6 the router's link-local address" ping6_ok h1 $ROUTER_LL1%eth0
	check "ping -6 all nodes (ff02::1): the router answers from its link-local address" sh -c \
		"ip netns exec $FPT-h1 ping -6 -c 2 -i 0.3 -W 2 ff02::1%eth0 | tee /dev/stderr | grep -q 'from $ROUTER_LL1%eth0'"
	check "ping -6 the router's far address" ping6_ok h1 2001:db8:2::1
	check "NDP: the router learned h1 (REACHABLE or STALE, with its MAC)" neigh_with \
		'.iface == "p1" and .address == "2001:db8:1::2" and .mac != null'
}

test_ipv6_forward() {
	check "ping -6 h1 -> h2 across the router" ping6_ok h1 2001:db8:2::2
	check "ping -6 h2 -> h1 across the router" ping6_ok h2 2001:db8:1::2
	check "traceroute -6 h1 -> h2 shows the router as hop 1" sh -c \
		"ip netns exec $FPT-h1 traceroute -6 -n -q 1 -w 2 -m 3 2001:db8:2::2 | tee /dev/stderr | awk '\$1 == 1 {print \$2}' | grep -qx 2001:db8:1::1"
	ip netns exec $FPT-h1 ip -6 route flush cache
	check "tracepath -6 learns the path MTU from the router's packet too big" sh -c \
		"ip netns exec $FPT-h1 tracepath -6 -n -m 3 2001:db8:3::2 | tee /dev/stderr | grep -q 'pmtu 1280'"
	check "packet too big counted as ip6_packet_too_big" test "$(drops ip6_packet_too_big)" -ge 1
	check "unresolvable neighbour: ICMPv6 address unreachable" sh -c \
		"ip netns exec $FPT-h1 ping -6 -c 1 -W 5 2001:db8:2::99 | tee /dev/stderr | grep -q 'Address unreachable'"
	in_ns h2 timeout 3 tcpdump -nli eth0 -c 1 -e 'ip6 and ether dst 02:00:00:00:02:50' >"$WORK/static6" 2>/dev/null &
	local dump=$!
	sleep 1
	in_ns h1 ping -6 -c 1 -W 1 2001:db8:2::50 >/dev/null 2>&1
	wait $dump
	check "a static IPv6 neighbour (config file): traffic leaves with its MAC, without NDP" \
		grep -q '2001:db8:2::50' "$WORK/static6"
	api route.del '{"prefix": "::/0"}' >/dev/null # the test bed's default route, meanwhile
	check "no route: ICMPv6 no route (1/0)" sh -c \
		"ip netns exec $FPT-h1 ping -6 -c 1 -W 2 2001:db8:99::1 | tee /dev/stderr | grep -q 'No route'"
	check "no route counted as ip6_no_route" test "$(drops ip6_no_route)" -ge 1
	api route.add '{"prefix": "::/0", "via": "fe80::3:2", "dev": "p3"}' >/dev/null
	check "unreachable route: ICMPv6 no route (1/0), as Linux's ip6_pkt_discard" sh -c \
		"ip netns exec $FPT-h1 ping -6 -c 1 -W 2 2001:db8:77::1 | tee /dev/stderr | grep -q 'No route'"
	check "prohibit route: ICMPv6 administratively prohibited (1/1)" sh -c \
		"ip netns exec $FPT-h1 ping -6 -c 1 -W 2 2001:db8:88::1 | tee /dev/stderr | grep -q 'Administratively prohibited'"
	check "blackhole route: silent, counted" sh -c \
		"! ip netns exec $FPT-h1 ping -6 -c 1 -W 1 2001:db8:66::1 && [ \$($(declare -f api drops); SOCK=$SOCK; drops ip6_blackhole) -ge 1 ]"
	in_ns h2 iperf3 -s -D -1 -p 5202 >/dev/null 2>&1
	sleep 0.5
	check "iperf3 -6 TCP h1 -> h2 for 5 s completes" sh -c \
		"ip netns exec $FPT-h1 iperf3 -6 -c 2001:db8:2::2 -p 5202 -t 5 -J | jq -e '.end.sum_received.bytes > 0'"
}

# malformed IPv6: each dropped and counted, or answered as Linux answers it
test_ipv6_bad_packets() {
	local mac=02:00:00:00:01:01 case reason before
	for case in bad_payload_length:ip6_truncated truncated_header:ip6_truncated \
		bad_version:ip6_bad_version multicast_source:ip6_martian_source \
		loopback_destination:ip6_martian_destination too_many_options:ip6_ext_too_many \
		long_chain:ip6_ext_too_many truncated_ext_header:ip6_ext_truncated \
		option_discard:ip6_ext_discard; do
		reason=${case#*:}
		before=$(drops "$reason")
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" "${case%%:*}" $mac
		sleep 0.3
		check "${case%%:*} dropped and counted as $reason" test "$(drops "$reason")" -ge $((before + 5))
	done
	sleep 1.5 # the rate limit of errors to h1 (a /64: 250 ms a token) refills
	for case in "hop_limit_0:time exceeded (3/0)" "hop_limit_1:time exceeded (3/0)" \
		"option_param_problem:parameter problem 4/2 at the option (42)" \
		"option_param_problem_unicast:parameter problem 4/2 at the option (42)" \
		"routing_type_0:parameter problem 4/0 at the routing type (42)" \
		"hop_by_hop_not_first:parameter problem 4/1 at the next header byte (40)" \
		"option_skip:forwarded, h2 answers"; do
		check "${case%%:*}: ${case#*:}" in_ns h1 $PY "$TESTDIR/bad_packets6.py" "${case%%:*}" $mac
		sleep 0.3
	done
	# UDP and unknown next headers to the router: the kernel's to answer, through the twin
	# (test_twin_one_owner), or fastpath's without twins (test_twin_config)
	check "each answered reason counted" sh -c \
		"$(declare -f api drops); SOCK=$SOCK; for r in ip6_hop_limit_exceeded ip6_unknown_option ip6_param_problem_field; do [ \$(drops \$r) -ge 1 ] || { echo \$r; exit 1; }; done"
	check "IPv6 forwarding goes on after bad packets" ping6_ok h1 2001:db8:2::2
	check "the daemon is alive" kill -0 "$FPD_PID"
}

addr_state() { # iface address/len: its state in addr.list
	api addr.list | jq -r --arg i "$1" --arg a "$2" '.addresses[] | select(.iface == $i and .address == $a) | .state'
}

# addresses through the API, DAD against a Linux host, router advertisements
test_ipv6_addresses() {
	check "addr.add: an IPv6 address, tentative first" sh -c \
		"$(declare -f api addr_state); SOCK=$SOCK; api addr.add '{\"iface\": \"p1\", \"address\": \"2001:db8:1::100/64\"}' && [ \$(addr_state p1 2001:db8:1::100/64) = tentative ]"
	sleep 2.5
	check "... preferred once DAD is over" test "$(addr_state p1 2001:db8:1::100/64)" = preferred
	check "the new address answers ping -6" ping6_ok h1 2001:db8:1::100
	check "addr.del removes it" api addr.del '{"iface": "p1", "address": "2001:db8:1::100/64"}'
	check "... and it answers no more" sh -c "! ip netns exec $FPT-h1 ping -6 -c 1 -W 1 2001:db8:1::100"
	check "DAD: h1's own address added to the router" api addr.add '{"iface": "p1", "address": "2001:db8:1::2/64"}'
	sleep 2.5
	check "... is found duplicate (h1 defends it): dadfailed" test "$(addr_state p1 2001:db8:1::2/64)" = dadfailed
	check "... h1 keeps its address: ping -6 across the router still reaches it" ping6_ok h2 2001:db8:1::2
	check "... the duplicate is logged" grep -q 'duplicate address 2001:db8:1::2 detected' "$WORK/fastpathd.log"
	api addr.del '{"iface": "p1", "address": "2001:db8:1::2/64"}' >/dev/null
	check "an IPv6 address in use on another interface: refused" api_refuses addr.add \
		'{"iface": "p2", "address": "2001:db8:1::1/64"}' "EADDRINUSE: address 2001:db8:1::1/64 is in use on another interface"
	check "a multicast address: refused" api_refuses addr.add \
		'{"iface": "p2", "address": "ff02::5/64"}' "EINVAL: /address: 'ff02::5/64' is a multicast address, not an interface's"
	check "the automatic link-local addresses are not in config.dump" sh -c \
		"$(declare -f api); SOCK=$SOCK; api config.dump | jq -e '[.config.addresses[] | select(.address | startswith(\"fe80\"))] == [] and ([.config.addresses[] | select(.address == \"2001:db8:2::1/64\")] | length == 1)'"

	# h2 autoconfigures from the router's advertisements
	in_ns h2 sysctl -qw net.ipv6.conf.eth0.accept_ra=2
	check "ra.set: router advertisements on p2" api ra.set \
		'{"iface": "p2", "interval": 30, "lifetime": 600, "prefixes": [{"prefix": "2001:db8:2::/64"}]}'
	check "ra.list shows them" sh -c \
		"$(declare -f api); SOCK=$SOCK; api ra.list | jq -e '.router_advertisements[] | select(.iface == \"p2\" and .interval == 30 and .lifetime == 600)'"
	check "h2 autoconfigures a 2001:db8:2::/64 address (SLAAC) from them" sh -c \
		"for i in \$(seq 30); do ip -n $FPT-h2 -6 addr show dev eth0 | grep -q 'inet6 2001:db8:2:0:.*dynamic' && exit 0; sleep 0.2; done; exit 1"
	check "... and a default route via the router's link-local address" sh -c \
		"ip -n $FPT-h2 -6 route show default | tee /dev/stderr | grep -q 'via fe80::ff:fe00:201 dev eth0 proto ra'"
	check "a router solicitation is answered" in_ns h2 $PY "$TESTDIR/bad_packets6.py" router_solicitation 02:00:00:00:02:01
	check "ra.del stops them" api ra.del '{"iface": "p2"}'
	check "... with a last one of lifetime 0: h2 drops the default route" sh -c \
		"sleep 0.5; ! ip -n $FPT-h2 -6 route show default | grep -q 'proto ra'"
	ip -n $FPT-h2 -6 addr flush dev eth0 dynamic
	in_ns h2 sysctl -qw net.ipv6.conf.eth0.accept_ra=1
}

test_traceroute() {
	check "traceroute h1 -> h2 shows the router as hop 1" sh -c \
		"ip netns exec $FPT-h1 traceroute -n -q 1 -w 2 -m 3 10.0.2.2 | tee /dev/stderr | awk '\$1 == 1 {print \$2}' | grep -qx 10.0.1.1"
}

test_iperf() {
	in_ns h2 iperf3 -s -D -1 -p 5201 >/dev/null 2>&1
	sleep 0.5
	check "iperf3 TCP h1 -> h2 for 10 s completes" \
		sh -c "ip netns exec $FPT-h1 iperf3 -c 10.0.2.2 -p 5201 -t 10 -J | jq -e '.end.sum_received.bytes > 0'"
}

test_no_route() {
	check "no route: ICMP net unreachable" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 2 10.99.0.1 | grep -q 'Destination Net Unreachable'"
	check "no route counted as ip4_no_route" test "$(drops ip4_no_route)" -ge 1
	check "unreachable route: ICMP host unreachable" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 2 10.77.0.1 | grep -q 'Destination Host Unreachable'"
	check "blackhole route: silent, counted" sh -c \
		"! ip netns exec $FPT-h1 ping -c 1 -W 1 10.66.0.1 && [ \$($(declare -f api drops); SOCK=$SOCK; drops ip4_blackhole) -ge 1 ]"
	check "unresolvable neighbour: ICMP host unreachable" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 5 10.0.2.99 | grep -q 'Destination Host Unreachable'"
}

# ecmp_spreads LABEL AF SRC DST: 32 UDP flows of 3 packets from h1 (SRC) to the anycast DST behind
# h2 and h3 reach both, all arrive, and each keeps one path
ecmp_spreads() {
	local label=$1 af=$2 src=$3 dst=$4
	in_ns h2 timeout 5 tcpdump -nli eth0 -w "$WORK/h2.pcap" udp dst port 7777 2>/dev/null &
	local d2=$!
	in_ns h3 timeout 5 tcpdump -nli eth0 -w "$WORK/h3.pcap" udp dst port 7777 2>/dev/null &
	local d3=$!
	sleep 1
	# one UDP source port per flow
	in_ns h1 $PY -c "import socket
for sport in range(20000, 20032):
    s = socket.socket(socket.$af, socket.SOCK_DGRAM)
    s.bind(('$src', sport))
    for _ in range(3):
        s.sendto(b'x', ('$dst', 7777))
    s.close()"
	wait $d2 $d3
	tcpdump -nr "$WORK/h2.pcap" 2>/dev/null | awk '{print $3}' | sed 's/.*\.//' | sort -u >"$WORK/h2.ports"
	tcpdump -nr "$WORK/h3.pcap" 2>/dev/null | awk '{print $3}' | sed 's/.*\.//' | sort -u >"$WORK/h3.ports"
	check "$label: flows reach both gateways" test -s "$WORK/h2.ports" -a -s "$WORK/h3.ports"
	check "$label: all 32 flows arrive" test "$(cat "$WORK/h2.ports" "$WORK/h3.ports" | sort -u | wc -l)" -eq 32
	check "$label: a flow keeps its path" test -z "$(comm -12 "$WORK/h2.ports" "$WORK/h3.ports")"
}

test_ecmp() {
	ecmp_spreads ECMP AF_INET 10.0.1.2 10.100.0.1
}

test_ipv6_ecmp() {
	ecmp_spreads "IPv6 ECMP" AF_INET6 2001:db8:1::2 2001:db8:100::1
}

test_route_under_traffic() {
	in_ns h1 ping -i 0.01 -c 400 -q 10.0.2.2 >"$WORK/steady" 2>&1 &
	local pinger=$!
	sleep 1
	check "route add through the API" api route.add '{"prefix": "10.200.0.0/24", "via": "10.0.3.2"}'
	check "the new route carries traffic" ping_ok h1 10.200.0.1
	check "route shows in route.list" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"10.200.0.0/24\")'"
	check "route del through the API" api route.del '{"prefix": "10.200.0.0/24"}'
	wait $pinger
	check "the other flow lost nothing meanwhile" grep -q ' 0% packet loss' "$WORK/steady"
}

test_bad_packets() {
	local mac=02:00:00:00:01:01 case reason unknown=unknown_ethertype:eth_unknown_ethertype
	# af_xdp: the XDP program leaves other ethertypes to the kernel (docs/af_xdp.md)
	[ "$PORT_DRIVER" = af_xdp ] && unknown=
	for case in bad_checksum:ip4_bad_checksum ihl_below_5:ip4_bad_ihl \
		length_beyond_frame:ip4_truncated truncated_header:ip4_truncated \
		bad_version:ip4_bad_version $unknown martian_source:ip4_martian_source; do
		reason=${case#*:}
		local before
		before=$(drops "$reason")
		in_ns h1 $PY "$TESTDIR/bad_packets.py" "${case%%:*}" $mac
		check "${case%%:*} dropped and counted as $reason" poll sh -c \
			"$(declare -f api drops); SOCK=$SOCK; [ \$(drops $reason) -ge $((before + 5)) ]"
	done
	if [ "$PORT_DRIVER" = af_xdp ]; then
		before=$(port_stat p1 xdp_passed)
		in_ns h1 $PY "$TESTDIR/bad_packets.py" unknown_ethertype $mac
		check "unknown_ethertype passed to the kernel by the XDP program (xdp_passed)" poll sh -c \
			"$(declare -f api port_stat); SOCK=$SOCK; [ \$(port_stat p1 xdp_passed) -ge $((before + 5)) ]"
	fi
	check "TTL 1: ICMP time exceeded from the router" in_ns h1 $PY "$TESTDIR/bad_packets.py" ttl_1 $mac
	check "forwarding goes on after bad packets" ping_ok h1 10.0.2.2
	check "the daemon is alive" kill -0 "$FPD_PID"
}

test_hold_queue() {
	local before limited
	before=$(drops neigh_hold_queue_overflow)
	limited=$(drops icmp4_rate_limited)
	# 200 x 1400 bytes to a host that never answers ARP: Linux holds 212992 bytes of them
	in_ns h1 $PY -c "from scapy.all import *
conf.verb = 0
sendp([Ether(dst='02:00:00:00:01:01') / IP(src='10.0.1.2', dst='10.0.2.98') / UDP(dport=9) /
	Raw(b'h' * 1372) for _ in range(200)], iface='eth0')"
	sleep 0.5
	check "the hold queue is bounded: the oldest packets are dropped and counted" \
		test "$(drops neigh_hold_queue_overflow)" -ge $((before + 40))
	check "the entry holds what fits in 212992 bytes" sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '.neighbours[] | select(.address == \"10.0.2.98\") | .held_packets > 100 and .held_packets * 1400 <= 212992 and .state == \"INCOMPLETE\"'"
	sleep 3.5
	# FAILED, or already collected by the periodic gc if it came right after, as in Linux
	check "after 3 probes the entry fails and its queue is flushed" sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '[.neighbours[] | select(.address == \"10.0.2.98\") | select(.state != \"FAILED\" or .held_packets > 0)] == []'"
	check "each held packet got its host unreachable, all but 6 rate-limited" \
		test "$(drops icmp4_rate_limited)" -ge $((limited + 100))
}

node_packets() { # node: packets it handled since start
	api stats.show | jq --arg n "$1" '[.nodes[] | select(.name == $n) | .packets] | add // 0'
}

test_mtu() {
	local before
	before=$(node_packets ip4_fragment)
	check "1428-byte packets without DF are fragmented to the 1280-byte link" \
		in_ns h1 ping -c 3 -i 0.2 -W 2 -M dont -s 1400 10.0.3.2
	check "the fragment node did it" test "$(node_packets ip4_fragment)" -ge $((before + 3))
	check "with DF: ICMP fragmentation needed, mtu 1280" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 2 -M do -s 1400 10.0.3.2 | grep -q 'mtu = 1280'"
	check "the fragmentation-needed error quotes the TTL the packet came with, as Linux" \
		in_ns h1 $PY "$TESTDIR/bad_packets.py" df_too_big 02:00:00:00:01:01
	ip netns exec $FPT-h1 ip route flush cache
	check "tracepath learns the path MTU from the router" sh -c \
		"ip netns exec $FPT-h1 tracepath -n -m 3 10.0.3.2 | tee /dev/stderr | grep -q 'pmtu 1280'"
}

test_introspection() {
	check "graph.show: ip4_input's edges name its drop reasons" sh -c \
		"$(declare -f api); SOCK=$SOCK; api graph.show | jq -e '.nodes[] | select(.name == \"ip4_input\") | .edges | index(\"ip4_bad_checksum\") != null'"
	check "graph.show: drop and source nodes are marked" sh -c \
		"$(declare -f api); SOCK=$SOCK; api graph.show | jq -e '([.nodes[] | select(.drop)] | length > 20) and ([.nodes[] | select(.source) | .name] | sort == [\"control_input\", \"defrag_handoff\", \"port_rx\"])'"
	api stats.clear >/dev/null
	ping_ok h1 10.0.2.2 >/dev/null
	# since the clear, only pings went through: the fast path forwards them all, else ip4_forward
	local fwd='[.workers[].nodes[] | select(.name == "ip4_forward") | .packets] | add'
	local forwarded="($fwd) == 0 and ([.workers[].nodes[] | select(.name == \"port_tx\") | .packets] | add >= 6)"
	[ "$FAST_PATH" = true ] || forwarded="($fwd) >= 6"
	check "runtime.show: per worker, the forwarding nodes counted since clear (fast path: $FAST_PATH)" sh -c \
		"$(declare -f api); SOCK=$SOCK; api runtime.show | tee /dev/stderr | jq -e '(.workers | length == 2) and $forwarded'"
	api trace.add '{"count": 50}' >/dev/null
	in_ns h1 ping -c 1 -W 1 10.0.2.2 >/dev/null
	in_ns h1 $PY "$TESTDIR/bad_packets.py" bad_checksum 02:00:00:00:01:01
	sleep 0.3
	check "trace: a forwarded packet's path, node by node" sh -c \
		"$(declare -f api); SOCK=$SOCK; api trace.show | jq -e '[.packets[] | select(([.nodes[].node] | index(\"eth_input\") and index(\"ip4_input\")) and any(.nodes[]; .node == \"ip4_forward\" and (.info | endswith(\"-> port_tx\"))))] | length >= 1'"
	check "trace: a dropped packet ends at its drop reason" sh -c \
		"$(declare -f api); SOCK=$SOCK; api trace.show | jq -e '[.packets[].nodes[] | select(.node == \"ip4_input\" and (.info | endswith(\"-> ip4_bad_checksum\")))] | length >= 1'"
	check "trace: the chosen next hop is shown" sh -c \
		"$(declare -f api); SOCK=$SOCK; api trace.show | jq -e '[.packets[].nodes[] | select(.node == \"ip4_input\" and (.info | test(\"via 10.0.2.2 dev p2 -> ip4_forward\")))] | length >= 1'"
	check "trace.clear" api trace.clear
	check "trace.add refuses 0 and too many" sh -c \
		"$(declare -f api); SOCK=$SOCK; ! api trace.add '{\"count\": 0}' && ! api trace.add '{\"count\": 100000}'"
}

pcap_fields() { # file fields...: one line per packet, tab-separated
	local f=$1
	shift
	tshark -r "$f" -T fields $(printf -- '-e %s ' "$@") 2>/dev/null
}

test_capture() {
	check "capture.start on p2, both directions" \
		api_file capture.start '{"port": "p2"}' "$WORK/p2.pcapng" w
	check "a second capture is refused while one runs" sh -c \
		"$(declare -f api_file); SOCK=$SOCK; ! api_file capture.start '{}' $WORK/x.pcapng w"
	in_ns h1 ping -c 3 -i 0.2 -W 1 10.0.2.2 >/dev/null
	sleep 0.3
	check "capture.stop" api capture.stop
	check "tshark reads 3 requests out and 3 replies in on p2" sh -c \
		"[ \"\$(tshark -r $WORK/p2.pcapng -Y 'icmp.type == 8 && frame.packet_flags_direction == 2 && frame.interface_name == \"p2\"' 2>/dev/null | wc -l)\" = 3 ] && [ \"\$(tshark -r $WORK/p2.pcapng -Y 'icmp.type == 0 && frame.packet_flags_direction == 1' 2>/dev/null | wc -l)\" = 3 ]"
	check "capture.start of 4 packets" api_file capture.start '{"count": 4}' "$WORK/four.pcapng" w
	in_ns h1 ping -c 3 -i 0.2 -W 1 10.0.2.2 >/dev/null
	sleep 0.3
	check "the capture stops by itself after 4 packets" sh -c \
		"$(declare -f api); SOCK=$SOCK; api capture.show | jq -e '.running == false and .captured == 4' && [ \$(tshark -r $WORK/four.pcapng 2>/dev/null | wc -l) = 4 ]"
	check "capture.start of drops" api_file capture.start '{"direction": "drop"}' "$WORK/drops.pcapng" w
	in_ns h1 $PY "$TESTDIR/bad_packets.py" bad_checksum 02:00:00:00:01:01
	in_ns h1 ping -c 1 -W 1 10.66.0.1 >/dev/null
	in_ns h1 ping -c 1 -W 1 -t 1 10.0.2.2 >"$WORK/ttl.out"
	in_ns h1 ping -c 1 -W 1 10.99.0.1 >"$WORK/noroute.out"
	in_ns h1 ping -6 -c 1 -W 1 -t 1 2001:db8:2::2 >"$WORK/hlim.out"
	sleep 0.3
	check "capture.stop" api capture.stop
	check "the dropped packets were answered with their ICMP errors" sh -c \
		"grep -q 'Time to live exceeded' $WORK/ttl.out && grep -qi 'unreachable' $WORK/noroute.out && grep -qi 'Time exceeded' $WORK/hlim.out"
	check "drops that became ICMP errors are captured as they came, with their reason" sh -c \
		"tshark -r $WORK/drops.pcapng -T fields -e frame.comment -e ip.ttl -e icmp.type -e ipv6.hlim -e icmpv6.type 2>/dev/null | tee /dev/stderr | grep -Pq '^drop: ip4_ttl_exceeded\t1\t8\t' && tshark -r $WORK/drops.pcapng -Y 'frame.comment == \"drop: ip4_no_route\" && icmp.type == 8 && ip.dst == 10.99.0.1' 2>/dev/null | grep -q . && tshark -r $WORK/drops.pcapng -Y 'frame.comment == \"drop: ip6_hop_limit_exceeded\" && icmpv6.type == 128 && ipv6.hlim == 1' 2>/dev/null | grep -q ."
	check "each dropped packet is marked with its reason" sh -c \
		"[ \"\$(tshark -r $WORK/drops.pcapng -Y 'frame.comment == \"drop: ip4_bad_checksum\" && udp' 2>/dev/null | wc -l)\" = 5 ] && tshark -r $WORK/drops.pcapng -Y 'frame.comment == \"drop: ip4_blackhole\" && icmp.type == 8' 2>/dev/null | grep -q 10.66.0.1"
	check "capture.start refuses a missing port, a request without a file, a path" sh -c \
		"$(declare -f api_refuses api_file api_file_refuses); SOCK=$SOCK; api_file_refuses capture.start '{\"port\": \"nope\"}' $WORK/y.pcapng w \"ENODEV: no interface 'nope'\" && api_refuses capture.start '{}' 'EBADF: no file descriptor passed with the request' && api_refuses capture.start '{\"file\": \"$WORK/y.pcapng\"}' \"EINVAL: unknown argument 'file' for capture.start (expected 'port', 'direction', 'count', 'max_bytes')\""
}

test_config_roundtrip() {
	api config.dump | jq '.config' >"$WORK/dump1.json"
	check "config.dump loads back with no change" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/dump1.json r | jq -e '.changes == []'"
	api config.dump | jq '.config' >"$WORK/dump2.json"
	check "dump, load, dump is the identity" cmp "$WORK/dump1.json" "$WORK/dump2.json"
	jq '.routes += [{"prefix": "10.97.0.0/16", "via": "10.0.2.2"}]' "$WORK/dump1.json" >"$WORK/plus.json"
	check "config.load reports the route it added" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/plus.json r | jq -e '.changes == [{\"section\": \"routes\", \"added\": [\"{\\\"vrf\\\":0,\\\"prefix\\\":\\\"10.97.0.0/16\\\",\\\"type\\\":\\\"unicast\\\",\\\"nexthops\\\":[{\\\"via\\\":\\\"10.0.2.2\\\",\\\"dev\\\":\\\"p2\\\"}]}\"], \"removed\": [], \"changed\": []}]'"
	api config.dump | jq '.config' >"$WORK/dump_plus.json"
	# removing p3's address while a route still goes through 10.0.3.2 fails half-way
	jq '.addresses |= map(select(.iface != "p3"))' "$WORK/dump1.json" >"$WORK/broken.json"
	check "config.load that fails half-way is refused" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; ! api_file config.load '{}' $WORK/broken.json r"
	api config.dump | jq '.config' >"$WORK/dump3.json"
	check "... and changes nothing (all or nothing)" cmp "$WORK/dump_plus.json" "$WORK/dump3.json"
	check "config.load takes no path, and needs a file passed" sh -c \
		"$(declare -f api_refuses); SOCK=$SOCK; api_refuses config.load '{\"path\": \"$WORK/dump1.json\"}' \"EINVAL: unknown argument 'path' for config.load: it takes none\" && api_refuses config.load '{}' 'EBADF: no file descriptor passed with the request'"
	api_file config.load '{}' "$WORK/dump1.json" r >/dev/null
}

test_api() {
	check "100 concurrent clients are all served" $PY "$TESTDIR/api_clients.py" load "$SOCK"
	check "malformed, truncated, oversized, unknown requests get errors; the daemon goes on" \
		$PY "$TESTDIR/api_clients.py" bad "$SOCK"
	check "monitor: route events are pushed" $PY "$TESTDIR/api_clients.py" monitor "$SOCK"
	for i in $(seq 0 24999); do
		printf '{"id":%d,"cmd":"route.add","args":{"prefix":"%d.%d.%d.0/24","via":"10.0.2.2"}}\n' \
			$i $((20 + i / 65536)) $(((i / 256) % 256)) $((i % 256))
	done >"$WORK/adds"
	timeout 60 socat -t 10 - "UNIX-CONNECT:$SOCK" <"$WORK/adds" >/dev/null
	check "route.list of 25000+ routes comes in chunks" sh -c \
		"printf '{\"id\":1,\"cmd\":\"route.list\"}\\n' | socat -t 10 - UNIX-CONNECT:$SOCK | jq -s -e 'length >= 3 and all(.[:-1][]; .more) and (.[-1].more | not) and all(.[]; .result.routes | length <= 10000) and (map(.result.routes | length) | add) > 25000'"
	check "the client library joins the chunks" sh -c \
		"$PY $TESTDIR/api_clients.py call $SOCK route.list | jq -e '.routes | length > 25000'"
	sed 's/route.add/route.del/; s/,"via":"[^"]*"//' "$WORK/adds" | timeout 60 socat -t 10 - "UNIX-CONNECT:$SOCK" >/dev/null
	check "every command refuses an argument it does not take, naming those it does" sh -c \
		"$(declare -f api_refuses); SOCK=$SOCK; api_refuses route.del '{\"prefix\": \"10.9.0.0/16\", \"vrff\": 1}' \"EINVAL: unknown argument 'vrff' for route.del (did you mean 'vrf'?)\" && api_refuses stats.show '{\"all\": true}' \"EINVAL: unknown argument 'all' for stats.show: it takes none\" && api_refuses route.add '{\"prefix\": \"10.9.0.0/16\", \"type\": \"blackhole\", \"color\": 1}' \"EINVAL: unknown argument 'color' for route.add (expected 'replace', 'prefix', 'vrf', 'type', 'via', 'dev', 'nexthops')\""
	check "addr.add refuses 0.0.0.0/0 (it made 'default dev p1'), ::/0 and a /0" sh -c \
		"$(declare -f api api_refuses); SOCK=$SOCK; api_refuses addr.add '{\"iface\": \"p1\", \"address\": \"0.0.0.0/0\"}' \"EINVAL: /address: '0.0.0.0/0' is the unspecified address, not an interface's\" && api_refuses addr.add '{\"iface\": \"p1\", \"address\": \"::/0\"}' \"EINVAL: /address: '::/0' is the unspecified address, not an interface's\" && api_refuses addr.add '{\"iface\": \"p1\", \"address\": \"10.0.1.9/0\"}' \"EINVAL: /address: '10.0.1.9/0': a prefix length of 0 would put every destination on this link\" && ! api route.list | jq -e '.routes[] | select(.prefix == \"0.0.0.0/0\")'"
	chmod 755 "$WORK"
	check "a member of group fastpath may use the API" \
		setpriv --reuid=nobody --regid=fastpath --clear-groups $PY "$TESTDIR/api_clients.py" call "$SOCK" api.version
	check "another user may not" sh -c \
		"! setpriv --reuid=nobody --regid=nogroup --clear-groups $PY $TESTDIR/api_clients.py call $SOCK api.version"
	chmod 700 "$WORK"
}

# DPDK telemetry commands and the OpenMetrics endpoint: telemetry.sh's PASS/FAIL lines counted here
test_telemetry() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS telemetry: all checks" | "FAIL telemetry: "*" failed") ;;
		"PASS "*) pass "telemetry: ${line#PASS }" ;;
		"FAIL "*) fail "telemetry: ${line#FAIL }" ;;
		*) log "       $line" ;;
		esac
	done < <(ip netns exec $R "$TESTDIR/telemetry.sh" $FPT 127.0.0.1:9464 2>&1)
}

ctl() { "$FASTPATHCTL" -s "$SOCK" "$@"; }

# ip route and ip -6 route list the routes in the order Linux lists them: the same routes,
# added to fastpath and to a Linux namespace in the same scrambled order, come out alike
route_order_as_linux() {
	local ns=$FPT-sort p4="10.0.0.0/8 10.0.0.0/24 10.1.0.0/16 192.168.0.0/16 9.0.0.0/8 10.0.0.5 10.0.0.0/16 0.0.0.0/8 10.7.1.128/25"
	local p6="2001:db8::/32 2001:db8::/48 2001:db8:7::/48 2001:db8::5 fd00::/8 2001:db8:7::/56 2001:db8:7::/64" p rc=0
	ip netns add $ns && ip -n $ns link add d0 type veth peer name d1 && ip -n $ns link set d0 up &&
		ip -n $ns addr add 10.0.2.1/24 dev d0 && ip -n $ns addr add 2001:db8:2::1/64 dev d0 nodad || rc=1
	for p in $p4; do
		ctl ip route add $p via 10.0.2.2 && ip -n $ns route add $p via 10.0.2.2 || rc=1
	done
	for p in $p6; do
		ctl ip route add $p via 2001:db8:2::2 && ip -n $ns route add $p via 2001:db8:2::2 || rc=1
	done
	# the prefixes only, as ip prints them, in the order printed
	local re="^($(echo $p4 $p6 | sed 's/[.]/[.]/g; s/ /|/g')) "
	[ "$(ctl ip route | grep -E "$re" | cut -d' ' -f1)" = "$(ip -n $ns route | grep -E "$re" | cut -d' ' -f1)" ] || rc=1
	[ "$(ctl ip -6 route | grep -E "$re" | cut -d' ' -f1)" = "$(ip -n $ns -6 route | grep -E "$re" | cut -d' ' -f1)" ] || rc=1
	[ "$(ctl ip route | grep -cE "$re")" = 9 ] && [ "$(ctl ip -6 route | grep -cE "$re")" = 7 ] || rc=1
	ctl ip route | grep -E "$re" | cut -d' ' -f1 | tr '\n' ' '
	ctl ip -6 route | grep -E "$re" | cut -d' ' -f1 | tr '\n' ' '; echo
	for p in $p4 $p6; do ctl ip route del $p; done
	ip netns del $ns
	return $rc
}

# flows_via MIN MAX: of 32 UDP flows to 10.100.0.1 (ECMP through p2 and p3), between MIN and MAX
# take p2, as ip route get says (the datapath's choice, tested by route_get_agrees)
flows_via() {
	local p n=0
	for p in $(seq 40000 40031); do
		ctl ip route get 10.100.0.1 from 10.0.1.2 ipproto udp sport $p dport 7777 | head -1 | grep -q ' dev p2' && n=$((n + 1))
	done
	echo "$n of 32 flows through p2"
	[ $n -ge "$1" ] && [ $n -le "$2" ]
}

# ip route get names, for each flow ecmp_spreads sent, the gateway it reached: h2's or h3's
route_get_agrees() { # src dst h2-gateway h3-gateway
	local p
	for p in $(cat "$WORK/h2.ports"); do
		ctl ip route get "$2" from "$1" ipproto udp sport "$p" dport 7777 | grep -q "via $3 dev p2" || return 1
	done
	for p in $(cat "$WORK/h3.ports"); do
		ctl ip route get "$2" from "$1" ipproto udp sport "$p" dport 7777 | grep -q "via $4 dev p3" || return 1
	done
}

# ip addr show p1 of fastpathctl and of Linux's ip for the same interface and IPv4 address
# (brd + as fastpath derives it), in the same words once qdisc, group, qlen, the index, the
# MAC and the IPv6 addresses are set aside
addr_as_linux() {
	local ns=$FPT-ipa
	norm() {
		sed -E 's/^[0-9]+: /N: /; s/@[^:]*:/:/; s/ (qdisc [a-z_]+|group [a-z]+|qlen [0-9]+)//g; s/(link\/ether) [0-9a-f:]+/\1 MAC/; s/ +$//' |
			awk '/^    inet6 /{skip=1; next} skip && /valid_lft/{skip=0; next} {skip=0; print}'
	}
	ip netns add $ns
	ip -n $ns link add p1 type veth peer name x1
	ip -n $ns link set x1 up
	ip -n $ns link set p1 up
	ip -n $ns addr add 10.0.1.1/24 brd + dev p1
	sleep 1
	ip -n $ns addr show p1 | norm >"$WORK/addr.linux"
	ip netns del $ns
	$FASTPATHCTL -s "$SOCK" ip addr show p1 | norm >"$WORK/addr.fp"
	diff "$WORK/addr.linux" "$WORK/addr.fp" >&2
}

test_cli() {
	check "fastpathctl show interfaces lists the ports up" sh -c \
		"$FASTPATHCTL -s $SOCK show interfaces | grep -E 'p1.*UP' && $FASTPATHCTL -s $SOCK -j show interfaces | jq -e '[.interfaces[] | select(.link_up)] | length == 3'"
	check "fastpathctl show routes: connected, local, ECMP" sh -c \
		"$FASTPATHCTL -s $SOCK show routes | tee /dev/stderr | grep -q '10.0.1.0/24 dev p1' && $FASTPATHCTL -s $SOCK show routes | grep -q 'nexthop via 10.0.3.2 dev p3'"
	check "fastpathctl ip route add" ctl ip route add 10.210.0.0/24 via 10.0.3.2
	check "the CLI's route carries traffic" ping_ok h1 10.210.0.1
	check "fastpathctl -j show routes has it" sh -c \
		"$FASTPATHCTL -s $SOCK -j show routes | jq -e '.routes[] | select(.prefix == \"10.210.0.0/24\" and .nexthops[0].via == \"10.0.3.2\")'"
	check "fastpathctl: duplicate route is an error (exit 1)" sh -c \
		"$FASTPATHCTL -s $SOCK ip route add 10.210.0.0/24 via 10.0.3.2; [ \$? -eq 1 ]"
	check "fastpathctl: gateway off-link is refused with a reason" sh -c \
		"$FASTPATHCTL -s $SOCK ip route add 10.211.0.0/24 via 10.9.9.9 2>&1 | grep -q 'not on a connected network'"
	check "fastpathctl ip route del" ctl ip route del 10.210.0.0/24
	check "fastpathctl: bad prefix is a usage error" sh -c \
		"$FASTPATHCTL -s $SOCK ip route add 10.0.0.300/8 via 10.0.3.2 2>&1 | grep -qi 'not an IPv4'"
	check "fastpathctl: unknown command suggests" sh -c \
		"$FASTPATHCTL -s $SOCK show rutes 2>&1 | grep -q 'show routes'"
	check "fastpathctl show neighbours" sh -c "$FASTPATHCTL -s $SOCK show neighbours | grep -q '10.0.1.2 dev p1 lladdr'"
	in_ns h1 ping -c 1 -W 1 10.99.0.1 >/dev/null
	check "fastpathctl show stats names drop reasons" sh -c "$FASTPATHCTL -s $SOCK show stats | grep -q ip4_no_route"
	check "fastpathctl show stats: mbufs in use and free of the ports' pool" sh -c \
		"$FASTPATHCTL -s $SOCK show stats | tee /dev/stderr | grep -qE '^mbuf-0 +[0-9]+ +[0-9]+ +[0-9]+$' && $FASTPATHCTL -s $SOCK -j show stats | jq -e '.mempools[] | select(.name == \"mbuf-0\") | .size > 1000 and .in_use >= 0 and .in_use + .free == .size'"
	check "fastpathctl clear stats zeroes the counters" sh -c \
		"$FASTPATHCTL -s $SOCK clear stats && $FASTPATHCTL -s $SOCK -j show stats | jq -e '[.drops[].packets] | add == 0'"
	# counters were just cleared: some traffic for the next ones
	in_ns h1 ping -c 1 -W 1 10.99.0.1 >/dev/null
	ping_ok h1 10.0.2.2 >/dev/null
	check "fastpathctl show errors: the reason and its count" sh -c \
		"$FASTPATHCTL -s $SOCK show errors | grep -E '[1-9] +ip4_no_route'"
	check "fastpathctl show runtime: per worker, vectors/call and cycles/packet" sh -c \
		"$FASTPATHCTL -s $SOCK show runtime | tee /dev/stderr | grep -qi 'ip4_input'"
	check "fastpathctl show graph dot is Graphviz" sh -c \
		"$FASTPATHCTL -s $SOCK show graph dot | grep -q '\"ip4_input\" -> \"ip4_forward\"'"
	check "fastpathctl config dump loads back with no change" sh -c \
		"$FASTPATHCTL -s $SOCK config dump $WORK/ctl-dump.json && $FASTPATHCTL -s $SOCK config load $WORK/ctl-dump.json | grep -qi 'no change'"
	check "fastpathctl trace add / show trace" sh -c \
		"$FASTPATHCTL -s $SOCK trace add 5 && ip netns exec $FPT-h1 ping -c 1 -W 1 10.0.2.2 >/dev/null && $FASTPATHCTL -s $SOCK show trace | tee /dev/stderr | grep -q ip4_forward && $FASTPATHCTL -s $SOCK trace clear"
	check "fastpathctl capture start / stop / show capture, read by tshark" sh -c \
		"$FASTPATHCTL -s $SOCK capture start port p2 count 2 file $WORK/ctl.pcapng && ip netns exec $FPT-h1 ping -c 2 -i 0.2 -W 1 10.0.2.2 >/dev/null; sleep 0.3; $FASTPATHCTL -s $SOCK -j show capture | jq -e '.captured == 2' && [ \$(tshark -r $WORK/ctl.pcapng 2>/dev/null | wc -l) = 2 ]"
	"$FASTPATHCTL" -s "$SOCK" monitor route >"$WORK/monitor.txt" 2>&1 &
	local mon=$!
	sleep 0.5
	ctl ip route add 10.56.0.0/16 via 10.0.2.2 && ctl ip route del 10.56.0.0/16
	sleep 0.5
	kill $mon
	wait $mon 2>/dev/null
	check "fastpathctl monitor route prints the route events" sh -c \
		"grep -q '^route.add .*10.56.0.0/16' $WORK/monitor.txt && grep -q '^route.del .*10.56.0.0/16' $WORK/monitor.txt"
	check "ip route replace: a new route" ctl ip route replace 10.212.0.0/24 via 10.0.2.2 metric 10
	check "ip route replace: changes the route in place" sh -c \
		"$FASTPATHCTL -s $SOCK ip route replace 10.212.0.0/24 via 10.0.3.2 && $FASTPATHCTL -s $SOCK ip route | grep -q '^10.212.0.0/24 via 10.0.3.2 dev p3 proto static\$' && [ \$($FASTPATHCTL -s $SOCK ip route | grep -c 10.212.0.0/24) = 1 ]"
	check "ip route replace: the route of an address is not replaced" sh -c \
		"$FASTPATHCTL -s $SOCK ip route replace 10.0.1.0/24 via 10.0.3.2 2>&1 | grep -q 'ip addr del removes it'"
	check "ip route del the replaced route" ctl ip route del 10.212.0.0/24
	ping_ok h1 10.0.2.2 >/dev/null
	check "ip -s link: each interface with its port's counters" sh -c \
		"$FASTPATHCTL -s $SOCK ip -s link | tee /dev/stderr | grep -q '^    RX:' && $FASTPATHCTL -s $SOCK -j ip -s l | jq -e '.interfaces[] | select(.name == \"p1\") | .stats.rx_packets > 0 and .stats.tx_packets > 0'"
	check "ip neigh flush dev p1: its learnt neighbours go" sh -c \
		"$FASTPATHCTL -s $SOCK ip neigh | grep -q '^10.0.1.2 dev p1 ' && $FASTPATHCTL -s $SOCK ip neigh flush dev p1 && ! $FASTPATHCTL -s $SOCK ip neigh | grep -q '^10.0.1.2 dev p1 '"
	check "ip neigh flush all: the PERMANENT ones stay" sh -c \
		"$FASTPATHCTL -s $SOCK ip neigh flush all && $FASTPATHCTL -s $SOCK ip neigh | tee /dev/stderr | grep -q '^2001:db8:2::50 dev p2 lladdr 02:00:00:00:02:50 PERMANENT'"
	check "after a flush, neighbours are resolved again" ping_ok h1 10.0.2.2
	ip netns exec "$FPT-h1" ping -6 -c 1 -W 2 2001:db8:1::1 >/dev/null
	check "ip -6 neigh flush dev p1: the IPv6 ones go, the IPv4 ones stay (as Linux's ip)" sh -c \
		"$FASTPATHCTL -s $SOCK ip -6 neigh | tee /dev/stderr | grep -q '^2001:db8:1::2 dev p1 ' && ! $FASTPATHCTL -s $SOCK ip -6 neigh | grep -q '^10\.' && $FASTPATHCTL -s $SOCK ip -6 neigh flush dev p1 && ! $FASTPATHCTL -s $SOCK ip -6 neigh | grep -q ' dev p1 ' && $FASTPATHCTL -s $SOCK ip -4 neigh | grep -q '^10.0.1.2 dev p1 '"
	ip netns exec "$FPT-h1" ping -6 -c 1 -W 2 2001:db8:1::1 >/dev/null
	check "ip -4 neigh flush all: the IPv4 ones go, the IPv6 ones stay" sh -c \
		"$FASTPATHCTL -s $SOCK ip -4 neigh flush all && $FASTPATHCTL -s $SOCK ip neigh | tee /dev/stderr | grep -q '^2001:db8:1::2 dev p1 ' && ! $FASTPATHCTL -s $SOCK ip -4 neigh | grep -q '^10.0.1.2 dev p1 lladdr'"
	check "... and are resolved again" ping_ok h1 10.0.2.2
	check "errors name the word typed, not a JSON path" sh -c \
		"$FASTPATHCTL -s $SOCK ip addr add 10.0.1.300/24 dev p1 2>&1 | tee /dev/stderr | grep -q \"^fastpathctl: '10.0.1.300/24' is not\" && ! $FASTPATHCTL -s $SOCK ip addr add 10.0.1.300/24 dev p1 2>&1 | grep -q '/address'"
	check "fastpathd --version and fastpathctl --version" sh -c \
		"$FASTPATHD --version | grep -q '^fastpathd [0-9][.0-9]* (DPDK ' && $FASTPATHCTL --version | grep -q '^fastpathctl [0-9]'"
	check "ip link set p2 mtu 1400: at run time" ctl ip link set p2 mtu 1400
	check "the new MTU is shown and dumped" sh -c \
		"$FASTPATHCTL -s $SOCK ip link | grep -q '^[0-9]*: p2: .* mtu 1400 ' && $(declare -f api); SOCK=$SOCK; api config.dump | jq -e '.config.ports[] | select(.name == \"p2\") | .mtu == 1400'"
	check "it is enforced: DF over 1400 gets fragmentation needed, mtu 1400" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 1 -M do -s 1400 10.0.2.2 2>&1 | tee /dev/stderr | grep -q 'mtu = 1400' && ip netns exec $FPT-h1 ping -c 1 -W 1 -M do -s 1372 10.0.2.2"
	check "an MTU the driver cannot take is refused, saying so" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 mtu 9600 2>&1 | tee /dev/stderr | grep -Eq 'p2: (MTU 9600 out of its driver.s range|the af_packet driver refuses MTU 9600)' && $FASTPATHCTL -s $SOCK ip link | grep -q '^[0-9]*: p2: .* mtu 1400 '"
	check "ip link set p2 mtu 1500" ctl ip link set dev p2 mtu 1500
	ctl ip route add 10.216.0.0/24 via 10.0.2.2
	ctl config dump "$WORK/before-down.json"
	check "ip link set p2 down: state DOWN, the port and its counters kept" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 down && $FASTPATHCTL -s $SOCK ip link | tee /dev/stderr | grep -q '^[0-9]*: p2: <BROADCAST,MULTICAST.*> mtu 1500 state DOWN'"
	check "config dump shows it set down (up: false)" sh -c \
		"$FASTPATHCTL -s $SOCK -j show config | jq -e '.config.ports[] | select(.name == \"p2\") | .up == false' && $FASTPATHCTL -s $SOCK -j show config | jq -e '.config.ports[] | select(.name == \"p1\") | .up'"
	check "as Linux: its connected and broadcast routes go, its addresses and local routes stay" sh -c \
		"! $FASTPATHCTL -s $SOCK ip route | grep -q '^10.0.2.0/24 ' && ! $FASTPATHCTL -s $SOCK ip r s t local | grep -q '^broadcast 10.0.2.255 ' && $FASTPATHCTL -s $SOCK ip r s t local | grep -q '^local 10.0.2.1 ' && ! $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^2001:db8:2::/64 ' && $FASTPATHCTL -s $SOCK ip a s p2 | grep -q 'inet 10.0.2.1/24'"
	check "as Linux: the static routes through p2 alone go, IPv4 and IPv6; an ECMP one stays" sh -c \
		"$FASTPATHCTL -s $SOCK ip route | tee /dev/stderr | grep -q '^10.100.0.0/24 ' && ! $FASTPATHCTL -s $SOCK ip route | grep -q '^10.216.0.0/24 ' && ! $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^2001:db8:100::/48 '"
	check "as Linux: the ECMP route's path through p2 is dead, every flow takes p3's" flows_via 0 0
	check "a host behind it is unreachable, as Linux answers (no route)" sh -c \
		"ip netns exec $FPT-h1 ping -c 1 -W 1 10.0.2.2 | tee /dev/stderr | grep -q 'Unreachable'"
	check "ip link set p2 up: forwards again" sh -c \
		"$FASTPATHCTL -s $SOCK ip link set p2 up && $FASTPATHCTL -s $SOCK ip link | grep -q '^[0-9]*: p2: .*,UP,LOWER_UP> mtu 1500 state UP' && ip netns exec $FPT-h1 ping -c 1 -W 2 10.0.2.2"
	check "up: the ECMP route's path through p2 is alive again" flows_via 1 31
	check "up: its connected routes are back; the static ones are not, as in Linux" sh -c \
		"$FASTPATHCTL -s $SOCK ip route | grep -q '^10.0.2.0/24 dev p2 ' && $FASTPATHCTL -s $SOCK ip r s t local | grep -q '^broadcast 10.0.2.255 ' && $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^2001:db8:2::/64 dev p2 ' && ! $FASTPATHCTL -s $SOCK ip route | grep -q '^10.216.0.0/24 '"
	# as Linux refuses a route through a device that is down, the file has none through p2
	jq '(.ports[] | select(.name == "p2") | .up) = false | .routes |= map(select(all(.nexthops[]?; .dev != "p2")))' \
		"$WORK/before-down.json" >"$WORK/p2-down.json"
	check "--check-config of such a file with a route through p2 says p2's network is not connected" sh -c \
		"jq '.routes += [{\"prefix\": \"10.217.0.0/24\", \"via\": \"10.0.2.2\"}]' $WORK/p2-down.json >$WORK/p2-down-bad.json && $FASTPATHD --check-config $WORK/p2-down-bad.json 2>&1 | grep -q 'gateway 10.0.2.2 is not on a connected network'"
	local p2_id
	p2_id=$($FASTPATHCTL -s "$SOCK" -j ip link | jq '.interfaces[] | select(.name == "p2") | .id')
	check "config load with up: false sets p2 down in place (the same interface)" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/p2-down.json 2>&1 | tee /dev/stderr && $FASTPATHCTL -s $SOCK ip link | tee /dev/stderr | grep -q '^$p2_id: p2: <BROADCAST,MULTICAST> mtu 1500 state DOWN' && ! $FASTPATHCTL -s $SOCK ip route | tee /dev/stderr | grep -q '^10.0.2.0/24 '"
	check "config load of the config saved before: p2 up, the static routes back" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/before-down.json 2>&1 | tee /dev/stderr | grep -q '+ .*2001:db8:100::/48' && $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^2001:db8:100::/48 via 2001:db8:2::2 dev p2' && $FASTPATHCTL -s $SOCK ip route | grep -q '^10.216.0.0/24 via 10.0.2.2 dev p2' && $FASTPATHCTL -s $SOCK ip link | grep -q '^$p2_id: p2: .*,UP,LOWER_UP> mtu 1500 state UP'"
	check "... and it forwards" ping_ok h1 10.0.2.2
	ctl ip route del 10.216.0.0/24
	check "ip route and ip -6 route list the routes in Linux's order" route_order_as_linux
	ecmp_spreads "flows for ip route get" AF_INET 10.0.1.2 10.100.0.1
	check "ip route get: the ECMP path of each flow, as the datapath chose it" \
		route_get_agrees 10.0.1.2 10.100.0.1 10.0.2.2 10.0.3.2
	ecmp_spreads "IPv6 flows for ip route get" AF_INET6 2001:db8:1::2 2001:db8:100::1
	check "ip -6 route get: the ECMP path of each flow, as the datapath chose it" \
		route_get_agrees 2001:db8:1::2 2001:db8:100::1 2001:db8:2::2 2001:db8:3::2
	check "ip route get: the matching route, its path among 2" sh -c \
		"$FASTPATHCTL -s $SOCK ip r g 10.100.0.1 from 10.0.1.2 | tee /dev/stderr | grep -q '^    route 10.100.0.0/24 proto static' && $FASTPATHCTL -s $SOCK ip route get 10.100.0.1 | grep -q 'path [12] of 2'"
	check "ip route get: a connected destination, no gateway" sh -c \
		"$FASTPATHCTL -s $SOCK ip route get 10.0.2.7 | tee /dev/stderr | grep -q '^10.0.2.7 dev p2 src 10.0.2.1\$'"
	check "ip route get: src, the address Linux would choose (the outgoing interface's)" sh -c \
		"$FASTPATHCTL -s $SOCK ip route get 10.100.0.1 | tee /dev/stderr | grep -Eq '^10.100.0.1 via 10.0.(2.2 dev p2 src 10.0.2.1|3.2 dev p3 src 10.0.3.1)\$' && $FASTPATHCTL -s $SOCK ip route get 10.0.1.1 | grep -q '^local 10.0.1.1 src 10.0.1.1' && $FASTPATHCTL -s $SOCK ip -6 route get 2001:db8:2::7 | tee /dev/stderr | grep -q '^2001:db8:2::7 dev p2 src 2001:db8:2::1\$' && ! $FASTPATHCTL -s $SOCK ip route get 10.100.0.1 from 10.0.1.2 | grep -q ' src '"
	check "ip route get: one of ours is local" sh -c \
		"$FASTPATHCTL -s $SOCK ip route get 10.0.1.1 | tee /dev/stderr | grep -q '^local 10.0.1.1'"
	check "ip route get iif: looked up in the interface's VRF, named" sh -c \
		"$FASTPATHCTL -s $SOCK ip route get 10.0.2.7 iif p1 | grep -q '^10.0.2.7 dev p2 iif p1\$' && $FASTPATHCTL -s $SOCK ip route get 10.0.2.7 iif p1 vrf 3 2>&1 | grep -q 'p1 is in vrf 0, not 3'"
	check "ip route get: no route is an error (exit 1)" sh -c \
		"$FASTPATHCTL -s $SOCK ip route get 10.0.1.1 vrf 7 2>&1 | grep -q 'no route to 10.0.1.1 in vrf 7'"
	check "abbreviations: ip r, ip -6 r s, sh int, ip n, ip a as their full forms" sh -c \
		"[ \"\$($FASTPATHCTL -s $SOCK ip r)\" = \"\$($FASTPATHCTL -s $SOCK ip route show)\" ] && [ \"\$($FASTPATHCTL -s $SOCK ip -6 r s)\" = \"\$($FASTPATHCTL -s $SOCK ip -6 route show)\" ] && [ \"\$($FASTPATHCTL -s $SOCK sh int)\" = \"\$($FASTPATHCTL -s $SOCK show interfaces)\" ] && $FASTPATHCTL -s $SOCK ip n | grep -q lladdr && $FASTPATHCTL -s $SOCK ip a | grep -q 10.0.1.1"
	check "arguments abbreviated as iproute2 takes them: ip r a bl PREFIX, via ... m N v 0" sh -c \
		"$FASTPATHCTL -s $SOCK ip r a bl 10.213.0.0/24 && $FASTPATHCTL -s $SOCK ip r a 10.214.0.0/24 via 10.0.2.2 m 5 v 0 && $FASTPATHCTL -s $SOCK ip r | tee /dev/stderr | grep -q '^blackhole 10.213.0.0/24 proto static' && $FASTPATHCTL -s $SOCK ip r | grep -q '^10.214.0.0/24 via 10.0.2.2 dev p2 proto static' && $FASTPATHCTL -s $SOCK ip r d 10.213.0.0/24 && $FASTPATHCTL -s $SOCK ip r d 10.214.0.0/24"
	check "... and not where ip does not: v is not via, de not dev" sh -c \
		"! $FASTPATHCTL -s $SOCK ip r a 10.215.0.0/24 v 10.0.2.2 2>/dev/null && ! $FASTPATHCTL -s $SOCK ip r a 10.215.0.0/24 via 10.0.2.2 de p2 2>/dev/null && ! $FASTPATHCTL -s $SOCK ip r | grep -q 10.215.0.0"
	check "ip route lists table main as Linux's ip: no local or broadcast route" sh -c \
		"$FASTPATHCTL -s $SOCK ip route | grep -q '^10.0.1.0/24 dev p1 proto kernel scope link' && ! $FASTPATHCTL -s $SOCK ip route | grep -Eq '^(local|broadcast) ' && ! $FASTPATHCTL -s $SOCK ip -6 route | grep -q '^local '"
	check "ip route show table local lists them, and only them" sh -c \
		"$FASTPATHCTL -s $SOCK ip route show table local | tee /dev/stderr | grep -q '^local 10.0.1.1 dev p1 proto kernel scope host' && $FASTPATHCTL -s $SOCK ip r s t local | grep -q '^broadcast 10.0.1.255 dev p1 proto kernel scope link' && ! $FASTPATHCTL -s $SOCK ip r s t local | grep -Evq '^(local|broadcast) ' && $FASTPATHCTL -s $SOCK ip -6 route show table local | grep -q '^local 2001:db8:1::1 '"
	check "ip route show table all: both, the local ones marked table local" sh -c \
		"$FASTPATHCTL -s $SOCK ip route show table all | grep -q '^local 10.0.1.1 dev p1 table local proto kernel scope host' && $FASTPATHCTL -s $SOCK ip route show table all | grep -q '^10.0.1.0/24 dev p1 proto kernel'"
	check "ip addr show p1: headed and written as Linux's ip writes it" addr_as_linux
	check "ip addr: every interface, one without addresses too, with its link/ether line" sh -c \
		"[ \$($FASTPATHCTL -s $SOCK ip a | grep -c '^[0-9]*: p[0-9]*: <') = \$($FASTPATHCTL -s $SOCK -j ip link | jq '.interfaces | length') ] && [ \$($FASTPATHCTL -s $SOCK ip a | grep -c '^    link/ether ') = \$($FASTPATHCTL -s $SOCK -j ip link | jq '.interfaces | length') ]"
	check "the interactive shell completes from the daemon, keeps history" \
		bash "$TESTDIR/cli_shell.sh" "$SOCK" "$FASTPATHCTL"
	check "fastpathctl: daemon not running is a clear error" sh -c \
		"$FASTPATHCTL -s $WORK/nope.sock show routes 2>&1 | grep -q 'nope.sock'"
}

test_ipv6_rate_limit() {
	local before
	before=$(drops icmp6_rate_limited)
	sleep 2 # earlier errors to h1 leave its bucket (a /64: 250 ms a token, 6 in a burst) full again
	check "ICMPv6 errors to one host: a burst of 6, then rate-limited (Linux icmpv6_xrlim_allow)" \
		in_ns h1 $PY "$TESTDIR/bad_packets6.py" hop_limit_burst 02:00:00:00:01:01
	check "rate-limited ICMPv6 errors are counted" test "$(drops icmp6_rate_limited)" -ge $((before + 14))
}

test_static_neighbour_and_garp() {
	in_ns h1 timeout 3 tcpdump -nli eth0 -c 1 'arp and arp[6:2] == 1 and arp[14:4] == arp[24:4]' >"$WORK/garp" 2>/dev/null &
	local dump=$!
	sleep 1
	check "address added through the API" api addr.add '{"iface": "p1", "address": "10.0.1.100/24"}'
	wait $dump
	check "a gratuitous ARP announces it" grep -q 'Request who-has 10.0.1.100 tell 10.0.1.100' "$WORK/garp"
	check "the new address answers ping" ping_ok h1 10.0.1.100
	check "address removed through the API" api addr.del '{"iface": "p1", "address": "10.0.1.100/24"}'
	check "static neighbour added" api neigh.add '{"iface": "p2", "address": "10.0.2.50", "mac": "02:00:00:00:00:50"}'
	check "static neighbour is PERMANENT" sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '.neighbours[] | select(.address == \"10.0.2.50\" and .state == \"PERMANENT\" and .mac == \"02:00:00:00:00:50\")'"
	in_ns h2 timeout 3 tcpdump -nli eth0 -c 1 -e 'ether dst 02:00:00:00:00:50' >"$WORK/static" 2>/dev/null &
	dump=$!
	sleep 1
	in_ns h1 ping -c 1 -W 1 10.0.2.50 >/dev/null 2>&1
	wait $dump
	check "traffic to it leaves with its MAC, without ARP" grep -q '02:00:00:00:00:50' "$WORK/static"
	check "static neighbour deleted" api neigh.del '{"iface": "p2", "address": "10.0.2.50"}'
}

# IPv6 neighbours through the config file, the API and fastpathctl, shown as IPv4 ones; bad
# input refused with its reason, the daemon and its state unharmed
neigh_with() { # jq filter on neigh.list's neighbours: true if one matches
	api neigh.list | jq -e "[.neighbours[] | select($1)] | length == 1"
}

test_neighbours_ipv6() {
	local state
	check "config file: its IPv6 neighbour is PERMANENT" neigh_with \
		'.iface == "p2" and .address == "2001:db8:2::50" and .mac == "02:00:00:00:02:50" and .state == "PERMANENT" and .static'
	check "neigh.add: an IPv6 neighbour, written in a long form" \
		api neigh.add '{"iface": "p1", "address": "2001:DB8:1:0::0:10", "mac": "02:00:00:00:01:10"}'
	check "neigh.list shows it in RFC 5952 form, PERMANENT" neigh_with \
		'.iface == "p1" and .address == "2001:db8:1::10" and .mac == "02:00:00:00:01:10" and .state == "PERMANENT"'
	check "neigh.add: the same address on another interface is another neighbour" \
		api neigh.add '{"iface": "p3", "address": "2001:db8:1::10", "mac": "02:00:00:00:03:10"}'
	check "neigh.add: a link-local neighbour" \
		api neigh.add '{"iface": "p1", "address": "fe80::10", "mac": "02:00:00:00:01:11"}'
	check "neigh.add: an IPv4 neighbour beside them" \
		api neigh.add '{"iface": "p2", "address": "10.0.2.60", "mac": "02:00:00:00:02:60"}'
	check "neigh.add again replaces the MAC" \
		api neigh.add '{"iface": "p3", "address": "2001:db8:1::10", "mac": "02:00:00:00:03:11"}'
	check "neigh.list: one entry per interface, each with its MAC" sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '[.neighbours[] | select(.address == \"2001:db8:1::10\") | .iface + \" \" + .mac] | sort == [\"p1 02:00:00:00:01:10\", \"p3 02:00:00:00:03:11\"]'"
	check "neigh.list: IPv4 neighbours, then IPv6 ones" sh -c \
		"$(declare -f api); SOCK=$SOCK; api neigh.list | jq -e '[.neighbours[].address | contains(\":\")] | . == sort'"

	check "fastpathctl ip neigh add (IPv6)" ctl ip neigh add 2001:db8:1::11 lladdr 02:00:00:00:01:12 dev p1
	check "fastpathctl ip neigh shows it as iproute2 does" \
		ctl_shows '2001:db8:1::11 dev p1 lladdr 02:00:00:00:01:12 PERMANENT' ip neigh
	check "... and the IPv4 one" ctl_shows '10.0.2.60 dev p2 lladdr 02:00:00:00:02:60 PERMANENT' ip neigh
	check "fastpathctl ip neigh: IPv4 lines first" sh -c \
		"$FASTPATHCTL -s $SOCK show neighbours | awk '{print (\$1 ~ /:/)}' | sort -c"
	check "fastpathctl -j show neighbours: the API's JSON" sh -c \
		"$FASTPATHCTL -s $SOCK -j show neighbours | jq -e '.neighbours[] | select(.address == \"2001:db8:1::11\" and .iface == \"p1\" and .mac == \"02:00:00:00:01:12\" and .state == \"PERMANENT\" and .static)'"
	check "fastpathctl complete ip neigh del offers the IPv6 neighbours" \
		ctl_shows 2001:db8:1::11 complete ip neigh del ""
	"$FASTPATHCTL" -s "$SOCK" monitor neigh >"$WORK/monitor6.txt" 2>&1 &
	local mon=$!
	sleep 0.5
	check "fastpathctl ip neigh del (IPv6)" ctl ip neigh del 2001:db8:1::11 dev p1
	sleep 0.5
	kill $mon
	wait $mon 2>/dev/null
	check "... gone from ip neigh" sh -c "! $FASTPATHCTL -s $SOCK ip neigh | grep -q '2001:db8:1::11 '"
	check "fastpathctl monitor neigh prints the IPv6 neighbour's deletion" \
		grep -q '^neigh.del .*"address":"2001:db8:1::11"' "$WORK/monitor6.txt"
	check "neigh.del (IPv6)" api neigh.del '{"iface": "p3", "address": "2001:db8:1::10"}'
	check "... only that interface's" neigh_with '.iface == "p1" and .address == "2001:db8:1::10"'

	# the config file's form: dumped, loaded back, changed by config.load
	check "config.dump holds the static IPv6 neighbours" sh -c \
		"$FASTPATHCTL -s $SOCK config dump $WORK/n6.json && jq -e '[.neighbours[] | select(.address == \"fe80::10\" and .iface == \"p1\" and .mac == \"02:00:00:00:01:11\")] | length == 1' $WORK/n6.json"
	check "fastpathctl config load of the dump changes nothing" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/n6.json | grep -qi 'no change'"
	jq '.neighbours |= (map(select(.address != "fe80::10")) + [{"iface": "p2", "address": "2001:db8:2::51", "mac": "02:00:00:00:02:51"}])' \
		"$WORK/n6.json" >"$WORK/n6b.json"
	check "config.load: one IPv6 neighbour removed, one added, as reported" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/n6b.json r | tee /dev/stderr | jq -e '.changes == [{\"section\": \"neighbours\", \"added\": [\"{\\\"iface\\\":\\\"p2\\\",\\\"address\\\":\\\"2001:db8:2::51\\\",\\\"mac\\\":\\\"02:00:00:00:02:51\\\"}\"], \"removed\": [\"{\\\"iface\\\":\\\"p1\\\",\\\"address\\\":\\\"fe80::10\\\",\\\"mac\\\":\\\"02:00:00:00:01:11\\\"}\"], \"changed\": []}]'"
	check "... and the table is so" sh -c \
		"$(declare -f api neigh_with); SOCK=$SOCK; neigh_with '.address == \"2001:db8:2::51\"' && ! neigh_with '.address == \"fe80::10\"'"
	check "loading the first dump back restores it" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/n6.json r >/dev/null && api config.dump | jq '.config' | cmp - $WORK/n6.json"

	# bad input: refused with the reason, nothing changed, the daemon goes on
	state=$(api config.dump)
	check "bad address: refused" api_refuses neigh.add \
		'{"iface": "p1", "address": "2001:db8::g", "mac": "02:00:00:00:01:13"}' \
		"EINVAL: /address: '2001:db8::g' is not an IPv4 or IPv6 address"
	check "multicast address: refused" api_refuses neigh.add \
		'{"iface": "p1", "address": "ff02::1:ff00:13", "mac": "02:00:00:00:01:13"}' \
		"EINVAL: /address: 'ff02::1:ff00:13' is a multicast address, not a neighbour's"
	check "IPv4-mapped address (the wrong family): refused" api_refuses neigh.add \
		'{"iface": "p1", "address": "::ffff:10.0.1.13", "mac": "02:00:00:00:01:13"}' \
		"EINVAL: /address: '::ffff:10.0.1.13' is an IPv4 address written as IPv6: write 10.0.1.13 for an IPv4 neighbour"
	check "an IPv6 address for the MAC: refused" api_refuses neigh.add \
		'{"iface": "p1", "address": "2001:db8:1::13", "mac": "2001:db8::13"}' \
		"EINVAL: /mac: '2001:db8::13' is not a MAC address (expected xx:xx:xx:xx:xx:xx)"
	check "unknown interface: refused" api_refuses neigh.add \
		'{"iface": "p9", "address": "2001:db8:1::13", "mac": "02:00:00:00:01:13"}' \
		"ENODEV: /iface: no interface 'p9'"
	check "deleting a neighbour that is not there: refused" api_refuses neigh.del \
		'{"iface": "p2", "address": "2001:db8:1::10"}' "ENOENT: no neighbour 2001:db8:1::10 on p2"
	check "an IPv6 gateway for an IPv4 route (the wrong family): refused" api_refuses route.add \
		'{"prefix": "10.98.0.0/16", "via": "2001:db8:2::50"}' \
		"EINVAL: /via: '2001:db8:2::50' is an IPv6 address, not IPv4"
	check "a bad IPv6 interface address: refused with the reason" api_refuses addr.add \
		'{"iface": "p1", "address": "2001:db8:1::zz/64"}' \
		"EINVAL: /address: '2001:db8:1::zz/64' is not an IPv4 or IPv6 prefix"
	check "fastpathctl ip neigh add, bad address: exit 1 with the reason" ctl_refuses \
		"'2001:db8::zz' is not an IPv4 or IPv6 address" \
		ip neigh add 2001:db8::zz lladdr 02:00:00:00:01:13 dev p1
	check "fastpathctl ip neigh add, unknown interface: exit 1 with the reason" ctl_refuses \
		"no interface 'nope'" ip neigh add 2001:db8:1::13 lladdr 02:00:00:00:01:13 dev nope
	check "fastpathctl ip route add of an IPv6 prefix via an IPv4 gateway: exit 1, the family named" \
		ctl_refuses "'10.0.2.2' is an IPv4 address, not IPv6" ip route add 2001:db8::/32 via 10.0.2.2
	printf '{"ports": [{"name": "p0", "driver": "null"}],\n "neighbours": [\n  {"iface": "p0", "address": "2001:db8::1::9", "mac": "02:00:00:00:00:09"}\n ]}\n' \
		>"$WORK/bad6.json"
	check "config file: a bad IPv6 neighbour at file:line:col" sh -c \
		"$FASTPATHD --check-config $WORK/bad6.json 2>&1 | tee /dev/stderr | grep -qF \"bad6.json:3:30: /neighbours/0/address: '2001:db8::1::9' is not an IPv4 or IPv6 address\""
	jq '.neighbours += [{"iface": "p1", "address": "::ffff:10.0.1.14", "mac": "02:00:00:00:01:14"}]' \
		"$WORK/n6.json" >"$WORK/bad6b.json"
	check "config.load with an IPv4-mapped neighbour: refused, nothing changed" sh -c \
		"$(declare -f api_file api_file_refuses); SOCK=$SOCK; api_file_refuses config.load '{}' $WORK/bad6b.json r \"EINVAL: $WORK/bad6b.json:$(grep -n '::ffff:10.0.1.14' "$WORK/bad6b.json" | cut -d: -f1):18: /neighbours/$(jq '.neighbours | length - 1' "$WORK/bad6b.json")/address: '::ffff:10.0.1.14' is an IPv4 address written as IPv6: write 10.0.1.14 for an IPv4 neighbour (nothing changed)\""
	check "the daemon is alive" kill -0 "$FPD_PID"
	check "its state is intact" sh -c "$(declare -f api); SOCK=$SOCK; [ \"\$(api config.dump)\" = '$state' ]"
	check "IPv4 forwarding goes on" ping_ok h1 10.0.2.2

	api neigh.del '{"iface": "p1", "address": "2001:db8:1::10"}' >/dev/null
	api neigh.del '{"iface": "p1", "address": "fe80::10"}' >/dev/null
	api neigh.del '{"iface": "p2", "address": "10.0.2.60"}' >/dev/null
}

# IPv6 routes through the config file, the API and fastpathctl, listed with IPv4's or alone,
# dumped and loaded back; bad input refused with its reason, the daemon and its state unharmed.
route6_with() { # jq filter on route.list's IPv6 routes: true if exactly one matches
	api route.list '{"family": "ipv6"}' | jq -e "[.routes[] | select($1)] | length == 1"
}

test_routes_ipv6() {
	local state
	check "config file: an IPv6 route via a gateway, its interface found" route6_with \
		'.prefix == "2001:db8:100::/48" and .origin == "static" and .nexthops == [{"via": "2001:db8:2::2", "dev": "p2"}]'
	check "config file: an IPv6 blackhole" route6_with '.prefix == "2001:db8:66::/48" and .type == "blackhole"'
	check "config file: the default route via a link-local gateway on p3" route6_with \
		'.prefix == "::/0" and .nexthops == [{"via": "fe80::3:2", "dev": "p3"}]'
	check "route.list: IPv4 routes, then IPv6 ones" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '[.routes[].prefix | test(\":\")] | (index(true) > 0) and (.[index(true):] | all)'"
	check "route.list {family: ipv4}: no IPv6 route" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list '{\"family\": \"ipv4\"}' | jq -e '(.routes | length > 3) and ([.routes[].prefix | select(test(\":\"))] == [])'"
	check "route.add (IPv6, ECMP, a long form)" \
		api route.add '{"prefix": "2001:DB8:200:0::/48", "via": ["2001:db8:2::3", "2001:db8:2:0::4"]}'
	check "route.list shows it in RFC 5952 form, with both paths" route6_with \
		'.prefix == "2001:db8:200::/48" and .nexthops == [{"via": "2001:db8:2::3", "dev": "p2"}, {"via": "2001:db8:2::4", "dev": "p2"}]'
	check "its gateways are IPv6 neighbours of p2, referenced" neigh_with \
		'.iface == "p2" and .address == "2001:db8:2::3" and .refs == 1'
	check "route.del (IPv6)" api route.del '{"prefix": "2001:db8:200::/48"}'
	check "... gone" sh -c "$(declare -f api route6_with); SOCK=$SOCK; ! route6_with '.prefix == \"2001:db8:200::/48\"'"

	"$FASTPATHCTL" -s "$SOCK" monitor route >"$WORK/monitor-r6.txt" 2>&1 &
	local mon=$!
	sleep 0.5
	check "fastpathctl ip -6 route add" ctl ip -6 route add 2001:db8:300::/48 via 2001:db8:2::5
	check "fastpathctl ip -6 route shows it as ip -6 route does" \
		ctl_shows "2001:db8:300::/48 via 2001:db8:2::5 dev p2 proto static" ip -6 route
	check "fastpathctl ip -6 route: the default route and a blackhole" sh -c \
		"$FASTPATHCTL -s $SOCK ip -6 route | grep -qx 'default via fe80::3:2 dev p3 proto static' && $FASTPATHCTL -s $SOCK ip -6 route | grep -qx 'blackhole 2001:db8:66::/48 proto static'"
	check "fastpathctl ip route (IPv4, as Linux) lists no IPv6 route" sh -c \
		"$FASTPATHCTL -s $SOCK ip route | grep -q '10.0.1.0/24 dev p1' && ! $FASTPATHCTL -s $SOCK ip route | grep -q :"
	check "fastpathctl show routes lists both families" sh -c \
		"$FASTPATHCTL -s $SOCK show routes | grep -q '10.0.1.0/24 dev p1' && $FASTPATHCTL -s $SOCK show routes | grep -q '^2001:db8:300::/48 via'"
	check "fastpathctl -j ip -6 route: the API's JSON" sh -c \
		"$FASTPATHCTL -s $SOCK -j ip -6 route | jq -e '(.routes | length > 3) and ([.routes[] | select(.prefix == \"2001:db8:300::/48\" and .nexthops[0].via == \"2001:db8:2::5\")] | length == 1) and ([.routes[].prefix | select(test(\":\") | not)] == [])'"
	check "fastpathctl ip -6 route add via a link-local gateway with its dev" \
		ctl ip -6 route add 2001:db8:400::/48 via fe80::9 dev p1
	check "fastpathctl ip route add infers IPv6 from the prefix" ctl ip route add 2001:db8:500::/48 via 2001:db8:2::6
	check "fastpathctl ip -6 route show has both" sh -c \
		"$FASTPATHCTL -s $SOCK ip -6 route show | grep -qx '2001:db8:500::/48 via 2001:db8:2::6 dev p2 proto static' && $FASTPATHCTL -s $SOCK ip -6 route show | grep -qx '2001:db8:400::/48 via fe80::9 dev p1 proto static'"
	check "fastpathctl ip -6 route del" sh -c \
		"$FASTPATHCTL -s $SOCK ip -6 route del 2001:db8:300::/48 && $FASTPATHCTL -s $SOCK ip -6 route del 2001:db8:400::/48 && $FASTPATHCTL -s $SOCK ip route del 2001:db8:500::/48"
	sleep 0.5
	kill $mon
	wait $mon 2>/dev/null
	check "fastpathctl monitor route prints the IPv6 route events" sh -c \
		"grep -q '^route.add .*2001:db8:300::/48' $WORK/monitor-r6.txt && grep -q '^route.del .*2001:db8:300::/48' $WORK/monitor-r6.txt"

	# the config file's form: dumped, loaded back, changed by config.load
	api config.dump | jq '.config' >"$WORK/r6.json"
	check "config.dump holds the IPv6 routes, and the fib section" sh -c \
		"jq -e '([.routes[] | select(.prefix == \"2001:db8:100::/48\" and .nexthops == [{\"via\": \"2001:db8:2::2\", \"dev\": \"p2\"}])] | length == 1) and .fib == {\"ipv4_max_routes\": 262144, \"ipv4_tbl8_groups\": 8192, \"ipv6_max_routes\": 4096, \"ipv6_tbl8_groups\": 4352}' $WORK/r6.json"
	check "fastpathctl config load of the dump changes nothing" sh -c \
		"$FASTPATHCTL -s $SOCK config load $WORK/r6.json | grep -qi 'no change'"
	jq '.routes |= (map(select(.prefix != "2001:db8:66::/48")) + [{"prefix": "2001:db8:600::/48", "via": "2001:db8:2::7"}])' \
		"$WORK/r6.json" >"$WORK/r6b.json"
	check "config.load: one IPv6 route removed, one added, as reported" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/r6b.json r | tee /dev/stderr | jq -e '.changes == [{\"section\": \"routes\", \"added\": [\"{\\\"vrf\\\":0,\\\"prefix\\\":\\\"2001:db8:600::/48\\\",\\\"type\\\":\\\"unicast\\\",\\\"nexthops\\\":[{\\\"via\\\":\\\"2001:db8:2::7\\\",\\\"dev\\\":\\\"p2\\\"}]}\"], \"removed\": [\"{\\\"vrf\\\":0,\\\"prefix\\\":\\\"2001:db8:66::/48\\\",\\\"type\\\":\\\"blackhole\\\"}\"], \"changed\": []}]'"
	check "loading the first dump back restores it" sh -c \
		"$(declare -f api api_file); SOCK=$SOCK; api_file config.load '{}' $WORK/r6.json r >/dev/null && api config.dump | jq '.config' | cmp - $WORK/r6.json"

	# bad input: refused with the reason, nothing changed, the daemon goes on
	state=$(api config.dump)
	check "an IPv4 gateway for an IPv6 route: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "via": "10.0.2.2"}' "EINVAL: /via: '10.0.2.2' is an IPv4 address, not IPv6"
	check "a link-local gateway without dev: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "via": "fe80::1"}' \
		"EINVAL: /via: a link-local gateway (fe80::1) needs its interface ('dev')"
	check "a gateway off every connected network: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "via": "2001:db8:9::1"}' \
		"ENETUNREACH: route 2001:db8:700::/48: gateway 2001:db8:9::1 is not on a connected network"
	check "a gateway off the network of its dev: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "via": "2001:db8:2::8", "dev": "p1"}' \
		"ENETUNREACH: route 2001:db8:700::/48: gateway 2001:db8:2::8 is not on a network of p1"
	check "a multicast gateway: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "via": "ff02::1", "dev": "p2"}' \
		"EINVAL: route 2001:db8:700::/48: gateway ff02::1 is a multicast address"
	check "a bad prefix: refused" api_refuses route.add \
		'{"prefix": "2001:db8::g/48", "type": "blackhole"}' "EINVAL: /prefix: '2001:db8::g/48' is not an IPv4 or IPv6 prefix"
	check "host bits: refused" api_refuses route.add '{"prefix": "2001:db8:1::1/48", "type": "blackhole"}' \
		"EINVAL: /prefix: '2001:db8:1::1/48' has host bits set (did you mean 2001:db8:1::/48?)"
	check "a broadcast route: refused" api_refuses route.add \
		'{"prefix": "2001:db8:700::/48", "type": "broadcast"}' "EINVAL: IPv6 has no broadcast routes"
	check "a route that exists: refused" api_refuses route.add \
		'{"prefix": "2001:db8:100::/48", "via": "2001:db8:2::9"}' "EEXIST: route 2001:db8:100::/48 exists in VRF 0"
	check "deleting a route that is not there: refused" api_refuses route.del \
		'{"prefix": "2001:db8:777::/48"}' "ENOENT: no route 2001:db8:777::/48 in VRF 0"
	check "route.list of another family: refused" api_refuses route.list '{"family": "ipv5"}' \
		"EINVAL: /family: 'family' must be one of 'ipv4', 'ipv6', not 'ipv5'"
	check "fastpathctl ip -6 route add of an IPv4 prefix: exit 1, the family named" ctl_refuses \
		"'10.98.0.0/16' is an IPv4 prefix, not IPv6" ip -6 route add 10.98.0.0/16 via 2001:db8:2::2
	check "fastpathctl ip -6 route add, link-local gateway without dev: exit 1 with the reason" ctl_refuses \
		"a link-local gateway (fe80::1) needs its interface ('dev')" ip -6 route add 2001:db8:700::/48 via fe80::1
	printf '{"ports": [{"name": "p0", "driver": "null"}],\n "routes": [\n  {"prefix": "2001:db8::/32", "via": "10.0.0.1"}\n ]}\n' \
		>"$WORK/bad-r6.json"
	check "config file: an IPv4 gateway for an IPv6 route at file:line:col" sh -c \
		"$FASTPATHD --check-config $WORK/bad-r6.json 2>&1 | tee /dev/stderr | grep -qF \"bad-r6.json:3:38: /routes/0/via: '10.0.0.1' is an IPv4 address, not IPv6\""
	jq '.routes += [{"prefix": "2001:db8:800::/48", "via": "fe80::8"}]' "$WORK/r6.json" >"$WORK/bad-r6b.json"
	check "config.load with a link-local gateway without dev: refused, nothing changed" sh -c \
		"$(declare -f api_file api_file_refuses); SOCK=$SOCK; api_file_refuses config.load '{}' $WORK/bad-r6b.json r \"EINVAL: $WORK/bad-r6b.json:$(grep -n 'fe80::8' "$WORK/bad-r6b.json" | cut -d: -f1):14: /routes/$(jq '.routes | length - 1' "$WORK/bad-r6b.json")/via: a link-local gateway (fe80::8) needs its interface ('dev') (nothing changed)\""
	check "the daemon is alive" kill -0 "$FPD_PID"
	check "its state is intact" sh -c "$(declare -f api); SOCK=$SOCK; [ \"\$(api config.dump)\" = '$state' ]"
	check "IPv4 forwarding goes on" ping_ok h1 10.0.2.2
}

test_icmp_rate_limit() {
	local before
	before=$(drops icmp4_rate_limited)
	sleep 6 # earlier tests' errors to h1 leave its bucket full again
	check "ICMP errors to one host: a burst of 6, then rate-limited (Linux icmp_ratelimit)" \
		in_ns h1 $PY "$TESTDIR/bad_packets.py" ttl_burst 02:00:00:00:01:01
	check "rate-limited errors are counted" test "$(drops icmp4_rate_limited)" -ge $((before + 14))
}

test_route_churn() {
	# 2000 route changes while a flow runs: no crash, no loss on the untouched route
	in_ns h1 ping -i 0.005 -c 600 -q 10.0.2.2 >"$WORK/churn" 2>&1 &
	local pinger=$!
	for i in $(seq 0 999); do
		printf '{"id":%d,"cmd":"route.add","args":{"prefix":"10.%d.%d.0/24","via":["10.0.2.2","10.0.3.2"]}}\n' \
			$i $((150 + i / 250)) $((i % 250))
	done >"$WORK/adds"
	sed 's/route.add/route.del/; s/,"via":\[[^]]*\]//' "$WORK/adds" >"$WORK/dels"
	timeout 30 socat -t 5 - "UNIX-CONNECT:$SOCK" <"$WORK/adds" >"$WORK/adds.out"
	timeout 30 socat -t 5 - "UNIX-CONNECT:$SOCK" <"$WORK/dels" >"$WORK/dels.out"
	wait $pinger
	check "1000 routes added" test "$(jq -s '[.[] | select(.ok)] | length' "$WORK/adds.out")" -eq 1000
	check "1000 routes deleted" test "$(jq -s '[.[] | select(.ok)] | length' "$WORK/dels.out")" -eq 1000
	check "the flow lost nothing during the churn" grep -q ' 0% packet loss' "$WORK/churn"
	check "no route left behind" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '[.routes[] | select(.prefix | startswith(\"10.15\"))] | length == 0'"
	check "the daemon is alive" kill -0 "$FPD_PID"
}

test_config_errors() {
	printf '{\n\t"ports": [\n\t\t{"name": "p0", "driver": "af_packet", "iface": "x", "mtuu": 1500}\n\t]\n}\n' >"$WORK/bad1.json"
	check "config: unknown key with file:line:col" sh -c \
		"$FASTPATHD --check-config $WORK/bad1.json 2>&1 | grep -q 'bad1.json:3:.*unknown key .mtuu. (did you mean .mtu.?)'"
	printf '{"routes": [{"prefix": "10.0.0.1/8", "via": "10.0.1.9"}]}\n' >"$WORK/bad2.json"
	check "config: prefix with host bits" sh -c \
		"$FASTPATHD --check-config $WORK/bad2.json 2>&1 | grep -q 'bad2.json:1:.*/routes/0/prefix.*host bits'"
	printf '{"addresses": [{"iface": "nope", "address": "10.0.0.1/24"}]}\n' >"$WORK/bad3.json"
	check "config: reference to a missing port" sh -c \
		"$FASTPATHD --check-config $WORK/bad3.json 2>&1 | grep -q \"no interface 'nope'\""
	printf '{"ports": [}\n' >"$WORK/bad4.json"
	check "config: syntax error with position" sh -c \
		"$FASTPATHD --check-config $WORK/bad4.json 2>&1 | grep -q 'bad4.json:1:'"
	printf '{"ports": [{"name": "p0", "driver": "null"}, {"name": "p0", "driver": "null"}]}\n' >"$WORK/bad5.json"
	check "config: duplicate port" sh -c \
		"$FASTPATHD --check-config $WORK/bad5.json 2>&1 | grep -q \"duplicate iface 'p0'\""
	# what applying the config refuses, --check-config refuses too, saying where
	jq '.routes += [{"prefix": "10.202.0.0/24", "via": "10.9.9.9"}]' "$WORK/fastpath.json" >"$WORK/bad6.json"
	check "config: a gateway on no connected network fails the check, as it fails a load" sh -c \
		"$FASTPATHD --check-config $WORK/bad6.json 2>&1 | tee /dev/stderr | grep -q 'bad6.json:[0-9]*:[0-9]*: /routes/[0-9]*: gateway 10.9.9.9 is not on a connected network' && $FASTPATHCTL -s $SOCK config load $WORK/bad6.json 2>&1 | grep -q 'gateway 10.9.9.9 is not on a connected network'"
	jq '.routes += [{"prefix": "10.202.0.0/24", "via": "10.0.1.2", "dev": "p2"}, {"prefix": "10.203.0.0/24", "dev": "p2"}, {"prefix": "10.204.0.0/24", "via": "10.203.0.9"}]' "$WORK/fastpath.json" >"$WORK/bad7.json"
	check "config: a gateway not on its dev's network fails the check" sh -c \
		"$FASTPATHD --check-config $WORK/bad7.json 2>&1 | tee /dev/stderr | grep -q 'gateway 10.0.1.2 is not on a network of p2'"
	jq 'del(.routes[] | select(.prefix == "10.202.0.0/24"))' "$WORK/bad7.json" >"$WORK/good7.json"
	check "config: a gateway on a network routed through a dev alone passes, as it loads" sh -c \
		"$FASTPATHD --check-config $WORK/good7.json"
	jq '.addresses += [{"iface": "p3", "address": "10.0.1.1/16"}]' "$WORK/fastpath.json" >"$WORK/bad8.json"
	check "config: an address on two interfaces fails the check, as it fails a load" sh -c \
		"$FASTPATHD --check-config $WORK/bad8.json 2>&1 | tee /dev/stderr | grep -q \"/addresses/[0-9]*/address: duplicate interface address '10.0.1.1'\" && ! $FASTPATHCTL -s $SOCK config load $WORK/bad8.json 2>/dev/null"
	check "config: the example configs are valid" sh -c \
		"for f in $TESTDIR/../../conf/*.json; do $FASTPATHD --check-config \$f || exit 1; done"
}

test_reload() {
	cp "$WORK/fastpath.json" "$WORK/good.json"
	printf '{"routes": [{"prefix": "nonsense"}]}\n' >"$WORK/fastpath.json"
	kill -HUP "$FPD_PID"
	sleep 0.5
	check "bad reload is refused, the daemon keeps running" kill -0 "$FPD_PID"
	check "bad reload keeps the routes" ping_ok h1 10.100.0.1
	check "bad reload is logged with its position" grep -q 'reload refused.*fastpath.json:1:' "$WORK/fastpathd.log"
	jq '.routes += [{"prefix": "10.201.0.0/24", "via": "10.0.3.2"}]' "$WORK/good.json" >"$WORK/fastpath.json"
	kill -HUP "$FPD_PID"
	sleep 0.5
	check "the reload logs what changed" grep -q 'reload: .*"section":"routes","added":\[.*10.201.0.0/24' "$WORK/fastpathd.log"
	check "good reload adds its route" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list | jq -e '.routes[] | select(.prefix == \"10.201.0.0/24\")'"
	check "the log (stderr, a file) has the time and the level on each line" sh -c \
		"grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4} err fastpath: reload refused' $WORK/fastpathd.log && grep -Eq '^[0-9-]{10}T[0-9:.]{12}[+-][0-9]{4} notice fastpath: reloaded' $WORK/fastpathd.log"
}

test_stop() {
	kill -TERM "$FPD_PID"
	local rc=0
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "SIGTERM stops cleanly (exit 0)" test $rc -eq 0
	check "nothing left under /var/run/dpdk/$FPT" test ! -e /var/run/dpdk/$FPT
	check "API socket removed" test ! -e "$SOCK"
}

# Every port type but PCI, in a second daemon: tap (the kernel pings through it), pcap (echo
# requests replayed, replies written), null, and memif with testpmd as the peer.
test_ports() {
	local conf=$WORK/ports.json memif=$WORK/memif.sock
	$PY -c "from scapy.all import *
wrpcap('$WORK/rx.pcap', [Ether(src='02:00:00:00:09:09', dst='ff:ff:ff:ff:ff:ff') /
	IP(src='10.0.5.9', dst='10.0.5.1') / ICMP(id=7, seq=i) for i in range(3)])"
	cat >"$conf" <<CONF
{
	"eal": {"file_prefix": "$FPT"},
	"workers": {"count": 2, "idle_sleep_us": 50},
	"api": {"socket": "$SOCK"},
	"ports": [
		{"name": "tap0", "driver": "tap", "iface": "$FPT-tap0", "mac": "02:00:00:00:04:01"},
		{"name": "pcap0", "driver": "pcap", "rx_pcap": "$WORK/rx.pcap", "tx_pcap": "$WORK/tx.pcap"},
		{"name": "null0", "driver": "null", "no_rx": true, "rxqs": 2, "rx_ring": 512, "tx_ring": 512},
		{"name": "memif0", "driver": "memif", "role": "server", "socket": "$memif", "devargs": "socket-abstract=no"}
	],
	"addresses": [
		{"iface": "tap0", "address": "10.0.4.1/24"},
		{"iface": "pcap0", "address": "10.0.5.1/24"}
	],
	"neighbours": [{"iface": "pcap0", "address": "10.0.5.9", "mac": "02:00:00:00:09:09"}]
}
CONF
	# the command line overrides the file: one worker, and EAL arguments after --
	ip netns exec $R "$FASTPATHD" -c "$conf" -w 1 -- --log-level=lib.eal:info >"$WORK/ports.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "four port types up" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | tee /dev/stderr | jq -e '[.interfaces[] | .driver] | sort == [\"memif\", \"null\", \"pcap\", \"tap\"]'"
	check "-w 1 overrides workers.count: one TX queue per port" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '[.interfaces[].txqs] | unique == [1]'"
	check "null port: 2 RX queues, rings as configured" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"null0\") | .rxqs == 2 and .link_up'"
	ip -n $R addr add 10.0.4.2/24 dev $FPT-tap0
	ip -n $R link set $FPT-tap0 up
	check "tap port: the kernel pings fastpath through it" ip netns exec $R ping -c 3 -i 0.2 -W 2 10.0.4.1
	check "tap port keeps its configured MAC" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"tap0\") | .mac == \"02:00:00:00:04:01\"'"
	check "memif port: link down without a peer" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"memif0\") | .link_up == false'"
	timeout 6 dpdk-testpmd -l 0,1 --no-pci --file-prefix $FPT-tp \
		--vdev "net_memif0,role=client,socket=$memif,socket-abstract=no" -- \
		--total-num-mbufs 4096 --stats-period 1 -a --forward-mode=txonly >"$WORK/testpmd.log" 2>&1 &
	local tp=$!
	sleep 4
	check "memif port: link up with testpmd as peer" sh -c \
		"$(declare -f api); SOCK=$SOCK; api iface.list | jq -e '.interfaces[] | select(.name == \"memif0\") | .link_up'"
	check "memif port: testpmd's packets arrive" sh -c \
		"$(declare -f api); SOCK=$SOCK; api stats.show | jq -e '.ports[] | select(.name == \"memif0\") | .rx_packets > 1000'"
	wait $tp
	rm -rf /var/run/dpdk/$FPT-tp # testpmd's, not ours
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	check "ports daemon stops cleanly" test $? -eq 0
	FPD_PID=
	check "pcap port: the replayed pings were answered into the tx pcap" sh -c \
		"$PY -c \"from scapy.all import *
r = [p for p in rdpcap('$WORK/tx.pcap') if p.haslayer(ICMP) and p[ICMP].type == 0 and p[IP].dst == '10.0.5.9']
exit(0 if len(r) == 3 else 1)\""
}

ROUTER_TESTS="test_ping test_ipv6_router test_ipv6_forward test_ipv6_bad_packets test_ipv6_addresses test_ipv6_ecmp test_traceroute test_no_route test_ecmp test_route_under_traffic
	test_bad_packets test_hold_queue test_mtu test_icmp_rate_limit test_ipv6_rate_limit test_static_neighbour_and_garp test_neighbours_ipv6 test_routes_ipv6 test_route_churn
	test_iperf test_api test_cli test_introspection test_capture test_config_roundtrip test_telemetry test_config_errors test_reload
	test_stop"
# fastpathd without hugepages (--no-huge): forwards all the same
test_no_hugepages() {
	write_config "$WORK/nohuge.json"
	jq '.eal.huge = false | del(.telemetry)' "$WORK/nohuge.json" >"$WORK/nohuge2.json"
	# its stderr as systemd gives it: the journal's stream, named by JOURNAL_STREAM
	: >"$WORK/nohuge.log"
	JOURNAL_STREAM=$(stat -c %d:%i "$WORK/nohuge.log") ip netns exec $R "$FASTPATHD" -c "$WORK/nohuge2.json" 2>>"$WORK/nohuge.log" &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "without hugepages: fastpathd forwards" ping_ok h1 10.0.2.2
	kill -HUP "$FPD_PID"
	sleep 0.5
	check "under systemd (stderr the journal's stream), each line has its level as <N>, no time" sh -c \
		"grep -q '^<5>fastpath: reloaded' $WORK/nohuge.log && ! grep -qv '^<[0-7]>' $WORK/nohuge.log"
	check "without hugepages: no hugepage is mapped" sh -c "! grep -q 'hugepages\\|seg_' /proc/$FPD_PID/maps"
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	check "without hugepages: stops cleanly" test $? -eq 0
	FPD_PID=
}

# The FIBs at their default sizes (IPv4 and IPv6 64k routes: about 250 MB), which the router's
# config changes
test_default_fib_sizes() {
	write_config "$WORK/sizes.json"
	jq 'del(.fib) | del(.telemetry)' "$WORK/sizes.json" >"$WORK/sizes2.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/sizes2.json" >"$WORK/sizes.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 300); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "default FIB sizes: IPv6 connected routes installed" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list '{\"family\": \"ipv6\"}' | jq -e '.routes | length > 0'"
	# its addresses are tentative for a second (DAD)
	check "default FIB sizes: fastpathd forwards IPv6" in_ns h1 ping -c 6 -i 0.5 -W 3 2001:db8:2::2
	check "default FIB sizes: 65536 IPv4 routes, 2048 tbl8 groups; 65536 IPv6 routes, 69632 tbl8 groups" sh -c \
		"$(declare -f api); SOCK=$SOCK; api config.dump | jq -e '.config.fib == {\"ipv4_max_routes\": 65536, \"ipv4_tbl8_groups\": 2048, \"ipv6_max_routes\": 65536, \"ipv6_tbl8_groups\": 69632}'"
	kill -TERM "$FPD_PID"
	wait "$FPD_PID"
	check "default FIB sizes: stops cleanly" test $? -eq 0
	FPD_PID=
}

# A small machine: IPv6 addresses at the default FIB sizes start in 1 GB (without hugepages:
# a fixed budget; 1M IPv6 routes would take 1.6 GB more), and a size that does not fit says
# which setting to change
test_fib_small_memory() {
	local rc=0
	write_config "$WORK/small.json"
	jq 'del(.fib) | del(.telemetry) | .eal.huge = false | .eal.memory_mb = 1024' "$WORK/small.json" >"$WORK/small2.json"
	ip netns exec $R "$FASTPATHD" -c "$WORK/small2.json" >"$WORK/small.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 300); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "1 GB, IPv6 addresses, the default FIB sizes: fastpathd starts" sh -c \
		"$(declare -f api); SOCK=$SOCK; api route.list '{\"family\": \"ipv6\"}' | jq -e '.routes | length > 0'"
	check "... and forwards IPv6" in_ns h1 ping -c 6 -i 0.5 -W 3 2001:db8:2::2
	kill -TERM "$FPD_PID"
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "... stops cleanly" test $rc -eq 0
	jq '.fib = {"ipv6_max_routes": 1048576}' "$WORK/small2.json" >"$WORK/small3.json"
	rc=0
	timeout 60 ip netns exec $R "$FASTPATHD" -c "$WORK/small3.json" >"$WORK/small3.log" 2>&1 || rc=$?
	check "1M IPv6 routes in 1 GB: refused at start, saying which settings to change" sh -c \
		"cat $WORK/small3.log; [ $rc -eq 1 ] && grep -q 'addresses: route 2001:db8:1::/64: VRF 0: not enough memory for its IPv6 FIB of 1048576 routes and 1114112 tbl8 groups (fib.ipv6_max_routes, fib.ipv6_tbl8_groups): lower them, or give fastpathd more memory: more free hugepages (make hugepages, FP_HUGEPAGES=N), or eal.memory_mb without hugepages' $WORK/small3.log"
	jq '.fib = {"ipv4_max_routes": 4194304}' "$WORK/small2.json" >"$WORK/small4.json"
	rc=0
	timeout 60 ip netns exec $R "$FASTPATHD" -c "$WORK/small4.json" >"$WORK/small4.log" 2>&1 || rc=$?
	check "4M IPv4 routes in 1 GB: refused at start, saying which settings to change" sh -c \
		"cat $WORK/small4.log; [ $rc -eq 1 ] && grep -q 'VRF 0: not enough memory for its IPv4 FIB of 4194304 routes and 131072 tbl8 groups (fib.ipv4_max_routes, fib.ipv4_tbl8_groups; 1M routes take about 520 MB): lower them, or give fastpathd more memory' $WORK/small4.log"
	jq '.eal.mbufs = 1048575' "$WORK/small2.json" >"$WORK/small5.json"
	rc=0
	timeout 60 ip netns exec $R "$FASTPATHD" -c "$WORK/small5.json" >"$WORK/small5.log" 2>&1 || rc=$?
	check "1M mbufs in 1 GB: refused at start, saying which settings to change" sh -c \
		"cat $WORK/small5.log; [ $rc -eq 1 ] && grep -q 'not enough memory for the pool of 1048575 mbufs (eal.mbufs, about [0-9]* MB) on socket 0: lower eal.mbufs, or give fastpathd more memory: more free hugepages (make hugepages, FP_HUGEPAGES=N), or eal.memory_mb without hugepages' $WORK/small5.log"
}

# tests on their own daemon
OTHER_TESTS="test_ports test_no_hugepages test_default_fib_sizes test_fib_small_memory"
. "$TESTDIR/af_xdp.sh"
. "$TESTDIR/twin.sh"
. "$TESTDIR/hooks.sh"
. "$TESTDIR/fragments.sh"
. "$TESTDIR/defrag.sh"
. "$TESTDIR/zz_probe.sh"
. "$TESTDIR/netlink.sh"
. "$TESTDIR/kernel_owner.sh"
. "$TESTDIR/demo.sh"
. "$TESTDIR/bird.sh"
. "$TESTDIR/frr.sh"
. "$TESTDIR/api_security.sh"
. "$TESTDIR/flood.sh"
. "$TESTDIR/kill9.sh"
. "$TESTDIR/sysctl.sh"
. "$TESTDIR/source.sh"
. "$TESTDIR/oracle.sh"
. "$TESTDIR/ip_options.sh"
. "$TESTDIR/deb.sh"
. "$TESTDIR/pci.sh"
. "$TESTDIR/conntrack.sh"
. "$TESTDIR/conntrack_cli.sh"
ROUTER_TESTS=$(echo $ROUTER_TESTS) # one space between names, for the " $list " matches
# without the fast path, the router's tests again, and the other tests that compare forwarding
# (BOTH_MODES_TESTS): the same behaviour from the whole graph; on af_xdp ports
# (FPT_PORT_DRIVER=af_xdp), the router's tests that it names
if [ "$PORT_DRIVER" != af_packet ]; then
	OTHER_TESTS=""
elif [ "$FAST_PATH" != true ]; then
	OTHER_TESTS="${BOTH_MODES_TESTS:-}"
fi
wanted=" ${*:-$ROUTER_TESTS $OTHER_TESTS} "
run_router=$(for t in $wanted; do case " $ROUTER_TESTS " in *" $t "*) echo y ;; esac; done)

log "== fastpath integration tests ($BUILD, fast path: $FAST_PATH, ports: $PORT_DRIVER)"
topology
if [ -n "$run_router" ]; then
	if start_router; then
		for t in $ROUTER_TESTS; do
			case $wanted in *" $t "*) log "-- $t" && $t ;; esac
		done
	else
		fail "fastpathd starts"
	fi
	[ -n "$FPD_PID" ] && test_stop
fi
for t in $OTHER_TESTS; do
	case $wanted in *" $t "*) log "-- $t" && $t ;; esac
done
summary
