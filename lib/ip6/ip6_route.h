/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The route lookup, shared by ip6_input (received packets, Linux's ip6_route_input) and
 * ip6_route (the router's own packets, ip6_route_output).
 */

#include "addr6.h"
#include "fib/fib6.h"
#include "fib/ip6_flow_hash.h"
#include "ip6.h"

/* The VRF of every packet of a lookup, when they share one. */
#define IP6_VRF_MIXED (-1)

/* Looks dst[i] up in the FIB of pkts[i]'s VRF; vrf is theirs or IP6_VRF_MIXED. */
static inline void ip6_fib_lookup(
	struct rte_mbuf *const *pkts, uint8_t (*dst)[16], uint64_t *nh, uint16_t n, int vrf)
{
	if (likely(vrf != IP6_VRF_MIXED)) {
		if (likely(fp_fib6[vrf] != NULL))
			rte_fib6_lookup_bulk(fp_fib6[vrf], dst, nh, n);
		else
			memset(nh, 0, n * sizeof(*nh));
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_fib6 *fib = fp_fib6[fp_mbuf_priv(pkts[i])->vrf];

		nh[i] = FIB6_NO_ROUTE;
		if (fib != NULL)
			rte_fib6_lookup_bulk(fib, &dst[i], &nh[i], 1);
	}
}

/* The route's verdict for m; for a unicast route, the path (ECMP by flow) goes in its priv. */
static inline enum route_verdict ip6_route_decide(struct rte_mbuf *m, uint64_t nh)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	/* group 0 is never allocated: a miss finds NULL too */
	const struct nh_group *g = fp_nh_groups[nh];
	const struct nh_member *mb;

	if (unlikely(g == NULL))
		return ROUTE_NONE;
	if (unlikely(g->type != ROUTE_UNICAST))
		return route_verdict_not_unicast(g->type);
	/* the ports of TCP and UDP right after the fixed header; beyond, the forwarding walk does
	 * not go: the flow is the addresses, label and next header */
	mb = &g->members[likely(g->n_slots <= 1)
				 ? 0
				 : g->slots[ip6_flow_hash(ip, ip->proto, sizeof(*ip)) %
					    g->n_slots]];
	priv->iface_out = mb->iface;
	priv->neigh = mb->neigh;
	return ROUTE_TO_NEXT_HOP;
}
