# Defragmentation before tracking (docs/defrag.md): "conntrack": {"enabled": true} switches the
# hook feature "defrag" on; fragments are reassembled at prerouting, across workers, and sent on
# in the fragments they came in. The oracle: the Linux router namespace of fragments.sh with
# nf_conntrack in use (an nftables rule on ct state), as fastpath with tracking on.
# IPv6 only for now: IPv4's registration waits for IPv4's seams (hook4); on af_packet ports the
# kernel reassembles IPv4 before fastpath sees it anyway.

# tracking on (or off) in the config, reloaded
defrag_tracking() { # true|false
	jq --argjson on "$1" '.conntrack = {"enabled": $on}' "$WORK/fastpath.json" >"$WORK/ct.json"
	mv "$WORK/ct.json" "$WORK/fastpath.json"
	kill -HUP "$FPD_PID"
	sleep 1
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

# defrag_sent TO SEND-ARGS...: as frag_sent (fragments.sh), fragments of any identification
# (IPv6 is cut again with a new one, as Linux's ip6_fragment() does)
defrag_sent() {
	local from=$FPT-$1 to=$FPT-$2 pcap=$WORK/defrag-$2.pcap dump dst=$4
	shift 2
	rm -f "$pcap.err" "$WORK/frag-whole"
	ip netns exec "$to" tcpdump --immediate-mode -nli eth0 -w "$pcap" 'ip6[6] = 44' 2>"$pcap.err" &
	dump=$!
	udp_receive "${to#$FPT-}" "$dst" 7020 "$WORK/frag-whole"
	for _ in $(seq 50); do grep -q listening "$pcap.err" && break; sleep 0.1; done
	ip netns exec "$from" taskset -c 0 $PY "$TESTDIR/fragments.py" send "$@" >/dev/null
	udp_received "$WORK/frag-whole"
	kill -INT $dump
	wait $dump
	$PY "$TESTDIR/fragments.py" show "$pcap" any | sort -n | cut -d' ' -f1-3
}

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
	check "... counted (defrag6_time_exceeded)" test "$(drops defrag6_time_exceeded)" -gt "$timeouts"
	ICMP_WAIT=2.5 ICMP_FILTER='icmp6[0] = 3' ICMP_COUNT=0 as_linux \
		"defrag IPv6: the first fragment missing: no answer" \
		2001:db8:1::2 2001:db8:2::2 7020 4000 1448 $mac rest
	api sysctl.set '{"name": "net.netfilter.nf_conntrack_frag6_timeout", "value": 60}' >/dev/null
	ip netns exec $LR sysctl -qw net.netfilter.nf_conntrack_frag6_timeout=60
	defrag_tracking false
}

ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_defrag_ipv6 test_defrag_ipv6_timeout test_stop}
