/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/* The test of ip_rcv_core() that most packets pass, shared by ip4_input and ip4_fastpath. */

#include "ip4.h"

/* First octets of addresses that need a closer look: 0, 127, 224-255 (ip4_martian_check()). */
static const bool ip4_special_first_octet[256] = {
	[0] = true,
	[127] = true,
	[224 ... 255] = true,
};

/*
 * The common packet in one test: no options, a frame exactly as long as the packet, a good
 * checksum and no address that needs a closer look; any other gets ip4_check()'s verdict in
 * ip4_input. seg_len and pkt_len count from the IPv4 header on.
 */
static inline bool ip4_is_plain(
	const struct rte_ipv4_hdr *ip, uint32_t seg_len, uint32_t pkt_len, uint64_t ol_flags)
{
	uint64_t cksum = ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	return seg_len >= sizeof(*ip) && ip->version_ihl == RTE_IPV4_VHL_DEF &&
	       rte_be_to_cpu_16(ip->total_length) == pkt_len &&
	       (cksum == RTE_MBUF_F_RX_IP_CKSUM_GOOD ||
		       (cksum != RTE_MBUF_F_RX_IP_CKSUM_BAD && ip4_header_checksum_ok(ip, 5))) &&
	       !(ip4_special_first_octet[((const uint8_t *)&ip->src_addr)[0]] |
		       ip4_special_first_octet[((const uint8_t *)&ip->dst_addr)[0]]);
}
