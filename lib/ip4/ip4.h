/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "base/fp_net.h"
#include "graph/graph.h"
#include "graph/mbuf.h"

#define IP4_DEFAULT_TTL 64 /* net.ipv4.ip_default_ttl */

/* rte_be_to_cpu_32() is an asm statement the compiler cannot merge: the checks of one
 * address would swap it once per check */
static inline uint32_t ip4_host(uint32_t be)
{
	return RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? __builtin_bswap32(be) : be;
}

static inline bool ip4_is_multicast(uint32_t be)
{
	return (ip4_host(be) >> 28) == 0xe;
}

/* 224.0.0.0/24, never forwarded (RFC 5771): OSPF, RIPv2, VRRP, IGMP... */
static inline bool ip4_is_link_local_multicast(uint32_t be)
{
	return (ip4_host(be) >> 8) == 0xe00000;
}

static inline bool ip4_is_lbcast(uint32_t be)
{
	return be == 0xffffffff;
}

static inline bool ip4_is_zeronet(uint32_t be)
{
	return (ip4_host(be) >> 24) == 0;
}

static inline bool ip4_is_loopback(uint32_t be)
{
	return (ip4_host(be) >> 24) == 127;
}

/*
 * What a is when no host may have it (unspecified, IPv4 broadcast, loopback, multicast), or
 * NULL: for the addresses of neighbours and interfaces.
 */
static inline const char *ip_addr_not_unicast(const struct fp_ip_addr *a)
{
	if (a->family == AF_INET)
		return a->v4 == 0		 ? "the unspecified address"
		       : ip4_is_lbcast(a->v4)	 ? "the broadcast address"
		       : ip4_is_loopback(a->v4)	 ? "a loopback address"
		       : ip4_is_multicast(a->v4) ? "a multicast address"
						 : NULL;
	return fp_ip6_is_unspecified(&a->v6) ? "the unspecified address"
	       : fp_ip6_is_loopback(&a->v6)  ? "the loopback address"
	       : fp_ip6_is_multicast(&a->v6) ? "a multicast address"
					     : NULL;
}

typedef uint32_t ip4_unaligned_u32 __attribute__((aligned(1), may_alias));

/*
 * The header checksum verifies when the one's complement sum of its 16-bit words is 0xffff,
 * that is when their plain sum is a non-zero multiple of 0xffff; 2^16 = 1 modulo 0xffff, so
 * the plain sum of the 32-bit words (in either byte order) has the same remainder.
 */
static inline bool ip4_header_checksum_ok(const struct rte_ipv4_hdr *ip, unsigned int words)
{
	const ip4_unaligned_u32 *w = (const ip4_unaligned_u32 *)ip;
	uint64_t sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];

	for (unsigned int i = 5; i < words; i++)
		sum += w[i];
	return sum % 0xffff == 0 && sum != 0;
}

/* An ICMP error node (FP_ICMP_ERROR_NODE) for icmp4_error. */
#define IP4_ICMP_ERROR_NODE(reason, type, code)                                                    \
	FP_ICMP_ERROR_NODE(reason, type, code, "icmp4_error")

/* ICMP types and codes (RFC 792) */
#define ICMP4_ECHO_REPLY    0
#define ICMP4_DEST_UNREACH  3
#define ICMP4_REDIRECT	    5
#define ICMP4_ECHO_REQUEST  8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_NET_UNREACH   0
#define ICMP4_HOST_UNREACH  1
#define ICMP4_PROT_UNREACH  2
#define ICMP4_PORT_UNREACH  3
#define ICMP4_FRAG_NEEDED   4
#define ICMP4_SR_FAILED	    5
#define ICMP4_PKT_FILTERED  13
#define ICMP4_REDIR_HOST    1 /* redirect codes: for the host */
