/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/iface.h"
#include "infra/punt.h"
#include "ip4.h"
#include "neigh/neigh.h"

#include <rte_ether.h>

enum {
	IP4_OUTPUT_TX,
	IP4_OUTPUT_RESOLVE,
	IP4_OUTPUT_FRAG_NEEDED,
	IP4_OUTPUT_TOO_BIG,
	IP4_OUTPUT_NO_IFACE,
	IP4_OUTPUT_NO_HEADROOM,
	IP4_OUTPUT_EDGES,
};

/*
 * MTU check, then the neighbour's MAC: the Ethernet header goes on and the
 * frame to port_tx; without a usable MAC the packet goes to the control
 * thread, which resolves and holds it (neigh_resolve_output()).
 */
static inline rte_edge_t output_one(struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct iface *iface = iface_get(priv->iface_out);
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct rte_ether_hdr *eth;
	struct rte_ether_addr dst;
	struct neigh *n;

	if (unlikely(iface == NULL))
		return IP4_OUTPUT_NO_IFACE;
	if (unlikely(m->pkt_len > iface->mtu)) {
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
			priv->icmp_info = iface->mtu;
			return IP4_OUTPUT_FRAG_NEEDED;
		}
		return IP4_OUTPUT_TOO_BIG;
	}
	n = priv->neigh;
	if (n == NULL)
		n = neigh_lookup(priv->iface_out, priv->nh_addr);
	if (n == NULL || !neigh_l2_get(n, &dst)) {
		priv->neigh = n;
		priv->punt_reason = neigh_punt_resolve;
		return IP4_OUTPUT_RESOLVE;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (unlikely(eth == NULL))
		return IP4_OUTPUT_NO_HEADROOM;
	eth->dst_addr = dst;
	eth->src_addr = iface->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	priv->flags &= ~(FP_MBUF_AT_L3 | FP_MBUF_L2_KEPT);
	return IP4_OUTPUT_TX;
}

static uint16_t ip4_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */

	for (uint16_t i = 0; i < n; i++)
		nexts[i] = output_one(objs[i]);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_output_node = {
	.name = "ip4_output",
	.process = ip4_output_process,
	.nb_edges = IP4_OUTPUT_EDGES,
	.next_nodes =
		{
			[IP4_OUTPUT_TX] = "port_tx",
			[IP4_OUTPUT_RESOLVE] = PUNT_NODE,
			[IP4_OUTPUT_FRAG_NEEDED] = "ip4_frag_needed",
			[IP4_OUTPUT_TOO_BIG] = "ip4_fragment",
			[IP4_OUTPUT_NO_IFACE] = "ip4_output_no_iface",
			[IP4_OUTPUT_NO_HEADROOM] = "ip4_output_no_headroom",
		},
};
FP_NODE_REGISTER(ip4_output_node)
FP_DROP_NODE(ip4_output_no_iface)
FP_DROP_NODE(ip4_output_no_headroom)
IP4_ICMP_ERROR_NODE(ip4_frag_needed, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED)
