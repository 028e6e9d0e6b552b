/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/control.h"
#include "infra/icmp_limit.h"
#include "infra/iface.h"
#include "ip4.h"
#include "ip4_options.h"

#include <errno.h>

#include <rte_icmp.h>

/*
 * Linux icmp_send(): at most 576 bytes of error, with its options (those of the offending
 * packet, echoed), the offending header and as much data.
 */
#define ICMP4_ERROR_MAX 576
#define ICMP4_QUOTE_MAX(optlen)                                                                    \
	(ICMP4_ERROR_MAX - sizeof(struct rte_ipv4_hdr) - (optlen) - sizeof(struct rte_icmp_hdr))

enum {
	ICMP4_ERROR_OUTPUT,
	ICMP4_ERROR_SUPPRESSED,
	ICMP4_ERROR_RATE_LIMITED,
	ICMP4_ERROR_NO_SOURCE,
	ICMP4_ERROR_OPTIONS_NO_ROOM,
	ICMP4_ERROR_EDGES,
};

static bool icmp_is_error(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const struct rte_icmp_hdr *icmp;
	uint8_t hlen = (ip->version_ihl & 0xf) * 4;

	if (ip->next_proto_id != IPPROTO_ICMP || m->data_len < hlen + 1)
		return false;
	icmp = (const struct rte_icmp_hdr *)((const uint8_t *)ip + hlen);
	/* the informational types: echo, timestamp, info and address mask, requests and replies */
	switch (icmp->icmp_type) {
	case 0:
	case 8:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
		return false;
	default:
		return true;
	}
}

/* What icmp_send() refuses to answer (RFC 1122 3.2.2). */
static bool must_not_answer(const struct rte_mbuf *m, uint8_t flags, const struct rte_ipv4_hdr *ip)
{
	return (flags & (FP_MBUF_BROADCAST | FP_MBUF_L2_MULTICAST)) ||
	       ip4_is_multicast(ip->dst_addr) || ip4_is_lbcast(ip->dst_addr) ||
	       ip4_is_zeronet(ip->src_addr) || ip4_is_multicast(ip->src_addr) ||
	       ip4_is_lbcast(ip->src_addr) || ip4_is_loopback(ip->src_addr) ||
	       (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) || icmp_is_error(m, ip);
}

static inline rte_edge_t error_one(uint16_t *ip_id, struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const struct iface *in = iface_get(priv->iface_in);
	struct rte_ipv4_hdr *orig = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct ip4_opt_echo echo = {.len = 0};
	uint32_t src, dst = orig->src_addr, final_dst = dst;
	uint8_t tos = orig->type_of_service;

	if (must_not_answer(m, priv->flags, orig))
		return ICMP4_ERROR_SUPPRESSED;
	if (unlikely(orig->version_ihl != RTE_IPV4_VHL_DEF)) {
		if (ip4_options_answer(m, &echo) < 0)
			return ICMP4_ERROR_OPTIONS_NO_ROOM;
		if (echo.opt.srr) /* back along the source route */
			dst = echo.first_hop;
	}
	src = in != NULL ? __atomic_load_n(&in->ip4_primary, __ATOMIC_RELAXED) : 0;
	if (src == 0)
		return ICMP4_ERROR_NO_SOURCE;
	if (!icmp4_error_allowed(rte_be_to_cpu_32(dst), priv->icmp_type, priv->icmp_code))
		return ICMP4_ERROR_RATE_LIMITED;
	/* a reassembled datagram is a chain: its quote, one segment, as the header is written */
	if (m->pkt_len > ICMP4_QUOTE_MAX(echo.len))
		fp_mbuf_trim(m, ICMP4_QUOTE_MAX(echo.len));
	if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) < 0)
		return ICMP4_ERROR_SUPPRESSED;
	icmp = (struct rte_icmp_hdr *)rte_pktmbuf_prepend(m, sizeof(*icmp));
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip) + echo.len);
	if (icmp == NULL || ip == NULL)
		return ICMP4_ERROR_SUPPRESSED;
	*icmp = (struct rte_icmp_hdr){.icmp_type = priv->icmp_type, .icmp_code = priv->icmp_code};
	if (priv->icmp_type == ICMP4_DEST_UNREACH && priv->icmp_code == ICMP4_FRAG_NEEDED)
		icmp->icmp_seq_nb = rte_cpu_to_be_16(priv->icmp_info);
	else if (priv->icmp_type == ICMP4_PARAM_PROBLEM) /* the pointer, in the first byte */
		icmp->icmp_ident = rte_cpu_to_be_16(priv->icmp_info << 8);
	else if (priv->icmp_type == ICMP4_REDIRECT) /* the gateway's address, network order */
		memcpy(&icmp->icmp_ident, &priv->icmp_info, sizeof(priv->icmp_info));
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, m->pkt_len - sizeof(*ip) - echo.len);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		/* RT_TOS(tos) | IPTOS_PREC_INTERNETCONTROL, as icmp_send() */
		.type_of_service = (tos & 0x1e) | 0xc0,
		.total_length = rte_cpu_to_be_16(m->pkt_len),
		.packet_id = rte_cpu_to_be_16((*ip_id)++),
		.time_to_live = IP4_DEFAULT_TTL,
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = src,
		.dst_addr = dst,
	};
	if (echo.len)
		ip4_options_answer_build(m, ip, &echo, final_dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	priv->flags = FP_MBUF_LOCAL_ORIGIN | FP_MBUF_AT_L3;
	priv->vrf = in->vrf;
	return ICMP4_ERROR_OUTPUT;
}

/* Builds the ICMP error asked for by the previous node, in the offending packet's mbuf. */
static uint16_t icmp4_error_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t *ip_id = (uint16_t *)node->ctx; /* per worker: no sharing for ids */
	rte_edge_t nexts[n];			 /* n may exceed a burst: streams grow */

	for (uint16_t i = 0; i < n; i++)
		nexts[i] = error_one(ip_id, objs[i]);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register icmp4_error_node = {
	.name = "icmp4_error",
	.process = icmp4_error_process,
	.nb_edges = ICMP4_ERROR_EDGES,
	.next_nodes =
		{
			[ICMP4_ERROR_OUTPUT] = "ip4_route",
			[ICMP4_ERROR_SUPPRESSED] = "icmp4_error_suppressed",
			[ICMP4_ERROR_RATE_LIMITED] = "icmp4_rate_limited",
			[ICMP4_ERROR_NO_SOURCE] = "icmp4_no_source_address",
			[ICMP4_ERROR_OPTIONS_NO_ROOM] = "ip4_options_no_room",
		},
};
FP_NODE_REGISTER(icmp4_error_node)
FP_DROP_NODE(icmp4_error_suppressed)
FP_DROP_NODE(icmp4_rate_limited)
FP_DROP_NODE(icmp4_no_source_address)
