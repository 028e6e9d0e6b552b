/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel -> fastpath mirror: an rtnetlink event socket (links, addresses, routes,
 * neighbours of both families) read in batches on the control thread, and a dump socket for
 * the initial state and the re-dumps after an overrun. Each dump marks what it sees with a
 * new generation; once complete, whatever an older generation left is swept, so fastpath never
 * keeps a route the kernel no longer has. The event socket is not read during a dump: its
 * queue holds the events meanwhile, applied in order afterwards (an event older than the dump
 * replays a change the dump already has: the end state is the same).
 *
 * Kernel routes are kept here by VRF, prefix and metric; the lowest metric of a prefix is the
 * one in the FIB, unless fastpath has a route of its own there (connected, static): that one
 * wins and the kernel's wait aside until it goes.
 */
#include "base/fp_error.h"
#include "base/log.h"
#include "infra/control.h"
#include "infra/iface.h"
#include "ip4/addr.h"
#include "ip6/addr6.h"
#include "neigh/neigh.h"
#include "nl_priv.h"
#include "twin/twin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <jansson.h>
#include <rte_hash_crc.h>

#define MSG_BUF_SIZE (64 * 1024) /* a dump part, or an event */
#define EVENT_BATCH  64		 /* messages per recvmmsg() */
/* recvmmsg() calls, or dump parts, per wakeup at most: fewer once the loop's slice is used
 * (control_slice_over()), so that a burst of routes never holds the twins' frames back */
#define BATCHES_PER_RUN 64
#define DUMP_READS_RUN	256

struct kroute {
	struct kroute *next; /* the prefix's other routes, metric ascending */
	uint32_t metric;
	uint32_t nh_id; /* the nexthop object the next hops come from, 0 if none */
	uint32_t generation;
	uint8_t type, protocol, n_nh;
	struct {
		struct fp_ip_addr gw;
		uint16_t iface, weight;
	} nh[];
};

/* The kernel routes of one VRF and prefix; the first is fastpath's candidate. */
struct kprefix {
	struct kprefix *chain;
	struct fp_ip_prefix prefix;
	uint16_t vrf;
	struct kroute *routes;
};

/* Addresses and static neighbours the mirror put into fastpath, to take them out again. */
struct kaddr {
	uint16_t iface;
	struct fp_ip_prefix a;
	uint32_t generation;
};
struct kneigh {
	struct neigh_key key;
	uint32_t generation;
};
/* The kernel's nexthop objects, all of them: the routes are resolved through them. */
struct knexthop {
	struct nl_nexthop nh;
	uint32_t generation;
};

/* nexthop objects before the routes that use them */
enum dump_stage {
	DUMP_NONE,
	DUMP_LINKS,
	DUMP_ADDRS,
	DUMP_NEIGHS,
	DUMP_NEXTHOPS,
	DUMP_ROUTES,
	DUMP_STAGES
};

static const uint16_t dump_types[DUMP_STAGES] = {
	[DUMP_LINKS] = RTM_GETLINK,
	[DUMP_ADDRS] = RTM_GETADDR,
	[DUMP_NEIGHS] = RTM_GETNEIGH,
	[DUMP_NEXTHOPS] = RTM_GETNEXTHOP,
	[DUMP_ROUTES] = RTM_GETROUTE,
};

static struct {
	uint64_t messages;
	uint64_t routes_added, routes_deleted, routes_rejected, routes_shadowed, routes_duplicate;
	uint64_t addrs_added, addrs_deleted, neighs_added, neighs_deleted, mtu_ignored;
	uint64_t nexthops_added, nexthops_deleted, routes_resolved;
	uint64_t ignored[NL_VERDICT_MAX];
	uint64_t overruns, dumps, swept;
} stats;

static struct {
	struct nl_sock *events, *dump;
	uint8_t *bufs; /* EVENT_BATCH buffers of MSG_BUF_SIZE */
	enum dump_stage stage;
	bool dump_again;     /* an overrun or an interrupted dump: dump again once done */
	uint32_t generation; /* of the dump under way, or of the last one */
	bool push_pending;   /* fastpath's own objects wait for the mirror's first complete dump */
	struct kprefix **buckets;
	size_t n_buckets, n_prefixes, n_routes;
	struct kaddr *addrs;
	size_t n_addrs, cap_addrs;
	struct kneigh *neighs;
	size_t n_neighs, cap_neighs;
	struct knexthop *nexthops;
	size_t n_nexthops, cap_nexthops;
	bool twin_down[FP_MAX_IFACES]; /* set down by hand in the kernel, as last seen */
} nl;

bool nl_mirror_applying;

static uint16_t twin_or_none(int ifindex)
{
	return twin_iface_of(ifindex);
}

/* The route store. */

static uint32_t prefix_hash(uint16_t vrf, const struct fp_ip_prefix *p)
{
	uint32_t h = rte_hash_crc_4byte(vrf << 16 | p->len << 8 | p->addr.family, 0);
	uint64_t v6[2]; /* rte_hash_crc reads 8-byte words: the prefix's bytes are 4-aligned */

	if (p->addr.family == AF_INET)
		return rte_hash_crc_4byte(p->addr.v4, h);
	memcpy(v6, p->addr.v6.bytes, sizeof(v6));
	return rte_hash_crc(v6, sizeof(v6), h);
}

static bool prefix_is(const struct kprefix *kp, uint16_t vrf, const struct fp_ip_prefix *p)
{
	return kp->vrf == vrf && kp->prefix.len == p->len &&
	       fp_ip_addr_equal(&kp->prefix.addr, &p->addr);
}

static struct kprefix **prefix_slot(uint16_t vrf, const struct fp_ip_prefix *p)
{
	struct kprefix **s = &nl.buckets[prefix_hash(vrf, p) & (nl.n_buckets - 1)];

	while (*s != NULL && !prefix_is(*s, vrf, p))
		s = &(*s)->chain;
	return s;
}

static int store_grow(void)
{
	size_t n = nl.n_buckets ? 2 * nl.n_buckets : 1024;
	struct kprefix **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return fp_error(ENOMEM, "netlink: out of memory for the kernel routes");
	for (size_t i = 0; i < nl.n_buckets; i++)
		while (nl.buckets[i] != NULL) {
			struct kprefix *kp = nl.buckets[i];

			nl.buckets[i] = kp->chain;
			kp->chain = b[prefix_hash(kp->vrf, &kp->prefix) & (n - 1)];
			b[prefix_hash(kp->vrf, &kp->prefix) & (n - 1)] = kp;
		}
	free(nl.buckets);
	nl.buckets = b;
	nl.n_buckets = n;
	return 0;
}

static void kroute_to_route(const struct kprefix *kp, const struct kroute *k, struct route *r)
{
	*r = (struct route){.vrf = kp->vrf,
		.prefix = kp->prefix,
		.type = k->type,
		.origin = ORIGIN_KERNEL,
		.protocol = k->protocol,
		.n_nh = k->n_nh};
	for (unsigned int i = 0; i < k->n_nh; i++) {
		r->nh[i].gw = k->nh[i].gw;
		r->nh[i].iface = k->nh[i].iface;
		r->nh[i].weight = k->nh[i].weight;
	}
}

/* Makes the FIB hold the prefix's best kernel route, or none, unless fastpath's own is there. */
static void prefix_sync(const struct kprefix *kp)
{
	struct route r, cur;
	int ret;

	if (kp->routes == NULL) {
		if (fib_route_get(kp->vrf, &kp->prefix, &cur) == 0 && cur.origin == ORIGIN_KERNEL)
			fib_route_del(kp->vrf, &kp->prefix);
		return;
	}
	kroute_to_route(kp, kp->routes, &r);
	if ((ret = fib_route_add(&r, false)) == 0)
		return;
	if (ret == -EEXIST && fib_route_get(kp->vrf, &kp->prefix, &cur) == 0) {
		if (cur.origin == ORIGIN_KERNEL) {
			if (fib_route_add(&r, true) == 0)
				return;
		} else {
			stats.routes_shadowed++; /* fastpath's own route wins */
			return;
		}
	}
	stats.routes_rejected++;
	LOG(DEBUG, "netlink: kernel route not mirrored: %s", fp_errmsg());
}

static struct kroute *kroute_new(const struct nl_route *nr)
{
	struct kroute *k = malloc(sizeof(*k) + nr->r.n_nh * sizeof(k->nh[0]));

	if (k == NULL)
		return NULL;
	*k = (struct kroute){.metric = nr->metric,
		.nh_id = nr->nh_id,
		.generation = nl.generation,
		.type = nr->r.type,
		.protocol = nr->r.protocol,
		.n_nh = nr->r.n_nh};
	for (unsigned int i = 0; i < nr->r.n_nh; i++) {
		k->nh[i].gw = nr->r.nh[i].gw;
		k->nh[i].iface = nr->r.nh[i].iface;
		k->nh[i].weight = nr->r.nh[i].weight;
	}
	return k;
}

/* Whether the stored route k is nr as it is: a re-dump then only marks it. */
static bool kroute_is(const struct kroute *k, const struct nl_route *nr)
{
	if (k->type != nr->r.type || k->protocol != nr->r.protocol || k->n_nh != nr->r.n_nh ||
		k->nh_id != nr->nh_id)
		return false;
	for (unsigned int i = 0; i < k->n_nh; i++)
		if (k->nh[i].iface != nr->r.nh[i].iface || k->nh[i].weight != nr->r.nh[i].weight ||
			!fp_ip_addr_equal(&k->nh[i].gw, &nr->r.nh[i].gw))
			return false;
	return true;
}

static void route_add(const struct nl_route *nr)
{
	struct kprefix **s, *kp;
	struct kroute **at, *k;

	if (nl.n_prefixes >= nl.n_buckets && store_grow() < 0) {
		stats.routes_rejected++;
		return;
	}
	s = prefix_slot(nr->r.vrf, &nr->r.prefix);
	if ((kp = *s) == NULL) {
		if ((kp = malloc(sizeof(*kp))) == NULL) {
			stats.routes_rejected++;
			return;
		}
		*kp = (struct kprefix){.prefix = nr->r.prefix, .vrf = nr->r.vrf};
		*s = kp;
		nl.n_prefixes++;
	}
	/* a route of the same metric is replaced: the message has the whole route */
	for (at = &kp->routes; *at != NULL && (*at)->metric < nr->metric; at = &(*at)->next)
		;
	/* a million unchanged routes in a re-dump: no FIB write, no event for any of them */
	if (*at != NULL && (*at)->metric == nr->metric && kroute_is(*at, nr)) {
		struct route cur;

		(*at)->generation = nl.generation;
		/* unless it is the best and not in the FIB: rejected before, worth a new try */
		if (kp->routes == *at && fib_route_get(kp->vrf, &kp->prefix, &cur) < 0)
			prefix_sync(kp);
		return;
	}
	if ((k = kroute_new(nr)) == NULL) {
		stats.routes_rejected++;
		return;
	}
	if (*at != NULL && (*at)->metric == nr->metric) {
		k->next = (*at)->next;
		free(*at);
	} else {
		k->next = *at;
		nl.n_routes++;
	}
	*at = k;
	stats.routes_added++;
	if (kp->routes == k)
		prefix_sync(kp);
}

static void prefix_free(struct kprefix **s)
{
	struct kprefix *kp = *s;

	*s = kp->chain;
	free(kp);
	nl.n_prefixes--;
}

static void route_del(const struct nl_route *nr)
{
	struct kprefix **s = prefix_slot(nr->r.vrf, &nr->r.prefix), *kp = *s;
	struct kroute **at, *k;
	bool was_best;

	if (kp == NULL)
		return;
	for (at = &kp->routes; *at != NULL && (*at)->metric != nr->metric; at = &(*at)->next)
		;
	if ((k = *at) == NULL)
		return;
	was_best = at == &kp->routes;
	*at = k->next;
	free(k);
	nl.n_routes--;
	stats.routes_deleted++;
	if (was_best)
		prefix_sync(kp);
	if (kp->routes == NULL)
		prefix_free(s);
}

void nl_mirror_prefix_freed(uint16_t vrf, const struct fp_ip_prefix *p)
{
	struct kprefix *kp;

	if (nl.n_buckets > 0 && (kp = *prefix_slot(vrf, p)) != NULL)
		prefix_sync(kp);
}

/* Drops the routes for which keep() is false, syncing the prefixes whose best changed. */
static void routes_filter(bool (*keep)(const struct kroute *k, uintptr_t arg), uintptr_t arg)
{
	for (size_t b = 0; b < nl.n_buckets; b++) {
		struct kprefix **s = &nl.buckets[b];

		while (*s != NULL) {
			struct kprefix *kp = *s;
			struct kroute **at = &kp->routes, *best = kp->routes;

			while (*at != NULL) {
				struct kroute *k = *at;

				if (keep(k, arg)) {
					at = &k->next;
					continue;
				}
				*at = k->next;
				free(k);
				nl.n_routes--;
				stats.swept++;
			}
			if (kp->routes != best)
				prefix_sync(kp);
			if (kp->routes == NULL)
				prefix_free(s);
			else
				s = &kp->chain;
		}
	}
}

static bool of_generation(const struct kroute *k, uintptr_t generation)
{
	return k->generation == generation;
}

static bool not_through(const struct kroute *k, uintptr_t iface)
{
	for (unsigned int i = 0; i < k->n_nh; i++)
		if (k->nh[i].iface == iface)
			return false;
	return true;
}

/* Room for one more element in the array *a of n elements (capacity *cap): 0 or -ENOMEM. */
static int reserve(void **a, size_t n, size_t *cap, size_t size)
{
	size_t more = *cap ? 2 * *cap : 16;
	void *bigger;

	if (n < *cap)
		return 0;
	if ((bigger = realloc(*a, more * size)) == NULL)
		return -ENOMEM;
	*a = bigger;
	*cap = more;
	return 0;
}

/* Nexthop objects. */

/* Where object id is, or would go: the store is sorted by id, for every route naming one. */
static size_t knexthop_index(uint32_t id)
{
	size_t lo = 0, hi = nl.n_nexthops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nl.nexthops[mid].nh.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct knexthop *knexthop_find(uint32_t id)
{
	size_t i = knexthop_index(id);

	return i < nl.n_nexthops && nl.nexthops[i].nh.id == id ? &nl.nexthops[i] : NULL;
}

/* Keeps the objects for which keep() is true, in their order. */
static void knexthops_filter(bool (*keep)(struct knexthop *k, uintptr_t arg), uintptr_t arg)
{
	size_t n = 0;

	for (size_t i = 0; i < nl.n_nexthops; i++)
		if (keep(&nl.nexthops[i], arg))
			nl.nexthops[n++] = nl.nexthops[i];
		else
			stats.nexthops_deleted++;
	nl.n_nexthops = n;
}

static const struct nl_nexthop *nexthop_of(uint32_t id)
{
	const struct knexthop *k = knexthop_find(id);

	return k != NULL ? &k->nh : NULL;
}

/* Whether a route through object id depends on object changed: it, or a group holding it. */
static bool nexthop_uses(uint32_t id, uint32_t changed)
{
	const struct nl_nexthop *nh;

	if (id == changed)
		return true;
	if (id == 0 || (nh = nexthop_of(id)) == NULL)
		return false;
	for (unsigned int i = 0; i < nh->n_grp; i++)
		if (nh->grp[i].id == changed)
			return true;
	return false;
}

/* The key of a route to resolve again. */
struct rkey {
	uint16_t vrf;
	uint8_t protocol;
	struct fp_ip_prefix prefix;
	uint32_t metric, nh_id;
};

/* The routes depending on object id, collected before the store changes under them. */
static int routes_using(uint32_t id, struct rkey **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t b = 0; b < nl.n_buckets; b++)
		for (const struct kprefix *kp = nl.buckets[b]; kp != NULL; kp = kp->chain)
			for (const struct kroute *k = kp->routes; k != NULL; k = k->next) {
				if (!nexthop_uses(k->nh_id, id))
					continue;
				if (reserve((void **)out, *n, &cap, sizeof(**out)) < 0) {
					free(*out);
					return fp_error(ENOMEM, "netlink: out of memory");
				}
				(*out)[(*n)++] = (struct rkey){
					kp->vrf, k->protocol, kp->prefix, k->metric, k->nh_id};
			}
	return 0;
}

/*
 * The routes of keys resolved again through the objects as they are now: changed, or gone
 * (the kernel deletes the routes of a deleted object, IPv4's without a message).
 */
static void routes_resolve(const struct rkey *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct nl_route nr = {.r = {.vrf = keys[i].vrf,
					      .origin = ORIGIN_KERNEL,
					      .protocol = keys[i].protocol,
					      .prefix = keys[i].prefix},
			.metric = keys[i].metric,
			.nh_id = keys[i].nh_id,
			.key_valid = true};
		enum nl_verdict v;

		if (nexthop_of(nr.nh_id) == NULL) {
			route_del(&nr);
			continue;
		}
		v = nl_nexthop_resolve(nr.nh_id, nexthop_of, twin_or_none, &nr.r);
		stats.routes_resolved++;
		if (v == NL_MIRROR) {
			route_add(&nr);
		} else {
			stats.ignored[v]++;
			route_del(&nr);
		}
	}
}

/* Not object id, and out of id if a group holding it; a group left empty goes too. */
static bool nexthop_without(struct knexthop *k, uintptr_t id)
{
	struct nl_nexthop *g = &k->nh;
	unsigned int n = 0;

	if (g->id == id)
		return false;
	for (unsigned int m = 0; m < g->n_grp; m++)
		if (g->grp[m].id != id)
			g->grp[n++] = g->grp[m];
	if (g->n_grp > 0 && n == 0)
		return false;
	g->n_grp = n;
	return true;
}

static bool nexthop_equal(const struct nl_nexthop *a, const struct nl_nexthop *b)
{
	if (a->blackhole != b->blackhole || a->usable != b->usable || a->ifindex != b->ifindex ||
		a->gw.family != b->gw.family ||
		(a->gw.family != 0 && !fp_ip_addr_equal(&a->gw, &b->gw)) || a->n_grp != b->n_grp)
		return false;
	for (unsigned int i = 0; i < a->n_grp; i++)
		if (a->grp[i].id != b->grp[i].id || a->grp[i].weight != b->grp[i].weight)
			return false;
	return true;
}

/* Object nh added or replaced (del: deleted), and the routes depending on it resolved again. */
static int nexthop_change(const struct nl_nexthop *nh, bool del)
{
	struct knexthop *k = knexthop_find(nh->id);
	struct rkey *keys;
	size_t n;
	int ret;

	if (!del && k != NULL && nexthop_equal(&k->nh, nh)) {
		k->generation = nl.generation; /* a re-dump: unchanged */
		return 0;
	}
	if ((ret = routes_using(nh->id, &keys, &n)) < 0)
		return ret;
	if (del) {
		knexthops_filter(nexthop_without, nh->id);
	} else if (k != NULL) {
		*k = (struct knexthop){*nh, nl.generation};
	} else if (reserve((void **)&nl.nexthops, nl.n_nexthops, &nl.cap_nexthops,
			   sizeof(*nl.nexthops)) == 0) {
		size_t i = knexthop_index(nh->id);

		memmove(&nl.nexthops[i + 1], &nl.nexthops[i],
			(nl.n_nexthops++ - i) * sizeof(*nl.nexthops));
		nl.nexthops[i] = (struct knexthop){*nh, nl.generation};
		stats.nexthops_added++;
	} else {
		free(keys);
		return fp_error(ENOMEM, "netlink: out of memory for nexthop object %u", nh->id);
	}
	routes_resolve(keys, n);
	free(keys);
	return 0;
}

static enum nl_verdict nexthop_msg(const struct nlmsghdr *h)
{
	struct nl_nexthop nh;
	enum nl_verdict v = nl_nexthop_parse(h, h->nlmsg_type == RTM_DELNEXTHOP, &nh);

	if (v != NL_MIRROR)
		return v;
	if (nexthop_change(&nh, h->nlmsg_type == RTM_DELNEXTHOP) < 0) {
		LOG(ERR, "%s", fp_errmsg());
		return NL_IGNORE_UNSUPPORTED;
	}
	return NL_MIRROR;
}

/*
 * A device going down or losing its carrier: the kernel deletes its nexthop objects, out of
 * their groups too, and their IPv4 routes, all without a message.
 */
static void nexthops_flush_dev(int ifindex)
{
	size_t i = 0;

	while (i < nl.n_nexthops) {
		struct nl_nexthop nh = nl.nexthops[i].nh;

		if (nh.n_grp > 0 || nh.blackhole || nh.ifindex != ifindex) {
			i++;
			continue;
		}
		if (nexthop_change(&nh, true) < 0) {
			LOG(ERR, "%s", fp_errmsg()); /* out of memory: the rest left as they are */
			return;
		}
		i = 0; /* from the start again: emptied groups may have gone from anywhere */
	}
}

/* Addresses. */

static bool addr_is_local_scope(const struct fp_ip_prefix *a)
{
	return a->addr.family == AF_INET6 &&
	       (fp_ip6_is_link_local(&a->addr.v6) || fp_ip6_is_multicast(&a->addr.v6));
}

static int fp_addr_change(uint16_t iface, const struct fp_ip_prefix *a, bool add)
{
	int ret;

	nl_mirror_applying = true;
	if (a->addr.family == AF_INET) {
		struct fp_ip4_prefix p = {a->addr.v4, a->len};

		ret = add ? ip4_addr_add(iface, &p) : ip4_addr_del(iface, &p);
	} else {
		struct fp_ip6_prefix p = {a->addr.v6, a->len};

		ret = add ? ip6_addr_add(iface, &p) : ip6_addr_del(iface, &p);
	}
	nl_mirror_applying = false;
	return ret;
}

static struct kaddr *kaddr_find(uint16_t iface, const struct fp_ip_prefix *a)
{
	for (size_t i = 0; i < nl.n_addrs; i++)
		if (nl.addrs[i].iface == iface && nl.addrs[i].a.len == a->len &&
			fp_ip_addr_equal(&nl.addrs[i].a.addr, &a->addr))
			return &nl.addrs[i];
	return NULL;
}

static void kaddr_forget(struct kaddr *k)
{
	*k = nl.addrs[--nl.n_addrs];
}

bool nl_mirror_has_addr(uint16_t iface, const struct fp_ip_prefix *a)
{
	return kaddr_find(iface, a) != NULL;
}

static enum nl_verdict addr_msg(const struct nlmsghdr *h)
{
	struct nlattr *tb[IFA_MAX + 1], *attr;
	const struct ifaddrmsg *ifa;
	struct fp_ip_prefix a;
	struct kaddr *k;
	uint16_t iface;
	int ret;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return NL_IGNORE_MALFORMED;
	ifa = nlmsg_data(h);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return NL_IGNORE_UNSUPPORTED;
	if ((iface = twin_iface_of(ifa->ifa_index)) == FP_IFACE_NONE)
		return NL_IGNORE_NON_TWIN;
	/* IPv4's IFA_ADDRESS is the peer of a point-to-point address; IFA_LOCAL is ours */
	attr = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (attr == NULL || ifa->ifa_prefixlen > fp_family_bits(ifa->ifa_family) ||
		!nl_addr_attr(attr, ifa->ifa_family, &a.addr))
		return NL_IGNORE_MALFORMED;
	a.len = ifa->ifa_prefixlen;
	if (addr_is_local_scope(&a))
		return NL_IGNORE_LINK_LOCAL;
	k = kaddr_find(iface, &a);
	if (h->nlmsg_type == RTM_DELADDR) {
		/* fastpath's own addresses stay; the next dump puts them back on the twin */
		if (k == NULL) {
			nl_push_addr_gone(iface, &a, h->nlmsg_pid);
			return NL_IGNORE_OWN;
		}
		kaddr_forget(k);
		fp_addr_change(iface, &a, false);
		stats.addrs_deleted++;
		return NL_MIRROR;
	}
	if (ifa->ifa_flags & IFA_F_DADFAILED) {
		/* the kernel keeps it, unusable: so must fastpath not use it */
		if (k != NULL) {
			kaddr_forget(k);
			fp_addr_change(iface, &a, false);
			stats.addrs_deleted++;
		}
		return NL_IGNORE_STATE;
	}
	if (k != NULL) {
		k->generation = nl.generation;
		return NL_MIRROR;
	}
	if ((ret = fp_addr_change(iface, &a, true)) < 0)
		return ret == -EEXIST ? NL_IGNORE_OWN : NL_IGNORE_UNSUPPORTED;
	if (reserve((void **)&nl.addrs, nl.n_addrs, &nl.cap_addrs, sizeof(*nl.addrs)) < 0) {
		fp_addr_change(iface, &a, false);
		return NL_IGNORE_UNSUPPORTED;
	}
	nl.addrs[nl.n_addrs++] = (struct kaddr){iface, a, nl.generation};
	stats.addrs_added++;
	return NL_MIRROR;
}

/* Neighbours. */

static struct kneigh *kneigh_find(const struct neigh_key *key)
{
	for (size_t i = 0; i < nl.n_neighs; i++)
		if (memcmp(&nl.neighs[i].key, key, sizeof(*key)) == 0)
			return &nl.neighs[i];
	return NULL;
}

static enum nl_verdict neigh_msg(const struct nlmsghdr *h)
{
	struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	struct rte_ether_addr mac;
	struct fp_ip_addr dst;
	struct neigh_key key;
	struct kneigh *k;
	uint16_t iface;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ndm), tb, NDA_MAX, NULL) < 0)
		return NL_IGNORE_MALFORMED;
	ndm = nlmsg_data(h);
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return NL_IGNORE_UNSUPPORTED;
	if ((iface = twin_iface_of(ndm->ndm_ifindex)) == FP_IFACE_NONE)
		return NL_IGNORE_NON_TWIN;
	if (tb[NDA_DST] == NULL || !nl_addr_attr(tb[NDA_DST], ndm->ndm_family, &dst))
		return NL_IGNORE_MALFORMED;
	key = neigh_key_of(iface, &dst);
	k = kneigh_find(&key);
	if (h->nlmsg_type == RTM_DELNEIGH) {
		/* learned entries age in fastpath on their own; static ones go with the kernel's */
		if (k == NULL)
			return NL_IGNORE_STATE;
		neigh_del_key(&key);
		*k = nl.neighs[--nl.n_neighs];
		stats.neighs_deleted++;
		return NL_MIRROR;
	}
	if (!(ndm->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return NL_IGNORE_STATE;
	if (tb[NDA_LLADDR] == NULL || nla_len(tb[NDA_LLADDR]) != RTE_ETHER_ADDR_LEN)
		return NL_IGNORE_STATE;
	memcpy(mac.addr_bytes, nla_data(tb[NDA_LLADDR]), RTE_ETHER_ADDR_LEN);
	if (!(ndm->ndm_state & NUD_PERMANENT)) {
		if (k != NULL) { /* was permanent: no longer static */
			neigh_del_key(&key);
			*k = nl.neighs[--nl.n_neighs];
		}
		/* as if fastpath had heard it: a reachable one stays so for its own timer */
		neigh_learn_key(&key, &mac,
			ndm->ndm_state & NUD_REACHABLE ? NEIGH_REACHABLE : NEIGH_STALE, true,
			false);
		stats.neighs_added++;
		return NL_MIRROR;
	}
	if (k != NULL) {
		k->generation = nl.generation;
	} else {
		if (reserve((void **)&nl.neighs, nl.n_neighs, &nl.cap_neighs, sizeof(*nl.neighs)) <
			0)
			return NL_IGNORE_UNSUPPORTED;
		nl.neighs[nl.n_neighs++] = (struct kneigh){key, nl.generation};
	}
	if (neigh_static_add_key(&key, &mac) < 0)
		return NL_IGNORE_UNSUPPORTED;
	stats.neighs_added++;
	return NL_MIRROR;
}

/* Links: a twin's MTU follows its port's; fastpath's ports cannot change theirs at run time. */
static enum nl_verdict link_msg(const struct nlmsghdr *h)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	const struct iface *iface;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_IGNORE_MALFORMED;
	ifi = nlmsg_data(h);
	if (h->nlmsg_type == RTM_DELLINK || !(ifi->ifi_flags & IFF_UP) ||
		!(ifi->ifi_flags & (IFF_RUNNING | IFF_LOWER_UP)))
		nexthops_flush_dev(ifi->ifi_index);
	if ((iface = iface_get(twin_iface_of(ifi->ifi_index))) == NULL)
		return NL_IGNORE_NON_TWIN;
	/*
	 * A twin set down loses its IPv4 routes in the kernel without a message for each (IPv6
	 * ones are announced): fastpath drops what it mirrored through it. Set up again, it gets
	 * fastpath's own addresses and routes back, which the kernel flushed too.
	 */
	if (h->nlmsg_type == RTM_NEWLINK && nl.twin_down[iface->id] != !(ifi->ifi_flags & IFF_UP)) {
		nl.twin_down[iface->id] = !(ifi->ifi_flags & IFF_UP);
		if (nl.twin_down[iface->id])
			routes_filter(not_through, iface->id);
		else
			nl_push_all(iface->id);
	}
	if (h->nlmsg_type == RTM_NEWLINK && tb[IFLA_MTU] != NULL && nla_len(tb[IFLA_MTU]) == 4 &&
		nla_get_u32(tb[IFLA_MTU]) != twin_mtu(iface)) {
		stats.mtu_ignored++;
		LOG(WARNING, "netlink: twin %s has MTU %u, not %u: not applied", iface->name,
			nla_get_u32(tb[IFLA_MTU]), twin_mtu(iface));
		return NL_IGNORE_UNSUPPORTED;
	}
	return NL_MIRROR;
}

static enum nl_verdict route_msg(const struct nlmsghdr *h)
{
	bool del = h->nlmsg_type == RTM_DELROUTE;
	struct nl_route nr;
	enum nl_verdict v = nl_route_parse(h, &nl_config, twin_or_none, del, &nr);

	if (v == NL_MIRROR && !del && nr.nh_id != 0)
		v = nl_nexthop_resolve(nr.nh_id, nexthop_of, twin_or_none, &nr.r);
	if (v != NL_MIRROR) {
		/* a route replaced by one fastpath ignores (through a non-twin device, fastpath's
		 * own copy...) is gone all the same: the kernel says nothing more of it */
		if (!del && nr.key_valid && (h->nlmsg_flags & NLM_F_REPLACE))
			route_del(&nr);
		return v;
	}
	/*
	 * The kernel's routes of its addresses (proto kernel: an IPv4 network, an IPv6 prefix)
	 * are fastpath's connected routes, which come with the addresses it has or mirrors.
	 * Never a stand-in: one that took the place of a connected route while an address goes
	 * would keep its gateways reachable.
	 */
	if (nr.r.protocol == RTPROT_KERNEL) {
		stats.routes_duplicate += !del;
		return NL_MIRROR;
	}
	/* an IPv4 append is a second route of the same key, which the kernel does not use */
	if (!del && nr.r.prefix.addr.family == AF_INET && (h->nlmsg_flags & NLM_F_APPEND))
		return NL_IGNORE_UNSUPPORTED;
	if (del)
		route_del(&nr);
	else
		route_add(&nr);
	return NL_MIRROR;
}

static void handle(const struct nlmsghdr *h)
{
	enum nl_verdict v;

	stats.messages++;
	switch (h->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		v = route_msg(h);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		v = addr_msg(h);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		v = neigh_msg(h);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		v = link_msg(h);
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		v = nexthop_msg(h);
		break;
	default:
		v = NL_IGNORE_UNSUPPORTED;
	}
	if (v != NL_MIRROR)
		stats.ignored[v]++;
}

/* Dumps and the sweep. */

static bool nexthop_of_generation(struct knexthop *k, uintptr_t generation)
{
	return k->generation == generation;
}

static void sweep(void)
{
	uint32_t g = nl.generation;

	routes_filter(of_generation, g);
	for (size_t i = 0; i < nl.n_addrs;) {
		struct kaddr k = nl.addrs[i];

		if (k.generation == g) {
			i++;
			continue;
		}
		kaddr_forget(&nl.addrs[i]);
		fp_addr_change(k.iface, &k.a, false);
		stats.swept++;
	}
	for (size_t i = 0; i < nl.n_neighs;) {
		if (nl.neighs[i].generation == g) {
			i++;
			continue;
		}
		neigh_del_key(&nl.neighs[i].key);
		nl.neighs[i] = nl.neighs[--nl.n_neighs];
		stats.swept++;
	}
	/* their routes, not in the dump either, went with the routes' sweep */
	knexthops_filter(nexthop_of_generation, g);
}

static int dump_request(enum dump_stage stage)
{
	/* AF_UNSPEC: the kernel wants a whole nhmsg for nexthops, a family byte for the rest */
	struct nhmsg g = {.nh_family = AF_UNSPEC};
	int ret = nl_send_simple(nl.dump, dump_types[stage], NLM_F_DUMP, &g,
		stage == DUMP_NEXTHOPS ? sizeof(g) : sizeof(struct rtgenmsg));

	if (ret < 0)
		return fp_error(EIO, "netlink: dump request: %s", nl_geterror(ret));
	nl.stage = stage;
	return 0;
}

/*
 * The events queued so far are older than the dump, which has them all: dropped. Reading the
 * queue empty also clears the kernel's congestion flag, without which the kernel would drop
 * the events of the dump's time without reporting ENOBUFS again.
 */
static void events_drop_queued(void)
{
	int fd = nl_socket_get_fd(nl.events);

	while (recv(fd, nl.bufs, MSG_BUF_SIZE, MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == ENOBUFS ||
		errno == EINTR)
		;
}

/* A dump from its first stage, with a new generation; the events wait meanwhile. */
static void dump_start(void)
{
	events_drop_queued();
	nl.generation++;
	nl.dump_again = false;
	stats.dumps++;
	control_fd_mod(nl_socket_get_fd(nl.events), 0);
	if (dump_request(DUMP_LINKS) < 0) {
		LOG(ERR, "%s", fp_errmsg());
		nl.stage = DUMP_NONE;
		control_fd_mod(nl_socket_get_fd(nl.events), EPOLLIN);
	}
}

static void dump_done(void)
{
	if (nl.stage + 1 < DUMP_STAGES) {
		if (dump_request(nl.stage + 1) == 0)
			return;
		LOG(ERR, "%s", fp_errmsg());
		nl.dump_again = true;
	}
	nl.stage = DUMP_NONE;
	if (nl.dump_again) {
		dump_start();
		return;
	}
	sweep();
	/* what fastpath owns goes on the twins once the mirror starts, not after every re-dump:
	 * the echoes of a full push would overrun a small buffer again, a loop */
	if (nl.push_pending) {
		nl.push_pending = false;
		nl_push_all(FP_IFACE_NONE);
	}
	control_fd_mod(nl_socket_get_fd(nl.events), EPOLLIN);
}

static void on_dump(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	for (int r = 0; r < DUMP_READS_RUN && nl.stage != DUMP_NONE && !control_slice_over(); r++) {
		ssize_t n = recv(fd, nl.bufs, MSG_BUF_SIZE, MSG_DONTWAIT);
		struct nlmsghdr *h = (struct nlmsghdr *)nl.bufs;
		int len = n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				LOG(ERR, "netlink: dump: %s", strerror(errno));
			return;
		}
		for (; nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				nl.dump_again = true;
			if (h->nlmsg_type == NLMSG_DONE) {
				dump_done();
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = nlmsg_data(h);

				LOG(ERR, "netlink: dump: %s", strerror(-e->error));
				nl.dump_again = true;
				dump_done();
				break;
			}
			handle(h);
		}
	}
}

static void overrun(void)
{
	stats.overruns++;
	LOG(WARNING, "netlink: events lost (receive buffer full): dumping again");
	if (nl.stage != DUMP_NONE)
		nl.dump_again = true;
	else
		dump_start();
}

static void on_events(int fd, uint32_t events, void *arg)
{
	struct mmsghdr msgs[EVENT_BATCH];
	struct iovec iov[EVENT_BATCH];

	(void)arg;
	/* paused during a dump: only an error wakes us, which must be read to clear it */
	if (nl.stage != DUMP_NONE) {
		int err = 0;
		socklen_t len = sizeof(err);

		if ((events & EPOLLERR) && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
			err == ENOBUFS)
			overrun();
		return;
	}
	for (unsigned int i = 0; i < EVENT_BATCH; i++) {
		iov[i] = (struct iovec){nl.bufs + i * MSG_BUF_SIZE, MSG_BUF_SIZE};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	for (int b = 0; b < BATCHES_PER_RUN && nl.stage == DUMP_NONE; b++) {
		int n = recvmmsg(fd, msgs, EVENT_BATCH, MSG_DONTWAIT, NULL);

		if (n < 0) {
			if (errno == ENOBUFS)
				overrun();
			else if (errno != EAGAIN && errno != EINTR)
				LOG(ERR, "netlink: events: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct nlmsghdr *h = iov[i].iov_base;
			int len = msgs[i].msg_len;

			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				stats.ignored[NL_IGNORE_MALFORMED]++;
				continue;
			}
			for (; nlmsg_ok(h, len); h = nlmsg_next(h, &len))
				handle(h);
		}
		if (n < EVENT_BATCH || control_slice_over())
			return;
	}
}

static int set_rcvbuf(struct nl_sock *sk, uint64_t bytes)
{
	int fd = nl_socket_get_fd(sk), size = bytes > INT32_MAX ? INT32_MAX : (int)bytes;

	/* beyond net.core.rmem_max: root may force it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0 ||
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0)
		return 0;
	return fp_error(errno, "netlink: receive buffer of %d bytes: %s", size, strerror(errno));
}

static int open_socket(struct nl_sock **out)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (sk == NULL)
		return fp_error(ENOMEM, "netlink: out of memory");
	if ((ret = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sk);
		return fp_error(EIO, "netlink: %s", nl_geterror(ret));
	}
	nl_socket_set_nonblocking(sk);
	/* a dump ends with NLMSG_DONE; an acknowledgement would read as an error below */
	nl_socket_disable_auto_ack(sk);
	*out = sk;
	return 0;
}

int nl_mirror_set_rcvbuf(uint64_t bytes)
{
	return nl_mirror_running() ? set_rcvbuf(nl.events, bytes) : 0;
}

bool nl_mirror_running(void)
{
	return nl.events != NULL;
}

int nl_mirror_start(void)
{
	int ret;

	if (nl_mirror_running())
		return 0;
	if (nl.bufs == NULL && (nl.bufs = malloc((size_t)EVENT_BATCH * MSG_BUF_SIZE)) == NULL)
		return fp_error(ENOMEM, "netlink: out of memory");
	if (nl.n_buckets == 0 && (ret = store_grow()) < 0)
		return ret;
	if ((ret = open_socket(&nl.events)) < 0)
		return ret;
	if ((ret = open_socket(&nl.dump)) < 0 ||
		(ret = set_rcvbuf(nl.events, nl_config.rcvbuf)) < 0)
		goto fail;
	ret = nl_socket_add_memberships(nl.events, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
		RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH,
		RTNLGRP_NEXTHOP, 0);
	if (ret < 0) {
		ret = fp_error(EIO, "netlink: subscribing: %s", nl_geterror(ret));
		goto fail;
	}
	if ((ret = nl_push_open()) < 0 ||
		(ret = control_fd_add(nl_socket_get_fd(nl.events), EPOLLIN, on_events, NULL)) < 0)
		goto fail;
	if ((ret = control_fd_add(nl_socket_get_fd(nl.dump), EPOLLIN, on_dump, NULL)) < 0) {
		control_fd_del(nl_socket_get_fd(nl.events));
		goto fail;
	}
	nl.push_pending = true;
	dump_start();
	return 0;
fail:
	nl_push_close();
	nl_socket_free(nl.events);
	nl_socket_free(nl.dump);
	nl.events = nl.dump = NULL;
	return ret;
}

void nl_mirror_resync(void)
{
	if (nl_mirror_running())
		overrun();
}

/* Everything mirrored leaves fastpath: a new generation that no dump marks. */
void nl_mirror_stop(void)
{
	if (!nl_mirror_running())
		return;
	control_fd_del(nl_socket_get_fd(nl.events));
	control_fd_del(nl_socket_get_fd(nl.dump));
	nl_socket_free(nl.events);
	nl_socket_free(nl.dump);
	nl.events = nl.dump = NULL;
	nl.stage = DUMP_NONE;
	nl.generation++;
	sweep();
	nl_push_close();
}

json_t *nl_mirror_status(void)
{
	json_t *ignored = json_object();

	for (unsigned int v = NL_MIRROR + 1; v < NL_VERDICT_MAX; v++)
		json_object_set_new(ignored, nl_verdict_names[v], json_integer(stats.ignored[v]));
	json_t *status = json_pack("{s:b, s:b, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}, "
				   "s:{s:I, s:I}, s:{s:I, s:I}, s:o, s:I, s:I, s:I, s:I}",
		"running", nl_mirror_running(), "dumping", nl.stage != DUMP_NONE, "messages",
		(json_int_t)stats.messages, "kernel_routes", (json_int_t)nl.n_routes,
		"kernel_prefixes", (json_int_t)nl.n_prefixes, "routes", "added",
		(json_int_t)stats.routes_added, "deleted", (json_int_t)stats.routes_deleted,
		"rejected", (json_int_t)stats.routes_rejected, "shadowed",
		(json_int_t)stats.routes_shadowed, "duplicates", (json_int_t)stats.routes_duplicate,
		"addresses", "added", (json_int_t)stats.addrs_added, "deleted",
		(json_int_t)stats.addrs_deleted, "neighbours", "added",
		(json_int_t)stats.neighs_added, "deleted", (json_int_t)stats.neighs_deleted,
		"ignored", ignored, "mtu_ignored", (json_int_t)stats.mtu_ignored, "overruns",
		(json_int_t)stats.overruns, "dumps", (json_int_t)stats.dumps, "swept",
		(json_int_t)stats.swept);

	if (status != NULL)
		json_object_set_new(status, "nexthops",
			json_pack("{s:I, s:I, s:I, s:I}", "objects", (json_int_t)nl.n_nexthops,
				"added", (json_int_t)stats.nexthops_added, "deleted",
				(json_int_t)stats.nexthops_deleted, "routes_resolved",
				(json_int_t)stats.routes_resolved));
	return status;
}

/* fastpath's side: its own routes going make room for the kernel's, twins come and go. */

/* A change deletes fastpath's copy first: a copy is only ever created, never replaced. */
static void fib_route_added(const struct route *r, const struct route *old)
{
	if (old != NULL && old->origin == ORIGIN_STATIC)
		nl_push_route(old, false);
	if (r->origin == ORIGIN_STATIC)
		nl_push_route(r, true);
}

static void fib_route_deleted(const struct route *r)
{
	if (r->origin == ORIGIN_KERNEL)
		return;
	if (r->origin == ORIGIN_STATIC)
		nl_push_route(r, false);
	nl_mirror_prefix_freed(r->vrf, &r->prefix);
}

static struct fib_listener fib_listener = {.added = fib_route_added, .deleted = fib_route_deleted};

static void addr_changed(uint16_t iface, const struct fp_ip_prefix *a, bool added)
{
	struct kaddr *k;

	if (nl_mirror_applying || addr_is_local_scope(a))
		return;
	/* deleted in fastpath: gone from the twin too, whoever made it */
	if (!added && (k = kaddr_find(iface, a)) != NULL)
		kaddr_forget(k);
	nl_push_addr(iface, a, added);
}

static struct addr_listener addr_listener = {.changed = addr_changed};

static void twin_created(uint16_t iface, int ifindex)
{
	(void)ifindex;
	nl_push_all(iface);
}

static void twin_removing(uint16_t iface, int ifindex)
{
	(void)ifindex;
	/* what the kernel gave goes with the twin: kept, a DHCP lease would become fastpath's own
	 * address, copied onto the next twin (an interface already gone answers ENOENT, fine) */
	routes_filter(not_through, iface);
	nl_push_twin_gone(iface);
	nl.twin_down[iface] = false;
	for (size_t i = 0; i < nl.n_addrs;)
		if (nl.addrs[i].iface == iface) {
			fp_addr_change(iface, &nl.addrs[i].a, false);
			kaddr_forget(&nl.addrs[i]);
		} else {
			i++;
		}
	for (size_t i = 0; i < nl.n_neighs;)
		if (nl.neighs[i].key.iface == iface) {
			neigh_del_key(&nl.neighs[i].key);
			nl.neighs[i] = nl.neighs[--nl.n_neighs];
		} else {
			i++;
		}
}

static struct twin_listener twin_listener = {.created = twin_created, .removing = twin_removing};

static void __attribute__((constructor)) mirror_register(void)
{
	fib_listener_register(&fib_listener);
	addr_listener_register(&addr_listener);
	twin_listener_register(&twin_listener);
}

void nl_mirror_fini(void)
{
	nl_mirror_stop();
	free(nl.buckets);
	free(nl.addrs);
	free(nl.neighs);
	free(nl.nexthops);
	free(nl.bufs);
	nl = (typeof(nl)){0};
	nl_push_fini();
}
