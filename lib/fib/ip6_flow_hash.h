/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The ECMP flow hash of an IPv6 packet, for the datapath: a unicast group's member is
 * g->members[g->slots[ip6_flow_hash(...) % g->n_slots]] (when g->n_slots > 1), as IPv4's
 * ip4_flow_hash() picks it. Every packet of a flow hashes the same, so a flow keeps one path.
 */

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>

_Static_assert(
	offsetof(struct rte_ipv6_hdr, dst_addr) == offsetof(struct rte_ipv6_hdr, src_addr) + 16,
	"the addresses are read as one 32-byte run");

/*
 * Source, destination, flow label and proto (the upper-layer protocol the extension-header
 * walk ended at, or the fixed header's next header where the caller walks no further) and,
 * for TCP and UDP, the ports at l4_offset bytes from the fixed header. Pass l4_offset 0 for a
 * fragment, or when the ports are not known: the flow is then its addresses and label (Linux's
 * fib_multipath_hash_policy 1 hashes the ports too, and a fragment without them).
 */
static inline uint32_t ip6_flow_hash(
	const struct rte_ipv6_hdr *ip, uint8_t proto, uint16_t l4_offset)
{
	uint32_t h = ((rte_be_to_cpu_32(ip->vtc_flow) & 0xfffff) << 8) | proto;
	uint64_t a[4];

	memcpy(a, ip->src_addr, sizeof(a)); /* src_addr, then dst_addr */
	h = rte_hash_crc_8byte(a[0], h);
	h = rte_hash_crc_8byte(a[1], h);
	h = rte_hash_crc_8byte(a[2], h);
	h = rte_hash_crc_8byte(a[3], h);
	if (l4_offset != 0 && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		uint32_t ports;

		memcpy(&ports, (const uint8_t *)ip + l4_offset, sizeof(ports));
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}
