/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip6_input.h"
#include "eth/eth_input.h"

enum {
	/* IP6_RX_* first */
	IP6_INPUT_TRUNCATED = IP6_RX_EDGES,
	IP6_INPUT_BAD_VERSION,
	IP6_INPUT_MARTIAN_SOURCE,
	IP6_INPUT_MARTIAN_DESTINATION,
	IP6_INPUT_EXT, /* IP6_EXT_EDGES of them */
	IP6_INPUT_EDGES = IP6_INPUT_EXT + IP6_EXT_EDGES,
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

/* The martian addresses of ip6_rcv_core(); IP6_RX_LOOKUP if none. */
static inline rte_edge_t ip6_address_check(const struct rte_ipv6_hdr *ip)
{
	const struct fp_ip6_addr *src = ip6_src(ip), *dst = ip6_dst(ip);

	/* RFC 4291 2.5.3, 2.7; IPv4-mapped sources as Linux (draft-itojun-v6ops-v4mapped-harmful)
	 */
	if (fp_ip6_is_loopback(src) || fp_ip6_is_multicast(src) || fp_ip6_is_v4_mapped(src))
		return IP6_INPUT_MARTIAN_SOURCE;
	if (fp_ip6_is_loopback(dst) || fp_ip6_is_unspecified(dst))
		return IP6_INPUT_MARTIAN_DESTINATION;
	/* scopes 0 (reserved) and 1 (interface-local) never come from a link */
	if (fp_ip6_is_multicast(dst) && ip6_mc_scope(dst) <= 1)
		return IP6_INPUT_MARTIAN_DESTINATION;
	return IP6_RX_LOOKUP;
}

/*
 * The checks of Linux's ip6_rcv_core() and the hop-by-hop options it parses; what passes is
 * to be routed (IP6_RX_LOOKUP or IP6_RX_SPECIAL).
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
	next = ip6_address_check(ip);
	if (next != IP6_RX_LOOKUP)
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
	return ip6_dst_special(ip6_dst(ip)) ? IP6_RX_SPECIAL : IP6_RX_LOOKUP;
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

/*
 * The checks, then the PREROUTING seam (the input interface's mask): a packet with a feature
 * on there enters the hook, whose continuation is ip6_route_input; the others are routed in
 * this node (ip6_rcv_finish()).
 */
static uint16_t ip6_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	const unsigned int pre = FP_HOOK_ID(FP_HOOK_IP6, FP_HOOK_PREROUTING);
	bool hooked = fp_hook_any_mask(pre) != 0; /* on for some interface */
	rte_edge_t nexts[n];			  /* n may exceed a burst: streams grow */
	uint8_t dst[n][16];
	int vrf = fp_mbuf_priv(objs[0])->vrf;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
		uint8_t mask;

		nexts[i] = likely(ip6_is_plain(m, ip)) ? IP6_RX_LOOKUP : ip6_check(m);
		if (unlikely(hooked) && (mask = fp_hook_mask(priv->iface_in, pre)) != 0 &&
			nexts[i] >= IP6_RX_SPECIAL)
			nexts[i] = fp_hook_enter(m, pre, mask, IP6_INPUT_EDGES);
		memcpy(dst[i], ip->dst_addr, 16);
		if (unlikely(priv->vrf != vrf))
			vrf = IP6_VRF_MIXED;
	}
	ip6_route_received(
		objs, dst, nexts, n, vrf, ip6_route_received_fallback(node), IP6_INPUT_EDGES);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip6_input_node = {
	.name = "ip6_input",
	.init = ip6_route_received_init,
	.process = ip6_input_process,
	.nb_edges = IP6_INPUT_EDGES,
	.next_nodes =
		{
			IP6_RX_NEXT_NODES,
			[IP6_INPUT_TRUNCATED] = "ip6_truncated",
			[IP6_INPUT_BAD_VERSION] = "ip6_bad_version",
			[IP6_INPUT_MARTIAN_SOURCE] = "ip6_martian_source",
			[IP6_INPUT_MARTIAN_DESTINATION] = "ip6_martian_destination",
			IP6_EXT_NEXT_NODES(IP6_INPUT_EXT),
		},
};
FP_NODE_REGISTER(ip6_input_node)
FP_HOOK_NODE(ip6_input_node)
ETH_INPUT_REGISTER(ip6_ethertype, RTE_ETHER_TYPE_IPV6, "ip6_input")
FP_LOCAL_FALLBACK_NODE(ip6_input_fallback_entry, "ip6_input")
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
