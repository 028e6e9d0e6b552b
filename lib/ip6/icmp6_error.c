/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr6.h"
#include "infra/icmp_limit.h"
#include "infra/iface.h"
#include "ip6.h"

/* Linux icmp6_send(): the error fits in the minimum MTU, quoting as much of the packet */
#define ICMP6_QUOTE_MAX (IP6_MIN_MTU - IP6_HDR_LEN - sizeof(struct icmp6_hdr))

enum {
	ICMP6_ERROR_OUTPUT,
	ICMP6_ERROR_SUPPRESSED,
	ICMP6_ERROR_RATE_LIMITED,
	ICMP6_ERROR_NO_SOURCE,
	ICMP6_ERROR_EDGES,
};

/* Every protocol number: the walk finds the upper layer whatever it is. */
static const struct ip6_proto_set any_proto = {.bits = {~0ull, ~0ull, ~0ull, ~0ull}};

/* is_ineligible(): an ICMPv6 error (or an ICMPv6 header cut short) is never answered. */
static bool is_ineligible(const struct rte_mbuf *m)
{
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	struct ip6_exthdr_info info;
	enum ip6_exthdr_verdict v = ip6_exthdr_local(pkt, m->data_len, &any_proto, 0, &info);

	if ((v != IP6_EXT_OK && v != IP6_EXT_FRAGMENT) || info.proto != IPPROTO_ICMPV6)
		return false;
	if (info.l4_offset >= m->data_len)
		/* a later fragment has no ICMPv6 header to look at (RFC 8200 4.5) */
		return !(v == IP6_EXT_FRAGMENT && info.frag_offset_bytes != 0);
	if (v == IP6_EXT_FRAGMENT && info.frag_offset_bytes != 0)
		return false;
	return !(pkt[info.l4_offset] & ICMP6_INFOMSG_MASK);
}

/* What icmp6_send() refuses to answer (RFC 4443 2.4 e). */
static bool must_not_answer(const struct rte_mbuf *m, const struct fp_mbuf_priv *priv)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	const uint8_t *pkt = (const uint8_t *)ip;

	if (fp_ip6_is_multicast(ip6_dst(ip)) || (priv->flags & FP_MBUF_L2_MULTICAST)) {
		/* e.3: but packet too big, and an unknown option whose type asks for it */
		bool opt_unrec = priv->icmp_type == ICMP6_PARAM_PROBLEM &&
				 priv->icmp_code == IP6_EXT_PP_UNKNOWN_OPTION &&
				 priv->icmp_info < m->data_len &&
				 (pkt[priv->icmp_info] & 0xc0) == 0x80;

		if (priv->icmp_type != ICMP6_PKT_TOO_BIG && !opt_unrec)
			return true;
	}
	/* the source must name one node */
	if (fp_ip6_is_unspecified(ip6_src(ip)) || fp_ip6_is_multicast(ip6_src(ip)))
		return true;
	return is_ineligible(m);
}

/* The address the error comes from: the offending packet's destination if it is ours. */
static bool error_source(uint16_t iface_in, const struct rte_ipv6_hdr *ip, struct fp_ip6_addr *src)
{
	const struct iface *in = iface_get(iface_in);

	if (ip6_iface_has_addr(iface_in, ip6_dst(ip))) {
		*src = *ip6_dst(ip);
		return true;
	}
	if (!fp_ip6_is_link_local(ip6_dst(ip)) && !fp_ip6_is_multicast(ip6_dst(ip)))
		for (uint16_t i = 0; in != NULL && i < FP_MAX_IFACES; i++)
			if (iface_get(i) != NULL && iface_get(i)->vrf == in->vrf &&
				ip6_iface_has_addr(i, ip6_dst(ip))) {
				*src = *ip6_dst(ip);
				return true;
			}
	return ip6_addr_source(iface_in, ip6_src(ip), src);
}

/*
 * icmpv6_xrlim_allow() takes the prefix length of the route to the destination: fastpath takes
 * that of the destination's connected network on the interface (a link-local one's is 64), and
 * 0 (a default route's) for a host beyond it.
 */
static bool allowed(uint16_t iface, const struct fp_ip6_addr *dst, uint8_t type)
{
	const struct ip6_iface_addrs *as = ip6_iface_addrs(iface);
	unsigned int plen = fp_ip6_is_link_local(dst) ? 64 : 0;

	for (unsigned int i = 0; as != NULL && i < as->n; i++) {
		struct fp_ip6_addr a = fp_ip6_masked(&as->a[i].p.addr, as->a[i].p.len);
		struct fp_ip6_addr d = fp_ip6_masked(dst, as->a[i].p.len);

		if (fp_ip6_equal(&a, &d) && as->a[i].p.len > plen)
			plen = as->a[i].p.len;
	}
	return icmp6_error_allowed(ip6_host_tag(dst), type, plen);
}

static inline rte_edge_t error_one(struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct iface *in = iface_get(priv->iface_in);
	struct rte_ipv6_hdr *orig = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct fp_ip6_addr src, dst = *ip6_src(orig);
	struct rte_ipv6_hdr *ip;
	struct icmp6_hdr *icmp;
	uint32_t sum, len;
	uint16_t cksum;

	if (in == NULL || must_not_answer(m, priv))
		return ICMP6_ERROR_SUPPRESSED;
	if (!error_source(priv->iface_in, orig, &src))
		return ICMP6_ERROR_NO_SOURCE;
	if (!allowed(priv->iface_in, &dst, priv->icmp_type))
		return ICMP6_ERROR_RATE_LIMITED;
	if (m->pkt_len > ICMP6_QUOTE_MAX) /* a reassembled datagram is a chain */
		fp_mbuf_trim(m, ICMP6_QUOTE_MAX);
	icmp = (struct icmp6_hdr *)rte_pktmbuf_prepend(m, sizeof(*icmp));
	ip = (struct rte_ipv6_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip));
	if (icmp == NULL || ip == NULL)
		return ICMP6_ERROR_SUPPRESSED;
	len = m->pkt_len - sizeof(*ip);
	*icmp = (struct icmp6_hdr){.type = priv->icmp_type, .code = priv->icmp_code};
	if (priv->icmp_type == ICMP6_PKT_TOO_BIG || priv->icmp_type == ICMP6_PARAM_PROBLEM)
		icmp->data = rte_cpu_to_be_32(priv->icmp_info);
	*ip = (struct rte_ipv6_hdr){
		.vtc_flow = RTE_BE32(0x60000000) | ip6_auto_flowlabel(&src, &dst, IPPROTO_ICMPV6),
		.payload_len = rte_cpu_to_be_16(len),
		.proto = IPPROTO_ICMPV6,
		.hop_limits = IP6_DEFAULT_HOP_LIMIT,
	};
	memcpy(ip->src_addr, &src, 16);
	memcpy(ip->dst_addr, &dst, 16);
	sum = ip6_phdr_sum(&src, &dst, len, IPPROTO_ICMPV6);
	if (rte_raw_cksum_mbuf(m, sizeof(*ip), len, &cksum) < 0)
		return ICMP6_ERROR_SUPPRESSED;
	icmp->cksum = ~__rte_raw_cksum_reduce(sum + cksum);
	priv->flags = FP_MBUF_LOCAL_ORIGIN | FP_MBUF_AT_L3;
	priv->vrf = in->vrf;
	priv->iface_out = priv->iface_in;
	priv->neigh = NULL;
	return ICMP6_ERROR_OUTPUT;
}

/* Builds the ICMPv6 error asked for by the previous node, in the offending packet's mbuf. */
FP_NODE_PROCESS_EACH(icmp6_error_process, error_one)

static struct rte_node_register icmp6_error_node = {
	.name = "icmp6_error",
	.process = icmp6_error_process,
	.nb_edges = ICMP6_ERROR_EDGES,
	.next_nodes =
		{
			[ICMP6_ERROR_OUTPUT] = "ip6_route",
			[ICMP6_ERROR_SUPPRESSED] = "icmp6_error_suppressed",
			[ICMP6_ERROR_RATE_LIMITED] = "icmp6_rate_limited",
			[ICMP6_ERROR_NO_SOURCE] = "icmp6_no_source_address",
		},
};
FP_NODE_REGISTER(icmp6_error_node)
FP_DROP_NODE(icmp6_error_suppressed)
FP_DROP_NODE(icmp6_rate_limited)
FP_DROP_NODE(icmp6_no_source_address)
