/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_output.h"
#include "graph/hook.h"

static inline rte_edge_t output_one(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	return ip4_output_one(m, hop, false);
}

/* The router's own packets and the fragments, once routed; POSTROUTING's continuation. */
FP_NODE_PROCESS_EACH_STATE(
	ip4_output_process, output_one, struct ip4_output_hop, IP4_OUTPUT_HOP_NONE)

static struct rte_node_register ip4_output_node = {
	.name = "ip4_output",
	.process = ip4_output_process,
	.nb_edges = IP4_OUT_EDGES,
	.next_nodes = {IP4_OUT_NEXT_NODES},
};
FP_NODE_REGISTER(ip4_output_node)
FP_HOOK_CONTINUATION(FP_HOOK_IP4, FP_HOOK_POSTROUTING, "ip4_output")
FP_DROP_NODE(ip4_output_no_iface)
FP_DROP_NODE(ip4_output_no_headroom)
IP4_ICMP_ERROR_NODE(ip4_frag_needed, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED)
