/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_output.h"

enum {
	/* IP6_OUT_* first */
	IP6_FORWARD_HOP_LIMIT = IP6_OUT_EDGES,
	IP6_FORWARD_NOT_HOST,
	IP6_FORWARD_BEYOND_SCOPE,
	IP6_FORWARD_UNSPECIFIED_SOURCE,
	IP6_FORWARD_EDGES,
};

/* A burst's: the previous packet's hop, and whether a hook on the way out is on anywhere. */
struct forward_state {
	struct ip6_output_hop hop;
	bool hooked;
};

#define FORWARD_STATE_INIT                                                                         \
	{                                                                                          \
		.hop = IP6_OUTPUT_HOP_NONE, .hooked = ip6_hooks_out_any(FP_HOOK_FORWARD)           \
	}

/*
 * The FORWARD seam (the features on for either interface) and POSTROUTING's (the output
 * interface's), when one is on for some interface: the MTU check and the hop limit's decrement,
 * which Linux does before NF_INET_FORWARD, and into the hooks, whose end is ip6_output; or
 * IP6_OUT_READY, none on for this packet: the output step in this node. Out of line: the
 * fused path keeps one output step.
 */
static __rte_noinline rte_edge_t forward_hooks(struct rte_mbuf *m, struct ip6_output_hop *hop)
{
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint8_t mask = fp_hook_forward_mask(FP_HOOK_IP6, priv->iface_in, priv->iface_out);
	uint8_t post = ip6_hook_post_mask(priv);
	rte_edge_t e;

	if ((mask | post) == 0)
		return IP6_OUT_READY;
	e = ip6_output_prepare(m, hop, true);
	if (e != IP6_OUT_READY)
		return e;
	return ip6_hook_enter_out(m, FP_HOOK_FORWARD, mask, post, IP6_FORWARD_EDGES);
}

/*
 * Linux ip6_forward(): only frames sent to our MAC, the hop limit checked (decremented in the
 * output step, after the MTU check), a link-local source never leaves its link (destination
 * unreachable, beyond scope): a packet that goes back out of the link it came from (ip6_redirect
 * sent the redirect) is not checked for that. Then the seams (forward_hooks()) when a feature
 * is on for some interface (the burst's test), and the output step in this node.
 */
static inline rte_edge_t forward_one(struct rte_mbuf *m, struct forward_state *st)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	rte_edge_t e;

	if (unlikely(priv->flags & FP_MBUF_L2_MULTICAST))
		return IP6_FORWARD_NOT_HOST;
	if (unlikely(ip->hop_limits <= 1))
		return IP6_FORWARD_HOP_LIMIT;
	if (unlikely(ip->src_addr[0] == 0xfe || ip->src_addr[0] == 0) &&
		priv->iface_out != priv->iface_in) {
		if (fp_ip6_is_link_local(ip6_src(ip)))
			return IP6_FORWARD_BEYOND_SCOPE;
		if (fp_ip6_is_unspecified(ip6_src(ip)))
			return IP6_FORWARD_UNSPECIFIED_SOURCE;
	}
	if (unlikely(st->hooked) && (e = forward_hooks(m, &st->hop)) != IP6_OUT_READY)
		return e;
	return ip6_output_one(m, &st->hop, true);
}

FP_NODE_PROCESS_EACH_STATE(
	ip6_forward_process, forward_one, struct forward_state, FORWARD_STATE_INIT)

static struct rte_node_register ip6_forward_node = {
	.name = "ip6_forward",
	.process = ip6_forward_process,
	.nb_edges = IP6_FORWARD_EDGES,
	.next_nodes =
		{
			IP6_OUT_NEXT_NODES("ip6_packet_too_big"),
			[IP6_FORWARD_HOP_LIMIT] = "ip6_hop_limit_exceeded",
			[IP6_FORWARD_NOT_HOST] = "ip6_forward_l2_multicast",
			[IP6_FORWARD_BEYOND_SCOPE] = "ip6_forward_link_local_source",
			[IP6_FORWARD_UNSPECIFIED_SOURCE] = "ip6_forward_unspecified_source",
		},
};
FP_NODE_REGISTER(ip6_forward_node)
FP_HOOK_NODE(ip6_forward_node)
FP_DROP_NODE(ip6_forward_l2_multicast)
FP_DROP_NODE(ip6_forward_unspecified_source)
IP6_ICMP_ERROR_NODE(ip6_hop_limit_exceeded, ICMP6_TIME_EXCEEDED, ICMP6_EXC_HOPLIMIT)
IP6_ICMP_ERROR_NODE(ip6_packet_too_big, ICMP6_PKT_TOO_BIG, 0)
IP6_ICMP_ERROR_NODE(ip6_forward_link_local_source, ICMP6_DEST_UNREACH, ICMP6_NOT_NEIGHBOUR)
