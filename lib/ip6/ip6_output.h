/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The last step of every IPv6 packet that leaves (Linux's ip6_finish_output2): MTU check, the
 * neighbour's MAC (a multicast group's own), the Ethernet header. Shared by ip6_forward and
 * ip6_output, whose edges start with these, in this order. IPv6 routers never fragment: a
 * forwarded packet too big for the link is answered with packet too big. With a feature on
 * at FORWARD, OUTPUT or POSTROUTING, the step is cut at the hooks: ip6_forward and ip6_route
 * (the router's own packets) enter them, ip6_output, POSTROUTING's continuation, ends it.
 */

#include "eth/eth_output.h"
#include "graph/hook.h"
#include "ip6.h"

enum {
	/* ETH_OUT_* first */
	IP6_OUT_TOO_BIG = ETH_OUT_EDGES,
	IP6_OUT_FRAGMENT, /* a reassembled datagram longer than its frag_max_size: ip6_fragment */
	IP6_OUT_EDGES,
};

#define IP6_OUT_NEXT_NODES(too_big)                                                                \
	ETH_OUT_NEXT_NODES("ip6"), [IP6_OUT_TOO_BIG] = too_big, [IP6_OUT_FRAGMENT] = "ip6_fragment"

/*
 * Cuts m (a whole IPv6 datagram at its header, possibly chained; not changed or freed) into
 * fragments of at most size bytes (raised to 1280), as Linux's ip6_fragment(): the fragment
 * header after the unfragmentable part (ip6_find_1stfragopt()), identification id, new
 * single-segment mbufs from pool in out[] (at most max) carrying m's metadata. A reassembled
 * datagram goes out in the fragments it came in when each fits and all but the last are
 * multiples of 8 (the fast path, over the chain's segments); else pieces as large as fit.
 * Returns the count, or -ENOBUFS / -EINVAL (headers past the first segment or too long for
 * size) with nothing left allocated.
 */
int ip6_fragment(const struct rte_mbuf *m, uint16_t size, uint32_t id, struct rte_mempool *pool,
	struct rte_mbuf **out, unsigned int max);

/* The hop of the previous packet, with the address that names a connected next hop. */
struct ip6_output_hop {
	struct eth_output_hop eth;
	struct fp_ip6_addr dst;
};

/* no packet seen yet: matches no real next hop */
#define IP6_OUTPUT_HOP_NONE                                                                        \
	{                                                                                          \
		.eth = ETH_OUTPUT_HOP_NONE                                                         \
	}

static inline void ip6_output_hop_fill(
	struct ip6_output_hop *hop, const struct fp_mbuf_priv *priv, const struct fp_ip6_addr *dst)
{
	struct neigh *n = priv->neigh;

	hop->dst = *dst;
	if (unlikely(fp_ip6_is_multicast(dst) && n == NULL)) {
		/* RFC 2464 7: the group's MAC, no neighbour */
		struct fp_mac mac = fp_ip6_mcast_mac(dst);
		struct rte_ether_addr group;

		memcpy(group.addr_bytes, mac.bytes, RTE_ETHER_ADDR_LEN);
		eth_output_hop_fill(&hop->eth, priv, NULL, &group, RTE_ETHER_TYPE_IPV6);
		return;
	}
	if (n == NULL && iface_get(priv->iface_out) != NULL)
		n = neigh6_lookup(priv->iface_out, dst);
	eth_output_hop_fill(&hop->eth, priv, n, NULL, RTE_ETHER_TYPE_IPV6);
}

/* Not an edge: ip6_output_prepare() found the packet ready for the Ethernet step. */
#define IP6_OUT_READY RTE_EDGE_ID_INVALID

/*
 * The hop filled and the MTU checked; a forwarded packet loses a hop after the MTU check, as
 * in ip6_forward(): packet too big quotes the packet as it arrived.
 */
static inline rte_edge_t ip6_output_prepare(
	struct rte_mbuf *m, struct ip6_output_hop *hop, bool forwarded)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);

	/* a gateway's entry belongs to one interface: comparing it is enough */
	if (unlikely(priv->neigh != hop->eth.neigh ||
		     (priv->neigh == NULL && (priv->iface_out != hop->eth.iface_id ||
						     !fp_ip6_equal(ip6_dst(ip), &hop->dst)))))
		ip6_output_hop_fill(hop, priv, ip6_dst(ip));
	if (unlikely(hop->eth.iface == NULL))
		return ETH_OUT_NO_IFACE;
	if (unlikely(m->pkt_len > (uint32_t)RTE_MAX(hop->eth.iface->mtu, IP6_MIN_MTU))) {
		uint32_t mtu = RTE_MAX(hop->eth.iface->mtu, IP6_MIN_MTU);
		uint16_t max = fp_mbuf_frag_max_size(m);

		/*
		 * ip6_pkt_too_big(): a reassembled datagram is too big only if a fragment was; else
		 * ip6_output_one() sends it to ip6_fragment
		 */
		if (max == 0 || max > mtu) {
			priv->icmp_info = mtu;
			return IP6_OUT_TOO_BIG;
		}
	}
	if (forwarded)
		ip->hop_limits--;
	return IP6_OUT_READY;
}

/* ip6_output_prepare(), then the Ethernet step (eth_output.h). */
static inline rte_edge_t ip6_output_one(
	struct rte_mbuf *m, struct ip6_output_hop *hop, bool forwarded)
{
	rte_edge_t e = ip6_output_prepare(m, hop, forwarded);

	if (unlikely(e != IP6_OUT_READY))
		return e;
	/* ip6_finish_output(): a reassembled datagram longer than its fragments is cut again */
	if (unlikely(fp_mbuf_priv(m)->flags & FP_MBUF_FRAG_MAX) &&
		m->pkt_len > fp_mbuf_priv(m)->frag_max_size)
		return IP6_OUT_FRAGMENT;
	/* the gateway's address or the destination: what the control thread resolves, if it must */
	if (unlikely(!hop->eth.resolved))
		fp_mbuf_priv(m)->nh6 =
			hop->eth.neigh_found != NULL
				? hop->eth.neigh_found->key.addr.v6
				: *ip6_dst(rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *));
	return eth_output_push(m, &hop->eth);
}

/*
 * Whether a feature is on at hook (FORWARD or OUTPUT) or POSTROUTING for some interface: a
 * node's packets need their own interfaces' masks, read once per burst.
 */
static inline bool ip6_hooks_out_any(enum fp_hook hook)
{
	return (fp_hook_any_mask(FP_HOOK_ID(FP_HOOK_IP6, hook)) |
		       fp_hook_any_mask(FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_POSTROUTING))) != 0;
}

/* The features on at POSTROUTING for a packet to iface_out. */
static inline uint8_t ip6_hook_post_mask(const struct fp_mbuf_priv *priv)
{
	return fp_hook_mask(priv->iface_out, FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_POSTROUTING));
}

/*
 * The seams of a packet on its way out, FORWARD or OUTPUT (hook) then POSTROUTING, when a
 * feature is on at either (mask at hook, post at POSTROUTING, one of them not 0): the edge,
 * of a node with own_edges edges of its own, to the first; fp_hook_next() leads from hook
 * into POSTROUTING, whose continuation is ip6_output.
 */
static inline rte_edge_t ip6_hook_enter_out(
	struct rte_mbuf *m, enum fp_hook hook, uint8_t mask, uint8_t post, rte_edge_t own_edges)
{
	if (mask != 0)
		return fp_hook_enter(m, FP_HOOK_ID(FP_HOOK_IP6, hook), mask, own_edges);
	return fp_hook_enter(m, FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_POSTROUTING), post, own_edges);
}
