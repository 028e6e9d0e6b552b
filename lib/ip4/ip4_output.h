/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The last step of every IPv4 packet that leaves (Linux's ip_finish_output2): MTU check,
 * the neighbour's MAC, the Ethernet header. Shared by ip4_forward and ip4_output, whose
 * edges start with these, in this order.
 */

#include "eth/eth_output.h"
#include "ip4.h"
#include "ip4_options.h"

enum {
	/* ETH_OUT_* first */
	IP4_OUT_FRAG_NEEDED = ETH_OUT_EDGES,
	IP4_OUT_TOO_BIG,
	IP4_OUT_EDGES,
};

#define IP4_OUT_NEXT_NODES                                                                         \
	ETH_OUT_NEXT_NODES("ip4"), [IP4_OUT_FRAG_NEEDED] = "ip4_frag_needed",                      \
				   [IP4_OUT_TOO_BIG] = "ip4_fragment"

/*
 * The most bytes of a packet's fragments on an interface of mtu: a reassembled datagram's are
 * also at most the largest it came in (ip_do_fragment(): frag_max_size under the MTU).
 */
static inline uint16_t ip4_output_size(struct rte_mbuf *m, uint16_t mtu)
{
	uint16_t max = fp_mbuf_frag_max_size(m);

	return max != 0 && max < mtu ? max : mtu;
}

/*
 * Cuts m (a whole IPv4 packet at its header, possibly chained, or a fragment; not changed or
 * freed) into fragments of at most size bytes, header included, as Linux's ip_do_fragment():
 * new single-segment mbufs from pool in out[] (at most max) carrying m's metadata, the last
 * without MF (unless m had it), the identification kept, only the "copied" options after the
 * first (ip_options_fragment()). A reassembled datagram (lib/defrag) goes out in the fragments
 * it came in, DF cleared, when each fits and all but the last are multiples of 8 (the fast
 * path, over the chain's segments); otherwise pieces as large as fit, DF kept (a fragment is
 * always cut that way, its offset kept). The caller has checked DF. Returns the count, or
 * -ENOBUFS / -EINVAL (size too small for the header) with nothing left allocated.
 */
int ip4_fragment(const struct rte_mbuf *m, uint16_t size, struct rte_mempool *pool,
	struct rte_mbuf **out, unsigned int max);

/* The hop of the previous packet, with the address that names a connected next hop. */
struct ip4_output_hop {
	struct eth_output_hop eth;
	uint32_t nh_addr;
};

/* no packet seen yet: matches no real next hop */
#define IP4_OUTPUT_HOP_NONE                                                                        \
	{                                                                                          \
		.eth = ETH_OUTPUT_HOP_NONE                                                         \
	}

static inline void ip4_output_hop_fill(struct ip4_output_hop *hop, const struct fp_mbuf_priv *priv)
{
	struct neigh *n = priv->neigh;

	if (n == NULL && iface_get(priv->iface_out) != NULL)
		n = neigh_lookup(priv->iface_out, priv->nh_addr);
	hop->nh_addr = priv->nh_addr;
	eth_output_hop_fill(&hop->eth, priv, n, NULL, RTE_ETHER_TYPE_IPV4);
}

/* hop becomes the next hop of priv, unless it is already */
static inline void ip4_output_hop_update(
	struct ip4_output_hop *hop, const struct fp_mbuf_priv *priv)
{
	/* a gateway's entry belongs to one interface: comparing it is enough */
	if (unlikely(priv->neigh != hop->eth.neigh ||
		     (priv->neigh == NULL && (priv->iface_out != hop->eth.iface_id ||
						     priv->nh_addr != hop->nh_addr))))
		ip4_output_hop_fill(hop, priv);
}

/* RFC 1624 incremental checksum update, as Linux's ip_decrease_ttl() */
static inline void ip4_decrease_ttl(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = ip->hdr_checksum + RTE_BE16(0x0100);

	ip->hdr_checksum = sum + (sum >= 0xffff);
	ip->time_to_live--;
}

/* A forwarded packet's last changes (ip_forward(), ip_forward_finish()): TTL, options. */
static inline void ip4_forward_header(
	struct rte_ipv4_hdr *ip, const struct fp_mbuf_priv *priv, const struct iface *out)
{
	ip4_decrease_ttl(ip);
	if (unlikely(ip->version_ihl != RTE_IPV4_VHL_DEF))
		ip4_options_forward((uint8_t *)ip, &priv->ip4_opt,
			__atomic_load_n(&out->ip4_primary, __ATOMIC_RELAXED));
}

/*
 * MTU check, then, if push, the Ethernet step (eth_output.h); without push, IP4_OUT_EDGES (not
 * an edge) for a packet that fits (a seam: it enters a hook first). A forwarded packet loses a
 * hop of TTL after the DF check, as in ip_forward(): the "fragmentation needed" error quotes
 * the packet as it arrived.
 */
static __rte_always_inline rte_edge_t ip4_output_step(
	struct rte_mbuf *m, struct ip4_output_hop *hop, bool forwarded, bool push)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	ip4_output_hop_update(hop, priv);
	if (unlikely(hop->eth.iface == NULL))
		return ETH_OUT_NO_IFACE;
	if (unlikely(m->pkt_len > hop->eth.iface->mtu)) {
		uint16_t max = fp_mbuf_frag_max_size(m);

		/* DF on a reassembled datagram counts when a fragment came too big only */
		if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) &&
			(max == 0 || max > hop->eth.iface->mtu)) {
			priv->icmp_info = hop->eth.iface->mtu;
			return IP4_OUT_FRAG_NEEDED;
		}
		if (max == 0) {
			if (forwarded)
				ip4_forward_header(ip, priv, hop->eth.iface);
			return IP4_OUT_TOO_BIG;
		}
	}
	if (forwarded)
		ip4_forward_header(ip, priv, hop->eth.iface);
	if (!push)
		return IP4_OUT_EDGES;
	/* a reassembled datagram longer than its frag_max_size is cut again (__ip_finish_output()) */
	if (unlikely(priv->flags & FP_MBUF_FRAG_MAX) &&
		m->pkt_len > ip4_output_size(m, hop->eth.iface->mtu))
		return IP4_OUT_TOO_BIG;
	return eth_output_push(m, &hop->eth);
}

static inline rte_edge_t ip4_output_one(
	struct rte_mbuf *m, struct ip4_output_hop *hop, bool forwarded)
{
	return ip4_output_step(m, hop, forwarded, true);
}
