# Hostile traffic (issue 12): one host floods the router for FPT_FLOOD_SECONDS (default 60) at
# the highest rate tcpreplay reaches here, with ARP requests for the router, UDP and IPv6 to
# unresolvable addresses behind it and scapy fuzz() frames (flood_frames.py), while ping and
# iperf3 run across the router between two other hosts. Then the router must be whole: alive,
# resolving fresh neighbours (ARP, NDP), forwarding both families, its mbufs back to their
# baseline, its drops named, its punt watchdog quiet. Once with 1 worker, once with 2.
# A daemon of its own in namespace $FPT-fr, between hosts fa (the attacker, p1), fb and fc (the
# traffic across, p2 and p3) and fd (p4: a /20 and a /64 where no host answers but fd itself).
# Sourced by run.sh.

FLOOD_R=$FPT-fr
FLOOD_SOCK=$WORK/flood.sock
FLOOD_SECONDS=${FPT_FLOOD_SECONDS:-60}
# how far the mbufs in use may stay above their baseline once the flood is over: the hold
# queues of neighbours still INCOMPLETE, what the workers' bursts and rings hold at the instant
FLOOD_MBUF_SLACK=256

flood_config() { # path workers
	cat >"$1" <<CONF
{
	"eal": {"file_prefix": "$FPT-flood", "log_level": "*:notice"},
	"workers": {"count": $2, "idle_sleep_us": 50},
	"api": {"socket": "$FLOOD_SOCK"},
	"ports": [
		{"name": "p1", "driver": "af_packet", "iface": "r-fa", "mac": "02:00:00:00:01:01"},
		{"name": "p2", "driver": "af_packet", "iface": "r-fb", "mac": "02:00:00:00:02:01"},
		{"name": "p3", "driver": "af_packet", "iface": "r-fc", "mac": "02:00:00:00:03:01"},
		{"name": "p4", "driver": "af_packet", "iface": "r-fd", "mac": "02:00:00:00:04:01"}
	],
	"addresses": [
		{"iface": "p1", "address": "10.0.1.1/24"},
		{"iface": "p2", "address": "10.0.2.1/24"},
		{"iface": "p3", "address": "10.0.3.1/24"},
		{"iface": "p4", "address": "10.0.64.1/20"},
		{"iface": "p1", "address": "2001:db8:1::1/64"},
		{"iface": "p2", "address": "2001:db8:2::1/64"},
		{"iface": "p3", "address": "2001:db8:3::1/64"},
		{"iface": "p4", "address": "2001:db8:4::1/64"}
	],
	"fib": {"ipv6_max_routes": 16384}
}
CONF
}

flood_cleanup() {
	[ -n "$FPD_PID" ] && kill "$FPD_PID" 2>/dev/null && wait "$FPD_PID" 2>/dev/null
	FPD_PID=
	for ns in $FLOOD_R $FPT-fa $FPT-fb $FPT-fc $FPT-fd; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

flood_topology() {
	local R=$FLOOD_R # host() wires to $R

	ip netns add $R
	ip -n $R link set lo up
	host fa r-fa 10.0.1.2/24 10.0.1.1 2001:db8:1::2/64 2001:db8:1::1
	host fb r-fb 10.0.2.2/24 10.0.2.1 2001:db8:2::2/64 2001:db8:2::1
	host fc r-fc 10.0.3.2/24 10.0.3.1 2001:db8:3::2/64 2001:db8:3::1
	host fd r-fd 10.0.79.254/20 10.0.64.1 2001:db8:4::2/64 2001:db8:4::1
}

# flood_stat JQ: a number out of stats.show
flood_stat() {
	local SOCK=$FLOOD_SOCK
	api stats.show | jq "$1"
}

flood_mbufs_in_use() {
	flood_stat '[.mempools[] | select(.name | startswith("mbuf-")) | .in_use] | add'
}

# flood_drop REASON: its count, or nothing if fastpathd has no such counter
flood_drop() {
	flood_stat ".drops[] | select(.reason == \"$1\") | .packets"
}

# the packets in and out of every port, named drops, and what went up the twins, as one object
flood_totals() {
	local SOCK=$FLOOD_SOCK
	jq -n --argjson s "$(api stats.show)" --argjson t "$(api twin.list)" '{
		rx: ([$s.ports[].rx_packets] | add), missed: ([$s.ports[].rx_missed] | add),
		tx: ([$s.ports[].tx_packets] | add), drops: ([$s.drops[].packets] | add),
		to_kernel: ([$t.twins[].to_kernel_packets] | add),
		p1_rx: ($s.ports[] | select(.name == "p1") | .rx_packets),
		reasons: ([$s.drops[] | {key: .reason, value: .packets}] | from_entries)}'
}

flood_resolves() { # host address [ping -6]: a fresh address answers ping across the router
	in_ns "$1" ping $3 -c 3 -i 0.3 -W 2 "$2"
}

# the mbufs in use back within the slack of their baseline, for up to 20 s
flood_mbufs_back() {
	local base=$1 now
	for _ in $(seq 200); do
		now=$(flood_mbufs_in_use)
		[ -n "$now" ] && [ "$now" -le $((base + FLOOD_MBUF_SLACK)) ] && break
		sleep 0.1
	done
	echo "mbufs in use: $now, baseline $base, slack $FLOOD_MBUF_SLACK"
	[ -n "$now" ] && [ "$now" -le $((base + FLOOD_MBUF_SLACK)) ]
}

flood_run() { # workers
	local SOCK=$FLOOD_SOCK w=$1 tag="flood, $1 worker(s)" pcap=$WORK/flood.pcap base before after
	local secs=$FLOOD_SECONDS pings=$((FLOOD_SECONDS * 5)) rc=0 dt t0 sent unexplained
	local pid4 pid6 piperf

	flood_config "$WORK/flood.json" "$w"
	ip netns exec $FLOOD_R "$FASTPATHD" -c "$WORK/flood.json" >"$WORK/flood-$w.log" 2>&1 &
	FPD_PID=$!
	for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
	check "$tag: fastpathd starts" api iface.list
	poll_for 10 wait_dad >/dev/null
	# the neighbours of the traffic across resolved, the pools warm
	in_ns fb ping -c 2 -i 0.2 -W 2 10.0.3.2 >/dev/null
	in_ns fb ping -c 2 -i 0.2 -W 2 2001:db8:3::2 >/dev/null
	in_ns fa ping -c 1 -W 2 10.0.1.1 >/dev/null
	sleep 1
	base=$(flood_mbufs_in_use)
	before=$(flood_totals)

	in_ns fc iperf3 -s -1 -D -p 5230 >/dev/null 2>&1
	sleep 0.3
	in_ns fb ping -q -i 0.2 -c $pings -W 1 10.0.3.2 >"$WORK/flood-ping4" 2>&1 &
	pid4=$!
	in_ns fb ping -q -i 0.2 -c $pings -W 1 2001:db8:3::2 >"$WORK/flood-ping6" 2>&1 &
	pid6=$!
	in_ns fb timeout $((secs + 20)) iperf3 -c 10.0.3.2 -p 5230 -t $((secs - 2)) -J \
		>"$WORK/flood-iperf.json" 2>&1 &
	piperf=$!
	t0=$(date +%s.%N)
	# bounded by time and count: 20000 loops of the 8000 frames at most
	in_ns fa timeout $((secs + 10)) tcpreplay -i eth0 -K --topspeed --loop 20000 \
		--duration "$secs" "$pcap" >"$WORK/flood-tcpreplay" 2>&1 || rc=$?
	dt=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }')
	wait $pid4 $pid6 $piperf
	sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$WORK/flood-tcpreplay")

	check "$tag: the daemon is alive" kill -0 "$FPD_PID"
	check "$tag: the API answers" api api.version
	check "$tag: mbufs in use back to their baseline" flood_mbufs_back "$base"
	after=$(flood_totals)
	jq -n --argjson b "$before" --argjson a "$after" '
		($a.reasons | to_entries | map(.value -= ($b.reasons[.key] // 0)) |
			map(select(.value > 0)) | sort_by(-.value)) as $d |
		"  drops by reason:", ($d[] | "    \(.value)\t\(.key)")' -r >&2
	unexplained=$(jq -n --argjson b "$before" --argjson a "$after" \
		'($a.rx - $b.rx) - ($a.tx - $b.tx) - ($a.drops - $b.drops) - ($a.to_kernel - $b.to_kernel)')
	log "  tcpreplay: $(grep -E '^(Actual|Rated):' "$WORK/flood-tcpreplay" | tr '\n' ' ')"
	log "  router: $(jq -n --argjson b "$before" --argjson a "$after" --arg dt "$dt" -r '
		"p1 received \($a.p1_rx - $b.p1_rx) (\(($a.p1_rx - $b.p1_rx) / ($dt | tonumber) | floor) pps), ports missed \($a.missed - $b.missed), received \($a.rx - $b.rx), sent \($a.tx - $b.tx), dropped \($a.drops - $b.drops), to the twins \($a.to_kernel - $b.to_kernel)"') in ${dt%.*} s"
	log "  across, during the flood: ping $(grep -o '[0-9.]*% packet loss' "$WORK/flood-ping4"), ping -6 $(grep -o '[0-9.]*% packet loss' "$WORK/flood-ping6"), iperf3 $(jq -r '.error // ((.end.sum_received.bits_per_second // 0) / 1e6 | floor | tostring + " Mbit/s")' "$WORK/flood-iperf.json" 2>/dev/null)"
	check "$tag: tcpreplay flooded for ${secs} s (exit $rc, $sent frames)" test "${sent:-0}" -gt 0
	check "$tag: what came in went out, or to the twins, or was dropped under a name (unexplained: $unexplained)" \
		test "${unexplained:-1}" -le $(($(jq -n --argjson b "$before" --argjson a "$after" '$a.rx - $b.rx') / 100 + 100))
	check "$tag: the punt watchdog never saw the ring stuck (punt_stalled 0)" \
		test "$(flood_drop punt_stalled)" = 0

	# afterwards: fresh neighbours resolve both ways, both families forward
	ip -n $FPT-fb neigh flush dev eth0
	check "$tag: ARP: a host that forgot the router resolves it again" flood_resolves fb 10.0.2.1
	check "$tag: NDP: ... and over IPv6" flood_resolves fb 2001:db8:2::1
	ip -n $FPT-fc addr add 10.0.3.$((70 + w))/24 dev eth0
	ip -n $FPT-fc -6 addr add 2001:db8:3::$((70 + w))/64 dev eth0 nodad
	check "$tag: ARP: the router resolves a fresh address behind it and forwards" \
		flood_resolves fb 10.0.3.$((70 + w))
	check "$tag: NDP: ... and a fresh IPv6 one" flood_resolves fb 2001:db8:3::$((70 + w))
	check "$tag: ping h->h across the router" flood_resolves fb 10.0.3.2
	check "$tag: ping -6 across the router" flood_resolves fb 2001:db8:3::2
	in_ns fc iperf3 -s -1 -D -p 5231 >/dev/null 2>&1
	sleep 0.3
	check "$tag: iperf3 across the router for 2 s" sh -c \
		"ip netns exec $FPT-fb timeout 20 iperf3 -c 10.0.3.2 -p 5231 -t 2 -J | jq -e '.end.sum_received.bytes > 0'"
	kill -TERM "$FPD_PID"
	rc=0
	wait "$FPD_PID" || rc=$?
	FPD_PID=
	check "$tag: stops cleanly (exit $rc)" test $rc -eq 0
}

test_flood() {
	local SOCK=$FLOOD_SOCK mac

	flood_cleanup
	flood_topology
	mac=$(ip -n $FPT-fa -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
	$PY "$TESTDIR/flood_frames.py" "$WORK/flood.pcap" "$mac" 02:00:00:00:01:01
	flood_run 1
	flood_run 2
	flood_cleanup
}

OTHER_TESTS="$OTHER_TESTS test_flood"
