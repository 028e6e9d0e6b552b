# IP fragments through the router (fragments.py makes them), compared with a Linux router
# namespace wired as the test bed is. On af_xdp ports (FPT_PORT_DRIVER=af_xdp) fastpath gets
# IPv4 fragments as they come, as a Linux router does; on af_packet ports the kernel reassembles
# IPv4 before fastpath sees it (PACKET_FANOUT_FLAG_DEFRAG), and what differs from Linux is
# asserted as such. IPv6 is never reassembled before fastpath. (The ICMP rate limits of both
# routers allow what each case gets back.)

LR=$FPT-lr # the Linux router, between $FPT-l1, $FPT-l2 and $FPT-l3 (MTU 1280)

# The Linux router and its hosts: the test bed's addresses and router MACs, Linux forwarding
linux_router() {
	[ -e /run/netns/$LR ] && return 0
	ip netns add $LR
	ip netns exec $LR sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for n in 1 2 3; do
		ip netns add $FPT-l$n
		ip link add l$n netns $LR type veth peer name eth0 netns $FPT-l$n
		ip -n $LR link set l$n address 02:00:00:00:0$n:01 up
		ip -n $LR addr add 10.0.$n.1/24 dev l$n
		ip -n $LR addr add 2001:db8:$n::1/64 dev l$n nodad
		ip -n $FPT-l$n addr add 10.0.$n.2/24 dev eth0
		ip -n $FPT-l$n addr add 2001:db8:$n::2/64 dev eth0 nodad
		ip -n $FPT-l$n link set lo up
		ip -n $FPT-l$n link set eth0 up
		ip -n $FPT-l$n route add default via 10.0.$n.1
		ip -n $FPT-l$n route add ::/0 via 2001:db8:$n::1
	done
	ip -n $LR link set l3 mtu 1280
	ip -n $FPT-l3 link set eth0 mtu 1280
}

# frag_sent FROM TO SEND-ARGS...: fragments.py send SEND-ARGS from namespace $FPT-FROM (pinned
# to a CPU: one TX queue); the fragments of the datagram that $FPT-TO's eth0 got, as
# fragments.py show prints them, sorted: fastpath keeps the order of the packets that take the
# same path through its graph, and a burst's packets that need the fragment node leave after
# those that do not (Linux keeps the order of arrival); the datagram's size as TO's UDP socket
# on port 7020 got it (reassembled), in $WORK/frag-whole (after a line "ready"). FRAG_ANY_ID=1:
# the fragments of any identification (a datagram cut again by IPv6 gets a new one)
frag_sent() {
	local from=$FPT-$1 to=$FPT-$2 pcap=$WORK/frag-$2.pcap dump dst=$4 any=
	local filter='ip[4:2] = 0x4242 or ip6[44:4] = 0x4242'
	shift 2
	[ "${FRAG_ANY_ID:-}" = 1 ] && any=any filter='ip6[6] = 44 or (ip and ip[6:2] & 0x3fff != 0)'
	rm -f "$pcap.err"
	ip netns exec "$to" tcpdump --immediate-mode -nli eth0 -w "$pcap" "$filter" 2>"$pcap.err" &
	dump=$!
	udp_receive "${to#$FPT-}" "$dst" 7020 "$WORK/frag-whole"
	for _ in $(seq 50); do grep -q listening "$pcap.err" && break; sleep 0.1; done
	ip netns exec "$from" taskset -c 0 $PY "$TESTDIR/fragments.py" send "$@" >/dev/null
	udp_received "$WORK/frag-whole"
	kill -INT $dump
	wait $dump
	$PY "$TESTDIR/fragments.py" show "$pcap" $any | sort -n
}

# frag_same_as_linux WHAT TO SEND-ARGS...: the fragments h1's datagram reaches host TO in are
# those a Linux router hands on (l1 -> l-TO), at least one, and TO has the datagram whole. On
# af_packet ports the kernel reassembles IPv4 into one frame of the packet ring, too small for
# these datagrams: fastpath gets it truncated and drops it (docs/kernel-twins.md, Limits)
frag_same_as_linux() {
	local what=$1 to=$2 ours linux truncated
	shift 2
	truncated=$(drops ip4_truncated)
	linux=$(frag_sent l1 "l${to#h}" "$@")
	ours=$(frag_sent h1 "$to" "$@")
	if [ "$PORT_DRIVER" = af_packet ] && [ "${2#*:}" = "$2" ]; then
		check "$what: af_packet: reassembled by the kernel, truncated, dropped (ip4_truncated)" \
			sh -c "[ -z '$ours' ] && [ $(drops ip4_truncated) -gt $truncated ]"
		return
	fi
	check "$what: $to has the datagram whole" grep -qx "$4" "$WORK/frag-whole"
	check "$what: forwarded as a Linux router forwards them" sh -c \
		"printf 'fastpath:\n%s\nLinux:\n%s\n' '$ours' '$linux'; [ -n '$linux' ] && [ '$ours' = '$linux' ]"
}

test_fragments_forwarded() {
	local mac=02:00:00:00:01:01 refrag
	linux_router
	refrag=$(node_packets ip4_fragment)
	frag_same_as_linux "IPv4 in 6 fragments of 512, last first, to h2" h2 \
		10.0.1.2 10.0.2.2 7020 3000 512 $mac reverse
	[ "$PORT_DRIVER" = af_packet ] ||
		check "... fastpath fragmented none of them" test "$(node_packets ip4_fragment)" -eq "$refrag"
	refrag=$(node_packets ip4_fragment)
	# each 1500-byte fragment cut in two for the 1280-byte link, the last (48 bytes) as it was
	frag_same_as_linux "IPv4 in 1500-byte fragments (as Linux sends 3000 bytes) to h3 over the 1280-byte link" h3 \
		10.0.1.2 10.0.3.2 7020 3000 1480 $mac
	[ "$PORT_DRIVER" = af_packet ] ||
		check "... by the fragment node: each of the two 1500-byte fragments" \
			test "$(node_packets ip4_fragment)" -eq $((refrag + 2))
	frag_same_as_linux "IPv6 in 6 fragments of 512, last first, to h2" h2 \
		2001:db8:1::2 2001:db8:2::2 7020 3000 512 $mac reverse
	frag_same_as_linux "IPv6 in fragments of 1280 bytes to h3 over the 1280-byte link" h3 \
		2001:db8:1::2 2001:db8:3::2 7020 3000 1232 $mac
}

# icmp_answers SENDER PCAP-FILTER SEND-ARGS...: how many ICMP errors (PCAP-FILTER) $FPT-SENDER
# gets for the fragments it sends
icmp_answers() {
	local ns=$FPT-$1 filter=$2 pcap=$WORK/frag-icmp.pcap dump
	shift 2
	rm -f "$pcap.err"
	ip netns exec "$ns" tcpdump --immediate-mode -nli eth0 -w "$pcap" "$filter" 2>"$pcap.err" &
	dump=$!
	for _ in $(seq 50); do grep -q listening "$pcap.err" && break; sleep 0.1; done
	ip netns exec "$ns" taskset -c 0 $PY "$TESTDIR/fragments.py" send "$@" >/dev/null
	sleep "${ICMP_WAIT:-1}"
	kill -INT $dump
	wait $dump
	tcpdump -nr "$pcap" 2>/dev/null | wc -l
}

# as_linux WHAT SEND-ARGS...: h1 and l1 get as many ICMP errors (ICMP_FILTER) for the same
# fragments; ICMP_COUNT: how many that is on af_xdp ports, ICMP_AF_PACKET on af_packet ones
as_linux() {
	local what=$1 ours linux
	shift
	linux=$(icmp_answers l1 "$ICMP_FILTER" "$@")
	ours=$(icmp_answers h1 "$ICMP_FILTER" "$@")
	if [ "$PORT_DRIVER" = af_packet ] && [ -n "${ICMP_AF_PACKET:-}" ]; then
		check "$what: af_packet: $ICMP_AF_PACKET, the kernel holding the fragments to reassemble them" sh -c \
			"echo 'fastpath $ours, Linux $linux'; [ $ours = $ICMP_AF_PACKET ]"
	else
		check "$what: $ICMP_COUNT, as from a Linux router" sh -c \
			"echo 'fastpath $ours, Linux $linux'; [ $ours = $linux ] && [ $ours = $ICMP_COUNT ]"
	fi
}

# TTL 1: time exceeded for the first fragment only (Linux icmp_send: never about a later one);
# IPv6 answers every fragment (icmpv6_send has no such rule)
test_fragments_ttl() {
	local mac=02:00:00:00:01:01
	linux_router
	sleep 1 # the ICMP rate limits towards h1 refill
	# on af_packet ports the kernel holds fragments for reassembly, and they expire unseen
	ICMP_FILTER='icmp[0] = 11' ICMP_COUNT=1 ICMP_AF_PACKET=0 as_linux \
		"IPv4 first fragment with TTL 1: time exceeded" \
		10.0.1.2 10.0.2.2 7020 3000 1480 $mac first ttl=1
	ICMP_FILTER='icmp[0] = 11' ICMP_COUNT=0 as_linux "IPv4 later fragments with TTL 1: no answer" \
		10.0.1.2 10.0.2.2 7020 3000 1480 $mac rest ttl=1
	ICMP_FILTER='icmp6[0] = 3' ICMP_COUNT=2 as_linux "IPv6 later fragments with hop limit 1: time exceeded for each" \
		2001:db8:1::2 2001:db8:2::2 7020 3000 1448 $mac rest ttl=1
}

# Fragments for the router's own address: the kernel twin's (twin.sh), which reassembles them
test_fragments_local() {
	local mac=02:00:00:00:01:01 up truncated
	linux_router
	twin_addresses
	up=$(twin_counter p1 to_kernel_packets)
	truncated=$(drops ip4_truncated)
	udp_receive "${R#$FPT-}" 10.0.1.1 7021 "$WORK/received"
	in_ns h1 taskset -c 0 $PY "$TESTDIR/fragments.py" send 10.0.1.2 10.0.1.1 7021 3000 512 $mac \
		reverse >/dev/null
	udp_received "$WORK/received"
	if [ "$PORT_DRIVER" = af_packet ]; then
		check "IPv4 in 6 fragments to the router: af_packet: reassembled by the kernel, truncated, dropped" \
			sh -c "! grep -qx 3000 $WORK/received && [ $(drops ip4_truncated) -gt $truncated ]"
	else
		check "IPv4 in 6 fragments, last first, to the router: the kernel's listener has it whole" \
			grep -qx 3000 "$WORK/received"
		check "... the fragments went up the twin, fastpath dropped none" sh -c \
			"[ \$($(declare -f api twin_counter); SOCK=$SOCK; twin_counter p1 to_kernel_packets) -ge $((up + 6)) ] && [ $(drops ip4_local_fragment) -eq 0 ]"
	fi
	# the first fragment alone: the twin's kernel gives up after ipfrag_time and says so, from
	# the router's address, as the Linux router does (RFC 792); on af_packet the kernel's
	# reassembly before fastpath is not a destination's, and says nothing (ip_expire)
	ip netns exec $R sysctl -qw net.ipv4.ipfrag_time=1
	ip netns exec $LR sysctl -qw net.ipv4.ipfrag_time=1
	ICMP_WAIT=2.5 ICMP_FILTER='icmp[0] = 11 and icmp[1] = 1 and src 10.0.1.1' ICMP_COUNT=1 \
		ICMP_AF_PACKET=0 as_linux "IPv4 first fragment alone to the router: reassembly time exceeded" \
		10.0.1.2 10.0.1.1 7021 3000 512 $mac first
	ip netns exec $R sysctl -qw net.ipv4.ipfrag_time=30
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_fragments_forwarded test_fragments_ttl test_fragments_local test_stop}
