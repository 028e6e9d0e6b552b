/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route tables' family-independent part: next-hop groups (shared by IPv4 and IPv6
 * routes), the checks of a route's next hops, adding, deleting, walking and listing routes of
 * either family. The tables themselves are fib4.c's and fib6.c's (struct fib_family).
 */
#include "api/api.h"
#include "fib_priv.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "neigh/neigh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#define MAX_GROUPS (1 << 16)
#define N_FAMILIES 2 /* IPv4, IPv6: the order of walks and counts */

const char *const route_type_names[ROUTE_TYPE_MAX + 1] = {
	[ROUTE_UNICAST] = "unicast",
	[ROUTE_LOCAL] = "local",
	[ROUTE_BROADCAST] = "broadcast",
	[ROUTE_BLACKHOLE] = "blackhole",
	[ROUTE_UNREACHABLE] = "unreachable",
	[ROUTE_PROHIBIT] = "prohibit",
};
const char *const route_origin_names[ORIGIN_MAX + 1] = {
	[ORIGIN_CONNECTED] = "connected",
	[ORIGIN_STATIC] = "static",
	[ORIGIN_KERNEL] = "kernel",
};

struct nh_group **fp_nh_groups;
bool fib_needs_grace;
static struct rte_hash *group_index; /* group content -> group, to share groups */
static unsigned int route_counts[N_FAMILIES][FP_MAX_VRFS];
static uint64_t fib_generation; /* deletions so far: a walk's saved node may be gone */

static const struct fib_family *const families[N_FAMILIES] = {&fib4_family, &fib6_family};
static struct fib_listener *listeners;

void fib_listener_register(struct fib_listener *l)
{
	l->next = listeners;
	listeners = l;
}

static unsigned int family_index(uint8_t family)
{
	return family == AF_INET6;
}

/*
 * What identifies a group: everything but the neighbour pointers, which follow from it.
 * Members past n_members are zero, and so is every byte of an address's padding.
 */
struct group_key {
	uint8_t type;
	uint8_t origin;
	uint8_t n_members;
	uint8_t protocol;
	struct {
		struct fp_ip_addr gw;
		uint16_t iface;
		uint16_t weight;
	} m[FIB4_ECMP_MAX];
};

/* CRC32-C of the members in use only: a route's key is mostly its one member. */
static uint32_t group_key_hash(const void *data, uint32_t len, uint32_t init)
{
	const struct group_key *k = data;

	(void)len;
	return rte_hash_crc(
		k, offsetof(struct group_key, m) + k->n_members * sizeof(k->m[0]), init);
}

/* "route 10.0.0.0/8: " before the message of error ret, formatted only when there is one. */
static int route_error(const struct fp_ip_prefix *p, int ret)
{
	char pfx[FP_IP_PREFIXSTRLEN];

	return fp_error_prefix(ret, "route %s: ", fp_ip_prefix_fmt(p, pfx));
}

/* A prefix whose family has a table, its length in range, no host bit set. */
static bool is_network(const struct fp_ip_prefix *p)
{
	struct fp_ip_addr net;

	if (fib_family_of(p->addr.family) == NULL || p->len > fp_family_bits(p->addr.family))
		return false;
	net = fp_ip_masked(&p->addr, p->len);
	return fp_ip_addr_equal(&net, &p->addr);
}

/* An address with all bits zero stands for no gateway, in both families. */
static bool gw_is_none(const struct fp_ip_addr *gw)
{
	return gw->family == 0 || (gw->family == AF_INET && gw->v4 == 0) ||
	       (gw->family == AF_INET6 && fp_ip6_is_unspecified(&gw->v6));
}

/*
 * The interface of a gateway: like Linux, a gateway must be on a connected network (of iface
 * when one is given); an IPv6 link-local one is on the link named with it.
 */
static int gateway_iface(uint16_t vrf, const struct fp_ip_addr *gw, uint16_t iface)
{
	char a[FP_IP_ADDRSTRLEN];
	const struct nh_group *g;

	/* the address is formatted for errors only: a million routes go through here */
	if (gw->family == AF_INET6) {
		if (fp_ip6_is_multicast(&gw->v6) || fp_ip6_is_loopback(&gw->v6))
			return fp_error(EINVAL, "gateway %s is a %s address", fp_ip_fmt(gw, a),
				fp_ip6_is_multicast(&gw->v6) ? "multicast" : "loopback");
		if (fp_ip6_is_link_local(&gw->v6)) {
			if (iface == FP_IFACE_NONE)
				return fp_error(EINVAL,
					"a link-local gateway (%s) needs its interface ('dev')",
					fp_ip_fmt(gw, a));
			return iface;
		}
	}
	g = fib_lookup(vrf, gw);
	if (g == NULL || g->type != ROUTE_UNICAST || g->members[0].neigh != NULL)
		return fp_error(
			ENETUNREACH, "gateway %s is not on a connected network", fp_ip_fmt(gw, a));
	if (iface != FP_IFACE_NONE && iface != g->members[0].iface)
		return fp_error(ENETUNREACH, "gateway %s is not on a network of %s",
			fp_ip_fmt(gw, a), iface_get(iface)->name);
	return g->members[0].iface;
}

static int resolve_members(const struct route *r, struct group_key *key)
{
	uint8_t family = r->prefix.addr.family;

	*key = (struct group_key){.type = r->type, .origin = r->origin, .protocol = r->protocol};
	if (r->type == ROUTE_BROADCAST && family == AF_INET6)
		return fp_error(EINVAL, "IPv6 has no broadcast routes");
	if (r->type != ROUTE_UNICAST && r->type != ROUTE_LOCAL && r->type != ROUTE_BROADCAST) {
		if (r->n_nh > 0)
			return fp_error(
				EINVAL, "a %s route has no next hop", route_type_names[r->type]);
		return 0;
	}
	if (r->n_nh == 0 || r->n_nh > FIB4_ECMP_MAX)
		return fp_error(EINVAL, "a %s route needs 1 to %d next hops",
			route_type_names[r->type], FIB4_ECMP_MAX);
	key->n_members = r->n_nh;
	for (unsigned int i = 0; i < r->n_nh; i++) {
		const struct fp_ip_addr *gw = &r->nh[i].gw;
		int iface = r->nh[i].iface;
		char a[FP_IP_ADDRSTRLEN];

		if (iface != FP_IFACE_NONE && iface_get(iface) == NULL)
			return fp_error(ENODEV, "no interface %u", iface);
		if (!gw_is_none(gw)) {
			if (gw->family != family)
				return fp_error(EINVAL, "gateway %s is an %s address, not %s",
					fp_ip_fmt(gw, a), fp_family_name(gw->family),
					fp_family_name(family));
			if ((iface = gateway_iface(r->vrf, gw, iface)) < 0)
				return iface;
			key->m[i].gw =
				gw->family == AF_INET ? fp_ip_addr4(gw->v4) : fp_ip_addr6(&gw->v6);
		} else if (iface == FP_IFACE_NONE) {
			return fp_error(EINVAL, "a next hop needs a gateway or a device");
		}
		key->m[i].iface = iface;
		key->m[i].weight = r->nh[i].weight ? r->nh[i].weight : 1;
	}
	return 0;
}

static void group_unref(struct nh_group *g)
{
	struct group_key key;

	if (g == NULL || --g->refcnt > 0)
		return;
	key = (struct group_key){.type = g->type,
		.origin = g->origin,
		.n_members = g->n_members,
		.protocol = g->protocol};
	for (unsigned int i = 0; i < g->n_members; i++) {
		key.m[i].gw = g->members[i].gw;
		key.m[i].iface = g->members[i].iface;
		key.m[i].weight = g->members[i].weight;
	}
	rte_hash_del_key(group_index, &key);
	__atomic_store_n(&fp_nh_groups[g->id], NULL, __ATOMIC_RELEASE);
	fp_rcu_synchronize();
	for (unsigned int i = 0; i < g->n_members; i++)
		neigh_unref(g->members[i].neigh);
	rte_free(g);
}

/* Whether a path may take member m: not through an interface set down (ip link set down). */
static bool member_live(const struct nh_member *m)
{
	const struct iface *iface = iface_get(m->iface);

	return iface == NULL || __atomic_load_n(&iface->admin_up, __ATOMIC_RELAXED);
}

/*
 * Hash-threshold over slots: each member gets slots in proportion to its weight, and at least
 * one, taken from the largest shares. A member through an interface set down gets none, as
 * Linux marks its next hop dead (unless all are: the group stays as it is); it gets its slots
 * back once the interface is up (fib_iface_admin_changed()). Filled while the workers read
 * the group: the slots first, then their count, every slot naming a member at all times; an
 * ECMP group keeps two slots at least, as the datapath takes member 0 for one.
 */
static void group_fill_slots(struct nh_group *g)
{
	unsigned int share[FIB4_ECMP_MAX] = {0}, total_weight = 0, sum = 0, s = 0, live = 0;
	uint8_t slots[FIB4_SLOTS_MAX];

	for (unsigned int i = 0; i < g->n_members; i++)
		live += member_live(&g->members[i]);
	for (unsigned int i = 0; i < g->n_members; i++)
		if (live == 0 || member_live(&g->members[i]))
			total_weight += g->members[i].weight;
	for (unsigned int i = 0; i < g->n_members; i++) {
		if (live > 0 && !member_live(&g->members[i]))
			continue;
		share[i] =
			RTE_MAX(1u, g->members[i].weight * RTE_MIN(total_weight, FIB4_SLOTS_MAX) /
					    total_weight);
		sum += share[i];
	}
	while (sum > FIB4_SLOTS_MAX) {
		unsigned int big = 0;

		for (unsigned int i = 1; i < g->n_members; i++)
			big = share[i] > share[big] ? i : big;
		share[big]--;
		sum--;
	}
	for (unsigned int i = 0; i < g->n_members; i++)
		for (unsigned int k = 0; k < share[i]; k++)
			slots[s++] = i;
	if (s == 1 && g->n_members > 1)
		slots[s++] = slots[0];
	for (unsigned int k = 0; k < s; k++)
		__atomic_store_n(&g->slots[k], slots[k], __ATOMIC_RELAXED);
	__atomic_store_n(&g->n_slots, s, __ATOMIC_RELEASE);
}

/* The group of key, shared if it exists (a reference taken), else made and published. */
static int group_get(const struct group_key *key, struct nh_group **out)
{
	struct nh_group *g;
	uint32_t id;

	if (rte_hash_lookup_data(group_index, key, (void **)&g) >= 0) {
		g->refcnt++;
		*out = g;
		return 0;
	}
	for (id = 1; id < MAX_GROUPS - 1 && fp_nh_groups[id] != NULL; id++)
		;
	/* the last id is fib4.c's stand-in (FIB4_ALIAS) */
	if (id == MAX_GROUPS - 1)
		return fp_error(ENOSPC, "too many distinct next-hop groups (%d)", MAX_GROUPS - 2);
	g = rte_zmalloc("nh_group", sizeof(*g), RTE_CACHE_LINE_SIZE);
	if (g == NULL)
		return fp_error(ENOMEM, "out of memory");
	*g = (struct nh_group){.id = id,
		.type = key->type,
		.origin = key->origin,
		.n_members = key->n_members,
		.protocol = key->protocol,
		.refcnt = 1};
	for (unsigned int i = 0; i < key->n_members; i++) {
		struct nh_member *m = &g->members[i];
		struct neigh_key nk;

		m->gw = key->m[i].gw;
		m->iface = key->m[i].iface;
		m->weight = key->m[i].weight;
		if (m->gw.family == 0)
			continue;
		nk = neigh_key_of(m->iface, &m->gw);
		if ((m->neigh = neigh_ref_key(&nk)) == NULL) {
			g->n_members = i;
			g->refcnt = 1;
			group_unref(g);
			return fp_error(ENOMEM, "out of memory for neighbours");
		}
	}
	group_fill_slots(g);
	if (rte_hash_add_key_data(group_index, key, g) < 0) {
		group_unref(g);
		return fp_error(ENOSPC, "next-hop group index full");
	}
	__atomic_store_n(&fp_nh_groups[id], g, __ATOMIC_RELEASE);
	*out = g;
	return 0;
}

const struct nh_group *fib_lookup(uint16_t vrf, const struct fp_ip_addr *addr)
{
	const struct fib_family *fam = fib_family_of(addr->family);
	void *fib = fam != NULL && vrf < FP_MAX_VRFS ? fam->table(vrf, false) : NULL;
	uint64_t nh;

	if (fib == NULL)
		return NULL;
	nh = fam->lookup(fib, addr);
	return nh == 0 ? NULL : fp_nh_groups[nh];
}

static void route_from_node(
	const struct fib_family *fam, uint16_t vrf, const void *node, struct route *r)
{
	const struct nh_group *g;
	uint64_t nh;

	r->vrf = vrf;
	fam->node_get(node, &r->prefix, &nh);
	g = fp_nh_groups[nh];
	r->type = g->type;
	r->origin = g->origin;
	r->protocol = g->protocol;
	r->n_nh = g->n_members;
	for (unsigned int i = 0; i < g->n_members; i++) {
		r->nh[i].gw = g->members[i].gw;
		r->nh[i].iface = g->members[i].iface;
		r->nh[i].weight = g->members[i].weight;
	}
}

/*
 * route.add / route.del for monitors, as the route is (or was) in the table. Without a
 * monitor, no lookup: a trie walk is a good part of the cost of a route.
 */
static void route_event(const char *type, const struct fib_family *fam, uint16_t vrf, void *fib,
	const struct fp_ip_prefix *p)
{
	struct route r;

	if (!api_event_wanted("route"))
		return;
	route_from_node(fam, vrf, fam->exact(fib, p), &r);
	api_event_publish(type, route_to_json(&r));
}

/* The listeners hear of the route as it is in the table: its interfaces found. */
static void tell_added(const struct route *r, const struct group_key *key, const struct route *old)
{
	struct route done = *r;

	for (unsigned int i = 0; i < key->n_members; i++) {
		done.nh[i].gw = key->m[i].gw;
		done.nh[i].iface = key->m[i].iface;
		done.nh[i].weight = key->m[i].weight;
	}
	for (struct fib_listener *l = listeners; l != NULL; l = l->next)
		l->added(&done, old);
}

int fib_route_add(const struct route *r, bool replace)
{
	const struct fib_family *fam = fib_family_of(r->prefix.addr.family);
	struct nh_group *g = NULL, *old = NULL;
	char pfx[FP_IP_PREFIXSTRLEN];
	struct group_key key;
	struct route was;
	void *fib, *node;
	bool changed;
	uint64_t nh;
	int ret;

	if (!is_network(&r->prefix))
		return route_error(&r->prefix, fp_error(EINVAL, "not a network prefix"));
	if (r->vrf >= FP_MAX_VRFS)
		return route_error(&r->prefix,
			fp_error(EINVAL, "no VRF %u (0 to %d)", r->vrf, FP_MAX_VRFS - 1));
	if ((ret = resolve_members(r, &key)) < 0)
		return route_error(&r->prefix, ret);
	if ((fib = fam->table(r->vrf, true)) == NULL)
		return route_error(&r->prefix, -ENOMEM);
	node = fam->exact(fib, &r->prefix);
	if (node != NULL) {
		fam->node_get(node, &(struct fp_ip_prefix){0}, &nh);
		old = fp_nh_groups[nh];
		if (!replace && (old->origin != ORIGIN_KERNEL || r->origin == ORIGIN_KERNEL))
			return fp_error(EEXIST, "route %s exists in VRF %u",
				fp_ip_prefix_fmt(&r->prefix, pfx), r->vrf);
		if (listeners != NULL)
			route_from_node(fam, r->vrf, node, &was);
	}
	if ((ret = group_get(&key, &g)) < 0)
		return route_error(&r->prefix, ret);
	fib_grace();
	if ((ret = fam->set(fib, r->vrf, &r->prefix, g)) < 0) {
		group_unref(g);
		return route_error(&r->prefix, ret);
	}
	/* the same group: the same type, origin and paths, nothing changed (a reload) */
	changed = g != old;
	if (old != NULL) {
		group_unref(old);
	} else {
		route_counts[family_index(fam->family)][r->vrf]++;
	}
	route_event("route.add", fam, r->vrf, fib, &r->prefix);
	if (listeners != NULL && changed)
		tell_added(r, &key, old != NULL ? &was : NULL);
	return 0;
}

int fib_route_del(uint16_t vrf, const struct fp_ip_prefix *p)
{
	const struct fib_family *fam = fib_family_of(p->addr.family);
	char pfx[FP_IP_PREFIXSTRLEN];
	struct route gone;
	void *fib, *node;
	uint64_t nh;
	int ret;

	if (!is_network(p))
		return route_error(p, fp_error(EINVAL, "not a network prefix"));
	fib = vrf < FP_MAX_VRFS ? fam->table(vrf, false) : NULL;
	if (fib == NULL || (node = fam->exact(fib, p)) == NULL)
		return fp_error(ENOENT, "no route %s in VRF %u", fp_ip_prefix_fmt(p, pfx), vrf);
	fam->node_get(node, &(struct fp_ip_prefix){0}, &nh);
	if (listeners != NULL)
		route_from_node(fam, vrf, node, &gone);
	route_event("route.del", fam, vrf, fib, p);
	if ((ret = fam->unset(fib, vrf, p)) < 0)
		return route_error(p, ret);
	fib_needs_grace = true;
	fib_generation++;
	route_counts[family_index(fam->family)][vrf]--;
	group_unref(fp_nh_groups[nh]);
	for (struct fib_listener *l = listeners; l != NULL; l = l->next)
		l->deleted(&gone);
	return 0;
}

int fib_route_get(uint16_t vrf, const struct fp_ip_prefix *p, struct route *out)
{
	const struct fib_family *fam = fib_family_of(p->addr.family);
	void *fib, *node;

	if (!is_network(p))
		return -EINVAL;
	fib = vrf < FP_MAX_VRFS ? fam->table(vrf, false) : NULL;
	node = fib ? fam->exact(fib, p) : NULL;
	if (node == NULL)
		return -ENOENT;
	route_from_node(fam, vrf, node, out);
	return 0;
}

/*
 * A walk visits a node's more specific routes before the node (post-order), the default route
 * last. That order is (last address of the prefix ascending, length descending): a position
 * in it can be found again by key after deletions freed the node it was at.
 */
static bool after(const struct fp_ip_prefix *a, const struct fp_ip_prefix *b)
{
	struct fp_ip_addr ea = fp_ip_masked(&a->addr, a->len), eb = fp_ip_masked(&b->addr, b->len);
	unsigned int bits = fp_family_bits(a->addr.family);
	uint8_t *x = ea.v6.bytes, *y = eb.v6.bytes; /* the IPv4 address is the first 4 bytes */
	int c;

	for (unsigned int i = 0; i < bits / 8; i++) {
		/* the last address: host bits set */
		uint8_t host = 8 * i >= a->len	      ? 0xff
			       : 8 * (i + 1) > a->len ? 0xff >> (a->len % 8)
						      : 0;

		x[i] |= host;
		host = 8 * i >= b->len ? 0xff : 8 * (i + 1) > b->len ? 0xff >> (b->len % 8) : 0;
		y[i] |= host;
	}
	c = memcmp(x, y, bits / 8);
	return c != 0 ? c > 0 : a->len < b->len;
}

/* The walk of one family's table in one VRF, from pos on. */
static int walk_table(const struct fib_family *fam, struct fib_position *pos, size_t *max,
	route_cb_t cb, void *arg)
{
	void *fib = fam->table(pos->vrf, false), *node;
	bool at_default = pos->at_default;
	struct route r;
	int ret;

	if (fib == NULL)
		return 0;
	if (!pos->started) {
		node = fam->next(fib, NULL, &at_default);
	} else if (pos->generation == fib_generation) {
		node = fam->next(fib, pos->node, &at_default);
	} else {
		/* a deletion may have freed the node: find the place again by key */
		at_default = false;
		for (node = fam->next(fib, NULL, &at_default); node != NULL;
			node = fam->next(fib, node, &at_default)) {
			route_from_node(fam, pos->vrf, node, &r);
			if (after(&r.prefix, &pos->last))
				break;
		}
	}
	for (; node != NULL; node = fam->next(fib, node, &at_default)) {
		if ((*max)-- == 0)
			return 1;
		route_from_node(fam, pos->vrf, node, &r);
		pos->started = true;
		pos->at_default = at_default;
		pos->node = node;
		pos->generation = fib_generation;
		pos->last = r.prefix;
		if ((ret = cb(&r, arg)) != 0)
			return ret;
	}
	return 0;
}

int fib_routes_walk_from(struct fib_position *pos, size_t max, route_cb_t cb, void *arg)
{
	if (pos->family == AF_INET6 && pos->at == 0)
		pos->at = 1;
	for (; pos->at < N_FAMILIES; pos->at++, pos->vrf = 0) {
		if (pos->family != AF_UNSPEC && families[pos->at]->family != pos->family)
			break;
		for (; pos->vrf < FP_MAX_VRFS;
			pos->vrf++, pos->started = false, pos->at_default = false) {
			int ret;

			if (pos->only_vrf != UINT16_MAX && pos->vrf != pos->only_vrf)
				continue;
			if ((ret = walk_table(families[pos->at], pos, &max, cb, arg)) != 0)
				return ret;
		}
	}
	return 0;
}

int fib_routes_walk(uint8_t family, uint16_t vrf, route_cb_t cb, void *arg)
{
	struct fib_position pos = {.family = family, .only_vrf = vrf};

	return fib_routes_walk_from(&pos, SIZE_MAX, cb, arg);
}

unsigned int fib_route_count(uint8_t family, uint16_t vrf)
{
	if (vrf >= FP_MAX_VRFS || fib_family_of(family) == NULL)
		return 0;
	return route_counts[family_index(family)][vrf];
}

struct doomed {
	bool (*match)(const struct route *r, void *arg);
	void *arg;
	size_t n, cap;
	struct {
		uint16_t vrf;
		struct fp_ip_prefix prefix;
	} * list;
};

static int collect_doomed(const struct route *r, void *arg)
{
	struct doomed *d = arg;

	if (!d->match(r, d->arg))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		typeof(d->list) list = realloc(d->list, cap * sizeof(*list));

		if (list == NULL)
			return fp_error(ENOMEM, "out of memory");
		d->list = list;
		d->cap = cap;
	}
	d->list[d->n].vrf = r->vrf;
	d->list[d->n++].prefix = r->prefix;
	return 0;
}

/* The walk cannot delete under its own feet: collect first. */
int fib_routes_delete_if(uint8_t family, bool (*match)(const struct route *r, void *arg), void *arg)
{
	struct doomed d = {.match = match, .arg = arg};
	int ret = fib_routes_walk(family, UINT16_MAX, collect_doomed, &d);

	for (size_t i = 0; ret == 0 && i < d.n; i++)
		fib_route_del(d.list[i].vrf, &d.list[i].prefix);
	free(d.list);
	return ret;
}

static bool through_iface(const struct route *r, void *arg)
{
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (r->nh[i].iface == *(const uint16_t *)arg)
			return true;
	return false;
}

static bool any_route(const struct route *r, void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

/* A static route whose every next hop is through the interface (arg). */
static bool static_only_through(const struct route *r, void *arg)
{
	if (r->origin != ORIGIN_STATIC || r->n_nh == 0)
		return false;
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (r->nh[i].iface != *(const uint16_t *)arg)
			return false;
	return true;
}

/*
 * ip link set down: as Linux's fib_sync_down_dev() and rt6_sync_down_dev(), the static routes
 * of both families through the interface alone are deleted, for good (its addresses' connected
 * routes follow the addresses, lib/ip4 and lib/ip6; mirrored routes follow the kernel's).
 * ECMP routes leave their paths through it until it is up again, as Linux marks them dead.
 */
static void fib_iface_admin_changed(struct iface *iface)
{
	if (!iface->admin_up &&
		fib_routes_delete_if(AF_UNSPEC, static_only_through, &iface->id) < 0)
		LOG(ERR, "interface %s down: %s; some of its routes stay", iface->name,
			fp_errmsg());
	/* the ECMP groups through it leave its paths, or take them back */
	for (uint32_t id = 1; id < MAX_GROUPS; id++) {
		struct nh_group *g = fp_nh_groups[id];

		for (unsigned int i = 0; g != NULL && g->n_members > 1 && i < g->n_members; i++)
			if (g->members[i].iface == iface->id) {
				group_fill_slots(g);
				break;
			}
	}
}

/* An interface's routes of both families go with it. */
static void fib_iface_removing(struct iface *iface)
{
	if (fib_routes_delete_if(AF_UNSPEC, through_iface, &iface->id) < 0)
		LOG(ERR, "interface %s: %s; some of its routes stay", iface->name, fp_errmsg());
}

static struct iface_listener fib_listener = {
	.order = 20, .removing = fib_iface_removing, .admin_changed = fib_iface_admin_changed};

static int fib_init(void)
{
	struct rte_hash_parameters hp = {
		.name = "nh_groups",
		.entries = MAX_GROUPS,
		.key_len = sizeof(struct group_key),
		.hash_func = group_key_hash,
		.socket_id = SOCKET_ID_ANY,
	};

	fp_nh_groups = rte_zmalloc("nh_groups", MAX_GROUPS * sizeof(*fp_nh_groups), 0);
	group_index = rte_hash_create(&hp);
	if (fp_nh_groups == NULL || group_index == NULL)
		return fp_error(ENOMEM, "next-hop groups: out of memory");
	iface_listener_register(&fib_listener);
	/* VRF 0's IPv4 table from the start; every other table comes with its first route */
	return fib4_family.table(0, true) == NULL ? -ENOMEM : 0;
}

static void fib_fini(void)
{
	fib_routes_delete_if(AF_UNSPEC, any_route, NULL);
	fib4_tables_free();
	fib6_tables_free();
	rte_hash_free(group_index);
	rte_free(fp_nh_groups);
}

static struct fp_module fib_module = {
	.name = "fib",
	.order = 20,
	.init = fib_init,
	.fini = fib_fini,
};
FP_MODULE_REGISTER(fib_module)

const char *route_protocol_name(uint8_t protocol, char buf[4])
{
	/* iproute2's rt_protos, and rt_protos.d/frr.conf as FRR's packages install it (FRR's
	 * staticd installs its routes as 196, "static" there as 4 is in rt_protos) */
	static const char *const names[256] = {[1] = "redirect",
		[2] = "kernel",
		[3] = "boot",
		[4] = "static",
		[8] = "gated",
		[9] = "ra",
		[10] = "mrt",
		[11] = "zebra",
		[12] = "bird",
		[13] = "dnrouted",
		[14] = "xorp",
		[15] = "ntk",
		[16] = "dhcp",
		[18] = "keepalived",
		[42] = "babel",
		[99] = "openr",
		[186] = "bgp",
		[187] = "isis",
		[188] = "ospf",
		[189] = "rip",
		[190] = "ripng",
		[191] = "nhrp",
		[192] = "eigrp",
		[193] = "ldp",
		[194] = "sharp",
		[195] = "pbr",
		[196] = "static",
		[197] = "openfabric"};

	if (names[protocol] != NULL)
		return names[protocol];
	snprintf(buf, 4, "%u", protocol);
	return buf;
}

json_t *route_to_json(const struct route *r)
{
	char a[FP_IP_PREFIXSTRLEN];
	json_t *o = json_pack("{s:i, s:s, s:s, s:s}", "vrf", r->vrf, "prefix",
		fp_ip_prefix_fmt(&r->prefix, a), "type", route_type_names[r->type], "origin",
		route_origin_names[r->origin]);

	if (r->origin == ORIGIN_KERNEL)
		json_object_set_new(
			o, "protocol", json_string(route_protocol_name(r->protocol, a)));

	if (r->n_nh > 0) {
		json_t *nhs = json_array();

		for (unsigned int i = 0; i < r->n_nh; i++) {
			const struct iface *iface = iface_get(r->nh[i].iface);
			json_t *nh = json_object();

			if (!gw_is_none(&r->nh[i].gw))
				json_object_set_new(
					nh, "via", json_string(fp_ip_fmt(&r->nh[i].gw, a)));
			if (iface != NULL)
				json_object_set_new(nh, "dev", json_string(iface->name));
			if (r->nh[i].weight > 1)
				json_object_set_new(nh, "weight", json_integer(r->nh[i].weight));
			json_array_append_new(nhs, nh);
		}
		json_object_set_new(o, "nexthops", nhs);
	}
	return o;
}
