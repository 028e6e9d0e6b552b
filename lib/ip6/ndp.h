/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "base/fp_net.h"

/*
 * Neighbour discovery on the control thread (ndp.c): NS and NA (RFC 4861 7) as Linux's
 * ndisc.c, the IPv6 resolver of the neighbour table, DAD probes, router advertisements
 * (ra.c). The workers check the IPv6 and ICMPv6 headers (ip6_local) and punt the messages.
 */

/*
 * A neighbour solicitation for target out of iface: from src, or from :: for DAD (src NULL);
 * to dst's MAC and target's address (a unicast probe), or to target's solicited-node group
 * (dst NULL). 0 or <0.
 */
int ndp_send_ns(uint16_t iface, const struct fp_ip6_addr *src, const struct fp_ip6_addr *target,
	const struct rte_ether_addr *dst);

/* Sends the IPv6 packet in buf (len bytes from the IPv6 header) out of iface: the neighbour
 * step decides the MAC (a multicast destination's own). 0 or <0. */
int ndp_send(uint16_t iface, const uint8_t *buf, uint32_t len);

/* Punt reason of the NDP messages ip6_local hands to the control thread. */
extern int ndp_punt_reason;

struct ndp_msg;
/* ra.c: a router solicitation came in on iface (already checked by ndp.c). */
void ra_solicited(uint16_t iface, const struct ndp_msg *msg);
