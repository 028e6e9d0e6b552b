#!/bin/bash
# Builds DPDK's l3fwd and l3fwd-graph from the dpdk-doc package's examples into $1 (a build
# directory; nothing of theirs is committed). Two changes for the bench's virtual ports,
# which have neither RX checksum offload nor RSS: the examples stop asking for them.
# l3fwd then skips the IPv4 checksum check that fastpathd still does in software.
set -eu
OUT=$1
SRC=/usr/share/dpdk/examples
[ -d "$SRC/l3fwd" ] || { echo "refs.sh: $SRC/l3fwd missing (package dpdk-doc)" >&2; exit 1; }
if [ -x "$OUT/l3fwd/build/l3fwd" ] && [ -x "$OUT/l3fwd-graph/build/l3fwd-graph" ]; then
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$SRC/common" "$SRC/l3fwd" "$SRC/l3fwd-graph" "$OUT/"
for app in l3fwd l3fwd-graph; do
	sed -i 's/\t\t.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/\t\t.offloads = 0,/; s/\t\t.mq_mode = RTE_ETH_MQ_RX_RSS,/\t\t.mq_mode = RTE_ETH_MQ_RX_NONE,/' "$OUT/$app/main.c"
	make -s -C "$OUT/$app" -j"$(nproc)" >"$OUT/$app.log" 2>&1 || { cat "$OUT/$app.log" >&2; exit 1; }
done
