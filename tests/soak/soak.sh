#!/bin/bash
# make soak (issue 12): SOAK_MINUTES (default 30) of everything at once on one fastpathd
# (2 workers, flood.sh's test bed): iperf3 and ping across, the hostile flood of flood.sh at
# top speed 20 s of every minute, 10k routes added and deleted in a loop through the API,
# static neighbours added and deleted, a host changing its MAC, another its addresses, a SIGHUP
# reload every minute (one in two changes port p4, which is destroyed and created again) and p4's
# link down and up every two minutes. Every minute the mbufs in use, the FIB's nodes in use and
# the daemon's RSS are sampled into a table. At the end, traffic stopped: no crash, the mbufs and
# FIB nodes in use back at their baseline, the RSS grown by less than SOAK_RSS_GROWTH_KB (default
# 16384) since the end of the second minute, and a clean stop.
# usage: soak.sh [BUILD_DIR]   (as root; FPT_PREFIX names the test bed, default fpt)
BUILD=${1:-build}
SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_RSS_GROWTH_KB=${SOAK_RSS_GROWTH_KB:-16384}
FPT_PREFIX=${FPT_PREFIX:-fpt}
. "$(dirname "$0")/../integration/lib.sh"
. "$TESTDIR/flood.sh"
SOCK=$FLOOD_SOCK
JOBS=""
trap 'for j in $JOBS; do kill $j 2>/dev/null; done; flood_cleanup; rm -rf "$WORK"' EXIT

END=$((SECONDS + SOAK_MINUTES * 60))
running() { [ $SECONDS -lt $END ]; }

# the counts of each kind of churn, one file each, so that the jobs in subshells can add to them
bump() { echo $(($(cat "$WORK/n.$1" 2>/dev/null || echo 0) + 1)) >"$WORK/n.$1"; }
count() { cat "$WORK/n.$1" 2>/dev/null || echo 0; }

# 10000 IPv4 routes (10.128.0.0/24 up) and 1000 IPv6 ones added, then deleted, through the API
route_churn() {
	local i
	for i in $(seq 0 9999); do
		printf '{"id":%d,"cmd":"route.add","args":{"prefix":"10.%d.%d.0/24","via":"10.0.3.2"}}\n' \
			$i $((128 + i / 256)) $((i % 256))
	done >"$WORK/r.add"
	for i in $(seq 0 999); do
		printf '{"id":%d,"cmd":"route.add","args":{"prefix":"2001:db8:%x::/48","via":"2001:db8:3::2"}}\n' \
			$i $((0x1000 + i))
	done >>"$WORK/r.add"
	sed 's/route.add/route.del/; s/,"via":"[^"]*"//' "$WORK/r.add" >"$WORK/r.del"
	while running; do
		timeout 120 socat -t 30 - "UNIX-CONNECT:$SOCK" <"$WORK/r.add" >"$WORK/r.add.out"
		timeout 120 socat -t 30 - "UNIX-CONNECT:$SOCK" <"$WORK/r.del" >"$WORK/r.del.out"
		if [ "$(grep -c '"ok":true' "$WORK/r.add.out")" = 11000 ] &&
			[ "$(grep -c '"ok":true' "$WORK/r.del.out")" = 11000 ]; then
			bump routes
		else
			bump routes_failed
		fi
	done
}

# static neighbours added and deleted; fc changing its MAC (announced: arp_notify), fb taking
# and dropping addresses it talks to the router from
neigh_churn() {
	local n=0 i
	in_ns fc sysctl -qw net.ipv4.conf.eth0.arp_notify=1
	while running; do
		n=$(((n + 1) % 200))
		for i in $(seq 100 149); do
			printf '{"id":%d,"cmd":"neigh.add","args":{"iface":"p3","address":"10.0.3.%d","mac":"02:ee:00:00:%02x:%02x"}}\n' \
				$i $i $n $i
			printf '{"id":%d,"cmd":"neigh.add","args":{"iface":"p3","address":"2001:db8:3::%x","mac":"02:ee:00:00:%02x:%02x"}}\n' \
				$i $i $n $i
		done | timeout 30 socat -t 10 - "UNIX-CONNECT:$SOCK" >/dev/null
		[ $((n % 10)) = 0 ] && ip -n $FPT-fc link set eth0 address "02:cc:00:00:00:$(printf %02x $n)"
		ip -n $FPT-fb addr add "10.0.2.$((100 + n % 100))/24" dev eth0
		in_ns fb ping -c 1 -W 1 -I "10.0.2.$((100 + n % 100))" 10.0.2.1 >/dev/null
		ip -n $FPT-fb addr del "10.0.2.$((100 + n % 100))/24" dev eth0
		for i in $(seq 100 149); do
			printf '{"id":%d,"cmd":"neigh.del","args":{"iface":"p3","address":"10.0.3.%d"}}\n' $i $i
			printf '{"id":%d,"cmd":"neigh.del","args":{"iface":"p3","address":"2001:db8:3::%x"}}\n' $i $i
		done | timeout 30 socat -t 10 - "UNIX-CONNECT:$SOCK" >/dev/null
		bump neigh
		sleep 1
	done
}

# a SIGHUP every minute, one in two with p4 changed (destroyed and created again), and p4's
# carrier down and up every two minutes
reloads_and_flaps() {
	local n=0
	jq '.ports[3].rx_ring = 512' "$WORK/flood.json" >"$WORK/soak-b.json"
	cp "$WORK/flood.json" "$WORK/soak-a.json"
	while running; do
		sleep 30
		n=$((n + 1))
		if [ $((n % 2)) = 1 ]; then cp "$WORK/soak-b.json" "$WORK/flood.json"; else cp "$WORK/soak-a.json" "$WORK/flood.json"; fi
		kill -HUP "$FPD_PID" && bump reloads
		sleep 30
		if [ $((n % 2)) = 0 ]; then
			ip -n $FPT-fd link set eth0 down
			sleep 2
			ip -n $FPT-fd link set eth0 up
			bump flaps
		fi
	done
	cp "$WORK/soak-a.json" "$WORK/flood.json"
	kill -HUP "$FPD_PID"
}

# the traffic across, in runs of at most a minute, and the flood 20 s a minute
traffic() {
	in_ns fc iperf3 -s -D -p 5250 >/dev/null 2>&1
	while running; do
		in_ns fb timeout 90 iperf3 -c 10.0.3.2 -p 5250 -t 55 -J >"$WORK/iperf.json" 2>&1 &&
			jq '.end.sum_received.bits_per_second' "$WORK/iperf.json" >>"$WORK/iperf.bps"
	done
}

flood() {
	while running; do
		in_ns fa timeout 40 tcpreplay -i eth0 -K --topspeed --loop 20000 --duration 20 \
			"$WORK/flood.pcap" >"$WORK/tcpreplay.out" 2>&1
		sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$WORK/tcpreplay.out" >>"$WORK/flood.frames"
		sleep 40
	done
}

fib_back() { [ "$(pool_in_use MP_fib4)" -le "$base_fib" ]; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$FPD_PID/status" 2>/dev/null; }
pool_in_use() { flood_stat "[.mempools[] | select(.name | startswith(\"$1\")) | .in_use] | add"; }

sample() { # minute
	printf '%6s %10s %10s %8s %11s %11s %7s %5s %9s\n' "$1" "$(pool_in_use mbuf-)" \
		"$(pool_in_use MP_fib4)" "$(rss_kb)" "$(count routes)" "$(count neigh)" \
		"$(count reloads)" "$(count flaps)" "$(($(cat "$WORK/flood.frames" 2>/dev/null | paste -sd+ | bc) + 0))"
}

log "== soak: $SOAK_MINUTES minutes ($BUILD)"
flood_topology
mac=$(ip -n $FPT-fa -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
$PY "$TESTDIR/flood_frames.py" "$WORK/flood.pcap" "$mac" 02:00:00:00:01:01
flood_config "$WORK/flood.json" 2
ip netns exec $FLOOD_R "$FASTPATHD" -c "$WORK/flood.json" >"$WORK/soak.log" 2>&1 &
FPD_PID=$!
for _ in $(seq 100); do api iface.list >/dev/null 2>&1 && break; sleep 0.1; done
check "fastpathd starts" api iface.list
poll_for 10 wait_dad >/dev/null
in_ns fb ping -c 2 -i 0.2 -W 2 10.0.3.2 >/dev/null
sleep 1
base_mbufs=$(pool_in_use mbuf-)
base_fib=$(pool_in_use MP_fib4)
base_routes=$(api route.list | jq '.routes | length')

# bounded: it ends with the soak
in_ns fb ping -q -i 0.2 -W 1 -w $((SOAK_MINUTES * 60)) 10.0.3.2 >"$WORK/ping" 2>&1 &
pinger=$!
traffic &
JOBS="$JOBS $!"
flood &
JOBS="$JOBS $!"
route_churn &
JOBS="$JOBS $!"
neigh_churn &
JOBS="$JOBS $!"
reloads_and_flaps &
JOBS="$JOBS $!"

printf '%6s %10s %10s %8s %11s %11s %7s %5s %9s\n' MINUTE MBUFS_USED FIB4_NODES RSS_KB \
	ROUTE_LOOPS NEIGH_LOOPS RELOADS FLAPS FLOODED | tee "$WORK/table"
sample 0 | tee -a "$WORK/table"
alive=true
for m in $(seq 1 "$SOAK_MINUTES"); do
	while [ $SECONDS -lt $((END - (SOAK_MINUTES - m) * 60)) ]; do sleep 5; done
	kill -0 "$FPD_PID" 2>/dev/null || { alive=false; break; }
	sample "$m" | tee -a "$WORK/table"
	[ "$m" = 2 ] && rss2=$(rss_kb)
done
for j in $JOBS; do wait $j 2>/dev/null; done
JOBS=""
wait $pinger
ip netns pids $FPT-fc | xargs -r kill 2>/dev/null # the iperf3 server

check "the daemon lived through the $SOAK_MINUTES minutes" $alive
check "... and is alive" kill -0 "$FPD_PID"
check "the mbufs in use back at their baseline once traffic stopped" flood_mbufs_back "$base_mbufs"
poll_for 20 fib_back >/dev/null
sample end | tee -a "$WORK/table"
check "the FIB's nodes in use back at their baseline ($base_fib)" fib_back
check "the routes back to the $base_routes of the config" \
	test "$(api route.list | jq '.routes | length')" = "$base_routes"
rss_end=$(rss_kb)
check "RSS grew by less than $SOAK_RSS_GROWTH_KB kB after minute 2 (${rss2:-?} -> ${rss_end:-?} kB)" \
	test $((${rss_end:-0} - ${rss2:-0})) -lt "$SOAK_RSS_GROWTH_KB" -a -n "$rss2"
check "every 10k-route cycle complete ($(count routes) done, $(count routes_failed) not)" \
	test "$(count routes_failed)" = 0 -a "$(count routes)" -gt 0
check "forwarding works: ping across" flood_resolves fb 10.0.3.2
check "forwarding works: ping -6 across" flood_resolves fb 2001:db8:3::2
log "ping across during the soak: $(grep 'packets transmitted' "$WORK/ping")"
log "iperf3 across, each run (Mbit/s): $(awk '{printf "%d ", $1 / 1e6}' "$WORK/iperf.bps" 2>/dev/null)"
log "drops by reason: $(api stats.show | jq -r '[.drops[] | select(.packets > 0)] | sort_by(-.packets) | .[:8] | map("\(.reason) \(.packets)") | join(", ")')"
kill -TERM "$FPD_PID"
rc=0
wait "$FPD_PID" || rc=$?
FPD_PID=
check "stops cleanly (exit $rc)" test $rc -eq 0
summary
