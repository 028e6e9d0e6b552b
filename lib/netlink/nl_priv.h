/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Inside lib/netlink: the mirror of the kernel's routes, addresses and neighbours on the twins
 * (mirror.c), the copies of fastpath's own addresses and static routes on the twins (push.c),
 * the translation of netlink messages (nl_parse.c) and the settings (netlink_config.c).
 */

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

struct nlattr;

#include "fib/fib.h"

/* The protocol of the routes fastpath puts on the twins ("fastpath" in rt_protos.d). */
#define NL_PROTO_FASTPATH 250
#define NL_TABLES_MAX	  FP_MAX_VRFS

struct nl_table_map {
	uint32_t table; /* kernel routing table */
	uint16_t vrf;
};

struct nl_config {
	bool enabled;
	uint64_t rcvbuf; /* bytes of the event socket's receive buffer */
	unsigned int n_tables;
	struct nl_table_map tables[NL_TABLES_MAX];
};

/* What the running mirror uses; netlink_config.c sets it. */
extern struct nl_config nl_config;
/* The defaults: enabled with the twins, 64 MiB, main -> VRF 0. */
void nl_config_defaults(struct nl_config *c);

/* The VRF of a kernel table, -1 if unmapped; the table of a VRF, 0 if none. */
int nl_table_vrf(const struct nl_config *c, uint32_t table);
uint32_t nl_vrf_table(const struct nl_config *c, uint16_t vrf);

/* Why a kernel object is mirrored or not: the counters' indexes too. */
enum nl_verdict {
	NL_MIRROR,
	NL_IGNORE_NON_TWIN,    /* through an interface without a fastpath twin */
	NL_IGNORE_TABLE,       /* a table no VRF is mapped from */
	NL_IGNORE_OWN,	       /* fastpath's own copy (protocol fastpath, an address it has) */
	NL_IGNORE_LINK_LOCAL,  /* IPv6 link-local or multicast: fastpath's own business */
	NL_IGNORE_STATE,       /* a neighbour without a usable lladdr (INCOMPLETE, FAILED) */
	NL_IGNORE_UNSUPPORTED, /* a type, attribute or family fastpath does not forward */
	NL_IGNORE_MALFORMED,   /* truncated or inconsistent */
	NL_VERDICT_MAX,
};
extern const char *const nl_verdict_names[NL_VERDICT_MAX];

/* An address attribute of the family's size (4 or 16 bytes) into a; false if it is not. */
bool nl_addr_attr(const struct nlattr *attr, uint8_t family, struct fp_ip_addr *a);

/* A kernel route as fastpath takes it: the route (origin kernel) and its metric. */
struct nl_route {
	struct route r;
	uint32_t metric;
	uint32_t nh_id; /* a kernel nexthop object's (RTA_NH_ID): r's next hops are resolved */
	bool key_valid; /* r.vrf, r.prefix and metric name a plain route, even if ignored */
};

/*
 * A kernel nexthop object (ip nexthop): one next hop (a gateway and a device, or a blackhole)
 * or a group of others with weights. Kept as the kernel has it, whatever fastpath makes of it:
 * the routes using it are resolved through it (nl_nexthop_resolve) when they come and again
 * when it changes.
 */
struct nl_nexthop {
	uint32_t id;
	bool blackhole;
	enum nl_verdict usable; /* NL_MIRROR, or why its routes are not (encap, fdb, resilient) */
	int ifindex;
	struct fp_ip_addr gw; /* family 0: none */
	uint16_t n_grp;	      /* a group's members */
	struct {
		uint32_t id;
		uint16_t weight;
	} grp[FIB4_ECMP_MAX];
};

/*
 * An RTM_NEWROUTE or RTM_DELROUTE message to a route. iface_of maps kernel ifindexes to
 * fastpath interfaces (FP_IFACE_NONE: not a twin). key_only: the VRF, prefix and metric only
 * (deletions: the route is found by them, whatever its next hops).
 */
enum nl_verdict nl_route_parse(const struct nlmsghdr *h, const struct nl_config *c,
	uint16_t (*iface_of)(int ifindex), bool key_only, struct nl_route *out);

/*
 * An RTM_NEWNEXTHOP or RTM_DELNEXTHOP message to a nexthop object (key_only: its id only).
 * NL_MIRROR if it is one to keep (out->usable says whether its routes can be mirrored).
 */
enum nl_verdict nl_nexthop_parse(const struct nlmsghdr *h, bool key_only, struct nl_nexthop *out);

/*
 * The next hops (or the blackhole) of r from nexthop object id, groups expanded: find gives
 * a stored object by id (NULL: unknown). NL_MIRROR, or why r cannot be mirrored.
 */
enum nl_verdict nl_nexthop_resolve(uint32_t id, const struct nl_nexthop *(*find)(uint32_t id),
	uint16_t (*iface_of)(int ifindex), struct route *r);

/* mirror.c for push.c and netlink_config.c */
int nl_mirror_start(void);
void nl_mirror_stop(void);
/* Stopped, and the memory of the stores freed (module fini). */
void nl_mirror_fini(void);
bool nl_mirror_running(void);
/* The event socket's receive buffer changed on the running mirror. */
int nl_mirror_set_rcvbuf(uint64_t bytes);
/* A full dump and reconciliation, as after an overrun (the tables changed). */
void nl_mirror_resync(void);
/* fastpath's own route at vrf/prefix went: the kernel's best one there takes its place. */
void nl_mirror_prefix_freed(uint16_t vrf, const struct fp_ip_prefix *p);
/* Whether the mirror took iface's address a from the kernel: the kernel's, not a copy. */
bool nl_mirror_has_addr(uint16_t iface, const struct fp_ip_prefix *a);
/* True while the mirror itself changes fastpath's addresses (no copy back). */
extern bool nl_mirror_applying;
json_t *nl_mirror_status(void);

/* push.c */
/* The copy socket; the routes of fastpath's protocol a previous run left are deleted first. */
int nl_push_open(void);
/* Every copy deleted from the kernel, and the socket closed. */
void nl_push_close(void);
/* Memory freed (module fini). */
void nl_push_fini(void);
/* Adds r's copy (never replacing the kernel's own), or deletes fastpath's copy of its prefix. */
void nl_push_route(const struct route *r, bool add);
/* Adds a copy of an address, or deletes it if fastpath made it. */
void nl_push_addr(uint16_t iface, const struct fp_ip_prefix *a, bool add);
/* The kernel deleted iface's address a (an event from portid): no longer fastpath's copy. */
void nl_push_addr_gone(uint16_t iface, const struct fp_ip_prefix *a, uint32_t portid);
/* iface's twin is being removed, and with it the addresses fastpath put there. */
void nl_push_twin_gone(uint16_t iface);
/* Every fastpath-owned address and static route of iface (FP_IFACE_NONE: all) again. */
void nl_push_all(uint16_t iface);
json_t *nl_push_status(void);
