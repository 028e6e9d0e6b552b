/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * What the IPv4 and IPv6 route tables share: route types and origins, the next-hop groups
 * that FIB entries point to (one pool of ids for both families), and the route functions that
 * take a route of either family. fib4.h and fib6.h add each family's table and its own route
 * struct (route4, route6), whose functions are these for one family.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/fp_net.h"
#include "infra/iface.h"

#define FIB4_ECMP_MAX  16 /* next hops of a route, either family */
#define FIB4_SLOTS_MAX 64 /* ECMP slots, members repeated by weight */

enum route_type {
	ROUTE_UNICAST,
	ROUTE_LOCAL,	   /* one of our addresses: delivered to the router */
	ROUTE_BROADCAST,   /* a subnet broadcast address (IPv4 only): delivered, never forwarded */
	ROUTE_BLACKHOLE,   /* dropped silently */
	ROUTE_UNREACHABLE, /* ICMP host unreachable, as Linux */
	ROUTE_PROHIBIT,	   /* ICMP communication administratively prohibited */
	ROUTE_TYPE_MAX,
};

/* What the FIB says about a destination; each family's nodes map it to their edges. */
enum route_verdict {
	ROUTE_TO_NEXT_HOP, /* priv->iface_out and neigh are set (IPv4: nh_addr too) */
	ROUTE_TO_US,
	ROUTE_NONE,
	ROUTE_TO_BLACKHOLE,
	ROUTE_TO_UNREACHABLE,
	ROUTE_TO_PROHIBIT,
};

/* The verdict of a route that does not forward: delivered, dropped or answered. */
static inline enum route_verdict route_verdict_not_unicast(uint8_t type)
{
	switch (type) {
	case ROUTE_LOCAL:
	case ROUTE_BROADCAST:
		return ROUTE_TO_US;
	case ROUTE_BLACKHOLE:
		return ROUTE_TO_BLACKHOLE;
	case ROUTE_UNREACHABLE:
		return ROUTE_TO_UNREACHABLE;
	case ROUTE_PROHIBIT:
		return ROUTE_TO_PROHIBIT;
	default:
		return ROUTE_NONE;
	}
}

enum route_origin {
	ORIGIN_CONNECTED,
	ORIGIN_STATIC,
	ORIGIN_KERNEL, /* mirrored from the kernel's tables (lib/netlink); yields to the others */
	ORIGIN_MAX,
};

extern const char *const route_type_names[ROUTE_TYPE_MAX + 1];
extern const char *const route_origin_names[ORIGIN_MAX + 1];

struct neigh;

/*
 * One path of a route. A NULL neigh means a connected network: resolve the packet's own
 * destination. The datapath reads neigh, iface and, for IPv4, gw.v4: 32 bytes, aligned so
 * that a member never straddles two cache lines.
 */
struct nh_member {
	struct neigh *neigh;
	struct fp_ip_addr gw; /* all zero (family 0) when connected */
	uint16_t iface;
	uint16_t weight;
};

/*
 * What a FIB entry points to (the rte_fib or rte_fib6 value is the group id): the route's
 * type and its paths. Routes with the same type, origin and paths share one group, so a
 * million routes over two gateways cost two groups; a group without gateway (blackhole, a
 * connected network's "dev p0") serves both families.
 *
 * Laid out for the datapath: the header and the first member share the first cache line,
 * which is all that a route without ECMP reads.
 */
struct nh_group {
	uint32_t id;
	uint8_t type;
	uint8_t origin;
	uint8_t n_members;
	uint8_t n_slots;
	uint8_t protocol; /* ORIGIN_KERNEL: the kernel route's protocol (RTPROT_*), else 0 */
	uint32_t refcnt;  /* routes using it (control thread) */
	struct nh_member members[FIB4_ECMP_MAX] __attribute__((aligned(32)));
	uint8_t slots[FIB4_SLOTS_MAX]; /* member index per ECMP slot */
};

extern struct nh_group **fp_nh_groups; /* indexed by group id; id 0 is never used */

/* A route of either family, as users write it: the family is its prefix's. */
struct route {
	uint16_t vrf;
	struct fp_ip_prefix prefix;
	enum route_type type;
	enum route_origin origin;
	uint8_t protocol; /* ORIGIN_KERNEL: the kernel's rtm_protocol (RTPROT_*), else 0 */
	uint8_t n_nh;
	struct {
		struct fp_ip_addr gw; /* family 0 (all zero): none, dev only */
		uint16_t iface;	      /* FP_IFACE_NONE: found from the gateway */
		uint16_t weight;      /* 0 means 1 */
	} nh[FIB4_ECMP_MAX];
};

/*
 * 0, -EEXIST (unless replace; a route of ORIGIN_KERNEL yields to one of another origin
 * without it), -ENETUNREACH for a gateway off every connected network, -EINVAL
 * (a gateway of the other family, a link-local IPv6 gateway without interface, ...), -ENODEV,
 * -ENOSPC (FIB full).
 */
int fib_route_add(const struct route *r, bool replace);
int fib_route_del(uint16_t vrf, const struct fp_ip_prefix *p);
/* Exact match. */
int fib_route_get(uint16_t vrf, const struct fp_ip_prefix *p, struct route *out);
/* Longest match for control code: the group or NULL. */
const struct nh_group *fib_lookup(uint16_t vrf, const struct fp_ip_addr *addr);

/*
 * Where a walk stopped, to go on later even if routes were added or deleted meanwhile. Set
 * family (AF_INET, AF_INET6, or AF_UNSPEC for IPv4 then IPv6) and only_vrf (UINT16_MAX: all),
 * leave the rest zero.
 */
struct fib_position {
	uint8_t family;
	uint16_t only_vrf;
	/* the walk's own */
	uint8_t at; /* 0: IPv4 (unless family says IPv6), 1: IPv6 */
	uint16_t vrf;
	bool started, at_default;
	void *node; /* valid while generation is current */
	uint64_t generation;
	struct fp_ip_prefix last;
};

typedef int (*route_cb_t)(const struct route *r, void *arg);

/* Visits at most max routes from pos on; 1 if more remain, 0 at the end, or cb's value. */
int fib_routes_walk_from(struct fib_position *pos, size_t max, route_cb_t cb, void *arg);
/* Every route of family (AF_UNSPEC: both, IPv4 first) in vrf (UINT16_MAX: all); stops if cb
 * returns non-0, which is returned. */
int fib_routes_walk(uint8_t family, uint16_t vrf, route_cb_t cb, void *arg);
unsigned int fib_route_count(uint8_t family, uint16_t vrf);
/* Deletes, in every VRF, the routes of family for which match() is true. 0 or -ENOMEM. */
int fib_routes_delete_if(
	uint8_t family, bool (*match)(const struct route *r, void *arg), void *arg);

/* A route in the schema of the config file and the API (with its origin). */
json_t *route_to_json(const struct route *r);

/* A kernel route protocol's name as iproute2's rt_protos has it ("bird"), or its number. */
const char *route_protocol_name(uint8_t protocol, char buf[4]);

/*
 * Control-thread subsystems that follow the routes (lib/netlink): added once a route is in
 * the table, with the route it replaced (NULL if none; not called when a replacement changes
 * nothing), deleted once it is gone, with the route as it was.
 */
struct fib_listener {
	void (*added)(const struct route *r, const struct route *old);
	void (*deleted)(const struct route *r);
	struct fib_listener *next;
};
void fib_listener_register(struct fib_listener *l);
