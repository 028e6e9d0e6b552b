/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_fib.h>

#include "fib.h"

#define FIB4_NO_ROUTE 0 /* group id 0: the value rte_fib returns for a miss */

extern struct rte_fib *fp_fib4[FP_MAX_VRFS];

/* An IPv4 route as users write it. */
struct route4 {
	uint16_t vrf;
	struct fp_ip4_prefix prefix;
	enum route_type type;
	enum route_origin origin;
	uint8_t n_nh;
	struct {
		uint32_t gw;	/* 0: none (dev only) */
		uint16_t iface; /* FP_IFACE_NONE: found from the gateway */
		uint16_t weight;
	} nh[FIB4_ECMP_MAX];
};

/*
 * fib.h's functions for IPv4 routes. 0, -EEXIST (unless replace), -ENETUNREACH for a gateway
 * off every connected network, ...
 */
int fib4_route_add(const struct route4 *r, bool replace);
int fib4_route_del(uint16_t vrf, const struct fp_ip4_prefix *p);
/* Exact match. */
int fib4_route_get(uint16_t vrf, const struct fp_ip4_prefix *p, struct route4 *out);
/*
 * The size of the IPv4 tables made from then on: max_routes routes, tbl8_groups groups of 256
 * entries for the routes longer than /24 (one each /24 that holds some). A table keeps its size,
 * but VRF 0's while it has no route. 0 or -EINVAL, -ENOMEM (fp_error). The default, 64k routes,
 * takes about 95 MB (its 2^24 first-level entries 64 MB of it), so that a small machine starts;
 * 1M, a full BGP table, about 520 MB: fib.ipv4_max_routes raises it.
 */
#define FIB4_DEFAULT_ROUTES (1u << 16)
/* Few routes are longer than /24 in practice: a group for 1 route in 32, 1024 at least. */
#define FIB4_TBL8_FOR(routes) ((routes) / 32 > 1024 ? (routes) / 32 : 1024)
int fib4_set_size(uint32_t max_routes, uint32_t tbl8_groups);
void fib4_get_size(uint32_t *max_routes, uint32_t *tbl8_groups);
/* Longest match for control code (gateway checks, ARP): the group or NULL. */
const struct nh_group *fib4_lookup(uint16_t vrf, uint32_t addr);
/* Calls cb for every route of vrf (all VRFs if vrf == UINT16_MAX); stops if cb returns non-0. */
int fib4_routes_walk(uint16_t vrf, int (*cb)(const struct route4 *r, void *arg), void *arg);
unsigned int fib4_route_count(uint16_t vrf);
