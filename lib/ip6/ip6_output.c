/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_output.h"

/* The router's own packets, once routed (echo replies, ICMPv6 errors, NDP). */
static uint16_t ip6_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	struct ip6_output_hop hop = IP6_OUTPUT_HOP_NONE;

	for (uint16_t i = 0; i < n; i++)
		nexts[i] = ip6_output_one(objs[i], &hop, false);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip6_output_node = {
	.name = "ip6_output",
	.process = ip6_output_process,
	.nb_edges = IP6_OUT_EDGES,
	/* the router's own packets are not fragmented yet (ip6_fragment() would) */
	.next_nodes = {IP6_OUT_NEXT_NODES("ip6_output_too_big")},
};
FP_NODE_REGISTER(ip6_output_node)
FP_DROP_NODE(ip6_output_no_iface)
FP_DROP_NODE(ip6_output_no_headroom)
FP_DROP_NODE(ip6_output_too_big)
