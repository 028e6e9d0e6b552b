/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_fib.h>

#include "infra/fp_net.h"
#include "infra/iface.h"

#define FIB4_ECMP_MAX  16
#define FIB4_SLOTS_MAX 64 /* ECMP slots, members repeated by weight */

enum route_type {
	ROUTE_UNICAST,
	ROUTE_LOCAL,	   /* one of our addresses: delivered to the router */
	ROUTE_BROADCAST,   /* a subnet broadcast address: delivered, never forwarded */
	ROUTE_BLACKHOLE,   /* dropped silently */
	ROUTE_UNREACHABLE, /* ICMP host unreachable, as Linux */
	ROUTE_PROHIBIT,	   /* ICMP communication administratively prohibited */
	ROUTE_TYPE_MAX,
};

enum route_origin {
	ORIGIN_CONNECTED,
	ORIGIN_STATIC,
	ORIGIN_MAX,
};

extern const char *const route_type_names[ROUTE_TYPE_MAX + 1];
extern const char *const route_origin_names[ORIGIN_MAX + 1];

struct neigh;

/* One path of a route. A NULL neigh means a connected network: resolve the destination. */
struct nh_member {
	struct neigh *neigh;
	uint32_t gw; /* network order, 0 when connected */
	uint16_t iface;
	uint16_t weight;
};

/*
 * What a FIB entry points to (the rte_fib value is the group id): the route's
 * type and its paths. Routes with the same type, origin and paths share one
 * group, so a million routes over two gateways cost two groups.
 */
struct nh_group {
	uint32_t id;
	uint8_t type;
	uint8_t origin;
	uint8_t n_members;
	uint8_t n_slots;
	uint8_t slots[FIB4_SLOTS_MAX]; /* member index per ECMP slot */
	struct nh_member members[FIB4_ECMP_MAX];
	uint32_t refcnt; /* routes using it (control thread) */
};

#define FIB4_NO_ROUTE 0 /* group id 0: the value rte_fib returns for a miss */

extern struct rte_fib *fp_fib4[FP_MAX_VRFS];
extern struct nh_group **fp_nh_groups; /* indexed by group id */

/* A route as users write it. */
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

/* 0, -EEXIST (unless replace), -ENETUNREACH for a gateway off every connected network, ... */
int fib4_route_add(const struct route4 *r, bool replace);
int fib4_route_del(uint16_t vrf, const struct fp_ip4_prefix *p);
/* Exact match. */
int fib4_route_get(uint16_t vrf, const struct fp_ip4_prefix *p, struct route4 *out);
/* Longest match for control code (gateway checks, ARP): the group or NULL. */
const struct nh_group *fib4_lookup(uint16_t vrf, uint32_t addr);
/* Calls cb for every route of vrf (all VRFs if vrf == UINT16_MAX); stops if cb returns non-0. */
int fib4_routes_walk(uint16_t vrf, int (*cb)(const struct route4 *r, void *arg), void *arg);

/* Where a walk stopped, to go on later even if routes were added or deleted meanwhile. */
struct fib4_position {
	uint16_t only_vrf; /* UINT16_MAX: all */
	uint16_t vrf;
	bool started, at_default;
	struct rte_rib_node *node; /* valid while generation is current */
	uint64_t generation;
	struct fp_ip4_prefix last;
};

/* Visits at most max routes from pos on; 1 if more remain, 0 at the end, or cb's value. */
int fib4_routes_walk_from(struct fib4_position *pos, size_t max,
	int (*cb)(const struct route4 *r, void *arg), void *arg);
unsigned int fib4_route_count(uint16_t vrf);
/* Deletes, in every VRF, the routes for which match() is true. 0 or -ENOMEM. */
int fib4_routes_delete_if(bool (*match)(const struct route4 *r, void *arg), void *arg);

/* A route in the schema of the config file and the API (with its origin). */
json_t *route4_to_json(const struct route4 *r);
