/* SPDX-License-Identifier: BSD-3-Clause */
#include "fib4.h"
#include "api/api.h"
#include "infra/fp_error.h"
#include "infra/log.h"
#include "infra/module.h"
#include "infra/worker.h"
#include "neigh/neigh.h"

#include <errno.h>

#include <rte_errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rib.h>

#define MAX_GROUPS	(1 << 16)
#define ALIAS		(MAX_GROUPS - 1) /* a stand-in id, see fib_add() */
#define FIB4_MAX_ROUTES (1 << 20)
#define FIB4_TBL8	(1 << 15)

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
};

struct rte_fib *fp_fib4[FP_MAX_VRFS];
struct nh_group **fp_nh_groups;
static struct rte_hash *group_index; /* group content -> group, to share groups */
static unsigned int route_counts[FP_MAX_VRFS];
/* A deletion may free a tbl8 group that a worker is still reading; it is reused only after a
 * grace period (rte_fib has no RCU of its own in 22.11). */
static bool fib_needs_grace;
static uint64_t fib_generation; /* deletions so far: a walk's saved node may be gone */

/* What identifies a group: everything but the neighbour pointers, which follow from it. */
struct group_key {
	uint8_t type;
	uint8_t origin;
	uint8_t n_members;
	uint8_t pad;
	struct {
		uint32_t gw;
		uint16_t iface;
		uint16_t weight;
	} m[FIB4_ECMP_MAX];
};

static struct rte_fib *fib_of(uint16_t vrf, bool create)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB4_NO_ROUTE,
		.max_routes = FIB4_MAX_ROUTES,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = FIB4_TBL8},
	};
	char name[32];

	if (vrf >= FP_MAX_VRFS)
		return NULL;
	if (fp_fib4[vrf] != NULL || !create)
		return fp_fib4[vrf];
	snprintf(name, sizeof(name), "fib4-%u", vrf);
	fp_fib4[vrf] = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	if (fp_fib4[vrf] == NULL)
		fp_error(ENOMEM, "VRF %u: cannot create its FIB: %s", vrf, rte_strerror(rte_errno));
	return fp_fib4[vrf];
}

const struct nh_group *fib4_lookup(uint16_t vrf, uint32_t addr)
{
	struct rte_fib *fib = fib_of(vrf, false);
	uint32_t ip = rte_be_to_cpu_32(addr);
	uint64_t nh = FIB4_NO_ROUTE;

	if (fib == NULL)
		return NULL;
	rte_fib_lookup_bulk(fib, &ip, &nh, 1);
	return nh == FIB4_NO_ROUTE ? NULL : fp_nh_groups[nh];
}

static int resolve_members(const struct route4 *r, struct group_key *key)
{
	char a[FP_IP4_ADDRSTRLEN];

	*key = (struct group_key){.type = r->type, .origin = r->origin};
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
		uint16_t iface = r->nh[i].iface;

		if (iface != FP_IFACE_NONE && iface_get(iface) == NULL)
			return fp_error(ENODEV, "no interface %u", iface);
		if (r->nh[i].gw != 0) {
			/* like Linux: a gateway must be on a connected network */
			const struct nh_group *g = fib4_lookup(r->vrf, r->nh[i].gw);

			if (g == NULL || g->type != ROUTE_UNICAST || g->members[0].neigh != NULL)
				return fp_error(ENETUNREACH,
					"gateway %s is not on a connected network",
					fp_ip4_fmt(r->nh[i].gw, a));
			if (iface != FP_IFACE_NONE && iface != g->members[0].iface)
				return fp_error(ENETUNREACH, "gateway %s is not on a network of %s",
					fp_ip4_fmt(r->nh[i].gw, a), iface_get(iface)->name);
			iface = g->members[0].iface;
		} else if (iface == FP_IFACE_NONE) {
			return fp_error(EINVAL, "a next hop needs a gateway or a device");
		}
		if (iface_get(iface) == NULL)
			return fp_error(ENODEV, "no interface %u", iface);
		key->m[i].gw = r->nh[i].gw;
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
	key = (struct group_key){.type = g->type, .origin = g->origin, .n_members = g->n_members};
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

static int group_get(const struct group_key *key, struct nh_group **out)
{
	unsigned int total_weight = 0;
	struct nh_group *g;
	uint32_t id;

	if (rte_hash_lookup_data(group_index, key, (void **)&g) >= 0) {
		g->refcnt++;
		*out = g;
		return 0;
	}
	for (id = 1; id < ALIAS && fp_nh_groups[id] != NULL; id++)
		;
	if (id == ALIAS)
		return fp_error(ENOSPC, "too many distinct next-hop groups (%d)", ALIAS - 1);
	g = rte_zmalloc("nh_group", sizeof(*g), RTE_CACHE_LINE_SIZE);
	if (g == NULL)
		return fp_error(ENOMEM, "out of memory");
	*g = (struct nh_group){.id = id,
		.type = key->type,
		.origin = key->origin,
		.n_members = key->n_members,
		.refcnt = 1};
	for (unsigned int i = 0; i < key->n_members; i++) {
		struct nh_member *m = &g->members[i];

		m->gw = key->m[i].gw;
		m->iface = key->m[i].iface;
		m->weight = key->m[i].weight;
		total_weight += m->weight;
		if (m->gw != 0 && (m->neigh = neigh_ref(m->iface, m->gw)) == NULL) {
			g->n_members = i;
			g->refcnt = 1;
			group_unref(g);
			return fp_error(ENOMEM, "out of memory for neighbours");
		}
	}
	/* hash-threshold over slots: each member gets slots in proportion to its weight, and at
	 * least one, taken from the largest shares */
	{
		unsigned int share[FIB4_ECMP_MAX], sum = 0, s = 0;

		for (unsigned int i = 0; i < g->n_members; i++) {
			share[i] = RTE_MAX(1u, g->members[i].weight *
						       RTE_MIN(total_weight, FIB4_SLOTS_MAX) /
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
				g->slots[s++] = i;
		g->n_slots = s;
	}
	if (rte_hash_add_key_data(group_index, key, g) < 0) {
		group_unref(g);
		return fp_error(ENOSPC, "next-hop group index full");
	}
	__atomic_store_n(&fp_nh_groups[id], g, __ATOMIC_RELEASE);
	*out = g;
	return 0;
}

static void route_from_node(uint16_t vrf, const struct rte_rib_node *node, struct route4 *r);

static struct rte_rib_node *rib_exact(struct rte_fib *fib, const struct fp_ip4_prefix *p)
{
	return rte_rib_lookup_exact(rte_fib_get_rib(fib), rte_be_to_cpu_32(p->addr), p->len);
}

/*
 * route.add / route.del for monitors, as the route is (or was) in the table. Without a
 * monitor, no lookup: a trie walk is a good part of the cost of a route.
 */
static void route_event(
	const char *type, uint16_t vrf, struct rte_fib *fib, const struct fp_ip4_prefix *p)
{
	struct route4 r;

	if (!api_event_wanted("route"))
		return;
	route_from_node(vrf, rib_exact(fib, p), &r);
	api_event_publish(type, route4_to_json(&r));
}

/* The next hop of the longest route strictly covering ip/depth, FIB4_NO_ROUTE if none. */
static uint64_t parent_nh(struct rte_rib *rib, uint32_t ip, uint8_t depth)
{
	uint64_t nh = FIB4_NO_ROUTE;

	while (depth-- > 0) {
		struct rte_rib_node *n = rte_rib_lookup_exact(rib, ip, depth);

		if (n != NULL) {
			rte_rib_get_nh(n, &nh);
			break;
		}
	}
	return nh;
}

/*
 * DPDK 22.11's dir24_8 reserves a tbl8 group when a route longer than /24 is
 * added, except when its next hop equals its parent's, yet releases one on
 * every such deletion: the count wraps and every later long route fails with
 * ENOSPC. Shared groups make equal next hops common, so such a route goes in
 * first under an alias id of the same group (its reservation is taken), then
 * is switched to its own id (a modification, which reserves nothing). The
 * alias is cleared once no worker can hold it.
 */
static int fib_add(struct rte_fib *fib, uint32_t ip, uint8_t depth, struct nh_group *g)
{
	struct rte_rib *rib = rte_fib_get_rib(fib);
	int ret;

	if (depth <= 24 || rte_rib_lookup_exact(rib, ip, depth) != NULL ||
		parent_nh(rib, ip, depth) != g->id)
		return rte_fib_add(fib, ip, depth, g->id);
	__atomic_store_n(&fp_nh_groups[ALIAS], g, __ATOMIC_RELEASE);
	ret = rte_fib_add(fib, ip, depth, ALIAS);
	if (ret == 0 && (ret = rte_fib_add(fib, ip, depth, g->id)) < 0)
		rte_fib_delete(fib, ip, depth);
	fp_rcu_synchronize();
	__atomic_store_n(&fp_nh_groups[ALIAS], NULL, __ATOMIC_RELEASE);
	return ret;
}

/* "route 10.0.0.0/8: " before the message of error ret, formatted only when there is one. */
static int route_error(const struct fp_ip4_prefix *p, int ret)
{
	char pfx[FP_IP4_PREFIXSTRLEN];

	return fp_error_prefix(ret, "route %s: ", fp_ip4_prefix_fmt(p, pfx));
}

int fib4_route_add(const struct route4 *r, bool replace)
{
	char pfx[FP_IP4_PREFIXSTRLEN];
	struct rte_rib_node *node;
	struct nh_group *g = NULL, *old = NULL;
	struct group_key key;
	struct rte_fib *fib;
	uint64_t nh;
	int ret;

	if (r->prefix.len > 32 || (r->prefix.addr & ~fp_ip4_mask(r->prefix.len)) != 0)
		return route_error(&r->prefix, fp_error(EINVAL, "not a network prefix"));
	if (r->vrf >= FP_MAX_VRFS)
		return route_error(&r->prefix,
			fp_error(EINVAL, "no VRF %u (0 to %d)", r->vrf, FP_MAX_VRFS - 1));
	if ((fib = fib_of(r->vrf, true)) == NULL)
		return -ENOMEM;
	if ((ret = resolve_members(r, &key)) < 0)
		return route_error(&r->prefix, ret);
	node = rib_exact(fib, &r->prefix);
	if (node != NULL) {
		if (!replace)
			return fp_error(EEXIST, "route %s exists in VRF %u",
				fp_ip4_prefix_fmt(&r->prefix, pfx), r->vrf);
		rte_rib_get_nh(node, &nh);
		old = fp_nh_groups[nh];
	}
	if ((ret = group_get(&key, &g)) < 0)
		return route_error(&r->prefix, ret);
	if (fib_needs_grace) {
		fp_rcu_synchronize();
		fib_needs_grace = false;
	}
	ret = fib_add(fib, rte_be_to_cpu_32(r->prefix.addr), r->prefix.len, g);
	if (ret < 0) {
		group_unref(g);
		return route_error(&r->prefix, fp_error(ret, "FIB full (%s)", rte_strerror(-ret)));
	}
	if (old != NULL)
		group_unref(old);
	else
		route_counts[r->vrf]++;
	route_event("route.add", r->vrf, fib, &r->prefix);
	return 0;
}

int fib4_route_del(uint16_t vrf, const struct fp_ip4_prefix *p)
{
	struct rte_fib *fib = fib_of(vrf, false);
	char pfx[FP_IP4_PREFIXSTRLEN];
	struct rte_rib_node *node;
	uint64_t nh;
	int ret;

	if (p->len > 32 || (p->addr & ~fp_ip4_mask(p->len)) != 0)
		return route_error(p, fp_error(EINVAL, "not a network prefix"));
	if (fib == NULL || (node = rib_exact(fib, p)) == NULL)
		return fp_error(ENOENT, "no route %s in VRF %u", fp_ip4_prefix_fmt(p, pfx), vrf);
	rte_rib_get_nh(node, &nh);
	route_event("route.del", vrf, fib, p);
	ret = rte_fib_delete(fib, rte_be_to_cpu_32(p->addr), p->len);
	if (ret < 0)
		return route_error(p, fp_error(ret, "%s", rte_strerror(-ret)));
	fib_needs_grace = true;
	fib_generation++;
	route_counts[vrf]--;
	group_unref(fp_nh_groups[nh]);
	return 0;
}

static void route_from_node(uint16_t vrf, const struct rte_rib_node *node, struct route4 *r)
{
	const struct nh_group *g;
	uint32_t ip;
	uint8_t depth;
	uint64_t nh;

	rte_rib_get_ip(node, &ip);
	rte_rib_get_depth(node, &depth);
	rte_rib_get_nh(node, &nh);
	g = fp_nh_groups[nh];
	*r = (struct route4){.vrf = vrf,
		.prefix = {rte_cpu_to_be_32(ip), depth},
		.type = g->type,
		.origin = g->origin,
		.n_nh = g->n_members};
	for (unsigned int i = 0; i < g->n_members; i++) {
		r->nh[i].gw = g->members[i].gw;
		r->nh[i].iface = g->members[i].iface;
		r->nh[i].weight = g->members[i].weight;
	}
}

int fib4_route_get(uint16_t vrf, const struct fp_ip4_prefix *p, struct route4 *out)
{
	struct rte_fib *fib = fib_of(vrf, false);
	struct rte_rib_node *node;

	if (p->len > 32 || (p->addr & ~fp_ip4_mask(p->len)) != 0)
		return -EINVAL;
	node = fib ? rib_exact(fib, p) : NULL;
	if (node == NULL)
		return -ENOENT;
	route_from_node(vrf, node, out);
	return 0;
}

/*
 * rte_rib_get_nxt(ALL) visits a node's more specific routes before the node
 * (post-order); the default route, which it skips, comes last. That order is
 * (last address of the prefix ascending, length descending): a position in it
 * can be found again by key after deletions freed the node it was at.
 */
static bool after(const struct fp_ip4_prefix *a, const struct fp_ip4_prefix *b)
{
	uint32_t ea = rte_be_to_cpu_32(a->addr | ~fp_ip4_mask(a->len));
	uint32_t eb = rte_be_to_cpu_32(b->addr | ~fp_ip4_mask(b->len));

	return ea != eb ? ea > eb : a->len < b->len;
}

static struct rte_rib_node *rib_next(
	struct rte_rib *rib, struct rte_rib_node *node, bool *at_default)
{
	struct rte_rib_node *next;

	if (*at_default)
		return NULL;
	next = rte_rib_get_nxt(rib, 0, 0, node, RTE_RIB_GET_NXT_ALL);
	if (next == NULL) {
		*at_default = true;
		next = rte_rib_lookup_exact(rib, 0, 0);
	}
	return next;
}

int fib4_routes_walk_from(struct fib4_position *pos, size_t max,
	int (*cb)(const struct route4 *r, void *arg), void *arg)
{
	for (; pos->vrf < FP_MAX_VRFS; pos->vrf++, pos->started = false, pos->at_default = false) {
		bool at_default = pos->at_default;
		struct rte_rib_node *node;
		struct rte_rib *rib;
		struct route4 r;
		int ret;

		if ((pos->only_vrf != UINT16_MAX && pos->vrf != pos->only_vrf) ||
			fp_fib4[pos->vrf] == NULL)
			continue;
		rib = rte_fib_get_rib(fp_fib4[pos->vrf]);
		if (!pos->started) {
			node = rib_next(rib, NULL, &at_default);
		} else if (pos->generation == fib_generation) {
			node = rib_next(rib, pos->node, &at_default);
		} else {
			/* a deletion may have freed the node: find the place again by key */
			at_default = false;
			for (node = rib_next(rib, NULL, &at_default); node != NULL;
				node = rib_next(rib, node, &at_default)) {
				route_from_node(pos->vrf, node, &r);
				if (after(&r.prefix, &pos->last))
					break;
			}
		}
		for (; node != NULL; node = rib_next(rib, node, &at_default)) {
			if (max-- == 0)
				return 1;
			route_from_node(pos->vrf, node, &r);
			*pos = (struct fib4_position){.only_vrf = pos->only_vrf,
				.vrf = pos->vrf,
				.started = true,
				.at_default = at_default,
				.node = node,
				.generation = fib_generation,
				.last = r.prefix};
			if ((ret = cb(&r, arg)) != 0)
				return ret;
		}
	}
	return 0;
}

int fib4_routes_walk(uint16_t vrf, int (*cb)(const struct route4 *r, void *arg), void *arg)
{
	struct fib4_position pos = {.only_vrf = vrf};

	return fib4_routes_walk_from(&pos, SIZE_MAX, cb, arg);
}

unsigned int fib4_route_count(uint16_t vrf)
{
	return vrf < FP_MAX_VRFS ? route_counts[vrf] : 0;
}

struct doomed {
	bool (*match)(const struct route4 *r, void *arg);
	void *arg;
	size_t n, cap;
	struct {
		uint16_t vrf;
		struct fp_ip4_prefix prefix;
	} * list;
};

static int collect_doomed(const struct route4 *r, void *arg)
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
int fib4_routes_delete_if(bool (*match)(const struct route4 *r, void *arg), void *arg)
{
	struct doomed d = {.match = match, .arg = arg};
	int ret = fib4_routes_walk(UINT16_MAX, collect_doomed, &d);

	for (size_t i = 0; ret == 0 && i < d.n; i++)
		fib4_route_del(d.list[i].vrf, &d.list[i].prefix);
	free(d.list);
	return ret;
}

static bool through_iface(const struct route4 *r, void *arg)
{
	for (unsigned int i = 0; i < r->n_nh; i++)
		if (r->nh[i].iface == *(const uint16_t *)arg)
			return true;
	return false;
}

static bool any_route(const struct route4 *r, void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

static void fib4_iface_removing(struct iface *iface)
{
	if (fib4_routes_delete_if(through_iface, &iface->id) < 0)
		LOG(ERR, "interface %s: %s; some of its routes stay", iface->name, fp_errmsg());
}

static struct iface_listener fib4_listener = {.order = 20, .removing = fib4_iface_removing};

static int fib4_init(void)
{
	struct rte_hash_parameters hp = {
		.name = "nh_groups",
		.entries = MAX_GROUPS,
		.key_len = sizeof(struct group_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};

	fp_nh_groups = rte_zmalloc("nh_groups", MAX_GROUPS * sizeof(*fp_nh_groups), 0);
	group_index = rte_hash_create(&hp);
	if (fp_nh_groups == NULL || group_index == NULL)
		return fp_error(ENOMEM, "next-hop groups: out of memory");
	iface_listener_register(&fib4_listener);
	return fib_of(0, true) == NULL ? -ENOMEM : 0;
}

static void fib4_fini(void)
{
	fib4_routes_delete_if(any_route, NULL);
	for (unsigned int v = 0; v < FP_MAX_VRFS; v++) {
		rte_fib_free(fp_fib4[v]);
		fp_fib4[v] = NULL;
	}
	rte_hash_free(group_index);
	rte_free(fp_nh_groups);
}

static struct fp_module fib4_module = {
	.name = "fib4",
	.order = 20,
	.init = fib4_init,
	.fini = fib4_fini,
};
FP_MODULE_REGISTER(fib4_module)

json_t *route4_to_json(const struct route4 *r)
{
	char a[FP_IP4_PREFIXSTRLEN];
	json_t *o = json_pack("{s:i, s:s, s:s, s:s}", "vrf", r->vrf, "prefix",
		fp_ip4_prefix_fmt(&r->prefix, a), "type", route_type_names[r->type], "origin",
		route_origin_names[r->origin]);

	if (r->n_nh > 0) {
		json_t *nhs = json_array();

		for (unsigned int i = 0; i < r->n_nh; i++) {
			const struct iface *iface = iface_get(r->nh[i].iface);
			json_t *nh = json_object();

			if (r->nh[i].gw != 0)
				json_object_set_new(
					nh, "via", json_string(fp_ip4_fmt(r->nh[i].gw, a)));
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
