/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_route.h"
#include "ip6_output.h"

enum {
	/* the route's verdicts (enum route_verdict, fib/fib.h), in their order */
	IP6_ROUTE_OUTPUT = ROUTE_TO_NEXT_HOP,
	IP6_ROUTE_LOCAL = ROUTE_TO_US,
	IP6_ROUTE_NO_ROUTE = ROUTE_NONE,
	IP6_ROUTE_BLACKHOLE = ROUTE_TO_BLACKHOLE,
	IP6_ROUTE_UNREACHABLE = ROUTE_TO_UNREACHABLE,
	IP6_ROUTE_PROHIBIT = ROUTE_TO_PROHIBIT,
	IP6_ROUTE_EDGES,
};

/*
 * The OUTPUT seam (NF_INET_LOCAL_OUT) and POSTROUTING's, the output interface's features: a
 * packet routed out enters the first hook with a feature on, else goes to ip6_output; hooked:
 * whether one is on for some interface.
 */
static inline rte_edge_t ip6_hook_output(struct rte_mbuf *m, bool hooked)
{
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint8_t mask, post;

	if (likely(!hooked))
		return IP6_ROUTE_OUTPUT;
	mask = fp_hook_mask(priv->iface_out, FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_OUTPUT));
	post = ip6_hook_post_mask(priv);
	if ((mask | post) == 0)
		return IP6_ROUTE_OUTPUT;
	return ip6_hook_enter_out(m, FP_HOOK_OUTPUT, mask, post, IP6_ROUTE_EDGES);
}

/*
 * The route lookup of the router's own packets (ICMPv6 errors, echo replies), then the OUTPUT
 * seam. A link-local or multicast destination is on the interface the packet names
 * (priv->iface_out, set by whoever made it: the interface the packet it answers came in on),
 * as Linux's strict routes for them.
 */
static uint16_t ip6_route_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint8_t dst[n][16];
	uint64_t nh[n];
	int vrf = fp_mbuf_priv(pkts[0])->vrf;
	bool hooked = ip6_hooks_out_any(FP_HOOK_OUTPUT);

	for (uint16_t i = 0; i < n; i++) {
		memcpy(dst[i], rte_pktmbuf_mtod(pkts[i], const struct rte_ipv6_hdr *)->dst_addr,
			16);
		if (fp_mbuf_priv(pkts[i])->vrf != vrf)
			vrf = IP6_VRF_MIXED;
	}
	ip6_fib_lookup(pkts, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++) {
		const struct fp_ip6_addr *d = (const struct fp_ip6_addr *)dst[i];

		if (unlikely(fp_ip6_is_link_local(d) || fp_ip6_is_multicast(d))) {
			fp_mbuf_priv(pkts[i])->neigh = NULL;
			nexts[i] = ip6_hook_output(pkts[i], hooked);
			continue;
		}
		nexts[i] = ip6_route_decide(pkts[i], nh[i]);
		if (likely(nexts[i] == IP6_ROUTE_OUTPUT))
			nexts[i] = ip6_hook_output(pkts[i], hooked);
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip6_route_node = {
	.name = "ip6_route",
	.process = ip6_route_process,
	.nb_edges = IP6_ROUTE_EDGES,
	.next_nodes =
		{
			[IP6_ROUTE_OUTPUT] = "ip6_output",
			[IP6_ROUTE_LOCAL] = "ip6_local",
			[IP6_ROUTE_NO_ROUTE] = "ip6_output_no_route",
			[IP6_ROUTE_BLACKHOLE] = "ip6_blackhole",
			[IP6_ROUTE_UNREACHABLE] = "ip6_unreachable_route",
			[IP6_ROUTE_PROHIBIT] = "ip6_prohibited_route",
		},
};
FP_NODE_REGISTER(ip6_route_node)
FP_HOOK_NODE(ip6_route_node)
FP_DROP_NODE(ip6_blackhole)
FP_DROP_NODE(ip6_output_no_route)
/* Linux's answers (ip6_pkt_discard, ip6_pkt_prohibit): no route and an unreachable route are
 * ICMPV6_NOROUTE, a prohibit route ICMPV6_ADM_PROHIBITED, a blackhole silence */
IP6_ICMP_ERROR_NODE(ip6_no_route, ICMP6_DEST_UNREACH, ICMP6_NOROUTE)
IP6_ICMP_ERROR_NODE(ip6_unreachable_route, ICMP6_DEST_UNREACH, ICMP6_NOROUTE)
IP6_ICMP_ERROR_NODE(ip6_prohibited_route, ICMP6_DEST_UNREACH, ICMP6_ADM_PROHIBITED)
