/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/fp_net.h"
#include "infra/iface.h"
#include "ip6.h"

#define IP6_ADDR_MAX 16 /* per interface, the link-local one included */

/*
 * IPv6 addresses of the router's interfaces, as Linux's addrconf keeps them: every port gets
 * its link-local address (fe80::/64 and the EUI-64 of its MAC) when it comes up, and any
 * address goes through duplicate address detection first (RFC 4862 5.4, Linux's defaults:
 * dad_transmits 1, retrans_time 1 s, a random delay of up to rtr_solicit_delay 1 s before the
 * solicitation). A tentative address is not ours yet (no local route, no answer but to DAD);
 * one another node defends is "dadfailed" and stays so, unused, until deleted.
 *
 * A global address installs its local /128 route once DAD succeeds and its connected prefix
 * route at once (fib6_route_add, origin connected), as Linux does; link-local addresses and
 * fe80::/64 stay out of the FIB: a link-local destination is resolved on the interface the
 * packet came in on (ip6_input) or names (the router's own packets).
 */

enum ip6_addr_state {
	IP6_ADDR_TENTATIVE,
	IP6_ADDR_PREFERRED,
	IP6_ADDR_DADFAILED,
};

struct ip6_ifaddr {
	struct fp_ip6_prefix p;
	uint8_t state;	/* enum ip6_addr_state */
	bool automatic; /* the port's link-local address, made by fastpath (never dumped) */
};

/* What the workers read of an interface's addresses, replaced whole (RCU) on a change. */
struct ip6_iface_addrs {
	unsigned int n;
	struct ip6_ifaddr a[IP6_ADDR_MAX];
};

extern struct ip6_iface_addrs *fp_ip6_addrs[FP_MAX_IFACES];

static inline const struct ip6_iface_addrs *ip6_iface_addrs(uint16_t iface)
{
	return iface < FP_MAX_IFACES ? __atomic_load_n(&fp_ip6_addrs[iface], __ATOMIC_ACQUIRE)
				     : NULL;
}

/* Whether a is a usable (not tentative, not dadfailed) address of iface; workers too. */
static inline bool ip6_iface_has_addr(uint16_t iface, const struct fp_ip6_addr *a)
{
	const struct ip6_iface_addrs *as = ip6_iface_addrs(iface);

	for (unsigned int i = 0; as != NULL && i < as->n; i++)
		if (fp_ip6_equal(&as->a[i].p.addr, a))
			return as->a[i].state == IP6_ADDR_PREFERRED;
	return false;
}

/*
 * Whether iface listens to the multicast group mc: all-nodes, all-routers (a router's), and
 * the solicited-node group of each of its addresses, joined from the address's creation as
 * Linux does, so that DAD probes for it are heard; workers too.
 */
static inline bool ip6_iface_joined(uint16_t iface, const struct fp_ip6_addr *mc)
{
	const struct ip6_iface_addrs *as;

	if (ip6_is_all_nodes(mc) || ip6_is_all_routers(mc))
		return true;
	if (!ip6_is_solicited_node(mc) || (as = ip6_iface_addrs(iface)) == NULL)
		return false;
	for (unsigned int i = 0; i < as->n; i++)
		if (memcmp(&as->a[i].p.addr.bytes[13], &mc->bytes[13], 3) == 0 &&
			as->a[i].state != IP6_ADDR_DADFAILED)
			return true;
	return false;
}

/*
 * The source address for a packet to dst sent from iface (RFC 6724 as Linux's
 * ipv6_dev_get_saddr() reads it, in short): for a link-local or multicast link-scope dst, the
 * interface's link-local address; else the interface's global address sharing the longest
 * prefix with dst, else another interface's of the same VRF, else the link-local one. False if
 * there is none; workers too.
 */
bool ip6_addr_source(uint16_t iface, const struct fp_ip6_addr *dst, struct fp_ip6_addr *out);

/* Control thread. */
/* 0, or <0 with the reason (fp_error): EEXIST, EADDRINUSE, ENOSPC, EINVAL, ENODEV... */
int ip6_addr_add(uint16_t iface, const struct fp_ip6_prefix *p);
int ip6_addr_del(uint16_t iface, const struct fp_ip6_prefix *p);
/* The address a on iface, whatever its state, or NULL. */
const struct ip6_ifaddr *ip6_addr_find(uint16_t iface, const struct fp_ip6_addr *a);
/* Another node has a, tentative on iface (NDP saw its NA, or its own DAD probe). */
void ip6_addr_dad_failed(uint16_t iface, const struct fp_ip6_addr *a);
/* Calls cb for every address of every interface until it returns nonzero (returned). */
int ip6_addr_walk(int (*cb)(uint16_t iface, const struct ip6_ifaddr *a, void *arg), void *arg);
const char *ip6_addr_state_name(enum ip6_addr_state s);
/* DAD's timers; the control thread runs it every tick, the tests on a clock of their own. */
void ip6_addr_periodic(int64_t now);
