/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The last step of every IPv4 packet that leaves (Linux's ip_finish_output2): MTU check,
 * the neighbour's MAC, the Ethernet header. Shared by ip4_forward and ip4_output, whose
 * edges start with these, in this order.
 */

#include <rte_ether.h>

#include "infra/iface.h"
#include "infra/punt.h"
#include "ip4.h"
#include "neigh/neigh.h"

enum {
	IP4_OUT_TX,
	IP4_OUT_RESOLVE,
	IP4_OUT_FRAG_NEEDED,
	IP4_OUT_TOO_BIG,
	IP4_OUT_NO_IFACE,
	IP4_OUT_NO_HEADROOM,
	IP4_OUT_EDGES,
};

#define IP4_OUT_NEXT_NODES                                                                         \
	[IP4_OUT_TX] = "port_tx", [IP4_OUT_RESOLVE] = PUNT_NODE,                                   \
	[IP4_OUT_FRAG_NEEDED] = "ip4_frag_needed", [IP4_OUT_TOO_BIG] = "ip4_fragment",             \
	[IP4_OUT_NO_IFACE] = "ip4_output_no_iface", [IP4_OUT_NO_HEADROOM] = "ip4_output_no_headroom"

/*
 * Where the previous packet went: consecutive packets to the same next hop (the common
 * case within a burst) reuse its interface and prebuilt Ethernet header.
 */
struct ip4_output_hop {
	const struct iface *iface;
	struct neigh *neigh;
	uint32_t nh_addr;
	uint16_t iface_id;
	bool resolved;
	struct neigh *neigh_found; /* neigh, or the entry found for a connected destination */
	uint32_t max_frame; /* the longest frame it takes as is; 0: none (no MAC, no interface) */
	struct rte_ether_hdr eth;
};

/* no packet seen yet: matches no real next hop */
#define IP4_OUTPUT_HOP_NONE {.iface_id = FP_IFACE_NONE}

static inline void ip4_output_hop_fill(struct ip4_output_hop *hop, const struct fp_mbuf_priv *priv)
{
	struct neigh *n = priv->neigh;

	hop->iface_id = priv->iface_out;
	hop->nh_addr = priv->nh_addr;
	hop->iface = iface_get(priv->iface_out);
	if (n == NULL && hop->iface != NULL)
		n = neigh_lookup(priv->iface_out, priv->nh_addr);
	hop->neigh = priv->neigh;
	hop->resolved = n != NULL && neigh_l2_get(n, &hop->eth.dst_addr);
	hop->neigh_found = n;
	if (hop->iface != NULL)
		hop->eth.src_addr = hop->iface->mac;
	hop->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	hop->max_frame = hop->iface != NULL && hop->resolved ? hop->iface->mtu + sizeof(hop->eth) : 0;
}

/* hop becomes the next hop of priv, unless it is already */
static inline void ip4_output_hop_update(struct ip4_output_hop *hop, const struct fp_mbuf_priv *priv)
{
	/* a gateway's entry belongs to one interface: comparing it is enough */
	if (unlikely(priv->neigh != hop->neigh ||
		     (priv->neigh == NULL &&
			     (priv->iface_out != hop->iface_id || priv->nh_addr != hop->nh_addr))))
		ip4_output_hop_fill(hop, priv);
}

/* RFC 1624 incremental checksum update, as Linux's ip_decrease_ttl() */
static inline void ip4_decrease_ttl(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = ip->hdr_checksum + RTE_BE16(0x0100);

	ip->hdr_checksum = sum + (sum >= 0xffff);
	ip->time_to_live--;
}

/*
 * MTU check, then the neighbour's MAC: the Ethernet header goes on and the
 * frame to port_tx; without a usable MAC the packet goes to the control
 * thread, which resolves and holds it (neigh_resolve_output()). A forwarded
 * packet loses a hop of TTL after the DF check, as in ip_forward(): the
 * "fragmentation needed" error quotes the packet as it arrived.
 */
static inline rte_edge_t ip4_output_one(
	struct rte_mbuf *m, struct ip4_output_hop *hop, bool forwarded)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_ether_hdr *eth;

	ip4_output_hop_update(hop, priv);
	if (unlikely(hop->iface == NULL))
		return IP4_OUT_NO_IFACE;
	if (unlikely(m->pkt_len > hop->iface->mtu)) {
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
			priv->icmp_info = hop->iface->mtu;
			return IP4_OUT_FRAG_NEEDED;
		}
		if (forwarded)
			ip4_decrease_ttl(ip);
		return IP4_OUT_TOO_BIG;
	}
	if (forwarded)
		ip4_decrease_ttl(ip);
	if (unlikely(!hop->resolved)) {
		priv->neigh = hop->neigh_found;
		priv->punt_reason = neigh_punt_resolve;
		return IP4_OUT_RESOLVE;
	}
	if (unlikely(rte_pktmbuf_headroom(m) < sizeof(*eth)))
		return IP4_OUT_NO_HEADROOM;
	/* rte_pktmbuf_prepend() without its check, done above */
	m->data_off -= sizeof(*eth);
	m->data_len += sizeof(*eth);
	m->pkt_len += sizeof(*eth);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_memcpy(eth, &hop->eth, sizeof(*eth));
	priv->flags &= ~(FP_MBUF_AT_L3 | FP_MBUF_L2_KEPT);
	return IP4_OUT_TX;
}
