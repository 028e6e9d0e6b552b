/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_output.h"

enum {
	/* IP4_OUT_* first */
	IP4_FORWARD_TTL_EXCEEDED = IP4_OUT_EDGES,
	IP4_FORWARD_NOT_HOST,
	IP4_FORWARD_EDGES,
};

/*
 * Linux ip_forward(): only frames sent to our MAC, TTL checked, then decremented; and
 * straight on to the output step (ip_forward_finish() -> ip_output()) in this node.
 */
static inline rte_edge_t forward_one(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t sum;

	if (unlikely(fp_mbuf_priv(m)->flags & FP_MBUF_L2_MULTICAST))
		return IP4_FORWARD_NOT_HOST;
	if (unlikely(ip->time_to_live <= 1))
		return IP4_FORWARD_TTL_EXCEEDED;
	/* RFC 1624 incremental update, as ip_decrease_ttl() */
	sum = ip->hdr_checksum + RTE_BE16(0x0100);
	ip->hdr_checksum = sum + (sum >= 0xffff);
	ip->time_to_live--;
	return ip4_output_one(m, hop);
}

static uint16_t ip4_forward_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	struct ip4_output_hop hop = IP4_OUTPUT_HOP_NONE;

	for (uint16_t i = 0; i < n; i++)
		nexts[i] = forward_one(objs[i], &hop);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_forward_node = {
	.name = "ip4_forward",
	.process = ip4_forward_process,
	.nb_edges = IP4_FORWARD_EDGES,
	.next_nodes =
		{
			IP4_OUT_NEXT_NODES,
			[IP4_FORWARD_TTL_EXCEEDED] = "ip4_ttl_exceeded",
			[IP4_FORWARD_NOT_HOST] = "ip4_forward_l2_multicast",
		},
};
FP_NODE_REGISTER(ip4_forward_node)
FP_DROP_NODE(ip4_forward_l2_multicast)
IP4_ICMP_ERROR_NODE(ip4_ttl_exceeded, ICMP4_TIME_EXCEEDED, 0)
