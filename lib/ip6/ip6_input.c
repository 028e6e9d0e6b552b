/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_route.h"
#include "twin/twin.h"

enum {
	/* the route's verdicts (enum route_verdict, fib/fib.h), in their order */
	IP6_INPUT_FORWARD = ROUTE_TO_NEXT_HOP,
	IP6_INPUT_LOCAL = ROUTE_TO_US,
	IP6_INPUT_NO_ROUTE = ROUTE_NONE,
	IP6_INPUT_BLACKHOLE = ROUTE_TO_BLACKHOLE,
	IP6_INPUT_UNREACHABLE = ROUTE_TO_UNREACHABLE,
	IP6_INPUT_PROHIBIT = ROUTE_TO_PROHIBIT,
	IP6_INPUT_TRUNCATED,
	IP6_INPUT_BAD_VERSION,
	IP6_INPUT_MARTIAN_SOURCE,
	IP6_INPUT_MARTIAN_DESTINATION,
	IP6_INPUT_MULTICAST,
	IP6_INPUT_REDIRECT,
	IP6_INPUT_KERNEL,
	IP6_INPUT_EXT, /* IP6_EXT_EDGES of them */
	IP6_INPUT_EDGES = IP6_INPUT_EXT + IP6_EXT_EDGES,
	IP6_INPUT_LOOKUP = IP6_INPUT_EDGES, /* not an edge: the checks passed, the FIB decides */
};

/*
 * First bytes of addresses that need a closer look: 0 (unspecified, loopback, IPv4-mapped),
 * fe (link-local), ff (multicast).
 */
static const bool ip6_special_first_byte[256] = {
	[0x00] = true,
	[0xfe] = true,
	[0xff] = true,
};

/* Where a packet with a special address goes (ip6_rcv_core(), ip6_mc_input()). */
static __rte_noinline rte_edge_t ip6_address_check(
	struct rte_mbuf *m, const struct rte_ipv6_hdr *ip)
{
	const struct fp_ip6_addr *src = ip6_src(ip), *dst = ip6_dst(ip);
	uint16_t iface = fp_mbuf_priv(m)->iface_in;

	/* RFC 4291 2.5.3, 2.7; IPv4-mapped sources as Linux (draft-itojun-v6ops-v4mapped-harmful)
	 */
	if (fp_ip6_is_loopback(src) || fp_ip6_is_multicast(src) || fp_ip6_is_v4_mapped(src))
		return IP6_INPUT_MARTIAN_SOURCE;
	if (fp_ip6_is_loopback(dst) || fp_ip6_is_unspecified(dst))
		return IP6_INPUT_MARTIAN_DESTINATION;
	if (fp_ip6_is_multicast(dst)) {
		/* scopes 0 (reserved) and 1 (interface-local) never come from a link */
		if (ip6_mc_scope(dst) <= 1)
			return IP6_INPUT_MARTIAN_DESTINATION;
		/* we are no multicast router: the groups we joined, and the link-scope ones of
		 * the kernel (OSPFv3, RIPng, MLD, DHCPv6 relays), which keeps those it joined;
		 * wider scopes would only load the punt ring and the control thread */
		if (ip6_iface_joined(iface, dst))
			return IP6_INPUT_LOCAL;
		return ip6_mc_scope(dst) == 2 && twin_punt(m) ? IP6_INPUT_KERNEL
							      : IP6_INPUT_MULTICAST;
	}
	/*
	 * A link-local destination is on the link the packet came from: ours, or Linux's route
	 * fe80::/64 on that interface sends it back onto the link, with a redirect
	 */
	if (fp_ip6_is_link_local(dst)) {
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

		if (ip6_iface_has_addr(iface, dst))
			return IP6_INPUT_LOCAL;
		priv->iface_out = iface;
		priv->neigh = NULL;
		return IP6_INPUT_REDIRECT;
	}
	return IP6_INPUT_LOOKUP;
}

/*
 * The checks of Linux's ip6_rcv_core() and the hop-by-hop options it parses; what passes goes
 * to the route lookup, in this node too (ip6_rcv_finish()).
 */
static __rte_noinline rte_edge_t ip6_check(struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	struct ip6_exthdr_info info;
	enum ip6_exthdr_verdict v;
	uint32_t plen;
	rte_edge_t next;

	if (unlikely(m->data_len < sizeof(*ip)))
		return IP6_INPUT_TRUNCATED;
	if (unlikely((rte_pktmbuf_mtod(m, const uint8_t *)[0] >> 4) != 6))
		return IP6_INPUT_BAD_VERSION;
	next = ip6_address_check(m, ip);
	if (next != IP6_INPUT_LOOKUP && next != IP6_INPUT_LOCAL && next != IP6_INPUT_REDIRECT)
		return next;
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* a payload length of 0 is a jumbogram's, checked with the hop-by-hop options */
	if (plen != 0 || ip->proto != IPPROTO_HOPOPTS) {
		if (plen + sizeof(*ip) > m->pkt_len)
			return IP6_INPUT_TRUNCATED;
		if (m->pkt_len > plen + sizeof(*ip)) /* Ethernet padding */
			rte_pktmbuf_trim(m, m->pkt_len - plen - sizeof(*ip));
	}
	if (ip->proto == IPPROTO_HOPOPTS) {
		v = ip6_exthdr_forward(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &info);
		if (v != IP6_EXT_OK)
			return ip6_ext_edge(IP6_INPUT_EXT, v, &info, m);
	}
	return next;
}

/*
 * The common packet in one test: version 6, a frame exactly as long as the packet, no
 * hop-by-hop options and no address that needs a closer look; any other gets ip6_check()'s.
 */
static inline bool ip6_is_plain(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip)
{
	return m->data_len >= sizeof(*ip) &&
	       (ip->vtc_flow & RTE_BE32(0xf0000000)) == RTE_BE32(0x60000000) &&
	       rte_be_to_cpu_16(ip->payload_len) + sizeof(*ip) == m->pkt_len &&
	       ip->proto != IPPROTO_HOPOPTS &&
	       !(ip6_special_first_byte[ip->src_addr[0]] | ip6_special_first_byte[ip->dst_addr[0]]);
}

static uint16_t ip6_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint8_t dst[n][16];
	uint64_t nh[n];
	int vrf = fp_mbuf_priv(objs[0])->vrf;

	/* every packet is looked up, even one that failed a check: cheaper than sorting them out */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

		nexts[i] = likely(ip6_is_plain(m, ip)) ? IP6_INPUT_LOOKUP : ip6_check(m);
		memcpy(dst[i], ip->dst_addr, 16);
		if (unlikely(fp_mbuf_priv(m)->vrf != vrf))
			vrf = IP6_VRF_MIXED;
	}
	ip6_fib_lookup((struct rte_mbuf *const *)objs, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++)
		if (likely(nexts[i] == IP6_INPUT_LOOKUP)) {
			nexts[i] = ip6_route_decide(objs[i], nh[i]);
			/* back out of the link it came from: ip6_forward()'s redirect case */
			if (unlikely(nexts[i] == IP6_INPUT_FORWARD &&
				     fp_mbuf_priv(objs[i])->iface_out ==
					     fp_mbuf_priv(objs[i])->iface_in))
				nexts[i] = IP6_INPUT_REDIRECT;
		}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip6_input_node = {
	.name = "ip6_input",
	.process = ip6_input_process,
	.nb_edges = IP6_INPUT_EDGES,
	.next_nodes =
		{
			[IP6_INPUT_FORWARD] = "ip6_forward",
			[IP6_INPUT_LOCAL] = "ip6_local",
			[IP6_INPUT_NO_ROUTE] = "ip6_no_route",
			[IP6_INPUT_BLACKHOLE] = "ip6_blackhole",
			[IP6_INPUT_UNREACHABLE] = "ip6_unreachable_route",
			[IP6_INPUT_PROHIBIT] = "ip6_prohibited_route",
			[IP6_INPUT_TRUNCATED] = "ip6_truncated",
			[IP6_INPUT_BAD_VERSION] = "ip6_bad_version",
			[IP6_INPUT_MARTIAN_SOURCE] = "ip6_martian_source",
			[IP6_INPUT_MARTIAN_DESTINATION] = "ip6_martian_destination",
			[IP6_INPUT_MULTICAST] = "ip6_multicast",
			[IP6_INPUT_KERNEL] = TWIN_NODE,
			[IP6_INPUT_REDIRECT] = "ip6_redirect",
			IP6_EXT_NEXT_NODES(IP6_INPUT_EXT),
		},
};
FP_NODE_REGISTER(ip6_input_node)
FP_DROP_NODE(ip6_truncated)
FP_DROP_NODE(ip6_bad_version)
FP_DROP_NODE(ip6_martian_source)
FP_DROP_NODE(ip6_martian_destination)
FP_DROP_NODE(ip6_multicast)
/* the extension-header walk's verdicts, ip6_input's and ip6_local's */
FP_DROP_NODE(ip6_ext_truncated)
FP_DROP_NODE(ip6_ext_bad_header)
FP_DROP_NODE(ip6_ext_too_many)
FP_DROP_NODE(ip6_ext_discard)
IP6_ICMP_ERROR_NODE(ip6_param_problem_field, ICMP6_PARAM_PROBLEM, IP6_EXT_PP_HEADER_FIELD)
IP6_ICMP_ERROR_NODE(ip6_unknown_next_header, ICMP6_PARAM_PROBLEM, IP6_EXT_PP_UNKNOWN_NEXT_HEADER)
IP6_ICMP_ERROR_NODE(ip6_unknown_option, ICMP6_PARAM_PROBLEM, IP6_EXT_PP_UNKNOWN_OPTION)
IP6_ICMP_ERROR_NODE(ip6_incomplete_chain, ICMP6_PARAM_PROBLEM, IP6_EXT_PP_INCOMPLETE_CHAIN)
