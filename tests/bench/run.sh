#!/bin/bash
# make bench: IPv4 forwarding Mpps on one worker, next to testpmd io forwarding (the I/O
# ceiling of this set-up) in the same run, interleaved, RUNS times each; medians and ratio.
# Source: net_pcap replaying a generated 64-byte IPv4/UDP pcap from memory into port 0
# (1000 flows, 1000 destinations in one /16); sink: net_null as port 1.
# usage: run.sh [BUILD_DIR]    RUNS=3 SECONDS_PER_RUN=10
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
	IP(src="10.0.0.9", dst="10.1.%d.%d" % (i // 250, i % 250)) / UDP(sport=1000 + i, dport=2000) /
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
	"routes": [{"prefix": "10.1.0.0/16", "via": "10.2.0.2"}],
	"neighbours": [{"iface": "p1", "address": "10.2.0.2", "mac": "02:00:00:00:02:02"}]
}
CONF

api() {
	printf '{"id":1,"cmd":"%s"}\n' "$1" | socat -t 5 - "UNIX-CONNECT:$SOCK" | jq '.result'
}

# Mpps of fastpathd: p1's TX counter over SECS, after 3 s of warm-up
run_fastpathd() {
	"$FASTPATHD" -c "$WORK/fastpath.json" >"$WORK/fastpathd.log" 2>&1 &
	local pid=$! a b
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	sleep 3
	a=$(api stats.show | jq '.ports[] | select(.name == "p1") | .tx_packets')
	sleep "$SECS"
	b=$(api stats.show | jq '.ports[] | select(.name == "p1") | .tx_packets')
	api stats.show | jq -c '[.nodes[] | select(.packets > 1000) | {(.name): (.cycles / .packets * 10 | floor / 10)}] | add' >"$WORK/nodes"
	api stats.show | jq -c '[.drops[] | select(.packets > 0)]' >"$WORK/drops"
	kill -INT $pid
	wait $pid
	echo "scale=3; ($b - $a) / $SECS / 1000000" | bc
}

# Mpps of testpmd io forwarding between the same two ports
run_testpmd() {
	timeout -s INT $((SECS + 3)) dpdk-testpmd -l 0,1 --no-pci --in-memory --file-prefix fpbench-tp \
		--vdev "net_pcap0,rx_pcap=$WORK/64.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 -- \
		--forward-mode=io --stats-period "$SECS" -a 2>/dev/null |
		awk '/Tx-pps/ {pps = $2} END {printf "%.3f\n", pps / 1000000}'
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
range() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "-" hi}'; }

: >"$WORK/fp"
: >"$WORK/tp"
for r in $(seq "$RUNS"); do
	run_testpmd | tee -a "$WORK/tp" | sed "s/^/run $r testpmd io: /; s/\$/ Mpps/"
	run_fastpathd | tee -a "$WORK/fp" | sed "s/^/run $r fastpathd:  /; s/\$/ Mpps/"
done

fp=$(median <"$WORK/fp")
tp=$(median <"$WORK/tp")
mkdir -p "$RESULTS"
out=$RESULTS/$(date +%Y%m%d-%H%M%S).txt
{
	echo "# fastpath bench $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null) on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
	echo "# 64-byte IPv4/UDP, 1000 flows, 1 route, pcap from memory -> null, 1 worker, $RUNS runs of $SECS s"
	printf '%-22s %8s %12s %10s\n' app median_Mpps min-max ratio_to_io
	printf '%-22s %8s %12s %10s\n' "testpmd io" "$tp" "$(range <"$WORK/tp")" 1.00
	printf '%-22s %8s %12s %10s\n' fastpathd "$fp" "$(range <"$WORK/fp")" \
		"$(echo "scale=2; $fp / $tp" | bc)"
	echo "# fastpathd cycles/packet per node (last run): $(cat "$WORK/nodes")"
	echo "# fastpathd drops (last run): $(cat "$WORK/drops")"
} | tee "$out"
echo "results in $out"
