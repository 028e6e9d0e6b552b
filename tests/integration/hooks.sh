# shellcheck shell=bash
# The netfilter hook points and the registrations (lib/graph/hook.h, dispatch.h): the graph has
# the seams, their continuations and the registered dispatch edges; show hooks lists hook.list.

# graph_edges FROM TO [FROM TO]...: the worker graph has each edge FROM -> TO
graph_edges() {
	local graph
	graph=$(api graph.show) || return 1
	while [ $# -ge 2 ]; do
		printf '%s\n' "$graph" | jq -e --arg f "$1" --arg t "$2" \
			'[.nodes[] | select(.name == $f) | .edges[] | select(. == $t)] | length > 0' \
			>/dev/null || { echo "no edge $1 -> $2"; return 1; }
		shift 2
	done
}

# show_hooks_lines N: show hooks prints N feature lines (as nft list hooks), or says there is none
show_hooks_lines() {
	local out
	out=$("$FASTPATHCTL" -s "$SOCK" show hooks) || return 1
	printf '%s\n' "$out"
	if [ "$1" -eq 0 ]; then
		[ "$out" = "no hook features registered" ]
	else
		[ "$(printf '%s\n' "$out" | grep -cE $'^\t\t[-+][0-9]{10} ')" -eq "$1" ]
	fi
}

test_hook_seams() {
	check "PREROUTING's continuation: ip4_input -> ip4_route_input" \
		graph_edges ip4_input ip4_route_input
	check "INPUT's: ip4_input and ip4_route_input -> ip4_local" \
		graph_edges ip4_input ip4_local ip4_route_input ip4_local
	check "POSTROUTING's: ip4_forward and ip4_route -> ip4_output" \
		graph_edges ip4_forward ip4_output ip4_route ip4_output
	check "ethertypes by registration: eth_input -> ip4_input, ip6_input, arp_input" \
		graph_edges eth_input ip4_input eth_input ip6_input eth_input arp_input
	check "the RX entry by registration: port_rx -> ip4_fastpath" graph_edges port_rx ip4_fastpath
	check "ICMP by registration: ip4_local -> icmp4_input" graph_edges ip4_local icmp4_input
	check "the twin as local delivery's fallback: ip4_input, ip4_local, icmp4_input -> twin_output" \
		graph_edges ip4_input twin_output ip4_local twin_output icmp4_input twin_output
	local n
	n=$(api hook.list | jq '.hooks | length')
	check "hook.list lists the registered features (${n:-none})" test -n "$n"
	check "show hooks prints a line per feature of hook.list" show_hooks_lines "${n:-0}"
	check "show hooks -j is hook.list" \
		test "$("$FASTPATHCTL" -s "$SOCK" -j show hooks | jq -c .)" = "$(api hook.list | jq -c .)"
}

# before test_stop, which ends the router's list
ROUTER_TESTS=${ROUTER_TESTS/test_stop/test_hook_seams test_stop}
