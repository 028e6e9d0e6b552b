/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_input.h"

int ip6_route_received_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	*(rte_edge_t *)node->ctx = fp_dispatch_edge(node->name, FP_DISPATCH_FALLBACK);
	return 0;
}

/*
 * The route of a multicast or link-local destination, which Linux's routes ff00::/8 and
 * fe80::/64 of each interface give (ip6_mc_input() for the groups).
 */
rte_edge_t ip6_route_special(struct rte_mbuf *m, rte_edge_t fallback)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	const struct fp_ip6_addr *dst = ip6_dst(ip);
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

	if (fp_ip6_is_multicast(dst)) {
		/* we are no multicast router: the groups we joined, and the link-scope ones of
		 * the kernel (OSPFv3, RIPng, MLD, DHCPv6 relays; local delivery's fallback: its
		 * twin), which keeps those it joined;
		 * wider scopes would only load the punt ring and the control thread */
		if (ip6_iface_joined(priv->iface_in, dst))
			return IP6_RX_LOCAL;
		return ip6_mc_scope(dst) == 2 && fallback != RTE_EDGE_ID_INVALID &&
				       fp_local_fallback_takes(priv->iface_in)
			       ? fallback
			       : IP6_RX_MULTICAST;
	}
	/*
	 * A link-local destination is on the link the packet came from: ours, or Linux's route
	 * fe80::/64 on that interface sends it back onto the link, with a redirect
	 */
	if (ip6_iface_has_addr(priv->iface_in, dst))
		return IP6_RX_LOCAL;
	priv->iface_out = priv->iface_in;
	priv->neigh = NULL;
	return IP6_RX_REDIRECT;
}

/*
 * PREROUTING's continuation: the route of the packets of an interface with a feature on at
 * PREROUTING (ip6_input routes the others itself), then the INPUT seam.
 */
static uint16_t ip6_route_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint8_t dst[n][16];
	int vrf = fp_mbuf_priv(objs[0])->vrf;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

		nexts[i] = ip6_dst_special(ip6_dst(ip)) ? IP6_RX_SPECIAL : IP6_RX_LOOKUP;
		memcpy(dst[i], ip->dst_addr, 16);
		if (fp_mbuf_priv(m)->vrf != vrf)
			vrf = IP6_VRF_MIXED;
	}
	ip6_route_received(
		objs, dst, nexts, n, vrf, ip6_route_received_fallback(node), IP6_RX_EDGES);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip6_route_input_node = {
	.name = "ip6_route_input",
	.init = ip6_route_received_init,
	.process = ip6_route_input_process,
	.nb_edges = IP6_RX_EDGES,
	.next_nodes = {IP6_RX_NEXT_NODES},
};
FP_NODE_REGISTER(ip6_route_input_node)
FP_HOOK_NODE(ip6_route_input_node)
FP_LOCAL_FALLBACK_NODE(ip6_route_input_fallback_entry, "ip6_route_input")
FP_HOOK_CONTINUATION(FP_HOOK_IP6, FP_HOOK_PREROUTING, "ip6_route_input")
