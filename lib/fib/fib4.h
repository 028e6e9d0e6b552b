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
/* Longest match for control code (gateway checks, ARP): the group or NULL. */
const struct nh_group *fib4_lookup(uint16_t vrf, uint32_t addr);
/* Calls cb for every route of vrf (all VRFs if vrf == UINT16_MAX); stops if cb returns non-0. */
int fib4_routes_walk(uint16_t vrf, int (*cb)(const struct route4 *r, void *arg), void *arg);
unsigned int fib4_route_count(uint16_t vrf);
