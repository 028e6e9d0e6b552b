# kill -9 under load, then start again (issue 12): fastpathd with its twins, the netlink mirror
# and an af_xdp port, traffic across, SIGKILL. The kernel must keep nothing of it that routes
# (twins, their addresses, the routes copied with protocol 250); what only a live process can
# remove (its API socket, DPDK's run directory, the XDP program on the af_xdp netdev) the next
# daemon with the same config reconciles, then forwards; stopped cleanly, it leaves nothing.
# A daemon of its own in namespace $FPT-kr, between hosts ka (10.0.1.2, af_xdp port p1 on veth
# x1) and kb (10.0.2.2, af_packet port p2). Sourced by run.sh.

K9_R=$FPT-kr
K9_RUN=$WORK/k9run # the daemon's run directory: its API socket
K9_SOCK=$K9_RUN/api.sock

k9_config() { # path file_prefix socket
	cat >"$1" <<CONF
{
	"eal": {"file_prefix": "$2", "log_level": "*:notice"},
	"workers": {"count": 1, "idle_sleep_us": 50},
	"api": {"socket": "$3"},
	"ports": [
		{"name": "p1", "driver": "af_xdp", "iface": "x1"},
		{"name": "p2", "driver": "af_packet", "iface": "r-kb", "mac": "02:00:00:00:02:01"}
	],
	"addresses": [
		{"iface": "p1", "address": "10.0.1.1/24"},
		{"iface": "p2", "address": "10.0.2.1/24"},
		{"iface": "p1", "address": "2001:db8:1::1/64"},
		{"iface": "p2", "address": "2001:db8:2::1/64"}
	],
	"routes": [
		{"prefix": "10.9.0.0/16", "via": "10.0.2.2"},
		{"prefix": "2001:db8:9::/48", "via": "2001:db8:2::2"}
	]
}
CONF
}

k9_cleanup() {
	[ -n "$FPD_PID" ] && kill -9 "$FPD_PID" 2>/dev/null && wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	for ns in $K9_R $FPT-ka $FPT-kb; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$FPT-k9" "/var/run/dpdk/$FPT-k9b"
}

k9_topology() {
	local R=$K9_R # host() wires to $R

	ip netns add $R
	ip -n $R link set lo up
	host ka x1 10.0.1.2/24 10.0.1.1 2001:db8:1::2/64 2001:db8:1::1
	host kb r-kb 10.0.2.2/24 10.0.2.1 2001:db8:2::2/64 2001:db8:2::1
	# an af_xdp port has its netdev's MAC
	ip -n $R link set x1 address 02:00:00:00:01:01
	mkdir -p "$K9_RUN"
}

k9_start() { # log: fastpathd started in the background, its API answering
	local SOCK=$K9_SOCK
	ip netns exec $K9_R "$FASTPATHD" -c "$WORK/k9.json" >"$1" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 150); do
		api iface.list >/dev/null 2>&1 && return 0
		kill -0 $FPD_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$1"
	return 1
}

k9_prog() { # the id of x1's XDP program, if any
	ip -n $K9_R link show x1 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# what the kernel has of fastpath's in the router namespace: twins (TAPs), the routes the mirror
# copied (protocol 250), one line each; nothing if none
k9_kernel_state() {
	ip -n $K9_R -o link show type tun | awk '{print "tap " $2}'
	ip -n $K9_R route show table all proto 250 | sed 's/^/route /'
	ip -n $K9_R -6 route show table all proto 250 | sed 's/^/route /'
}

k9_twins_and_routes() { # the twins and the copied routes are there
	local s
	s=$(k9_kernel_state)
	echo "$s"
	echo "$s" | grep -q '^tap p1:' && echo "$s" | grep -q '^tap p2:' &&
		echo "$s" | grep -q '^route 10.9.0.0/16 via 10.0.2.2 dev p2' &&
		echo "$s" | grep -q '^route 2001:db8:9::/48 via 2001:db8:2::2 dev p2'
}

k9_nothing_in_kernel() {
	local s
	s=$(k9_kernel_state)
	echo "$s"
	[ -z "$s" ]
}

k9_forwards() {
	in_ns ka ping -c 3 -i 0.2 -W 2 10.0.2.2 && in_ns ka ping -c 3 -i 0.2 -W 2 2001:db8:2::2
}

test_kill9() {
	local SOCK=$K9_SOCK first second rc pinger left

	k9_cleanup
	k9_topology
	k9_config "$WORK/k9.json" "$FPT-k9" "$K9_SOCK"
	check "kill -9: fastpathd starts (af_xdp, twins, mirror)" k9_start "$WORK/k9-1.log"
	check "kill -9: the twins and the copied routes (protocol 250) are in the kernel" \
		poll k9_twins_and_routes
	check "kill -9: it forwards" k9_forwards
	first=$(k9_prog)
	# another daemon on the same netdevs: the live one's program is not taken for a leftover
	k9_config "$WORK/k9b.json" "$FPT-k9b" "$K9_RUN/other.sock"
	check "kill -9: a second fastpathd on the same af_xdp netdev is refused" sh -c \
		"ip netns exec $K9_R timeout 30 $FASTPATHD -c $WORK/k9b.json 2>&1 | tee /dev/stderr | grep -q 'x1 already has an XDP program (id $first): another fastpathd'"
	check "kill -9: ... and the first keeps its program and forwards" sh -c \
		"[ '$(k9_prog)' = '$first' ] && ip netns exec $FPT-ka ping -c 2 -i 0.2 -W 2 10.0.2.2"

	# under load: a ping flood and iperf3 across
	in_ns kb iperf3 -s -1 -D -p 5240 >/dev/null 2>&1
	sleep 0.3
	in_ns ka timeout 20 iperf3 -c 10.0.2.2 -p 5240 -t 10 >/dev/null 2>&1 &
	in_ns ka timeout 20 ping -f -q 10.0.2.2 >/dev/null 2>&1 &
	pinger=$!
	sleep 3
	kill -9 "$FPD_PID"
	wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	kill $pinger 2>/dev/null
	check "kill -9: the kernel keeps no twin, address or route of fastpath's" poll k9_nothing_in_kernel
	check "kill -9: no hugepage file of it (--in-memory)" sh -c \
		"! ls /dev/hugepages 2>/dev/null | grep -q '$FPT-k9'"
	left="$(ls "$K9_RUN" | tr '\n' ' ')/var/run/dpdk/$FPT-k9: $(ls /var/run/dpdk/$FPT-k9 2>/dev/null | tr '\n' ' '), XDP program $(k9_prog)"
	log "       left for the next daemon: $left"

	# the same config again: the stale socket, run directory and XDP program reconciled
	check "kill -9: a new fastpathd with the same config starts" k9_start "$WORK/k9-2.log"
	check "kill -9: ... it detached the XDP program the killed one left" \
		grep -q "x1: detached the XDP program (id $first) a killed fastpathd left" "$WORK/k9-2.log"
	second=$(k9_prog)
	check "kill -9: ... and attached its own ($first -> $second)" \
		test -n "$second" -a "$second" != "$first"
	check "kill -9: ... its twins and copied routes are back" poll k9_twins_and_routes
	check "kill -9: ... it forwards" k9_forwards
	kill -TERM "$FPD_PID"
	rc=0
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "kill -9: the new daemon stops cleanly (exit $rc)" test $rc -eq 0
	check "kill -9: then nothing is left in the kernel" poll k9_nothing_in_kernel
	check "kill -9: ... no XDP program on x1" test -z "$(k9_prog)"
	check "kill -9: ... no API socket, no DPDK run directory" sh -c \
		"ls -A $K9_RUN /var/run/dpdk/$FPT-k9 2>&1; [ -z \"\$(ls -A $K9_RUN)\" ] && [ ! -e /var/run/dpdk/$FPT-k9 ]"
	k9_cleanup
}

OTHER_TESTS="$OTHER_TESTS test_kill9"
