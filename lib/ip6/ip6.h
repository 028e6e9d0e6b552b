/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_jhash.h>

#include "base/fp_net.h"
#include "graph/graph.h"
#include "graph/mbuf.h"
#include "infra/sysctl.h"

#define IP6_HDR_LEN	      40
#define IP6_DEFAULT_HOP_LIMIT 64  /* net.ipv6.conf.all.hop_limit */
#define IP6_ND_HOP_LIMIT      255 /* NDP messages are sent and accepted with this only */
#define IP6_MIN_MTU	      1280

/* ICMPv6 types and codes (RFC 4443, RFC 4861) */
#define ICMP6_DEST_UNREACH	1
#define ICMP6_PKT_TOO_BIG	2
#define ICMP6_TIME_EXCEEDED	3
#define ICMP6_PARAM_PROBLEM	4
#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129
#define ICMP6_ROUTER_SOLICIT	133
#define ICMP6_ROUTER_ADVERT	134
#define ICMP6_NEIGHBOUR_SOLICIT 135
#define ICMP6_NEIGHBOUR_ADVERT	136
#define ICMP6_REDIRECT		137
#define ICMP6_INFOMSG_MASK	0x80 /* types from 128 are informational */
#define ICMP6_NOROUTE		0    /* destination unreachable codes */
#define ICMP6_ADM_PROHIBITED	1
#define ICMP6_NOT_NEIGHBOUR	2 /* beyond the scope of the source address */
#define ICMP6_ADDR_UNREACH	3
#define ICMP6_PORT_UNREACH	4
#define ICMP6_POLICY_FAIL	5
#define ICMP6_REJECT_ROUTE	6
#define ICMP6_EXC_HOPLIMIT	0

struct icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t data; /* echo: id and sequence; too big: MTU; parameter problem: pointer */
} __rte_packed;

/* The header's addresses as fastpath's type. */
static inline const struct fp_ip6_addr *ip6_src(const struct rte_ipv6_hdr *ip)
{
	return (const struct fp_ip6_addr *)ip->src_addr;
}

static inline const struct fp_ip6_addr *ip6_dst(const struct rte_ipv6_hdr *ip)
{
	return (const struct fp_ip6_addr *)ip->dst_addr;
}

/* ff02::1 */
static const struct fp_ip6_addr ip6_all_nodes = {{0xff, 0x02, [15] = 1}};

/* ff02::1, ff02::2 */
static inline bool ip6_is_all_nodes(const struct fp_ip6_addr *a)
{
	return fp_ip6_equal(a, &ip6_all_nodes);
}

static inline bool ip6_is_all_routers(const struct fp_ip6_addr *a)
{
	static const struct fp_ip6_addr all_routers = {{0xff, 0x02, [15] = 2}};

	return fp_ip6_equal(a, &all_routers);
}

/* ff02::1:ff00:0/104 */
static inline bool ip6_is_solicited_node(const struct fp_ip6_addr *a)
{
	static const uint8_t prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(a->bytes, prefix, sizeof(prefix)) == 0;
}

/* The scope field of a multicast address (RFC 4291 2.7): 1 interface-local, 2 link-local... */
static inline uint8_t ip6_mc_scope(const struct fp_ip6_addr *a)
{
	return a->bytes[1] & 0x0f;
}

/*
 * The one's complement sum of the upper-layer pseudo-header (RFC 8200 8.1) of a packet from
 * src to dst carrying len bytes of proto, folded to 16 bits (not complemented).
 */
static inline uint16_t ip6_phdr_sum(
	const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst, uint32_t len, uint8_t proto)
{
	uint32_t sum = __rte_raw_cksum(src, sizeof(*src), 0);
	rte_be32_t blen = rte_cpu_to_be_32(len), bproto = rte_cpu_to_be_32(proto);

	sum = __rte_raw_cksum(dst, sizeof(*dst), sum);
	sum = __rte_raw_cksum(&blen, sizeof(blen), sum);
	sum = __rte_raw_cksum(&bproto, sizeof(bproto), sum);
	return __rte_raw_cksum_reduce(sum);
}

/* The checksum field of an ICMPv6 message of len contiguous bytes, checksum field zero. */
static inline uint16_t icmp6_cksum(const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const void *icmp, uint32_t len)
{
	uint32_t sum = ip6_phdr_sum(src, dst, len, IPPROTO_ICMPV6);
	uint16_t c;

	sum = __rte_raw_cksum(icmp, len, sum);
	c = ~__rte_raw_cksum_reduce(sum);
	return c;
}

/* An ICMPv6 error node (FP_ICMP_ERROR_NODE) for icmp6_error. */
#define IP6_ICMP_ERROR_NODE(reason, type, code)                                                    \
	FP_ICMP_ERROR_NODE(reason, type, code, "icmp6_error")

/*
 * The edges of the extension-header walk's verdicts that drop or answer, in a node's edges
 * from base (ip6_input, ip6_local): a drop reason each, and a parameter-problem error node per
 * code, which icmp6_error sends with the pointer the walk found.
 */
enum {
	IP6_EXT_EDGE_TRUNCATED,
	IP6_EXT_EDGE_BAD_HEADER,
	IP6_EXT_EDGE_TOO_MANY,
	IP6_EXT_EDGE_DISCARD,
	IP6_EXT_EDGE_PP_FIELD, /* parameter problem code 0, then codes 1, 2, 3 */
	IP6_EXT_EDGE_PP_NEXT_HEADER,
	IP6_EXT_EDGE_PP_OPTION,
	IP6_EXT_EDGE_PP_CHAIN,
	IP6_EXT_EDGES,
};

#define IP6_EXT_NEXT_NODES(base)                                                                   \
	[(base) + IP6_EXT_EDGE_TRUNCATED] = "ip6_ext_truncated",                                   \
		  [(base) + IP6_EXT_EDGE_BAD_HEADER] = "ip6_ext_bad_header",                       \
		  [(base) + IP6_EXT_EDGE_TOO_MANY] = "ip6_ext_too_many",                           \
		  [(base) + IP6_EXT_EDGE_DISCARD] = "ip6_ext_discard",                             \
		  [(base) + IP6_EXT_EDGE_PP_FIELD] = "ip6_param_problem_field",                    \
		  [(base) + IP6_EXT_EDGE_PP_NEXT_HEADER] = "ip6_unknown_next_header",              \
		  [(base) + IP6_EXT_EDGE_PP_OPTION] = "ip6_unknown_option",                        \
		  [(base) + IP6_EXT_EDGE_PP_CHAIN] = "ip6_incomplete_chain"

#include "ip6_exthdr.h"

/* The edge of a walk's verdict other than IP6_EXT_OK and IP6_EXT_FRAGMENT. */
static inline rte_edge_t ip6_ext_edge(rte_edge_t base, enum ip6_exthdr_verdict v,
	const struct ip6_exthdr_info *info, struct rte_mbuf *m)
{
	switch (v) {
	case IP6_EXT_TRUNCATED:
		return base + IP6_EXT_EDGE_TRUNCATED;
	case IP6_EXT_BAD_HEADER:
		return base + IP6_EXT_EDGE_BAD_HEADER;
	case IP6_EXT_TOO_MANY:
		return base + IP6_EXT_EDGE_TOO_MANY;
	case IP6_EXT_PARAM_PROBLEM:
		fp_mbuf_priv(m)->icmp_info = info->icmp_pointer;
		return base + IP6_EXT_EDGE_PP_FIELD + (info->icmp_code & 3);
	default:
		return base + IP6_EXT_EDGE_DISCARD;
	}
}

extern int32_t ip6_auto_flowlabels; /* net.ipv6.auto_flowlabels */
extern uint32_t ip6_flowlabel_seed;

/*
 * The flow label of a packet the router makes itself (echo replies, ICMPv6 errors), as Linux's
 * ip6_make_flowlabel(): a hash of the flow with a secret seed, so that ECMP and LAG hashing on
 * the flow label downstream (RFC 6438) spread them; none when net.ipv6.auto_flowlabels is 0 or
 * 2 (opt-in, which the router's own messages never opt in to). In network order, to OR into
 * vtc_flow.
 */
static inline rte_be32_t ip6_auto_flowlabel(
	const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst, uint8_t proto)
{
	int32_t mode = sysctl_read(&ip6_auto_flowlabels);
	uint32_t h;

	if (mode != 1 && mode != 3)
		return 0;
	h = rte_jhash(dst, sizeof(*dst), rte_jhash(src, sizeof(*src), ip6_flowlabel_seed) ^ proto);
	return rte_cpu_to_be_32(((h << 16) | (h >> 16)) & 0xfffff);
}

/*
 * A host's name in the ICMP rate limiter's buckets (icmp_peer_allow()). The address may sit
 * anywhere in a packet: copied, as rte_hash_crc reads it in aligned 8-byte words.
 */
static inline uint32_t ip6_host_tag(const struct fp_ip6_addr *a)
{
	struct fp_ip6_addr copy;

	memcpy(&copy, a, sizeof(copy));
	return rte_hash_crc(&copy, sizeof(copy), AF_INET6);
}
