/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The route lookup, shared by ip6_input (received packets, Linux's ip6_route_input) and
 * ip6_route (the router's own packets, ip6_route_output).
 */

#include <rte_hash_crc.h>

#include "addr6.h"
#include "ip6.h"

#if __has_include("fib/fib6.h")
#include "fib/fib6.h"
#define IP6_HAVE_FIB6 1
#else
#include "fib/fib4.h" /* the groups, shared */
#endif

/* What the FIB says about a destination; each node maps it to its edges. */
enum ip6_route_result {
	IP6_ROUTE_TO_NEXT_HOP, /* priv->iface_out and neigh are set */
	IP6_ROUTE_TO_US,
	IP6_ROUTE_NONE,
	IP6_ROUTE_TO_BLACKHOLE,
	IP6_ROUTE_TO_UNREACHABLE,
	IP6_ROUTE_TO_PROHIBIT,
};

/* The VRF of every packet of a lookup, when they share one. */
#define IP6_VRF_MIXED (-1)

/* Looks dst[i] up in the FIB of pkts[i]'s VRF; vrf is theirs or IP6_VRF_MIXED. */
static inline void ip6_fib_lookup(struct rte_mbuf *const *pkts, uint8_t (*dst)[16], uint64_t *nh,
	uint16_t n, int vrf)
{
#ifdef IP6_HAVE_FIB6
	if (likely(vrf != IP6_VRF_MIXED)) {
		if (likely(fp_fib6[vrf] != NULL))
			rte_fib6_lookup_bulk(fp_fib6[vrf], dst, nh, n);
		else
			memset(nh, 0, n * sizeof(*nh));
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_fib6 *fib = fp_fib6[fp_mbuf_priv(pkts[i])->vrf];

		nh[i] = 0;
		if (fib != NULL)
			rte_fib6_lookup_bulk(fib, &dst[i], &nh[i], 1);
	}
#else
	(void)pkts, (void)dst, (void)vrf;
	memset(nh, 0, n * sizeof(*nh));
#endif
}

/* Source, destination, next header and, for TCP and UDP right after the header, the ports. */
static inline uint32_t ip6_flow_hash(const struct rte_ipv6_hdr *ip)
{
	const uint64_t *a = (const uint64_t *)ip->src_addr;
	uint32_t h = rte_hash_crc_8byte(a[0], ip->proto);

	h = rte_hash_crc_8byte(a[1], h);
	h = rte_hash_crc_8byte(a[2], h);
	h = rte_hash_crc_8byte(a[3], h);
	if (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP)
		h = rte_hash_crc_4byte(*(const uint32_t *)(ip + 1), h);
	return h;
}

/* The verdict of a route that does not forward: delivered, dropped or answered. */
static inline enum ip6_route_result ip6_route_not_unicast(uint8_t type)
{
	switch (type) {
	case ROUTE_LOCAL:
		return IP6_ROUTE_TO_US;
	case ROUTE_BLACKHOLE:
		return IP6_ROUTE_TO_BLACKHOLE;
	case ROUTE_UNREACHABLE:
		return IP6_ROUTE_TO_UNREACHABLE;
	case ROUTE_PROHIBIT:
		return IP6_ROUTE_TO_PROHIBIT;
	default:
		return IP6_ROUTE_NONE;
	}
}

#ifndef IP6_HAVE_FIB6
/* Until FIB6 comes: our addresses are found in the interface tables, nothing else routes. */
static inline bool ip6_fallback_is_local(uint16_t vrf, const struct fp_ip6_addr *dst)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (iface_get(i) != NULL && iface_get(i)->vrf == vrf && ip6_iface_has_addr(i, dst))
			return true;
	return false;
}

/* ... and the prefixes of the addresses are connected routes. */
static inline bool ip6_fallback_connected(uint16_t vrf, const struct fp_ip6_addr *dst, uint16_t *out)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++) {
		const struct ip6_iface_addrs *as = ip6_iface_addrs(i);

		for (unsigned int k = 0; as != NULL && iface_get(i)->vrf == vrf && k < as->n; k++) {
			struct fp_ip6_addr a = fp_ip6_masked(&as->a[k].p.addr, as->a[k].p.len);
			struct fp_ip6_addr d = fp_ip6_masked(dst, as->a[k].p.len);

			if (!fp_ip6_is_link_local(&a) && fp_ip6_equal(&a, &d)) {
				*out = i;
				return true;
			}
		}
	}
	return false;
}
#endif

/* The route's verdict for m; for a unicast route, the path (ECMP by flow) goes in its priv. */
static inline enum ip6_route_result ip6_route_decide(struct rte_mbuf *m, uint64_t nh)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	/* group 0 is never allocated: a miss finds NULL too */
	const struct nh_group *g = fp_nh_groups != NULL ? fp_nh_groups[nh] : NULL;
	const struct nh_member *mb;

	if (unlikely(g == NULL)) {
#ifndef IP6_HAVE_FIB6
		if (ip6_fallback_is_local(priv->vrf, ip6_dst(ip)))
			return IP6_ROUTE_TO_US;
		if (ip6_fallback_connected(priv->vrf, ip6_dst(ip), &priv->iface_out)) {
			priv->neigh = NULL;
			return IP6_ROUTE_TO_NEXT_HOP;
		}
#endif
		return IP6_ROUTE_NONE;
	}
	if (unlikely(g->type != ROUTE_UNICAST))
		return ip6_route_not_unicast(g->type);
	mb = &g->members[likely(g->n_slots <= 1) ? 0 : g->slots[ip6_flow_hash(ip) % g->n_slots]];
	priv->iface_out = mb->iface;
	priv->neigh = mb->neigh;
	return IP6_ROUTE_TO_NEXT_HOP;
}
