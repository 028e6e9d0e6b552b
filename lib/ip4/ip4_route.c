/* SPDX-License-Identifier: BSD-3-Clause */
#include "fib/fib4.h"
#include "ip4.h"

#include <rte_hash_crc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

enum {
	IP4_ROUTE_FORWARD,
	IP4_ROUTE_OUTPUT,
	IP4_ROUTE_LOCAL,
	IP4_ROUTE_NO_ROUTE,
	IP4_ROUTE_BLACKHOLE,
	IP4_ROUTE_UNREACHABLE,
	IP4_ROUTE_PROHIBIT,
	IP4_ROUTE_LOCAL_NO_ROUTE,
	IP4_ROUTE_EDGES,
};

/* Source, destination and, unless fragmented, the ports: one flow keeps one path. */
static inline uint32_t flow_hash(const struct rte_ipv4_hdr *ip)
{
	uint32_t h = rte_hash_crc_8byte(
		((uint64_t)ip->src_addr << 32) | ip->dst_addr, ip->next_proto_id);

	if ((ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP) &&
		!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)))
		h = rte_hash_crc_4byte(
			*(const uint32_t *)((const uint8_t *)ip + (ip->version_ihl & 0xf) * 4), h);
	return h;
}

static inline rte_edge_t route_one(struct rte_mbuf *m, uint64_t nh)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	bool local_origin = priv->flags & FP_MBUF_LOCAL_ORIGIN;
	const struct nh_group *g = fp_nh_groups[nh];
	const struct nh_member *mb;

	if (unlikely(nh == FIB4_NO_ROUTE || g == NULL))
		return local_origin ? IP4_ROUTE_LOCAL_NO_ROUTE : IP4_ROUTE_NO_ROUTE;
	switch (g->type) {
	case ROUTE_UNICAST:
		mb = &g->members[g->n_slots > 1 ? g->slots[flow_hash(ip) % g->n_slots] : 0];
		priv->iface_out = mb->iface;
		priv->neigh = mb->neigh;
		priv->nh_addr = mb->neigh != NULL ? mb->gw : ip->dst_addr;
		return local_origin ? IP4_ROUTE_OUTPUT : IP4_ROUTE_FORWARD;
	case ROUTE_BROADCAST:
		priv->flags |= FP_MBUF_BROADCAST;
		/* fallthrough */
	case ROUTE_LOCAL:
		return IP4_ROUTE_LOCAL;
	case ROUTE_BLACKHOLE:
		return IP4_ROUTE_BLACKHOLE;
	case ROUTE_UNREACHABLE:
		return IP4_ROUTE_UNREACHABLE;
	default:
		return IP4_ROUTE_PROHIBIT;
	}
}

/* FIB lookup for a burst: forwarded packets and the router's own (ICMP) alike. */
static uint16_t ip4_route_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint32_t dst[n];
	uint64_t nh[n];
	uint16_t vrf = fp_mbuf_priv(objs[0])->vrf;
	bool one_vrf = true;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod((struct rte_mbuf *)objs[i], const struct rte_ipv4_hdr *);

		dst[i] = rte_be_to_cpu_32(ip->dst_addr);
		one_vrf &= fp_mbuf_priv(objs[i])->vrf == vrf;
	}
	if (likely(one_vrf && fp_fib4[vrf] != NULL)) {
		rte_fib_lookup_bulk(fp_fib4[vrf], dst, nh, n);
	} else {
		for (uint16_t i = 0; i < n; i++) {
			struct rte_fib *fib = fp_fib4[fp_mbuf_priv(objs[i])->vrf];

			nh[i] = FIB4_NO_ROUTE;
			if (fib != NULL)
				rte_fib_lookup_bulk(fib, &dst[i], &nh[i], 1);
		}
	}
	for (uint16_t i = 0; i < n; i++)
		nexts[i] = route_one(objs[i], nh[i]);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_route_node = {
	.name = "ip4_route",
	.process = ip4_route_process,
	.nb_edges = IP4_ROUTE_EDGES,
	.next_nodes =
		{
			[IP4_ROUTE_FORWARD] = "ip4_forward",
			[IP4_ROUTE_OUTPUT] = "ip4_output",
			[IP4_ROUTE_LOCAL] = "ip4_local",
			[IP4_ROUTE_NO_ROUTE] = "ip4_no_route",
			[IP4_ROUTE_BLACKHOLE] = "ip4_blackhole",
			[IP4_ROUTE_UNREACHABLE] = "ip4_unreachable_route",
			[IP4_ROUTE_PROHIBIT] = "ip4_prohibited_route",
			[IP4_ROUTE_LOCAL_NO_ROUTE] = "ip4_output_no_route",
		},
};
FP_NODE_REGISTER(ip4_route_node)
FP_DROP_NODE(ip4_blackhole)
FP_DROP_NODE(ip4_output_no_route)
/* Linux's answers (ip_error): no route is -ENETUNREACH, an unreachable route -EHOSTUNREACH */
IP4_ICMP_ERROR_NODE(ip4_no_route, ICMP4_DEST_UNREACH, ICMP4_NET_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_unreachable_route, ICMP4_DEST_UNREACH, ICMP4_HOST_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_prohibited_route, ICMP4_DEST_UNREACH, ICMP4_PKT_FILTERED)
