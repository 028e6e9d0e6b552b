/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The route lookup, shared by ip4_input (received packets, Linux's
 * ip_route_input) and ip4_route (the router's own packets, ip_route_output).
 */

#include <string.h>

#include <rte_hash_crc.h>

#include "fib/fib4.h"
#include "ip4.h"

/* The VRF of every packet of a lookup, when they share one. */
#define IP4_VRF_MIXED (-1)

/* Looks dst[i] (host order) up in the FIB of pkts[i]'s VRF; vrf is theirs or IP4_VRF_MIXED. */
static inline void ip4_fib_lookup(
	struct rte_mbuf *const *pkts, uint32_t *dst, uint64_t *nh, uint16_t n, int vrf)
{
	if (likely(vrf != IP4_VRF_MIXED)) {
		if (likely(fp_fib4[vrf] != NULL))
			rte_fib_lookup_bulk(fp_fib4[vrf], dst, nh, n);
		else
			memset(nh, 0, n * sizeof(*nh));
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_fib *fib = fp_fib4[fp_mbuf_priv(pkts[i])->vrf];

		nh[i] = FIB4_NO_ROUTE;
		if (fib != NULL)
			rte_fib_lookup_bulk(fib, &dst[i], &nh[i], 1);
	}
}

/*
 * Source, destination and, unless fragmented, the ports: one flow keeps one path. The header
 * passed ip4_input's checks (its total length is within the frame).
 */
static inline uint32_t ip4_flow_hash(const struct rte_ipv4_hdr *ip)
{
	uint32_t h = rte_hash_crc_8byte(
		((uint64_t)ip->src_addr << 32) | ip->dst_addr, ip->next_proto_id);
	unsigned int ihl = (ip->version_ihl & 0xf) * 4;
	uint32_t ports;

	if ((ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP) &&
		!(ip->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) &&
		rte_be_to_cpu_16(ip->total_length) >= ihl + sizeof(ports)) {
		/* after a 14-byte Ethernet header the ports are 2-byte aligned only */
		memcpy(&ports, (const uint8_t *)ip + ihl, sizeof(ports));
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

/* The route's verdict for m (IPv4 header ip); for a unicast route, the path (ECMP by flow) goes
 * in its priv. */
static inline enum route_verdict ip4_route_decide(
	struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint64_t nh)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	/* group 0 is never allocated: a miss (FIB4_NO_ROUTE) finds NULL too */
	const struct nh_group *g = fp_nh_groups[nh];
	const struct nh_member *mb;

	if (unlikely(g == NULL))
		return ROUTE_NONE;
	if (unlikely(g->type != ROUTE_UNICAST)) {
		if (g->type == ROUTE_BROADCAST)
			priv->flags |= FP_MBUF_BROADCAST;
		return route_verdict_not_unicast(g->type);
	}
	mb = &g->members[likely(g->n_slots <= 1) ? 0 : g->slots[ip4_flow_hash(ip) % g->n_slots]];
	priv->iface_out = mb->iface;
	priv->neigh = mb->neigh;
	priv->nh_addr = mb->neigh != NULL ? mb->gw.v4 : ip->dst_addr;
	return ROUTE_TO_NEXT_HOP;
}
