/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_input.h"
#include "eth/eth_input.h"
#include "graph/dispatch.h"
#include "graph/hook.h"
#include "ip4_options.h"
#include "ip4_route.h"
#include "ip4_source.h"

enum {
	/* the route's verdicts (enum route_verdict, fib/fib.h), in their order */
	IP4_INPUT_FORWARD = ROUTE_TO_NEXT_HOP,
	IP4_INPUT_LOCAL = ROUTE_TO_US,
	IP4_INPUT_NO_ROUTE = ROUTE_NONE,
	IP4_INPUT_BLACKHOLE = ROUTE_TO_BLACKHOLE,
	IP4_INPUT_UNREACHABLE = ROUTE_TO_UNREACHABLE,
	IP4_INPUT_PROHIBIT = ROUTE_TO_PROHIBIT,
	IP4_INPUT_TRUNCATED,
	IP4_INPUT_BAD_VERSION,
	IP4_INPUT_BAD_IHL,
	IP4_INPUT_BAD_CHECKSUM,
	IP4_INPUT_BAD_LENGTH,
	IP4_INPUT_MARTIAN_SOURCE,
	IP4_INPUT_MARTIAN_DESTINATION,
	IP4_INPUT_MULTICAST,
	IP4_INPUT_BAD_OPTION,
	IP4_INPUT_SOURCE_ROUTE,
	IP4_INPUT_SOURCE_ROUTE_FAILED,
	IP4_INPUT_RP_FILTER,
	IP4_INPUT_REDIRECT,
	IP4_INPUT_EDGES,
	/* not an edge (hooks and registrations append theirs): the checks passed, the FIB decides
	 */
	IP4_INPUT_LOOKUP = UINT16_MAX,
};

/* the edge to local delivery's fallback (graph/dispatch.h), for link-local multicast */
static rte_edge_t ip4_input_fallback = RTE_EDGE_ID_INVALID;

/* Martian sources and destinations, multicast and limited broadcast destinations. */
static __rte_noinline rte_edge_t ip4_martian_check(
	struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	if (ip4_is_multicast(ip->src_addr) || ip4_is_lbcast(ip->src_addr))
		return IP4_INPUT_MARTIAN_SOURCE;
	if (ip4_is_lbcast(ip->dst_addr)) {
		fp_mbuf_priv(m)->flags |= FP_MBUF_BROADCAST;
		return IP4_INPUT_LOCAL;
	}
	if (ip4_is_zeronet(ip->src_addr) || ip4_is_loopback(ip->src_addr))
		return IP4_INPUT_MARTIAN_SOURCE;
	if (ip4_is_zeronet(ip->dst_addr) || ip4_is_loopback(ip->dst_addr))
		return IP4_INPUT_MARTIAN_DESTINATION;
	/* no multicast routing here: the link-local groups are the kernel's (OSPF, RIPv2, VRRP,
	 * IGMP), which keeps those it joined; wider groups (mDNS, SSDP, streams) would only
	 * load the punt ring and the control thread for nothing a router does */
	if (ip4_is_multicast(ip->dst_addr))
		return ip4_is_link_local_multicast(ip->dst_addr) &&
				       ip4_input_fallback != RTE_EDGE_ID_INVALID &&
				       fp_local_fallback_takes(fp_mbuf_priv(m)->iface_in)
			       ? ip4_input_fallback
			       : IP4_INPUT_MULTICAST;
	return IP4_INPUT_LOOKUP;
}

/*
 * The checks of Linux's ip_rcv_core() and the martian tests of ip_route_input_slow(); what
 * passes goes to the route lookup, in this node too (ip_rcv_finish()): one node hop less.
 */
static __rte_noinline rte_edge_t ip4_check(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t hlen, tot_len;
	uint64_t cksum;

	if (unlikely(m->data_len < sizeof(*ip)))
		return IP4_INPUT_TRUNCATED;
	if (unlikely((ip->version_ihl >> 4) != 4))
		return IP4_INPUT_BAD_VERSION;
	hlen = (ip->version_ihl & 0xf) * 4;
	if (unlikely(hlen < sizeof(*ip)))
		return IP4_INPUT_BAD_IHL;
	if (unlikely(m->data_len < hlen))
		return IP4_INPUT_TRUNCATED;
	cksum = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (cksum != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
		(cksum == RTE_MBUF_F_RX_IP_CKSUM_BAD || !ip4_header_checksum_ok(ip, hlen / 4)))
		return IP4_INPUT_BAD_CHECKSUM;
	tot_len = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(m->pkt_len < tot_len))
		return IP4_INPUT_TRUNCATED;
	if (unlikely(tot_len < hlen))
		return IP4_INPUT_BAD_LENGTH;
	if (m->pkt_len > tot_len) /* Ethernet padding */
		rte_pktmbuf_trim(m, m->pkt_len - tot_len);

	if (unlikely(ip4_special_first_octet[((const uint8_t *)&ip->src_addr)[0]] |
		     ip4_special_first_octet[((const uint8_t *)&ip->dst_addr)[0]]))
		return ip4_martian_check(m, ip);
	return IP4_INPUT_LOOKUP;
}

/* The source validation of a packet routed to a next hop or to us (ip4_source.h). */
static inline rte_edge_t source_edge(struct rte_mbuf *m, rte_edge_t next)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	switch (ip4_source_validate(fp_mbuf_priv(m), ip->src_addr, next == IP4_INPUT_FORWARD)) {
	case IP4_SOURCE_OK:
		return next;
	case IP4_SOURCE_REDIRECT:
		return IP4_INPUT_REDIRECT;
	case IP4_SOURCE_MARTIAN:
		return IP4_INPUT_MARTIAN_SOURCE;
	default:
		return IP4_INPUT_RP_FILTER;
	}
}

/*
 * The options, once routed and the source validated, as Linux's ip_rcv_options(): checked,
 * partly filled in. A packet source-routed through us goes where its route says, without the
 * redirect its first lookup asked for (ip_forward() sends none when opt->srr).
 */
static __rte_noinline rte_edge_t input_options(struct rte_mbuf *m, rte_edge_t next)
{
	bool redirect = next == IP4_INPUT_REDIRECT;
	enum route_verdict v = redirect ? ROUTE_TO_NEXT_HOP : (enum route_verdict)next;

	if (next > IP4_INPUT_PROHIBIT && !redirect) /* dropped already */
		return next;
	switch (ip4_options_input(m, &v)) {
	case IP4_OPT_ROUTE:
		if (redirect && !(fp_mbuf_priv(m)->ip4_opt.flags & IP4_OPT_SRR_HIT))
			return IP4_INPUT_REDIRECT;
		return v;
	case IP4_OPT_PARAM_PROBLEM:
		return IP4_INPUT_BAD_OPTION;
	case IP4_OPT_SOURCE_ROUTED:
		return IP4_INPUT_SOURCE_ROUTE;
	default:
		return IP4_INPUT_SOURCE_ROUTE_FAILED;
	}
}

#define IP4_PREROUTING FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_PREROUTING)
#define IP4_LOCAL_IN   FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_INPUT)

/* The PREROUTING seam: what passed the checks enters the hook where its interface has features on.
 */
static __rte_noinline void prerouting(struct rte_mbuf **pkts, rte_edge_t *nexts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint8_t mask = fp_hook_mask(fp_mbuf_priv(pkts[i])->iface_in, IP4_PREROUTING);

		if (nexts[i] == IP4_INPUT_LOOKUP && mask != 0)
			nexts[i] = fp_hook_enter(pkts[i], IP4_PREROUTING, mask, IP4_INPUT_EDGES);
	}
}

/* The INPUT seam: what is for us enters the hook where its interface has features on. */
static __rte_noinline void local_in(struct rte_mbuf **pkts, rte_edge_t *nexts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint8_t mask = fp_hook_mask(fp_mbuf_priv(pkts[i])->iface_in, IP4_LOCAL_IN);

		if (nexts[i] == IP4_INPUT_LOCAL && mask != 0)
			nexts[i] = fp_hook_enter(pkts[i], IP4_LOCAL_IN, mask, IP4_INPUT_EDGES);
	}
}

/*
 * Linux's ip_route_input_noref() and ip_rcv_options() for the packets at IP4_INPUT_LOOKUP
 * (dst: their destinations, host order; vrf: theirs or IP4_VRF_MIXED): the FIB lookup, the
 * source validation, the options; then the INPUT seam. Every packet is looked up, even one
 * that failed a check: cheaper than sorting them out.
 */
static inline void route_input(
	struct rte_mbuf **pkts, rte_edge_t *nexts, uint32_t *dst, uint16_t n, int vrf)
{
	uint64_t nh[n];

	ip4_fib_lookup(pkts, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ipv4_hdr *);
		bool routed = likely(nexts[i] == IP4_INPUT_LOOKUP);

		if (routed)
			nexts[i] = ip4_route_decide(pkts[i], ip, nh[i]);
		/* Linux validates the source of what it forwards and of what is for it (limited
		 * broadcasts too), in the route lookup, before the options */
		if (likely(nexts[i] == IP4_INPUT_FORWARD || nexts[i] == IP4_INPUT_LOCAL))
			nexts[i] = source_edge(pkts[i], nexts[i]);
		/* routed: past ip4_check, a version 4 header; longer than 20 bytes */
		if (unlikely(routed && ip->version_ihl != RTE_IPV4_VHL_DEF))
			nexts[i] = input_options(pkts[i], nexts[i]);
	}
	if (unlikely(fp_hook_any_mask(IP4_LOCAL_IN) != 0))
		local_in(pkts, nexts, n);
}

/*
 * ip_rcv(): the checks, then the PREROUTING seam; with no feature on there (the common case),
 * the route lookup follows in this node, as ip_rcv_finish() follows ip_rcv() when netfilter has
 * nothing at the hook: one node hop less.
 */
static uint16_t ip4_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint32_t dst[n];
	int vrf = fp_mbuf_priv(pkts[0])->vrf;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

		nexts[i] = likely(ip4_is_plain(ip, m->data_len, m->pkt_len, m->ol_flags))
				   ? IP4_INPUT_LOOKUP
				   : ip4_check(m);
		dst[i] = ip4_host(ip->dst_addr);
		if (unlikely(fp_mbuf_priv(m)->vrf != vrf))
			vrf = IP4_VRF_MIXED;
	}
	if (unlikely(fp_hook_any_mask(IP4_PREROUTING) != 0))
		prerouting(pkts, nexts, n);
	route_input(pkts, nexts, dst, n, vrf);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

/*
 * PREROUTING's continuation: the route lookup of the packets its features let through (which
 * may have changed their destination: DNAT), the source validation and the options.
 */
static uint16_t ip4_route_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	rte_edge_t nexts[n];
	uint32_t dst[n];
	int vrf = fp_mbuf_priv(pkts[0])->vrf;

	for (uint16_t i = 0; i < n; i++) {
		nexts[i] = IP4_INPUT_LOOKUP;
		dst[i] = ip4_host(rte_pktmbuf_mtod(pkts[i], const struct rte_ipv4_hdr *)->dst_addr);
		if (fp_mbuf_priv(pkts[i])->vrf != vrf)
			vrf = IP4_VRF_MIXED;
	}
	route_input(pkts, nexts, dst, n, vrf);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static int ip4_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	(void)node;
	ip4_input_fallback = fp_dispatch_edge("ip4_input", FP_DISPATCH_FALLBACK);
	return 0;
}

/* ip4_input and ip4_route_input share their edges: one enum, one route_input() */
#define IP4_INPUT_NEXT_NODES                                                                       \
	[IP4_INPUT_FORWARD] = "ip4_forward", [IP4_INPUT_LOCAL] = "ip4_local",                      \
	[IP4_INPUT_NO_ROUTE] = "ip4_no_route", [IP4_INPUT_BLACKHOLE] = "ip4_blackhole",            \
	[IP4_INPUT_UNREACHABLE] = "ip4_unreachable_route",                                         \
	[IP4_INPUT_PROHIBIT] = "ip4_prohibited_route", [IP4_INPUT_TRUNCATED] = "ip4_truncated",    \
	[IP4_INPUT_BAD_VERSION] = "ip4_bad_version", [IP4_INPUT_BAD_IHL] = "ip4_bad_ihl",          \
	[IP4_INPUT_BAD_CHECKSUM] = "ip4_bad_checksum", [IP4_INPUT_BAD_LENGTH] = "ip4_bad_length",  \
	[IP4_INPUT_MARTIAN_SOURCE] = "ip4_martian_source",                                         \
	[IP4_INPUT_MARTIAN_DESTINATION] = "ip4_martian_destination",                               \
	[IP4_INPUT_MULTICAST] = "ip4_multicast", [IP4_INPUT_BAD_OPTION] = "ip4_bad_option",        \
	[IP4_INPUT_SOURCE_ROUTE] = "ip4_source_route",                                             \
	[IP4_INPUT_SOURCE_ROUTE_FAILED] = "ip4_source_route_failed",                               \
	[IP4_INPUT_RP_FILTER] = "ip4_rp_filter", [IP4_INPUT_REDIRECT] = "ip4_redirect"

static struct rte_node_register ip4_input_node = {
	.name = "ip4_input",
	.init = ip4_input_init,
	.process = ip4_input_process,
	.nb_edges = IP4_INPUT_EDGES,
	.next_nodes = {IP4_INPUT_NEXT_NODES},
};
FP_NODE_REGISTER(ip4_input_node)
ETH_INPUT_REGISTER(ip4_ethertype, RTE_ETHER_TYPE_IPV4, "ip4_input")
FP_LOCAL_FALLBACK_NODE(ip4_input_fallback_entry, "ip4_input")
FP_HOOK_NODE(ip4_input_node)

static struct rte_node_register ip4_route_input_node = {
	.name = "ip4_route_input",
	.process = ip4_route_input_process,
	.nb_edges = IP4_INPUT_EDGES,
	.next_nodes = {IP4_INPUT_NEXT_NODES},
};
FP_NODE_REGISTER(ip4_route_input_node)
FP_HOOK_NODE(ip4_route_input_node)
FP_HOOK_CONTINUATION(FP_HOOK_IP4, FP_HOOK_PREROUTING, "ip4_route_input")
FP_HOOK_CONTINUATION(FP_HOOK_IP4, FP_HOOK_INPUT, "ip4_local")
FP_DROP_NODE(ip4_truncated)
FP_DROP_NODE(ip4_bad_version)
FP_DROP_NODE(ip4_bad_ihl)
FP_DROP_NODE(ip4_bad_checksum)
FP_DROP_NODE(ip4_bad_length)
FP_DROP_NODE(ip4_martian_source)
FP_DROP_NODE(ip4_martian_destination)
FP_DROP_NODE(ip4_multicast)
FP_DROP_NODE(ip4_rp_filter)
