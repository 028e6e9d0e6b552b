# Defragmentation before tracking (docs/defrag.md): "conntrack": {"enabled": true} switches the
# hook feature "defrag" on; fragments are reassembled at prerouting, across workers, and sent on
# in the fragments they came in. The oracle: the Linux router namespace of fragments.sh with
# nf_conntrack in use (an nftables rule on ct state), as fastpath with tracking on.
# IPv4 on af_xdp ports only (FPT_PORT_DRIVER=af_xdp): on af_packet ones the kernel reassembles
# IPv4 before fastpath sees it (fragments.sh).

# tracking on (or off) in the config, reloaded: until hook.list has "defrag" on everywhere (off)
defrag_tracking() { # true|false
	local want='["all"]'
	[ "$1" = true ] || want='[]'
	jq --argjson on "$1" '.conntrack = {"enabled": $on}' "$WORK/fastpath.json" >"$WORK/ct.json"
	mv "$WORK/ct.json" "$WORK/fastpath.json"
	kill -HUP "$FPD_PID"
	check "conntrack.enabled $1: the hook feature defrag follows" poll_for 5 sh -c \
		"$(declare -f api); SOCK=$SOCK; api hook.list | jq -e --argjson w '$want' '[.hooks[] | select(.name == \"defrag\") | .ifaces == \$w] | length == 4 and all'"
}

# twins on or off in the config, reloaded: until twin.list has the three (made again: bare, as
# at start) or none
defrag_twins() { # true|false
	local n=0
	[ "$1" = true ] && n=3
	jq --argjson on "$1" '.twins.enabled = $on' "$WORK/fastpath.json" >"$WORK/tw.json"
	mv "$WORK/tw.json" "$WORK/fastpath.json"
	kill -HUP "$FPD_PID"
	check "twins.enabled $1: $n twins" poll_for 5 sh -c \
		"$(declare -f api); SOCK=$SOCK; api twin.list | jq -e '.twins | length == $n'"
}

# the Linux router tracks connections: its fragments are reassembled by nf_defrag_ipv4/ipv6
linux_router_tracking() {
	linux_router
	ip netns exec $LR nft list table inet fpt_ct >/dev/null 2>&1 && return 0
	ip netns exec $LR nft -f - <<-'NFT'
		table inet fpt_ct {
			chain forward_ct { type filter hook forward priority 0; ct state { new, established } accept; }
		}
	NFT
}

# defrag_sent FROM TO SEND-ARGS...: frag_sent (fragments.sh) of fragments of any identification
defrag_sent() { FRAG_ANY_ID=1 frag_sent "$@"; }

# defrag_as_linux WHAT WHOLE SEND-ARGS...: h2 gets what l2 gets through the Linux router, the
# same fragments (offset length more), and the datagram whole if WHOLE is "whole", else not
defrag_as_linux() {
	local what=$1 whole=$2 ours linux
	shift 2
	linux=$(defrag_sent l1 l2 "$@")
	ours=$(defrag_sent h1 h2 "$@")
	if [ "$whole" = whole ]; then
		check "$what: h2 has the datagram whole" grep -qx "$4" "$WORK/frag-whole"
	else
		check "$what: h2 has nothing" sh -c "! grep -qx $4 $WORK/frag-whole"
	fi
	check "$what: the fragments a Linux router with conntrack sends" sh -c \
		"printf 'fastpath:\n%s\nLinux:\n%s\n' '$ours' '$linux'; [ '$ours' = '$linux' ]"
}

test_defrag_ipv6() {
	local mac=02:00:00:00:01:01 done overlap handoff
	linux_router_tracking
	defrag_tracking true
	done=$(node_packets defrag_continue)
	defrag_as_linux "defrag IPv6: 4000 bytes in 1448-byte fragments, in order" whole \
		2001:db8:1::2 2001:db8:2::2 7020 4000 1448 $mac
	check "... reassembled by fastpath, not passed" test "$(node_packets defrag_continue)" -gt "$done"
	defrag_as_linux "defrag IPv6: 4000 bytes in 512-byte fragments, last first" whole \
		2001:db8:1::2 2001:db8:2::2 7020 4000 512 $mac reverse
	overlap=$(drops defrag6_overlap)
	defrag_as_linux "defrag IPv6: a fragment across two others: the datagram dropped (RFC 5722)" none \
		2001:db8:1::2 2001:db8:2::2 7020 4000 1448 $mac overlap id=0x4343
	check "... counted (defrag6_overlap)" test "$(drops defrag6_overlap)" -gt "$overlap"
	# fragments with flow labels of their own: RSS spreads them over both workers' queues
	handoff=$(node_packets defrag_handoff)
	defrag_as_linux "defrag IPv6: 4000 bytes in 8 fragments over both workers" whole \
		2001:db8:1::2 2001:db8:2::2 7020 4000 512 $mac fl=vary
	check "... some handed to the datagram's worker (defrag_handoff)" \
		test "$(node_packets defrag_handoff)" -gt "$handoff"
	defrag_tracking false
}

# The last fragment missing: dropped after nf_conntrack_frag6_timeout, counted, and time exceeded
# code 1 to the sender, as from a Linux router with conntrack (nf_ct_frag6_expire())
test_defrag_ipv6_timeout() {
	local mac=02:00:00:00:01:01 timeouts
	linux_router_tracking
	defrag_tracking true
	api sysctl.set '{"name": "net.netfilter.nf_conntrack_frag6_timeout", "value": 1}' >/dev/null
	ip netns exec $LR sysctl -qw net.netfilter.nf_conntrack_frag6_timeout=1
	timeouts=$(drops defrag6_time_exceeded)
	ICMP_WAIT=2.5 ICMP_FILTER='icmp6[0] = 3 and icmp6[1] = 1' ICMP_COUNT=1 as_linux \
		"defrag IPv6: the last fragment missing: time exceeded, reassembly" \
		2001:db8:1::2 2001:db8:2::2 7020 4000 1448 $mac nolast
	check "... counted (defrag6_time_exceeded)" poll_for 3 sh -c \
		"$(declare -f api drops); SOCK=$SOCK; [ \$(drops defrag6_time_exceeded) -gt $timeouts ]"
	ICMP_WAIT=2.5 ICMP_FILTER='icmp6[0] = 3' ICMP_COUNT=0 as_linux \
		"defrag IPv6: the first fragment missing: no answer" \
		2001:db8:1::2 2001:db8:2::2 7020 4000 1448 $mac rest
	api sysctl.set '{"name": "net.netfilter.nf_conntrack_frag6_timeout", "value": 60}' >/dev/null
	ip netns exec $LR sysctl -qw net.netfilter.nf_conntrack_frag6_timeout=60
	defrag_tracking false
}

test_defrag_ipv4() {
	local mac=02:00:00:00:01:01 done overlap
	[ "$PORT_DRIVER" = af_xdp ] || { echo "  (IPv4 reassembly needs af_xdp ports: make check runs it there)"; return 0; }
	linux_router_tracking
	defrag_tracking true
	done=$(node_packets defrag_continue)
	defrag_as_linux "defrag IPv4: 4000 bytes in 1480-byte fragments, in order" whole \
		10.0.1.2 10.0.2.2 7020 4000 1480 $mac
	check "... reassembled by fastpath, not passed" test "$(node_packets defrag_continue)" -gt "$done"
	defrag_as_linux "defrag IPv4: 4000 bytes in 512-byte fragments, last first" whole \
		10.0.1.2 10.0.2.2 7020 4000 512 $mac reverse
	# each 1500-byte fragment cut in two for the 1280-byte link, to h3
	defrag_sent l1 l3 10.0.1.2 10.0.3.2 7020 4000 1480 $mac >"$WORK/defrag-linux"
	defrag_sent h1 h3 10.0.1.2 10.0.3.2 7020 4000 1480 $mac >"$WORK/defrag-ours"
	check "defrag IPv4: 4000 bytes over the 1280-byte link: h3 has it whole, in Linux's fragments" \
		sh -c "grep -qx 4000 $WORK/frag-whole && cat $WORK/defrag-ours $WORK/defrag-linux && cmp -s $WORK/defrag-ours $WORK/defrag-linux && [ -s $WORK/defrag-ours ]"
	overlap=$(drops defrag4_overlap)
	defrag_as_linux "defrag IPv4: a fragment across the end of the first: the datagram dropped (Linux since 4.19)" none \
		10.0.1.2 10.0.2.2 7020 4000 1480 $mac overlap id=0x4343
	check "... counted (defrag4_overlap)" test "$(drops defrag4_overlap)" -gt "$overlap"
	defrag_tracking false
}

# The last fragment missing, ipfrag_time 1: time exceeded code 1 only for the router's own
# address (ip_expire() skips conntrack's users otherwise), as a Linux router with conntrack
test_defrag_ipv4_timeout() {
	local mac=02:00:00:00:01:01 quiet
	[ "$PORT_DRIVER" = af_xdp ] || { echo "  (IPv4 reassembly needs af_xdp ports: make check runs it there)"; return 0; }
	linux_router_tracking
	defrag_tracking true
	api sysctl.set '{"name": "net.ipv4.ipfrag_time", "value": 1}' >/dev/null
	ip netns exec $LR sysctl -qw net.ipv4.ipfrag_time=1
	quiet=$(drops defrag4_timeout)
	ICMP_WAIT=2.5 ICMP_FILTER='icmp[0] = 11 and icmp[1] = 1' ICMP_COUNT=0 as_linux \
		"defrag IPv4: the last fragment missing, forwarded: no answer" \
		10.0.1.2 10.0.2.2 7020 4000 1480 $mac nolast
	check "... dropped, counted (defrag4_timeout)" poll_for 3 sh -c \
		"$(declare -f api drops); SOCK=$SOCK; [ \$(drops defrag4_timeout) -gt $quiet ]"
	ICMP_WAIT=2.5 ICMP_FILTER='icmp[0] = 11 and icmp[1] = 1 and src 10.0.1.1' ICMP_COUNT=1 as_linux \
		"defrag IPv4: the last fragment missing, to the router: time exceeded, reassembly" \
		10.0.1.2 10.0.1.1 7020 4000 1480 $mac nolast
	api sysctl.set '{"name": "net.ipv4.ipfrag_time", "value": 30}' >/dev/null
	ip netns exec $LR sysctl -qw net.ipv4.ipfrag_time=30
	defrag_tracking false
}

# router_answers FROM FILTER COMMAND...: what $FPT-FROM's eth0 gets (FILTER) while COMMAND runs
# there: the fragments, as fragments.py shows those of any identification, then tcpdump's line
# of each packet that is whole (no fragment), and COMMAND's output, less its timings
router_answers() {
	local ns=$FPT-$1 filter=$2 pcap=$WORK/answers-$1.pcap dump
	shift 2
	rm -f "$pcap.err"
	ip netns exec "$ns" tcpdump --immediate-mode -Q in -nli eth0 -w "$pcap" "$filter" 2>"$pcap.err" &
	dump=$!
	for _ in $(seq 50); do grep -q listening "$pcap.err" && break; sleep 0.1; done
	ip netns exec "$ns" timeout 10 "$@" 2>&1 | sed -n 's/ time=.*//; /bytes from/p'
	sleep 0.5
	kill -INT $dump
	wait $dump
	$PY "$TESTDIR/fragments.py" show "$pcap" any | sort -n
	tcpdump -tnr "$pcap" 'not ip6[6] = 44 and not (ip and ip[6:2] & 0x3fff != 0)' 2>/dev/null
}

# local_as_linux WHAT WANT FILTER COMMAND...: h1 and l1 get the same (router_answers) from
# fastpath and from the Linux router, and it matches WANT (an extended regular expression)
local_as_linux() {
	local what=$1 want=$2 filter=$3 ours linux
	shift 3
	linux=$(router_answers l1 "$filter" "$@")
	ours=$(router_answers h1 "$filter" "$@")
	check "$what" sh -c "printf 'fastpath:\n%s\nLinux:\n%s\n' '$ours' '$linux'; [ '$ours' = '$linux' ] && printf '%s\n' '$ours' | grep -Eq '$want'"
}

# $PY -c "$UDP_TO" SIZE ADDRESS PORT: one UDP datagram of SIZE bytes (the kernel fragments it)
UDP_TO='import socket, sys
size, addr, port = sys.argv[1:]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"u" * int(size), (addr, int(port)))'

# 4000 bytes to the router itself, tracking on: the reassembled datagram is a chained mbuf that
# local delivery sums (echo) or quotes (port unreachable, trimmed to the quote) over its chain.
# IPv4 on af_xdp ports only (on af_packet ones the kernel reassembles it before fastpath).
test_defrag_local() {
	local unreach
	linux_router_tracking
	defrag_tracking true
	sleep 1 # the ICMP rate limits towards h1 refill
	if [ "$PORT_DRIVER" = af_xdp ]; then
		local_as_linux "defrag IPv4: a 4000-byte ping to the router: answered, in the fragments a Linux router's reply comes in" \
			'^3980 bytes from 10.0.1.1: icmp_seq=1 ttl=64$' 'icmp or (ip[6:2] & 0x3fff != 0)' \
			ping -c 1 -W 3 -s 3972 10.0.1.1
		local_as_linux "defrag IPv4: 4000 bytes of UDP to a closed port of the router: port unreachable, quoted as Linux quotes" \
			'udp port 7099 unreachable, length 556$' 'icmp' $PY -c "$UDP_TO" 4000 10.0.1.1 7099
	fi
	local_as_linux "defrag IPv6: a 4000-byte ping to the router: answered, in the fragments a Linux router's reply comes in" \
		'^3980 bytes from 2001:db8:1::1: icmp_seq=1 ttl=64$' 'icmp6[0] = 129 or ip6[6] = 44' \
		ping -6 -c 1 -W 3 -s 3972 2001:db8:1::1
	local_as_linux "defrag IPv6: 4000 bytes of UDP to a closed port of the router: port unreachable, quoted as Linux quotes" \
		'udp port 7099, length 1240$' 'icmp6[0] = 1' $PY -c "$UDP_TO" 4000 2001:db8:1::1 7099
	# without twins fastpath answers itself: its error quotes the chain, trimmed
	defrag_twins false
	sleep 1
	if [ "$PORT_DRIVER" = af_xdp ]; then
		unreach=$(drops ip4_udp_port_unreachable)
		local_as_linux "defrag IPv4, no twins: 4000 bytes of UDP to a closed port: fastpath's port unreachable, quoted as Linux quotes" \
			'udp port 7099 unreachable, length 556$' 'icmp' $PY -c "$UDP_TO" 4000 10.0.1.1 7099
		check "... from fastpath (ip4_udp_port_unreachable)" \
			test "$(drops ip4_udp_port_unreachable)" -gt "$unreach"
	fi
	unreach=$(drops ip6_udp_port_unreachable)
	local_as_linux "defrag IPv6, no twins: 4000 bytes of UDP to a closed port: fastpath's port unreachable, quoted as Linux quotes" \
		'udp port 7099, length 1240$' 'icmp6[0] = 1' $PY -c "$UDP_TO" 4000 2001:db8:1::1 7099
	check "... from fastpath (ip6_udp_port_unreachable)" \
		test "$(drops ip6_udp_port_unreachable)" -gt "$unreach"
	defrag_twins true
	defrag_tracking false
}

# IPv4 fragments of one datagram at both workers: h1 sends the first from its CPU 0 and the rest
# from its CPU 1, so from two TX queues of its veth (a packet socket's queue is its CPU's), which
# the router's two RX queues, one per worker, get: whichever worker owns the datagram, the other
# hands its fragments over (defrag_handoff). af_xdp ports only (IPv4, and 2 queues).
test_defrag_ipv4_workers() {
	local mac=02:00:00:00:01:01 handoff
	[ "$PORT_DRIVER" = af_xdp ] || { echo "  (IPv4 reassembly at two workers needs af_xdp ports: make check runs it there)"; return 0; }
	defrag_tracking true
	handoff=$(node_packets defrag_handoff)
	udp_receive h2 10.0.2.2 7020 "$WORK/frag-whole"
	in_ns h1 taskset -c 0 $PY "$TESTDIR/fragments.py" send 10.0.1.2 10.0.2.2 7020 4000 512 $mac first >/dev/null
	in_ns h1 taskset -c 1 $PY "$TESTDIR/fragments.py" send 10.0.1.2 10.0.2.2 7020 4000 512 $mac rest >/dev/null
	udp_received "$WORK/frag-whole"
	check "defrag IPv4: 4000 bytes, the first fragment from h1's CPU 0, the rest from its CPU 1: h2 has it whole" \
		grep -qx 4000 "$WORK/frag-whole"
	check "... some handed to the datagram's worker (defrag_handoff)" \
		test "$(node_packets defrag_handoff)" -gt "$handoff"
	defrag_tracking false
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_defrag_ipv6 test_defrag_ipv6_timeout test_defrag_ipv4 test_defrag_ipv4_timeout test_defrag_ipv4_workers test_defrag_local test_stop}
