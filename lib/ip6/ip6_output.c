/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_output.h"

static inline rte_edge_t output_one(struct rte_mbuf *m, struct ip6_output_hop *hop)
{
	return ip6_output_one(m, hop, false);
}

/*
 * The output step (ip6_finish_output()) of the router's own packets, once routed (echo
 * replies, ICMPv6 errors, NDP), and of every packet past POSTROUTING's features (its
 * continuation): a forwarded one lost its hop in ip6_forward.
 */
FP_NODE_PROCESS_EACH_STATE(
	ip6_output_process, output_one, struct ip6_output_hop, IP6_OUTPUT_HOP_NONE)

static struct rte_node_register ip6_output_node = {
	.name = "ip6_output",
	.process = ip6_output_process,
	.nb_edges = IP6_OUT_EDGES,
	/* the router's own packets are not fragmented yet (ip6_fragment() would) */
	.next_nodes = {IP6_OUT_NEXT_NODES("ip6_output_too_big")},
};
FP_NODE_REGISTER(ip6_output_node)
FP_HOOK_CONTINUATION(FP_HOOK_IP6, FP_HOOK_POSTROUTING, "ip6_output")
FP_DROP_NODE(ip6_output_no_iface)
FP_DROP_NODE(ip6_output_no_headroom)
FP_DROP_NODE(ip6_output_too_big)
