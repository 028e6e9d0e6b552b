/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_route.h"
#include "graph/hook.h"

enum {
	/* the route's verdicts (enum route_verdict, fib/fib.h), in their order */
	IP4_ROUTE_OUTPUT = ROUTE_TO_NEXT_HOP,
	IP4_ROUTE_LOCAL = ROUTE_TO_US,
	IP4_ROUTE_NO_ROUTE = ROUTE_NONE,
	IP4_ROUTE_BLACKHOLE = ROUTE_TO_BLACKHOLE,
	IP4_ROUTE_UNREACHABLE = ROUTE_TO_UNREACHABLE,
	IP4_ROUTE_PROHIBIT = ROUTE_TO_PROHIBIT,
	IP4_ROUTE_EDGES,
};

#define IP4_LOCAL_OUT	FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_OUTPUT)
#define IP4_POSTROUTING FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_POSTROUTING)

/*
 * The OUTPUT seam (__ip_local_out()), once the packet has its route to a next hop: OUTPUT where
 * its output interface has features on there (it leads into POSTROUTING), else POSTROUTING
 * where it has some there, else the output step.
 */
static __rte_noinline void local_out(struct rte_mbuf **pkts, rte_edge_t *nexts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint16_t oif = fp_mbuf_priv(pkts[i])->iface_out;
		uint8_t out = fp_hook_mask(oif, IP4_LOCAL_OUT);
		uint8_t post = fp_hook_mask(oif, IP4_POSTROUTING);

		if (nexts[i] != IP4_ROUTE_OUTPUT)
			continue;
		if (out != 0)
			nexts[i] = fp_hook_enter(pkts[i], IP4_LOCAL_OUT, out, IP4_ROUTE_EDGES);
		else if (post != 0)
			nexts[i] = fp_hook_enter(pkts[i], IP4_POSTROUTING, post, IP4_ROUTE_EDGES);
	}
}

/* The route lookup of the router's own packets (ICMP errors, echo replies). */
static uint16_t ip4_route_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint32_t dst[n];
	uint64_t nh[n];
	int vrf = fp_mbuf_priv(pkts[0])->vrf;

	for (uint16_t i = 0; i < n; i++) {
		dst[i] = ip4_host(rte_pktmbuf_mtod(pkts[i], const struct rte_ipv4_hdr *)->dst_addr);
		if (fp_mbuf_priv(pkts[i])->vrf != vrf)
			vrf = IP4_VRF_MIXED;
	}
	ip4_fib_lookup(pkts, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++)
		nexts[i] = ip4_route_decide(
			pkts[i], rte_pktmbuf_mtod(pkts[i], const struct rte_ipv4_hdr *), nh[i]);
	if (unlikely((fp_hook_any_mask(IP4_LOCAL_OUT) | fp_hook_any_mask(IP4_POSTROUTING)) != 0))
		local_out(pkts, nexts, n);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_route_node = {
	.name = "ip4_route",
	.process = ip4_route_process,
	.nb_edges = IP4_ROUTE_EDGES,
	.next_nodes =
		{
			[IP4_ROUTE_OUTPUT] = "ip4_output",
			[IP4_ROUTE_LOCAL] = "ip4_local",
			[IP4_ROUTE_NO_ROUTE] = "ip4_output_no_route",
			[IP4_ROUTE_BLACKHOLE] = "ip4_blackhole",
			[IP4_ROUTE_UNREACHABLE] = "ip4_unreachable_route",
			[IP4_ROUTE_PROHIBIT] = "ip4_prohibited_route",
		},
};
FP_NODE_REGISTER(ip4_route_node)
FP_HOOK_NODE(ip4_route_node)
FP_DROP_NODE(ip4_blackhole)
FP_DROP_NODE(ip4_output_no_route)
/* Linux's answers (ip_error): no route is -ENETUNREACH, an unreachable route -EHOSTUNREACH */
IP4_ICMP_ERROR_NODE(ip4_no_route, ICMP4_DEST_UNREACH, ICMP4_NET_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_unreachable_route, ICMP4_DEST_UNREACH, ICMP4_HOST_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_prohibited_route, ICMP4_DEST_UNREACH, ICMP4_PKT_FILTERED)
