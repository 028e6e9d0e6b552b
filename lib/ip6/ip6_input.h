/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The route of received packets (Linux's ip6_rcv_finish(): ip6_route_input(), then
 * ip6_input() or ip6_forward()), after netfilter's PREROUTING: ip6_input does it in the same
 * node for the packets of an interface with no feature on at PREROUTING, ip6_route_input,
 * PREROUTING's continuation, for the others. Their edges start with these, in this order.
 */

#include "graph/dispatch.h"
#include "graph/hook.h"
#include "ip6_route.h"

enum {
	/* the route's verdicts (enum route_verdict, fib/fib.h), in their order */
	IP6_RX_FORWARD = ROUTE_TO_NEXT_HOP,
	IP6_RX_LOCAL = ROUTE_TO_US,
	IP6_RX_NO_ROUTE = ROUTE_NONE,
	IP6_RX_BLACKHOLE = ROUTE_TO_BLACKHOLE,
	IP6_RX_UNREACHABLE = ROUTE_TO_UNREACHABLE,
	IP6_RX_PROHIBIT = ROUTE_TO_PROHIBIT,
	IP6_RX_MULTICAST,
	IP6_RX_REDIRECT,
	IP6_RX_EDGES,
};

/*
 * Not edges (above every edge, the hooks' too): the packet is to be routed, by the FIB, or,
 * for a multicast or link-local destination, by ip6_route_special().
 */
#define IP6_RX_LOOKUP  (RTE_EDGE_ID_INVALID - 1)
#define IP6_RX_SPECIAL (RTE_EDGE_ID_INVALID - 2)

#define IP6_RX_NEXT_NODES                                                                          \
	[IP6_RX_FORWARD] = "ip6_forward", [IP6_RX_LOCAL] = "ip6_local",                            \
	[IP6_RX_NO_ROUTE] = "ip6_no_route", [IP6_RX_BLACKHOLE] = "ip6_blackhole",                  \
	[IP6_RX_UNREACHABLE] = "ip6_unreachable_route",                                            \
	[IP6_RX_PROHIBIT] = "ip6_prohibited_route", [IP6_RX_MULTICAST] = "ip6_multicast",          \
	[IP6_RX_REDIRECT] = "ip6_redirect"

/* Whether dst is routed by the interface rather than by the FIB: multicast or link-local. */
static inline bool ip6_dst_special(const struct fp_ip6_addr *dst)
{
	return fp_ip6_is_multicast(dst) || fp_ip6_is_link_local(dst);
}

/*
 * The route of a multicast or link-local destination (IP6_RX_SPECIAL): ip6_route_input.c;
 * fallback: the node's edge to local delivery's fallback (graph/dispatch.h), or
 * RTE_EDGE_ID_INVALID.
 */
rte_edge_t ip6_route_special(struct rte_mbuf *m, rte_edge_t fallback);

/*
 * The init of a node that routes received packets: its edge to local delivery's fallback
 * (RTE_EDGE_ID_INVALID: none) in its context, ip6_route_received()'s fallback.
 */
int ip6_route_received_init(const struct rte_graph *graph, struct rte_node *node);

static inline rte_edge_t ip6_route_received_fallback(const struct rte_node *node)
{
	return *(const rte_edge_t *)node->ctx;
}

/*
 * The INPUT seam (NF_INET_LOCAL_IN, the input interface's mask), for a packet the route
 * delivers here: IP6_RX_LOCAL (to ip6_local), or INPUT's first feature's edge (own_edges: the
 * node's).
 */
static inline rte_edge_t ip6_hook_input(struct rte_mbuf *m, rte_edge_t own_edges)
{
	unsigned int id = FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_INPUT);
	uint8_t mask = fp_hook_mask(fp_mbuf_priv(m)->iface_in, id);

	return likely(mask == 0) ? IP6_RX_LOCAL : fp_hook_enter(m, id, mask, own_edges);
}

/*
 * Routes the packets whose nexts[i] is IP6_RX_LOOKUP (dst[i], their destination, looked up
 * in the FIB of their VRF, vrf if they share one, else IP6_VRF_MIXED) or IP6_RX_SPECIAL: nexts[i]
 * becomes the route's edge (fallback: as ip6_route_special()'s), or, for a packet delivered
 * here, INPUT's first feature's when one is on (own_edges: the node's). Every packet is
 * looked up, even one that will not use it: cheaper than sorting them out.
 */
static inline void ip6_route_received(void **objs, uint8_t (*dst)[16], rte_edge_t *nexts,
	uint16_t n, int vrf, rte_edge_t fallback, rte_edge_t own_edges)
{
	uint64_t nh[n];

	ip6_fib_lookup((struct rte_mbuf *const *)objs, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];

		if (likely(nexts[i] == IP6_RX_LOOKUP)) {
			nexts[i] = ip6_route_decide(m, nh[i]);
			/* back out of the link it came from: ip6_forward()'s redirect case */
			if (likely(nexts[i] == IP6_RX_FORWARD)) {
				if (unlikely(fp_mbuf_priv(m)->iface_out ==
					     fp_mbuf_priv(m)->iface_in))
					nexts[i] = IP6_RX_REDIRECT;
				continue;
			}
		} else if (nexts[i] == IP6_RX_SPECIAL) {
			nexts[i] = ip6_route_special(m, fallback);
		}
		if (nexts[i] == IP6_RX_LOCAL)
			nexts[i] = ip6_hook_input(m, own_edges);
	}
}
