/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_output.h"

enum {
	/* IP4_OUT_* first */
	IP4_FORWARD_TTL_EXCEEDED = IP4_OUT_EDGES,
	IP4_FORWARD_NOT_HOST,
	IP4_FORWARD_SOURCE_ROUTE_FAILED,
	IP4_FORWARD_EDGES,
};

/*
 * Linux ip_forward(): only frames sent to our MAC, TTL checked (decremented in the
 * output step, after the MTU check); and straight on to the output step
 * (ip_forward_finish() -> ip_output()) in this node.
 */
static inline rte_edge_t forward_one(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	if (unlikely(fp_mbuf_priv(m)->flags & FP_MBUF_L2_MULTICAST))
		return IP4_FORWARD_NOT_HOST;
	if (unlikely(ip->time_to_live <= 1))
		return IP4_FORWARD_TTL_EXCEEDED;
	/* a strict source route permits no gateway */
	if (unlikely(ip->version_ihl != RTE_IPV4_VHL_DEF) &&
		(fp_mbuf_priv(m)->ip4_opt.flags & IP4_OPT_STRICT) && fp_mbuf_priv(m)->neigh != NULL)
		return IP4_FORWARD_SOURCE_ROUTE_FAILED;
	return ip4_output_one(m, hop, true);
}

FP_NODE_PROCESS_EACH_STATE(
	ip4_forward_process, forward_one, struct ip4_output_hop, IP4_OUTPUT_HOP_NONE)

static struct rte_node_register ip4_forward_node = {
	.name = "ip4_forward",
	.process = ip4_forward_process,
	.nb_edges = IP4_FORWARD_EDGES,
	.next_nodes =
		{
			IP4_OUT_NEXT_NODES,
			[IP4_FORWARD_TTL_EXCEEDED] = "ip4_ttl_exceeded",
			[IP4_FORWARD_NOT_HOST] = "ip4_forward_l2_multicast",
			[IP4_FORWARD_SOURCE_ROUTE_FAILED] = "ip4_strict_route_via_gateway",
		},
};
FP_NODE_REGISTER(ip4_forward_node)
FP_DROP_NODE(ip4_forward_l2_multicast)
IP4_ICMP_ERROR_NODE(ip4_ttl_exceeded, ICMP4_TIME_EXCEEDED, 0)
IP4_ICMP_ERROR_NODE(ip4_strict_route_via_gateway, ICMP4_DEST_UNREACH, ICMP4_SR_FAILED)
