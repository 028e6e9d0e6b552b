/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The IPv6 route table: one rte_fib6 (TRIE) per VRF, created with the VRF's first IPv6 route,
 * whose values are the next-hop groups of fib.h, shared with IPv4. The same route types as
 * IPv4 but broadcast; the same ECMP; the same rules for gateways, and a link-local gateway
 * (fe80::/10) needs its interface, as `ip -6 route add ... via fe80::1 dev p1` does.
 *
 * Datapath: look the destinations up in fp_fib6[vrf] (rte_fib6_lookup_bulk), then read
 * fp_nh_groups[value] as IPv4 does: NULL for FIB6_NO_ROUTE; for a unicast group, the member of
 * the flow (ip6_flow_hash.h) gives iface and neigh, NULL for a connected network (resolve the
 * packet's own destination).
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_fib6.h>

#include "fib.h"

#define FIB6_NO_ROUTE 0 /* group id 0: the value rte_fib6 returns for a miss */

/* NULL until the VRF has an IPv6 route; value: nh group id, FIB6_NO_ROUTE on a miss */
extern struct rte_fib6 *fp_fib6[FP_MAX_VRFS];

/* An IPv6 route as users write it. */
struct route6 {
	uint16_t vrf;
	struct fp_ip6_prefix prefix;
	enum route_type type; /* not ROUTE_BROADCAST */
	enum route_origin origin;
	uint8_t n_nh;
	struct {
		struct fp_ip6_addr gw; /* all zero: none (dev only) */
		uint16_t iface;	       /* FP_IFACE_NONE: found from the gateway */
		uint16_t weight;       /* 0 means 1 */
	} nh[FIB4_ECMP_MAX];
};

/*
 * 0, -EEXIST (unless replace), -ENETUNREACH (a global gateway off every connected IPv6 network
 * of the VRF, or off the one given), -EINVAL (not a network prefix, a link-local gateway
 * without interface, a multicast or loopback gateway, a broadcast route, ...), -ENODEV,
 * -ENOSPC (the VRF's table full: fib.ipv6_max_routes routes or fib.ipv6_tbl8_groups).
 */
int fib6_route_add(const struct route6 *r, bool replace);
int fib6_route_del(uint16_t vrf, const struct fp_ip6_prefix *p);
/* Exact match. */
int fib6_route_get(uint16_t vrf, const struct fp_ip6_prefix *p, struct route6 *out);
/* Longest match for control code (gateway checks, NDP): the group or NULL. */
const struct nh_group *fib6_lookup(uint16_t vrf, const struct fp_ip6_addr *addr);
/* Calls cb for every IPv6 route of vrf (all VRFs if UINT16_MAX); stops if cb returns non-0. */
int fib6_routes_walk(uint16_t vrf, int (*cb)(const struct route6 *r, void *arg), void *arg);
unsigned int fib6_route_count(uint16_t vrf);

/*
 * The size of the tables created from now on (the config's "fib" section; by default
 * FIB6_DEFAULT_ROUTES routes and FIB6_TBL8_FOR() them tbl8 groups). A table keeps the size it
 * was created with. 0 or -EINVAL. The default, 64k routes, takes about 150 MB, so that a small
 * machine starts (1M take 1.6 GB): fib.ipv6_max_routes raises it.
 */
#define FIB6_DEFAULT_ROUTES (1u << 16)
/* A /48 alone in its /40 takes a tbl8 group, and its /32 and /24 one more each when new. */
#define FIB6_TBL8_FOR(routes) ((routes) + (routes) / 16)
int fib6_set_size(uint32_t max_routes, uint32_t tbl8_groups);
void fib6_get_size(uint32_t *max_routes, uint32_t *tbl8_groups);
/* The tbl8 groups vrf's table may need now (an upper bound of those it uses), and its pool. */
unsigned int fib6_tbl8_used(uint16_t vrf, unsigned int *pool);
