# Source validation (accept_local, rp_filter) and redirects (ICMP, NDP), as a user checks them:
# sysctl knobs set with fastpathctl, spoofed traffic dropped and counted, a Linux host that
# learns the better first hop from the router's redirect. Sourced by run.sh.

ctl() { "$FASTPATHCTL" -s "$SOCK" "$@"; }

# spoof4 SRC DST TAG: an ICMP echo from h1 to the router's MAC, the source forged, TAG its payload
spoof4() {
	in_ns h1 $PY -c "from scapy.all import *
sendp(Ether(src='$(in_ns h1 cat /sys/class/net/eth0/address)', dst='02:00:00:00:01:01') /
      IP(src='$1', dst='$2') / ICMP(id=0x5ca1) / Raw(b'$3'), iface='eth0', verbose=0)"
}

# dump_start HOST FILE FILTER [TCPDUMP-OPTION...]: tcpdump on HOST's eth0 into FILE for 4 s at
# most (its pid in DUMP), once it listens
dump_start() {
	local h=$1 f=$2 filter=$3
	shift 3
	in_ns "$h" timeout 4 tcpdump -nli eth0 -w "$f" "$@" "$filter" 2>"$f.err" >/dev/null &
	DUMP=$!
	for _ in $(seq 50); do
		grep -q "listening on" "$f.err" 2>/dev/null && return 0
		sleep 0.1
	done
}

# reaches_h2 TAG SPOOF-ARGS...: whether h2 received the echo with payload TAG sent by spoof4
reaches_h2() {
	local tag=$1 got
	shift
	dump_start h2 "$WORK/spoof.pcap" "icmp and icmp[4:2] == 0x5ca1" -c 1
	spoof4 "$@" "$tag"
	wait $DUMP
	got=$($PY -c "from scapy.all import *
print(sum(1 for p in rdpcap('$WORK/spoof.pcap') if b'$tag' in bytes(p)))" 2>/dev/null)
	[ "${got:-0}" -ge 1 ]
}

not_reaches_h2() { ! reaches_h2 "$@"; }

test_source_validation() {
	local before
	before=$(drops ip4_martian_source)
	check "a packet from h1 with the router's own p2 address as source is not forwarded (accept_local 0)" \
		not_reaches_h2 local-p2 10.0.2.1 10.0.2.2
	check "... nor with the router's p1 address, that of the interface it came in on" \
		not_reaches_h2 local-p1 10.0.1.1 10.0.2.2
	check "... counted as martian sources, as Linux counts them" test "$(drops ip4_martian_source)" -ge $((before + 2))
	check "sysctl -w net.ipv4.conf.p1.accept_local=1" ctl sysctl -w net.ipv4.conf.p1.accept_local=1
	check "with accept_local 1 on p1 it is forwarded" \
		reaches_h2 accept-local 10.0.2.1 10.0.2.2
	ctl sysctl -w net.ipv4.conf.p1.accept_local=0 >/dev/null

	check "rp_filter is 0 by default (Linux's kernel default)" sh -c \
		"$FASTPATHCTL -s $SOCK sysctl net.ipv4.conf.p1.rp_filter | tee /dev/stderr | grep -qx 'net.ipv4.conf.p1.rp_filter = 0'"
	check "rp_filter 0: a source routed through p3 arriving on p1 is forwarded" \
		reaches_h2 rpf0 10.0.3.2 10.0.2.2
	before=$(drops ip4_rp_filter)
	check "sysctl -w net.ipv4.conf.p1.rp_filter=1" ctl sysctl -w net.ipv4.conf.p1.rp_filter=1
	check "rp_filter 1 (strict): a source routed through p3 arriving on p1 is dropped" \
		not_reaches_h2 rpf1 10.0.3.2 10.0.2.2
	check "... counted as ip4_rp_filter" test "$(drops ip4_rp_filter)" -ge $((before + 1))
	check "rp_filter 1: h1's own traffic still passes" ping_ok h1 10.0.2.2
	check "rp_filter 1: so does traffic to the router" ping_ok h1 10.0.1.1
	check "sysctl -w net.ipv4.conf.all.rp_filter=2 (p1's is 1: the maximum, 2, applies)" \
		ctl sysctl -w net.ipv4.conf.all.rp_filter=2
	check "rp_filter 2 (loose): a source routed through p3 passes" \
		reaches_h2 rpf2 10.0.3.2 10.0.2.2
	before=$(drops ip4_rp_filter)
	check "rp_filter 2: a source with no route back is dropped" \
		not_reaches_h2 rpf2none 192.0.2.99 10.0.2.2
	check "... counted as ip4_rp_filter" test "$(drops ip4_rp_filter)" -ge $((before + 1))
	ctl sysctl -w net.ipv4.conf.all.rp_filter=0 >/dev/null
	ctl sysctl -w net.ipv4.conf.p1.rp_filter=0 >/dev/null
	check "rp_filter back to 0: a source with no route back is forwarded" \
		reaches_h2 rpf0none 192.0.2.99 10.0.2.2
}

# gateway G on h1's link (a static neighbour: nobody answers for it), routes through it
redirect_setup() {
	api neigh.add '{"iface": "p1", "address": "10.0.1.3", "mac": "02:00:00:00:01:03"}' >/dev/null
	api route.add '{"prefix": "10.9.0.0/24", "via": "10.0.1.3"}' >/dev/null
	api neigh.add '{"iface": "p1", "address": "fe80::1:3", "mac": "02:00:00:00:01:03"}' >/dev/null
	api route.add '{"prefix": "2001:db8:9::/64", "via": "fe80::1:3", "dev": "p1"}' >/dev/null
	# a Linux host takes an IPv4 redirect to a gateway it has a MAC for (__ip_do_redirect)
	in_ns h1 ip neigh replace 10.0.1.3 lladdr 02:00:00:00:01:03 dev eth0 nud permanent
}

redirect_cleanup() {
	api route.del '{"prefix": "10.9.0.0/24"}' >/dev/null
	api route.del '{"prefix": "2001:db8:9::/64"}' >/dev/null
	api neigh.del '{"iface": "p1", "address": "10.0.1.3"}' >/dev/null
	api neigh.del '{"iface": "p1", "address": "fe80::1:3"}' >/dev/null
	in_ns h1 ip neigh del 10.0.1.3 dev eth0
	in_ns h1 ip route flush cache
	in_ns h1 ip -6 route del 2001:db8:9::/64 2>/dev/null
	in_ns h1 ip -6 route flush cache
}

test_redirects() {
	local sent
	redirect_setup
	in_ns h1 ip route flush cache
	check "before: h1 routes 10.9.0.1 through the router" sh -c \
		"ip netns exec $FPT-h1 ip route get 10.9.0.1 | tee /dev/stderr | grep -q 'via 10.0.1.1 '"
	sent=$(node_packets ip4_redirect_sent)
	dump_start h1 "$WORK/redirect.pcap" 'icmp[0] == 5 or (icmp and ether dst 02:00:00:00:01:03)'
	in_ns h1 ping -c 1 -W 1 10.9.0.1 >/dev/null 2>&1
	wait $DUMP
	check "h1 -> 10.9.0.1 (gateway 10.0.1.3, on h1's own link): ICMP host redirect to 10.0.1.3, from 10.0.1.1" \
		$PY -c "from scapy.all import *
r = [p for p in rdpcap('$WORK/redirect.pcap') if p.haslayer(ICMP) and p[ICMP].type == 5]
exit(0 if len(r) == 1 and r[0][ICMP].code == 1 and r[0][ICMP].gw == '10.0.1.3' and r[0][IP].src == '10.0.1.1' and r[0][IPerror].dst == '10.9.0.1' and r[0][IPerror].ttl == 63 else 1)"
	check "... and the packet forwarded to 10.0.1.3 all the same" $PY -c "from scapy.all import *
exit(0 if any(p.haslayer(ICMP) and p[ICMP].type == 8 and p[Ether].dst == '02:00:00:00:01:03' and p[IP].ttl == 63 for p in rdpcap('$WORK/redirect.pcap')) else 1)"
	check "h1's kernel took the redirect: ip route get 10.9.0.1 says via 10.0.1.3" sh -c \
		"ip netns exec $FPT-h1 ip route get 10.9.0.1 | tee /dev/stderr | grep -q 'via 10.0.1.3 '"
	check "counted: ip4_redirect_sent" test "$(node_packets ip4_redirect_sent)" -ge $((sent + 1))

	check "sysctl -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.p1.send_redirects=0" \
		ctl sysctl -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.p1.send_redirects=0
	in_ns h1 ip route flush cache
	sent=$(node_packets ip4_redirect_sent)
	dump_start h1 "$WORK/noredirect.pcap" 'icmp[0] == 5 or (icmp and ether dst 02:00:00:00:01:03)'
	in_ns h1 ping -c 1 -W 1 10.9.0.1 >/dev/null 2>&1
	wait $DUMP
	check "send_redirects 0: no redirect, the packet forwarded to 10.0.1.3" $PY -c "from scapy.all import *
ps = rdpcap('$WORK/noredirect.pcap')
exit(0 if not any(p.haslayer(ICMP) and p[ICMP].type == 5 for p in ps) and any(p.haslayer(ICMP) and p[ICMP].type == 8 and p[Ether].dst == '02:00:00:00:01:03' for p in ps) else 1)"
	check "... h1 still routes through the router" sh -c \
		"ip netns exec $FPT-h1 ip route get 10.9.0.1 | tee /dev/stderr | grep -q 'via 10.0.1.1 '"
	check "... nothing counted" test "$(node_packets ip4_redirect_sent)" -eq "$sent"
	ctl sysctl -w net.ipv4.conf.all.send_redirects=1 net.ipv4.conf.p1.send_redirects=1 >/dev/null

	# IPv6: Linux names a gateway in a redirect by its link-local address only, and a host
	# takes a redirect from its current first hop for the destination
	in_ns h1 ip -6 route add 2001:db8:9::/64 via $ROUTER_LL1 dev eth0
	sent=$(node_packets ip6_redirect_sent)
	dump_start h1 "$WORK/redirect6.pcap" 'icmp6 and (ip6[40] == 137 or ether dst 02:00:00:00:01:03)'
	in_ns h1 ping -6 -c 1 -W 1 2001:db8:9::1 >/dev/null 2>&1
	wait $DUMP
	check "h1 -> 2001:db8:9::1 (gateway fe80::1:3 on h1's link): NDP redirect from the router's link-local address" \
		$PY -c "from scapy.all import *
r = [p for p in rdpcap('$WORK/redirect6.pcap') if p.haslayer(ICMPv6ND_Redirect)]
ok = len(r) == 1 and r[0][IPv6].src == '$ROUTER_LL1' and r[0][IPv6].hlim == 255
ok = ok and r[0][ICMPv6ND_Redirect].tgt == 'fe80::1:3' and r[0][ICMPv6ND_Redirect].dst == '2001:db8:9::1'
ok = ok and r[0].haslayer(ICMPv6NDOptDstLLAddr) and r[0][ICMPv6NDOptDstLLAddr].lladdr == '02:00:00:00:01:03'
ok = ok and r[0].haslayer(ICMPv6NDOptRedirectedHdr) and IPv6(bytes(r[0][ICMPv6NDOptRedirectedHdr].pkt)).hlim == 64
exit(0 if ok else 1)"
	check "... and the packet forwarded to fe80::1:3" $PY -c "from scapy.all import *
exit(0 if any(p.haslayer(ICMPv6EchoRequest) and p[Ether].dst == '02:00:00:00:01:03' and p[IPv6].hlim == 63 for p in rdpcap('$WORK/redirect6.pcap')) else 1)"
	check "h1's kernel took it: ip -6 route get 2001:db8:9::1 says via fe80::1:3" sh -c \
		"ip netns exec $FPT-h1 ip -6 route get 2001:db8:9::1 | tee /dev/stderr | grep -q 'via fe80::1:3 '"
	check "counted: ip6_redirect_sent" test "$(node_packets ip6_redirect_sent)" -ge $((sent + 1))

	dump_start h1 "$WORK/ll6.pcap" 'icmp6 and ip6[40] == 137'
	in_ns h1 $PY -c "from scapy.all import *
sendp(Ether(src='$(in_ns h1 cat /sys/class/net/eth0/address)', dst='02:00:00:00:01:01') /
      IPv6(src='2001:db8:1::2', dst='fe80::99') / ICMPv6EchoRequest(), iface='eth0', verbose=0)"
	wait $DUMP
	check "a link-local destination that is not ours (fe80::99): sent back onto its link with a redirect to itself, as Linux" \
		$PY -c "from scapy.all import *
r = [p for p in rdpcap('$WORK/ll6.pcap') if p.haslayer(ICMPv6ND_Redirect)]
exit(0 if len(r) == 1 and r[0][ICMPv6ND_Redirect].tgt == 'fe80::99' and r[0][ICMPv6ND_Redirect].dst == 'fe80::99' else 1)"
	redirect_cleanup
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_source_validation test_redirects test_stop}
