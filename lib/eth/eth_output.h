/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The Ethernet step of every packet that leaves, IPv4 or IPv6 (Linux's neigh_output()): the
 * neighbour's MAC and the Ethernet header, or the control thread when there is no usable MAC.
 * ip4_output.h and ip6_output.h build their output steps on it; their edges start with these,
 * in this order.
 */

#include <rte_ether.h>

#include "graph/graph.h"
#include "infra/iface.h"
#include "graph/mbuf.h"
#include "graph/punt.h"
#include "neigh/neigh.h"

enum {
	ETH_OUT_TX,
	ETH_OUT_RESOLVE,
	ETH_OUT_NO_IFACE,
	ETH_OUT_NO_HEADROOM,
	ETH_OUT_EDGES,
};

/* The next nodes of the ETH_OUT_* edges, the drops named after the family ("ip4", "ip6"). */
#define ETH_OUT_NEXT_NODES(family)                                                                 \
	[ETH_OUT_TX] = "port_tx", [ETH_OUT_RESOLVE] = PUNT_NODE,                                   \
	[ETH_OUT_NO_IFACE] = family "_output_no_iface",                                            \
	[ETH_OUT_NO_HEADROOM] = family "_output_no_headroom"

/*
 * Where the previous packet went: consecutive packets to the same next hop (the common case
 * within a burst) reuse its interface and prebuilt Ethernet header. Each family keeps it with
 * the address that names a connected next hop.
 */
struct eth_output_hop {
	const struct iface *iface;
	struct neigh *neigh; /* the route's gateway, NULL for a connected destination */
	uint16_t iface_id;
	bool resolved;
	/* neigh, or the entry found for a connected destination: what names the address to
	 * resolve when there is no MAC */
	struct neigh *neigh_found;
	uint32_t max_frame; /* the longest frame it takes as is; 0: none (no MAC, no interface) */
	struct rte_ether_hdr eth;
};

/* no packet seen yet: matches no real next hop */
#define ETH_OUTPUT_HOP_NONE                                                                        \
	{                                                                                          \
		.iface_id = FP_IFACE_NONE                                                          \
	}

/*
 * The hop of priv's next hop: n is its neighbour (priv->neigh, or the family's entry of the
 * connected destination, NULL if none), unless mac is known without one (a multicast
 * group's); iface_out's MAC and the ethertype make the header.
 */
static inline void eth_output_hop_fill(struct eth_output_hop *hop, const struct fp_mbuf_priv *priv,
	struct neigh *n, const struct rte_ether_addr *mac, uint16_t ethertype)
{
	hop->iface_id = priv->iface_out;
	hop->iface = iface_get(priv->iface_out);
	hop->neigh = priv->neigh;
	if (mac != NULL)
		hop->eth.dst_addr = *mac;
	hop->resolved = mac != NULL || (n != NULL && neigh_l2_get(n, &hop->eth.dst_addr));
	hop->neigh_found = n;
	if (hop->iface != NULL)
		hop->eth.src_addr = hop->iface->mac;
	hop->eth.ether_type = rte_cpu_to_be_16(ethertype);
	hop->max_frame =
		hop->iface != NULL && hop->resolved ? hop->iface->mtu + sizeof(hop->eth) : 0;
}

/*
 * The Ethernet header goes on and the frame to port_tx; without a usable MAC the packet goes
 * to the control thread, which resolves and holds it (neigh.c). It goes with the address to
 * resolve on iface_out (nh_addr for IPv4, nh6, that ip6_output_one() sets, for IPv6), never
 * with its entry, which may be freed before the control thread takes the packet off the ring.
 */
static inline rte_edge_t eth_output_push(struct rte_mbuf *m, const struct eth_output_hop *hop)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct rte_ether_hdr *eth;

	if (unlikely(!hop->resolved)) {
		priv->neigh = NULL;
		priv->punt_reason = neigh_punt_resolve;
		return ETH_OUT_RESOLVE;
	}
	if (unlikely(rte_pktmbuf_headroom(m) < sizeof(*eth)))
		return ETH_OUT_NO_HEADROOM;
	/* rte_pktmbuf_prepend() without its check, done above */
	m->data_off -= sizeof(*eth);
	m->data_len += sizeof(*eth);
	m->pkt_len += sizeof(*eth);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_memcpy(eth, &hop->eth, sizeof(*eth));
	priv->flags &= ~(FP_MBUF_AT_L3 | FP_MBUF_L2_KEPT);
	return ETH_OUT_TX;
}
