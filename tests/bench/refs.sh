#!/bin/bash
# Builds DPDK's l3fwd and l3fwd-graph from the dpdk-doc package's examples into $1 (a build
# directory; nothing of theirs is committed), with these changes, made with sed:
# - the bench's virtual ports have neither RX checksum offload nor RSS: the examples stop
#   asking for them. l3fwd then skips the IPv4 checksum check that fastpathd does in software.
# - l3fwd's tables are sized as fastpathd's FIB (lib/fib/fib4.c: 1 << 20 routes, 1 << 15
#   tbl8 groups) instead of 1024 rules and 256 tbl8 groups (LPM) and 1 << 16 routes (FIB),
#   so that it can hold the bench's 1M routes.
# - l3fwd's mbuf pool has at least 81920 mbufs, not 8192: net_pcap's infinite_rx keeps a
#   copy of the whole pcap in mbufs, 65536 of them for the 64k-flow cases.
set -eu
OUT=$1
SRC=/usr/share/dpdk/examples
[ -d "$SRC/l3fwd" ] || { echo "refs.sh: $SRC/l3fwd missing (package dpdk-doc)" >&2; exit 1; }
# rebuilt when this script changes
STAMP=$(sha1sum "$0" | cut -d' ' -f1)
if [ -x "$OUT/l3fwd/build/l3fwd" ] && [ -x "$OUT/l3fwd-graph/build/l3fwd-graph" ] &&
	[ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$SRC/common" "$SRC/l3fwd" "$SRC/l3fwd-graph" "$OUT/"
for app in l3fwd l3fwd-graph; do
	sed -i 's/\t\t.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/\t\t.offloads = 0,/; s/\t\t.mq_mode = RTE_ETH_MQ_RX_RSS,/\t\t.mq_mode = RTE_ETH_MQ_RX_NONE,/' "$OUT/$app/main.c"
done
sed -i 's/^#define IPV4_L3FWD_LPM_MAX_RULES .*/#define IPV4_L3FWD_LPM_MAX_RULES (1 << 20)/; s/^#define IPV4_L3FWD_LPM_NUMBER_TBL8S .*/#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 15)/' "$OUT/l3fwd/l3fwd_lpm.c"
sed -i 's/\tconfig_ipv4.max_routes = (1 << 16);/\tconfig_ipv4.max_routes = (1 << 20);/' "$OUT/l3fwd/l3fwd_fib.c"
sed -i 's/\t(unsigned)8192)/\t(unsigned)81920)/' "$OUT/l3fwd/main.c"
# each change must have happened: the examples of another DPDK version may differ
grep -q 'IPV4_L3FWD_LPM_MAX_RULES (1 << 20)' "$OUT/l3fwd/l3fwd_lpm.c" &&
	grep -q 'IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 15)' "$OUT/l3fwd/l3fwd_lpm.c" &&
	grep -q 'config_ipv4.max_routes = (1 << 20);' "$OUT/l3fwd/l3fwd_fib.c" &&
	grep -q '(unsigned)81920)' "$OUT/l3fwd/main.c" &&
	[ "$(grep -c '.offloads = 0,\|.mq_mode = RTE_ETH_MQ_RX_NONE,' "$OUT/l3fwd/main.c")" -ge 2 ] ||
	{ echo "refs.sh: a patch of the l3fwd sources did not apply" >&2; exit 1; }
for app in l3fwd l3fwd-graph; do
	make -s -C "$OUT/$app" -j"$(nproc)" >"$OUT/$app.log" 2>&1 || { cat "$OUT/$app.log" >&2; exit 1; }
done
echo "$STAMP" >"$OUT/stamp"
