/* SPDX-License-Identifier: BSD-3-Clause */
#include "graph/hook.h"
#include "ip4_output.h"

enum {
	/* IP4_OUT_* first */
	IP4_FORWARD_TTL_EXCEEDED = IP4_OUT_EDGES,
	IP4_FORWARD_NOT_HOST,
	IP4_FORWARD_SOURCE_ROUTE_FAILED,
	IP4_FORWARD_EDGES,
};

#define IP4_FORWARD_HOOK FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_FORWARD)
#define IP4_POSTROUTING	 FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_POSTROUTING)

/*
 * Where the packet's interfaces have features on at FORWARD, it enters it (FORWARD leads into
 * POSTROUTING), else POSTROUTING where its output interface has some there, after what
 * ip_forward() does before NF_INET_FORWARD (MTU and DF, TTL, options); POSTROUTING's
 * continuation, ip4_output, then resolves the neighbour and fragments. Neither: the output
 * step in this node.
 */
static __rte_noinline rte_edge_t forward_hooks(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint8_t fwd = fp_hook_forward_mask(FP_HOOK_IP4, priv->iface_in, priv->iface_out);
	uint8_t post = fp_hook_mask(priv->iface_out, IP4_POSTROUTING);
	rte_edge_t next;

	if (fwd == 0 && post == 0)
		return ip4_output_one(m, hop, true);
	next = ip4_output_step(m, hop, true, false);
	if (next != IP4_OUT_EDGES && next != IP4_OUT_TOO_BIG)
		return next;
	return fwd != 0 ? fp_hook_enter(m, IP4_FORWARD_HOOK, fwd, IP4_FORWARD_EDGES)
			: fp_hook_enter(m, IP4_POSTROUTING, post, IP4_FORWARD_EDGES);
}

/*
 * Linux ip_forward(): only frames sent to our MAC, TTL checked (decremented in the output step,
 * after the MTU check); then, with no feature on at FORWARD and POSTROUTING (hooked false),
 * straight on to the output step (ip_forward_finish() -> ip_output()) in this node.
 */
static __rte_always_inline rte_edge_t forward_step(
	struct rte_mbuf *m, struct ip4_output_hop *hop, bool hooked)
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
	return hooked ? forward_hooks(m, hop) : ip4_output_one(m, hop, true);
}

static inline rte_edge_t forward_one(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	return forward_step(m, hop, false);
}

static inline rte_edge_t forward_hooked_one(struct rte_mbuf *m, struct ip4_output_hop *hop)
{
	return forward_step(m, hop, true);
}

FP_NODE_PROCESS_EACH_STATE(forward_plain, forward_one, struct ip4_output_hop, IP4_OUTPUT_HOP_NONE)
FP_NODE_PROCESS_EACH_STATE(
	forward_hooked, forward_hooked_one, struct ip4_output_hop, IP4_OUTPUT_HOP_NONE)

/* once per burst: with nothing on anywhere at FORWARD and POSTROUTING, no per-packet test */
static uint16_t ip4_forward_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	if (likely((fp_hook_any_mask(IP4_FORWARD_HOOK) | fp_hook_any_mask(IP4_POSTROUTING)) == 0))
		return forward_plain(graph, node, objs, n);
	return forward_hooked(graph, node, objs, n);
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
			[IP4_FORWARD_SOURCE_ROUTE_FAILED] = "ip4_strict_route_via_gateway",
		},
};
FP_NODE_REGISTER(ip4_forward_node)
FP_HOOK_NODE(ip4_forward_node)
FP_DROP_NODE(ip4_forward_l2_multicast)
IP4_ICMP_ERROR_NODE(ip4_ttl_exceeded, ICMP4_TIME_EXCEEDED, 0)
IP4_ICMP_ERROR_NODE(ip4_strict_route_via_gateway, ICMP4_DEST_UNREACH, ICMP4_SR_FAILED)
