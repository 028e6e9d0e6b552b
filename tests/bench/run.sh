#!/bin/bash
# make bench: IPv4 forwarding Mpps on one worker, next to testpmd io forwarding (the I/O
# ceiling of this set-up) in the same run, interleaved, RUNS times each; medians and ratio.
# Source: net_pcap replaying a generated 64-byte IPv4/UDP pcap from memory into port 0
# (1000 flows, 1000 destinations in one /16); sink: net_null as port 1.
# usage: run.sh [BUILD_DIR]    RUNS=3 SECONDS_PER_RUN=10 APPS="testpmd ... fastpathd"
set -u
BUILD=${1:-build}
FASTPATHD=$(realpath "$BUILD/app/fastpathd")
RUNS=${RUNS:-3}
SECS=${SECONDS_PER_RUN:-10}
WORK=$(mktemp -d /tmp/fpbench.XXXXXX)
RESULTS=${RESULTS:-tests/bench/results}
SOCK=$WORK/api.sock
trap 'pkill -INT -f "$WORK/fastpath.json" 2>/dev/null; rm -rf "$WORK" /var/run/dpdk/fpbench*' EXIT

/usr/bin/python3 - "$WORK/64.pcap" <<'PY'
import sys
from scapy.all import IP, UDP, Ether, Raw, wrpcap
# 64 bytes on the wire without the FCS is 60: 14 + 20 + 8 + 18
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:00:09", dst="02:70:63:61:70:00") /
	IP(src="10.0.0.9", dst="198.18.1.%d" % (1 + i % 250)) / UDP(sport=1000 + i, dport=2000) /
	Raw(b"x" * 18) for i in range(1000)])
PY

cat >"$WORK/fastpath.json" <<CONF
{
	"eal": {"file_prefix": "fpbench", "lcores": "0@0,1@1"},
	"workers": {"count": 1},
	"api": {"socket": "$SOCK"},
	"ports": [
		{"name": "p0", "driver": "pcap", "rx_pcap": "$WORK/64.pcap", "infinite_rx": true},
		{"name": "p1", "driver": "null", "no_rx": true}
	],
	"addresses": [{"iface": "p0", "address": "10.0.0.1/24"}, {"iface": "p1", "address": "10.2.0.1/24"}],
	"routes": [{"prefix": "198.18.1.0/24", "via": "10.2.0.2"}],
	"neighbours": [{"iface": "p1", "address": "10.2.0.2", "mac": "02:00:00:00:02:02"}]
}
CONF

REFS=$BUILD/bench-refs
bash "$(dirname "$0")/refs.sh" "$REFS"
printf 'R198.18.1.0/24 1\n' >"$WORK/rules4.cfg"
printf 'R2001:db8::/32 1\n' >"$WORK/rules6.cfg"
PCAP_RX="net_pcap0,rx_pcap=$WORK/64.pcap,infinite_rx=1"
NULL_TX="net_null0,no-rx=1"

# port 1's transmitted packets, from DPDK telemetry of the app with file prefix $1
tx_packets() {
	echo "/ethdev/stats,1" | dpdk-telemetry.py -f "$1" 2>/dev/null | jq '."/ethdev/stats".opackets'
}

# measure PREFIX COMMAND...: Mpps over SECS after 4 s of warm-up
measure() {
	local prefix=$1 pid a b
	shift
	"$@" >"$WORK/$prefix.log" 2>&1 &
	pid=$!
	sleep 4
	a=$(tx_packets "$prefix")
	sleep "$SECS"
	b=$(tx_packets "$prefix")
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo 0
		return
	fi
	echo "scale=3; ($b - $a) / $SECS / 1000000" | bc
}

run_testpmd() {
	measure fpbench-tp dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix fpbench-tp \
		--vdev "$PCAP_RX" --vdev "$NULL_TX" -- --forward-mode=io -a --stats-period 60
}

run_l3fwd() { # lpm|fib
	measure "fpbench-l3$1" "$REFS/l3fwd/build/l3fwd" -l 1 --no-pci --in-memory \
		--file-prefix "fpbench-l3$1" --vdev "$PCAP_RX" --vdev "$NULL_TX" -- -p 0x3 \
		--config="(0,0,1),(1,0,1)" --rule_ipv4="$WORK/rules4.cfg" \
		--rule_ipv6="$WORK/rules6.cfg" --lookup="$1" -P --parse-ptype
}

run_l3fwd_graph() {
	measure fpbench-l3g "$REFS/l3fwd-graph/build/l3fwd-graph" -l 0,1 --no-pci --in-memory \
		--file-prefix fpbench-l3g --vdev "$PCAP_RX,tx_pcap=/dev/null,tx_pcap=/dev/null" \
		--vdev "$NULL_TX" -- -p 0x3 --config="(0,0,1),(1,0,1)" -P
}

run_fastpathd() {
	measure fpbench "$FASTPATHD" -c "$WORK/fastpath.json"
}

# the per-node figures come from one more fastpathd run, read through its API
node_costs() {
	"$FASTPATHD" -c "$WORK/fastpath.json" >"$WORK/fastpathd-nodes.log" 2>&1 &
	local pid=$!
	sleep $((4 + SECS / 2))
	printf '{"id":1,"cmd":"stats.show"}\n' | socat -t 5 - "UNIX-CONNECT:$SOCK" |
		jq -c '.result | ([.nodes[] | select(.packets > 1000) | {(.name): (.cycles / .packets * 10 | floor / 10)}] | add), [.drops[] | select(.packets > 0)]'
	kill -INT $pid
	wait $pid
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
range() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "-" hi}'; }

APPS=${APPS:-testpmd l3fwd-lpm l3fwd-fib l3fwd-graph fastpathd}
for app in $APPS; do : >"$WORK/$app"; done
for r in $(seq "$RUNS"); do
	for app in $APPS; do
		case $app in
		testpmd) v=$(run_testpmd) ;;
		l3fwd-lpm) v=$(run_l3fwd lpm) ;;
		l3fwd-fib) v=$(run_l3fwd fib) ;;
		l3fwd-graph) v=$(run_l3fwd_graph) ;;
		fastpathd) v=$(run_fastpathd) ;;
		esac
		echo "$v" >>"$WORK/$app"
		echo "run $r $app: $v Mpps"
	done
done
nodes=$(node_costs)

ratio() { # value reference-file: value / median of the reference, "-" if it did not run
	[ -s "$2" ] && echo "scale=2; $1 / $(median <"$2")" | bc || echo -
}
mkdir -p "$RESULTS"
out=$RESULTS/$(date +%Y%m%d-%H%M%S).txt
{
	echo "# fastpath bench $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null) on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
	echo "# 64-byte IPv4/UDP, 1000 flows, pcap from memory -> null, 1 forwarding lcore, $RUNS runs of $SECS s, interleaved"
	printf '%-14s %12s %14s %12s %14s\n' app median_Mpps min-max x_testpmd_io x_l3fwd_lpm
	for app in $APPS; do
		m=$(median <"$WORK/$app")
		printf '%-14s %12s %14s %12s %14s\n' "$app" "$m" "$(range <"$WORK/$app")" \
			"$(ratio "$m" "$WORK/testpmd")" "$(ratio "$m" "$WORK/l3fwd-lpm")"
	done
	echo "# l3fwd and l3fwd-graph do not check IPv4 checksums here (no RX offload); fastpathd does, in software"
	echo "# fastpathd cycles/packet per node, then drops: $nodes"
} | tee "$out"
echo "results in $out"
