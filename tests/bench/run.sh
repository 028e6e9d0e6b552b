#!/bin/bash
# make bench (docs/benchmarking.md). BENCH selects the parts, all by default:
#   mpps       forwarding Mpps on one forwarding lcore of testpmd io (the I/O ceiling of
#              the set-up), l3fwd (LPM, FIB), l3fwd-graph and fastpathd (with connection
#              tracking too), in four IPv4 cases of routes and flows and one IPv6,
#              interleaved, RUNS runs each: medians, min-max, ratios, a chart
#   conn       new connections per second: NEW_FLOWS flows of one packet each, read once,
#              fastpathd with tracking on and off, testpmd io; the table's bytes per entry
#   callgrind  instructions per packet of the forwarding thread, under callgrind
#   memif      fastpathd between two testpmd processes over memif: generator and sink
#   control    fastpathd's route installation: 1M routes from its config file (without and
#              with kernel twins), and through the API
#   netlink    the kernel mirror: 1M routes in a namespace's kernel reaching fastpath, by the
#              initial dump and by events (tests/bench/netlink.sh)
# Source of the mpps part: net_pcap replaying a generated pcap from memory into port 0; sink:
# net_null as port 1. The report goes to $RESULTS/<date>.txt, the chart next to it.
# usage: run.sh [BUILD_DIR]   BENCH="mpps conn callgrind memif control netlink" RUNS=3 SECONDS_PER_RUN=5
#   APPS="testpmd l3fwd-lpm l3fwd-fib l3fwd-graph fastpathd fastpathd-graph fastpathd-ct" CASES="one p1k p1k-64k big p1k6"
#   CG_PACKETS=100000 CG_CASE=p1k (or p1k6: callgrind's traffic) API_ROUTES=100000 NEW_FLOWS=2000000
set -u
BUILD=${1:-build}
FASTPATHD=$(realpath "$BUILD/app/fastpathd")
BENCH=${BENCH:-mpps conn callgrind memif control netlink}
RUNS=${RUNS:-3}
SECS=${SECONDS_PER_RUN:-5}
APPS=${APPS:-testpmd l3fwd-lpm l3fwd-fib l3fwd-graph fastpathd fastpathd-graph fastpathd-ct}
CASES=${CASES:-one p1k p1k-64k big p1k6}
CG_PACKETS=${CG_PACKETS:-100000}
CG_CASE=${CG_CASE:-p1k}
API_ROUTES=${API_ROUTES:-100000}
NEW_FLOWS=${NEW_FLOWS:-2000000}
RESULTS=${RESULTS:-tests/bench/results}
HERE=$(dirname "$(realpath "$0")")
PY=/usr/bin/python3
WARMUP=2
# every app's mbuf pool: net_pcap's infinite_rx holds the whole pcap in mbufs (65536 for 64k
# flows); l3fwd's is patched to the same by refs.sh
MBUFS=81920
WORK=$(mktemp -d /tmp/fpbench.XXXXXX)
# the EAL file prefix of every DPDK app of this run, and the start of their telemetry
# sockets' names: its own, so that a bench of another checkout on the same machine at the
# same time neither reads this one's port counters nor has its files removed by it
BP=fpbench-$$
SOCK=$WORK/api.sock
PIDS="" # the processes this script started and has not reaped yet
declare -A LOG # their log names

# stop PID [KILL]: SIGINT, as from a terminal; SIGKILL if it is still there 30 s later. A
# process that does not then exit with 0 is reported. With KILL: SIGKILL at once.
stop() {
	local i rc
	if [ "${2:-}" != KILL ]; then
		kill -INT "$1" 2>/dev/null
		for i in $(seq 300); do
			alive "$1" || break
			sleep 0.1
		done
	fi
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rc=$?
	[ $rc = 0 ] || [ "${2:-}" = KILL ] ||
		failed "${LOG[$1]}" "exit status $rc at its stop (128 + N: signal N)"
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}
cleanup() {
	for pid in $PIDS; do stop "$pid"; done
	rm -rf "$WORK" /var/run/dpdk/"$BP"*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

alive() { grep -qs '^State:[[:space:]]*[^Z]' "/proc/$1/status"; }
# start NAME COMMAND...: in the background, output in $WORK/NAME.log; sets PID
start() {
	local name=$1
	shift
	"$@" >"$WORK/$name.log" 2>&1 &
	PID=$!
	PIDS="$PIDS $PID"
	LOG[$PID]=$name
}
now() { date +%s.%N; }
calc() { awk "BEGIN {printf \"%.${2:-3}f\\n\", ($1)}"; } # EXPRESSION [DECIMALS]
elapsed() { calc "$(now) - $1"; }
median() { sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }
range() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {print NR ? lo "-" hi : "-"}'; }

# port PORT's FIELD (opackets...) from the DPDK telemetry of the app with file prefix PREFIX
port_stat() { # PREFIX PORT FIELD
	echo "/ethdev/stats,$2" | timeout 20 dpdk-telemetry.py -f "$1" 2>/dev/null |
		jq -r ".\"/ethdev/stats\".$3 // empty" 2>/dev/null
}
# one request to the fastpathd of the API socket $SOCK, its reply
api() { # CMD [ARGS]
	local args=${2:-"{}"}
	printf '{"id":1,"cmd":"%s","args":%s}\n' "$1" "$args" | socat -t 300 - "UNIX-CONNECT:$SOCK" 2>/dev/null
}
# waits until the fastpathd PID answers on its API, which it does once its config is applied
# and its workers started; fails if it exits first
api_ready() { # PID
	until api stats.show | grep -q '"ok": *true'; do
		alive "$1" || return 1
		sleep 0.05
	done
}
failed() { # NAME [WHAT]: an app failed (to start, by default); the end of its log on stderr
	echo "bench: $1: ${2:-failed to start}; the end of its log:" >&2
	grep -v 'Adding route' "$WORK/$1.log" | tail -5 | sed 's/^/  /' >&2
}

# A fastpathd config: fp_conf FILE EAL_KEYS PORTS ROUTES_FILE (a JSON array of routes) [APP];
# p0 (10.0.0.1/24) receives, p1 (10.2.0.1/24) sends to the next hop of every route.
# fastpathd-graph: without the fast path, every packet through the whole graph.
# fastpathd-ct: connection tracking on ("conntrack": {"enabled": true}), every packet tracked;
# a table of CT_MAX entries when set (else Linux's default, 262144).
# fp_conf FILE EAL PORTS ROUTES [APP [TWINS]]: fastpathd's config; the daemons run in the machine's
# own namespace, without kernel twins (a pure static router) unless TWINS is true
fp_conf() {
	{
		cat <<-CONF
			{
				"eal": {$2},
				"workers": {"count": 1, "fast_path": $([ "${5:-}" = fastpathd-graph ] && echo false || echo true)},
				"api": {"socket": "$SOCK"},
				"ports": [$3],
				"addresses": [{"iface": "p0", "address": "10.0.0.1/24"}, {"iface": "p1", "address": "10.2.0.1/24"},
					{"iface": "p0", "address": "2001:db8::1/64"}, {"iface": "p1", "address": "2001:db8:2::1/64"}],
				"neighbours": [{"iface": "p1", "address": "10.2.0.2", "mac": "02:00:00:00:02:02"},
					{"iface": "p1", "address": "2001:db8:2::2", "mac": "02:00:00:00:02:02"}],
				"fib": {"ipv4_max_routes": 1048576, "ipv6_max_routes": 65536},
				"twins": {"enabled": ${6:-false}},$([ "${5:-}" = fastpathd-ct ] && echo "
				\"conntrack\": {\"enabled\": true${CT_MAX:+, \"max\": $CT_MAX}},")
				"routes":
		CONF
		cat "$4"
		echo "}"
	} >"$1"
}

echo "bench: generating the pcaps and routes (tests/bench/gen_pcaps.py)"
$PY "$HERE/gen_pcaps.py" "$WORK" "$CG_PACKETS" "$NEW_FLOWS" || exit 1
printf 'R2001:db8::/32 1\n' >"$WORK/rules6.cfg"
REFS=$BUILD/bench-refs
bash "$HERE/refs.sh" "$REFS" || exit 1
mkdir -p "$RESULTS"
OUT=$RESULTS/$(date +%Y%m%d-%H%M%S)
: >"$OUT.txt"
report() { tee -a "$OUT.txt"; }
echo "# fastpath bench $(date -u +%FT%TZ) $(git describe --always --dirty 2>/dev/null) on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" | report

### mpps ###################################################################################

declare -A LABEL=([one]="1 prefix, 1k flows" [p1k]="1000 prefixes, 1k flows"
	[p1k-64k]="1000 prefixes, 64k flows" [big]="1M routes, 64k flows"
	[p1k6]="IPv6, 1000 prefixes, 1k flows" [new]="1000 prefixes, $NEW_FLOWS new flows")
declare -A PCAP=([one]=one [p1k]=p1k [p1k-64k]=p1k-64k [big]=p1k-64k [p1k6]=p1k6 [new]=new)
declare -A ROUTES=([one]=one [p1k]=p1k [p1k-64k]=p1k [big]=big [p1k6]=p1k6 [new]=p1k)
# l3fwd's IPv4 and IPv6 rules per case: every case has both (the other family's is a stub)
declare -A RULES4=([one]=one [p1k]=p1k [p1k-64k]=p1k [big]=big [p1k6]=one [new]=p1k)
declare -A NAME=([testpmd]="testpmd io" [l3fwd-lpm]=l3fwd-lpm [l3fwd-fib]=l3fwd-fib
	[l3fwd-graph]=l3fwd-graph [fastpathd]=fastpathd [fastpathd-graph]=fastpathd-graph
	[fastpathd-ct]="fastpathd, conntrack")

# l3fwd's --rule_ipv6 file for CASE
rules6() { [ "$1" = p1k6 ] && echo "$WORK/p1k6.l3fwd6.cfg" || echo "$WORK/rules6.cfg"; }

# whether APP can run CASE: l3fwd-graph's table is hard-coded, 198.18.0.0/24..198.18.7.0/24
can_run() { [ "$1" != l3fwd-graph ] || [ "$2" = one ]; }

# app_start APP CASE: starts APP forwarding CASE's pcap from memory to the null port, with
# CASE's routes; sets PID and PREFIX (its EAL file prefix). The case new: its pcap read once.
app_start() {
	local inf=1 rx null="net_null0,no-rx=1"
	local rules=$WORK/${ROUTES[$2]}
	[ "$2" = new ] && inf=0
	rx="net_pcap0,rx_pcap=$WORK/${PCAP[$2]}.pcap,infinite_rx=$inf"
	case $1 in
	testpmd)
		PREFIX=$BP-tp
		start $PREFIX dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix $PREFIX \
			--vdev "$rx" --vdev "$null" -- --forward-mode=io -a --stats-period 60 \
			--no-flush-rx --total-num-mbufs=$MBUFS
		;;
	l3fwd-lpm | l3fwd-fib)
		PREFIX=$BP-$1
		start "$PREFIX" "$REFS/l3fwd/build/l3fwd" -l 1 --no-pci --in-memory \
			--file-prefix "$PREFIX" --vdev "$rx" --vdev "$null" -- -p 0x3 \
			--config="(0,0,1),(1,0,1)" --rule_ipv4="$WORK/${RULES4[$2]}.l3fwd.cfg" \
			--rule_ipv6="$(rules6 "$2")" --lookup="${1#l3fwd-}" -P --parse-ptype
		;;
	l3fwd-graph)
		PREFIX=$BP-l3g
		start $PREFIX "$REFS/l3fwd-graph/build/l3fwd-graph" -l 0,1 --no-pci --in-memory \
			--file-prefix $PREFIX --vdev "$rx,tx_pcap=/dev/null,tx_pcap=/dev/null" \
			--vdev "$null" -- -p 0x3 --config="(0,0,1),(1,0,1)" -P
		;;
	fastpathd | fastpathd-graph | fastpathd-ct)
		PREFIX=$BP
		fp_conf "$WORK/fastpath-$2.json" \
			"\"file_prefix\": \"$PREFIX\", \"lcores\": \"0@0,1@1\", \"mbufs\": $MBUFS" \
			"{\"name\": \"p0\", \"driver\": \"pcap\", \"rx_pcap\": \"$WORK/${PCAP[$2]}.pcap\", \"infinite_rx\": $([ $inf = 1 ] && echo true || echo false)},
			{\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true}" "$rules.routes.json" "$1"
		start $PREFIX "$FASTPATHD" -c "$WORK/fastpath-$2.json"
		;;
	esac
}

# forwarding APP: waits until the app just started forwards (fastpathd: answers on its API;
# the others: have sent packets on port 1), then WARMUP seconds more
forwarding() {
	if [[ $1 = fastpathd* ]]; then
		api_ready "$PID" || return 1
	else
		until [ "$(port_stat "$PREFIX" 1 opackets)" -gt 0 ] 2>/dev/null; do
			alive "$PID" || return 1
			sleep 0.2
		done
	fi
	sleep $WARMUP
}

# window: Mpps sent on port 1 over SECS; the time between the two readings is measured (a
# reading takes 0.1 s), from the end of one to the end of the other
window() {
	local a b t0
	a=$(port_stat "$PREFIX" 1 opackets)
	t0=$(now)
	sleep "$SECS"
	b=$(port_stat "$PREFIX" 1 opackets)
	[ -n "$a" ] && [ -n "$b" ] && calc "($b - $a) / $(elapsed "$t0") / 1000000"
}

# fastpathd's cycles per packet per graph node and its drops, from its API
fp_nodes() {
	api stats.show | jq -c '.result | ([.nodes[] | select(.packets > 1000) | {(.name): (.cycles / .packets * 10 | floor / 10)}] | add), [.drops[] | select(.packets > 0)]' | paste -sd' '
}

# measure APP CASE WINDOWS: one start of APP, WINDOWS measurements appended to $WORK/mpps-CASE-APP
measure() {
	local v w
	app_start "$1" "$2"
	if ! forwarding "$1"; then
		failed "$PREFIX"
		stop "$PID"
		return
	fi
	for w in $(seq "$3"); do
		v=$(window)
		echo "${v:-0}" >>"$WORK/mpps-$2-$1"
		echo "bench: ${LABEL[$2]}, ${NAME[$1]}: ${v:-0} Mpps"
	done
	[[ $1 = fastpathd* ]] && fp_nodes >"$WORK/nodes-$2-$1"
	[ "$1" = fastpathd-ct ] && ct_table >"$WORK/ct-table"
	stop "$PID"
}

mpps() {
	local r c app m lpm tp off
	for c in $CASES; do for app in $APPS; do : >"$WORK/mpps-$c-$app"; done; done
	# interleaved: run r of every app and case, then run r + 1
	for r in $(seq "$RUNS"); do
		for c in $CASES; do
			[ "$c" = big ] && continue
			for app in $APPS; do can_run "$app" "$c" && measure "$app" "$c" 1; done
		done
	done
	# the 1M-route case: one start per app, RUNS windows (l3fwd-lpm takes ~90 s to load the
	# routes: rte_lpm compares each new rule with every rule of its length)
	if [[ " $CASES " = *" big "* ]]; then
		for app in $APPS; do can_run "$app" big && measure "$app" big "$RUNS"; done
	fi
	{
		echo
		echo "## Mpps: 64-byte IPv4/UDP (IPv6: 62-byte IPv6/UDP frames), pcap from memory -> null, 1 forwarding lcore, $RUNS runs of $SECS s, interleaved (1M routes: $RUNS windows of one start)"
		printf '%-30s %-20s %8s %14s %8s %10s %6s\n' case app median min-max x_io x_l3fwd-lpm x_off
		for c in $CASES; do
			# any may not be in APPS
			tp=$({ median <"$WORK/mpps-$c-testpmd"; } 2>/dev/null)
			lpm=$({ median <"$WORK/mpps-$c-l3fwd-lpm"; } 2>/dev/null)
			off=$({ median <"$WORK/mpps-$c-fastpathd"; } 2>/dev/null)
			for app in $APPS; do
				m=$(median <"$WORK/mpps-$c-$app")
				printf '%-30s %-20s %8s %14s %8s %10s %6s\n' "${LABEL[$c]}" "${NAME[$app]}" "$m" \
					"$(range <"$WORK/mpps-$c-$app")" "$(ratio "$m" "${tp:--}")" "$(ratio "$m" "${lpm:--}")" \
					"$([ "$app" = fastpathd-ct ] && ratio "$m" "${off:--}" || echo -)"
				printf '%s\t%s\t%s\t%s\t%s\n' "${LABEL[$c]}" "${NAME[$app]}" "$m" \
					"$(sort -n "$WORK/mpps-$c-$app" | head -1)" "$(sort -n "$WORK/mpps-$c-$app" | tail -1)" >>"$OUT.tsv"
			done
		done
		echo "# '-': the app cannot run the case (l3fwd-graph's routes are hard-coded) or did not start"
		echo "# x_io, x_l3fwd-lpm: the median over testpmd io's, over l3fwd-lpm's, in the same case; x_off: tracking on over off (fastpathd's)"
		[ -s "$WORK/ct-table" ] && echo "# fastpathd, conntrack: every flow tracked (UDP, unreplied), table of Linux's default size: $(cat "$WORK/ct-table")"
		echo "# l3fwd and l3fwd-graph do not check IPv4 checksums here (no RX offload); fastpathd does, in software"
		for c in $CASES; do for app in fastpathd fastpathd-graph fastpathd-ct; do
			[ -s "$WORK/nodes-$c-$app" ] &&
				echo "# $app cycles/packet per node, then drops, ${LABEL[$c]}: $(cat "$WORK/nodes-$c-$app")"
		done; done
	} | report
	$PY "$HERE/chart.py" "$OUT.tsv" "$OUT.png" "fastpath make bench $(date +%F) $(git describe --always --dirty 2>/dev/null): Mpps on 1 forwarding lcore
64-byte IPv4/UDP, pcap from memory -> null; median of $RUNS runs, min-max" &&
		echo "# chart: $OUT.png" | report
}
ratio() { # A B: A / B, "-" when either is missing
	[ "${1:--}" != - ] && [ "${2:--}" != - ] && calc "$1 / $2" 2 || echo -
}
minus() { # A B: A - B, "-" when either is missing
	[ "${1:--}" != - ] && [ "${2:--}" != - ] && calc "$1 - $2" 1 || echo -
}

### conn ###################################################################################

# the table's bytes per entry and capacity, from the fastpathd with tracking just measured
ct_table() { api conntrack.stats | jq -r '.result | "\(.bytes_per_entry) bytes per entry, capacity \(.capacity)"'; }

# New connections per second: the pcap of the case new, NEW_FLOWS flows of one packet each,
# read once from the file (infinite_rx would replay flows already tracked); the tracking
# table holds them all (CT_MAX), so each packet makes and confirms an entry, with no
# eviction nor expiry. rate.py samples port 1 every ms: the rate from 10 % to 90 % of them.
conn() {
	local r app m off v
	local CT_MAX=$NEW_FLOWS
	for app in $APPS; do : >"$WORK/conn-$app"; done
	for r in $(seq "$RUNS"); do
		for app in testpmd fastpathd fastpathd-ct; do
			[[ " $APPS " = *" $app "* ]] || continue
			app_start "$app" new
			v=$($PY "$HERE/rate.py" "$PREFIX" "$PID" 1 "$NEW_FLOWS")
			if [ "$(jq -r '.mpps // empty' <<<"$v")" != "" ]; then
				jq .mpps <<<"$v" >>"$WORK/conn-$app"
			else
				failed "$PREFIX" "$(jq -r .error <<<"$v")"
			fi
			echo "bench: new flows, ${NAME[$app]}: $v"
			if [ $app = fastpathd-ct ] && api_ready "$PID"; then
				ct_table >"$WORK/conn-table"
				api conntrack.stats | jq -c '.result.workers[0] | {new, insert, drop, early_drop, table_full}' >"$WORK/conn-ct"
			fi
			stop "$PID"
		done
	done
	{
		echo
		echo "## New connections: ${LABEL[new]}, 64-byte IPv4/UDP, each flow one packet, pcap read once -> null, 1 forwarding lcore, $RUNS runs, the rate from 10 % to 90 % of the flows"
		printf '%-30s %-22s %10s %14s %8s\n' case app Mconn/s min-max x_off
		off=$({ median <"$WORK/conn-fastpathd"; } 2>/dev/null)
		for app in testpmd fastpathd fastpathd-ct; do
			[[ " $APPS " = *" $app "* ]] || continue
			m=$(median <"$WORK/conn-$app")
			printf '%-30s %-22s %10s %14s %8s\n' "${LABEL[new]}" "${NAME[$app]}" "$m" \
				"$(range <"$WORK/conn-$app")" "$([ $app = fastpathd-ct ] && ratio "$m" "${off:--}" || echo -)"
		done
		echo "# testpmd io and fastpathd (tracking off) forward the same packets without a table: Mpps, the ceiling of the set-up"
		echo "# x_off: tracking on over off; conntrack table of $NEW_FLOWS (conntrack.max): $(cat "$WORK/conn-table" 2>/dev/null), conntrack -S after the run: $(cat "$WORK/conn-ct" 2>/dev/null)"
	} | report
}

### callgrind ##############################################################################

# cg_run APP K: APP under callgrind forwarding cg-K.pcap (K * CG_PACKETS packets, read once),
# no hugepages; dumps of each thread in $WORK/cg-APP-K: .1 from the start to just after the
# last packet, .2 and .3 one second of idle polling each
cg_run() {
	local dir=$WORK/cg-$1-$2 pcap=$WORK/cg$([ "$CG_CASE" = p1k6 ] && echo 6)-$2.pcap size fd pos sent t0
	local vg=(valgrind --tool=callgrind --fair-sched=yes --separate-threads=yes --callgrind-out-file="$dir/cg")
	local eal=(--no-pci --no-huge -m 1024 --no-shconf --file-prefix "$BP-cg")
	local rx="net_pcap0,rx_pcap=$pcap" null="net_null0,no-rx=1"
	mkdir -p "$dir"
	PREFIX=$BP-cg
	case $1 in
	testpmd)
		start "cg-$1-$2" "${vg[@]}" dpdk-testpmd -l 0,1 "${eal[@]}" --vdev "$rx" --vdev "$null" \
			-- --forward-mode=io -a --stats-period 60 --no-flush-rx --total-num-mbufs=8191
		;;
	l3fwd-lpm | l3fwd-fib)
		# lcore 1 forwards; lcore 0 (the main thread, which also ran the set-up) has no queue
		# but a TX queue on each port, which net_pcap has with a tx_pcap each
		start "cg-$1-$2" "${vg[@]}" "$REFS/l3fwd/build/l3fwd" -l 0,1 "${eal[@]}" \
			--vdev "$rx,tx_pcap=/dev/null,tx_pcap=/dev/null" \
			--vdev "$null" -- -p 0x3 --config="(0,0,1),(1,0,1)" --rule_ipv4="$WORK/${RULES4[$CG_CASE]}.l3fwd.cfg" \
			--rule_ipv6="$(rules6 "$CG_CASE")" --lookup="${1#l3fwd-}" -P --parse-ptype
		;;
	fastpathd | fastpathd-graph | fastpathd-ct)
		fp_conf "$WORK/fastpath-cg-$2.json" \
			"\"file_prefix\": \"$PREFIX\", \"lcores\": \"0@0,1@1\", \"huge\": false, \"mbufs\": 8191" \
			"{\"name\": \"p0\", \"driver\": \"pcap\", \"rx_pcap\": \"$pcap\"},
			{\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true}" "$WORK/${ROUTES[$CG_CASE]}.routes.json" "$1"
		start "cg-$1-$2" "${vg[@]}" "$FASTPATHD" -c "$WORK/fastpath-cg-$2.json"
		;;
	esac
	# net_pcap reads the pcap with stdio: at the end of the file, at most one buffer of
	# packets is left to forward; then every packet must have left on port 1 (fastpathd
	# also sends a gratuitous ARP or two of its own). 5 minutes at most.
	size=$(stat -c %s "$pcap")
	t0=$(now)
	while [ "${pos:-0}" -lt "$size" ] || [ "${sent:-0}" -lt $(($2 * CG_PACKETS)) ]; do
		if ! alive "$PID" || [ "$(calc "$(now) - $t0 > 300" 0)" = 1 ]; then
			failed "cg-$1-$2" "read ${pos:-0} of $size bytes of its pcap, sent ${sent:-0} packets"
			stop "$PID" KILL
			return 1
		fi
		sleep 0.2
		for fd in /proc/"$PID"/fd/*; do
			[ "$(readlink "$fd")" = "$pcap" ] && pos=$(awk '/^pos:/ {print $2}' "/proc/$PID/fdinfo/${fd##*/}")
		done
		[ "${pos:-0}" -ge "$size" ] && sent=$(port_stat "$PREFIX" 1 opackets)
	done
	if [ "$sent" -gt $(($2 * CG_PACKETS + 10)) ]; then
		failed "cg-$1-$2" "sent $sent packets, not $(($2 * CG_PACKETS))"
		stop "$PID" KILL
		return 1
	fi
	callgrind_control -d "$PID" >/dev/null 2>&1
	sleep 1
	callgrind_control -d "$PID" >/dev/null 2>&1
	sleep 1
	callgrind_control -d "$PID" >/dev/null 2>&1
	# what follows is not counted; fastpathd takes 30 s to exit under valgrind
	stop "$PID" KILL
}

callgrind() {
	local app t0 io="" lpm="" fp="" graph="" ct="" pp excess
	{
		echo
		echo "## Instructions per packet: callgrind, the forwarding thread, ${LABEL[$CG_CASE]}, $CG_PACKETS and $((2 * CG_PACKETS)) packets read once from a pcap, no hugepages"
		printf '%-20s %12s %10s %12s %12s\n' app instr/packet excess_io empty_poll error
	} | report
	for app in testpmd l3fwd-lpm l3fwd-fib fastpathd fastpathd-graph fastpathd-ct; do
		[[ " $APPS " = *" $app "* ]] || continue
		t0=$(now)
		if cg_run "$app" 1 && cg_run "$app" 2 &&
			$PY "$HERE/callgrind.py" "$CG_PACKETS" "$WORK/cg-$app-1" "$WORK/cg-$app-2" >"$WORK/cg-$app.json"; then
			pp=$(jq .per_packet "$WORK/cg-$app.json")
		else
			pp=-
		fi
		echo "bench: callgrind $app: $pp instructions/packet ($(elapsed "$t0") s)"
		case $app in
		testpmd) io=$pp ;;
		l3fwd-lpm) lpm=$pp ;;
		fastpathd) fp=$pp ;;
		fastpathd-graph) graph=$pp ;;
		fastpathd-ct) ct=$pp ;;
		esac
		excess=$(minus "$pp" "$io")
		printf '%-20s %12s %10s %12s %12s\n' "${NAME[$app]}" "$pp" "$excess" \
			"$(jq -r '.empty_poll // "-"' "$WORK/cg-$app.json" 2>/dev/null)" \
			"$(jq -r '.error // "-"' "$WORK/cg-$app.json" 2>/dev/null)" | report
	done
	{
		excess=$(ratio "$(minus "$fp" "$io")" "$(minus "$lpm" "$io")")
		[ "$excess" != - ] && echo "# fastpathd's excess over l3fwd-lpm's: $excess (target: at most 1.5)"
		[ "$(minus "$ct" "$fp")" != - ] && echo "# connection tracking costs $(minus "$ct" "$fp") instructions per packet over fastpathd (fast path, tracking off)$([ "$(minus "$ct" "$graph")" != - ] && echo ", $(minus "$ct" "$graph") over fastpathd-graph (the same graph without it)")"
		echo "# excess_io: over testpmd io, which has the same source (most of its instructions: libpcap, a copy into an mbuf) and sink"
		echo "# empty_poll: the instructions of a poll that finds no packet, taken out for the polls after the last packet;"
		echo "# error: a bound of the error on instr/packet from the spread of empty_poll"
	} | report
}

### memif ##################################################################################

# The generator and the sink take turns on CPU 0, a scheduler time slice each (a few ms):
# memif rings of 2^14 slots (the most) hold what arrives for the other meanwhile; with 1024
# the sink gets a tenth of what it does with 16384.
memif_port() { # NAME SOCKET: a fastpathd port, memif server
	echo "{\"name\": \"$1\", \"driver\": \"memif\", \"role\": \"server\", \"socket\": \"$2\", \"ring_size\": 14, \"devargs\": \"socket-abstract=no\"}"
}
# Mpps over SECS of the sink's received and the generator's sent packets: "sink gen"
memif_window() {
	local g0 s0 t0 g1 s1 dt
	g0=$(port_stat $BP-gen 0 opackets)
	s0=$(port_stat $BP-sink 0 ipackets)
	t0=$(now)
	sleep "$SECS"
	g1=$(port_stat $BP-gen 0 opackets)
	s1=$(port_stat $BP-sink 0 ipackets)
	dt=$(elapsed "$t0")
	echo "$(calc "($s1 - $s0) / $dt / 1000000") $(calc "($g1 - $g0) / $dt / 1000000")"
}

memif() {
	local fp gen sink mac t0 r
	fp_conf "$WORK/fastpath-memif.json" "\"file_prefix\": \"$BP\", \"lcores\": \"0@0,1@1\"" \
		"$(memif_port p0 "$WORK/memif0.sock"), $(memif_port p1 "$WORK/memif1.sock")" \
		"$WORK/one.routes.json"
	start fastpathd-memif "$FASTPATHD" -c "$WORK/fastpath-memif.json"
	fp=$PID
	api_ready $fp || { failed fastpathd-memif; stop $fp; return; }
	mac=$(api iface.list | jq -r '.result.interfaces[] | select(.name == "p0") | .mac')
	# the testpmds' two lcores both on CPU 0; fastpathd's worker has CPU 1
	start $BP-sink dpdk-testpmd --lcores 0@0,1@0 --no-pci --in-memory --file-prefix $BP-sink \
		--vdev "net_memif1,role=client,socket=$WORK/memif1.sock,socket-abstract=no,rsize=14" -- \
		--forward-mode=rxonly -a --stats-period 60 --no-flush-rx
	sink=$PID
	start $BP-gen dpdk-testpmd --lcores 0@0,1@0 --no-pci --in-memory --file-prefix $BP-gen \
		--vdev "net_memif0,role=client,socket=$WORK/memif0.sock,socket-abstract=no,rsize=14" -- \
		--forward-mode=txonly --txpkts=64 --eth-peer="0,$mac" --tx-ip=10.0.0.9,198.18.1.1 -a \
		--stats-period 60
	gen=$PID
	t0=$(now)
	until [ "$(port_stat $BP-sink 0 ipackets)" -gt 0 ] 2>/dev/null; do
		if ! alive $gen || ! alive $sink || [ "$(calc "$(now) - $t0 > 30" 0)" = 1 ]; then
			failed $BP-gen
			failed $BP-sink
			stop $gen; stop $sink; stop $fp
			return
		fi
		sleep 0.2
	done
	sleep $WARMUP
	for r in $(seq "$RUNS"); do memif_window; done >"$WORK/memif"
	{
		echo
		echo "## memif: testpmd txonly (--txpkts=64) -> memif -> fastpathd -> memif -> testpmd rxonly, $RUNS windows of $SECS s"
		echo "sink received $(cut -d' ' -f1 "$WORK/memif" | median) Mpps (min-max $(cut -d' ' -f1 "$WORK/memif" | range)); the generator sent $(cut -d' ' -f2 "$WORK/memif" | median) Mpps"
		echo "# 3 processes on $(nproc) CPUs: fastpathd's worker alone on CPU 1; on CPU 0, the lcores of both"
		echo "# testpmds, which take turns, and fastpathd's control thread: a functional figure, not a peak one"
		echo "# fastpathd drops: $(api stats.show | jq -c '[.result.drops[] | select(.packets > 0)]')"
	} | report
	stop $gen
	stop $sink
	stop $fp
}

### control ################################################################################

# fp_ready CONFIG: starts fastpathd with CONFIG; READY: the seconds from its start to its
# first API answer, empty if it failed
fp_ready() { # CONFIG [COMMAND PREFIX...]
	local t0 conf=$1
	shift
	t0=$(now)
	start fastpathd-control "$@" "$FASTPATHD" -c "$conf"
	READY=""
	api_ready "$PID" && READY=$(elapsed "$t0") || failed fastpathd-control
}
# rate COUNT FILE: COUNT over the median of the seconds in FILE, per second
rate() {
	local m
	m=$(median <"$2")
	[ "$m" != - ] && echo "$(calc "$1 / $m" 0) routes/s ($m s, min-max $(range <"$2") s)" || echo -
}

control() {
	local r op big=$WORK/fastpath-control-big.json small=$WORK/fastpath-control-small.json
	local eal="\"file_prefix\": \"$BP\", \"lcores\": \"0@0,1@1\""
	local ports="{\"name\": \"p0\", \"driver\": \"null\", \"no_rx\": true}, {\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true}"
	fp_conf "$big" "$eal" "$ports" "$WORK/big.routes.json"
	fp_conf "$small" "$eal" "$ports" "$WORK/one.routes.json"
	# with twins, in a namespace of its own: the static routes are copied into its kernel too
	fp_conf "$WORK/fastpath-control-twins.json" "$eal" "$ports" "$WORK/big.routes.json" fastpathd true
	ip netns add fpbench-ctl
	ip -n fpbench-ctl link set lo up
	: >"$WORK/ready-twins"
	: >"$WORK/ready-big"
	: >"$WORK/ready-small"
	: >"$WORK/api-add"
	: >"$WORK/api-del"
	for r in $(seq "$RUNS"); do
		fp_ready "$big"
		stop "$PID"
		[ -n "$READY" ] && echo "$READY" >>"$WORK/ready-big"
		echo "bench: control: fastpathd with 1M routes ready in ${READY:--} s"
		fp_ready "$WORK/fastpath-control-twins.json" ip netns exec fpbench-ctl
		stop "$PID"
		[ -n "$READY" ] && echo "$READY" >>"$WORK/ready-twins"
		echo "bench: control: the same with twins, its routes copied into the kernel: ready in ${READY:--} s"
		fp_ready "$small"
		if [ -n "$READY" ]; then
			echo "$READY" >>"$WORK/ready-small"
			for op in add del; do
				if $PY "$HERE/api_routes.py" "$SOCK" $op "$API_ROUTES" >"$WORK/api.json"; then
					jq .seconds "$WORK/api.json" >>"$WORK/api-$op"
				else
					echo "bench: control: route.$op through the API failed: $(cat "$WORK/api.json")" >&2
				fi
			done
			echo "bench: control: 1 route: ready in $READY s; API: $API_ROUTES route.add in $(tail -1 "$WORK/api-add") s, route.del in $(tail -1 "$WORK/api-del") s"
		fi
		stop "$PID"
	done
	ip netns del fpbench-ctl
	{
		echo
		echo "## Control plane: fastpathd, medians of $RUNS"
		echo "config file, 1000000 routes: $(rate 1000000 "$WORK/ready-big"), from start to the first API answer"
		echo "  the same with kernel twins (each route copied into the kernel, protocol 250): $(rate 1000000 "$WORK/ready-twins")"
		echo "  (the same start with 1 route: $(median <"$WORK/ready-small") s)"
		echo "API route.add, $API_ROUTES routes pipelined on one connection: $(rate "$API_ROUTES" "$WORK/api-add")"
		echo "API route.del, the same routes: $(rate "$API_ROUTES" "$WORK/api-del")"
	} | report
}

. "$HERE/netlink.sh"
for part in $BENCH; do
	case $part in
	mpps | conn | callgrind | memif | control | netlink) $part ;;
	*) echo "bench: unknown part '$part' (mpps conn callgrind memif control netlink)" >&2 ;;
	esac
done
echo "results in $OUT.txt"
