/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_output.h"

/* The router's own packets and the fragments, once routed. */
static uint16_t ip4_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	struct ip4_output_hop hop = IP4_OUTPUT_HOP_NONE;

	for (uint16_t i = 0; i < n; i++)
		nexts[i] = ip4_output_one(objs[i], &hop, false);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_output_node = {
	.name = "ip4_output",
	.process = ip4_output_process,
	.nb_edges = IP4_OUT_EDGES,
	.next_nodes = {IP4_OUT_NEXT_NODES},
};
FP_NODE_REGISTER(ip4_output_node)
FP_DROP_NODE(ip4_output_no_iface)
FP_DROP_NODE(ip4_output_no_headroom)
IP4_ICMP_ERROR_NODE(ip4_frag_needed, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED)
