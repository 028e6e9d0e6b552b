/* SPDX-License-Identifier: BSD-3-Clause */
/* The IPv4 tables: one rte_fib (DIR24_8) per VRF, and the IPv4 route API (fib4.h). */
#include "fib4.h"
#include "fib_priv.h"
#include "base/fp_error.h"

#include <errno.h>

#include <rte_errno.h>
#include <rte_rib.h>

#define FIB4_ALIAS (UINT16_MAX) /* a stand-in group id, see fib_add(); group_get() skips it */

struct rte_fib *fp_fib4[FP_MAX_VRFS];

static struct {
	uint32_t max_routes, tbl8_groups;
} size = {FIB4_DEFAULT_ROUTES, FIB4_TBL8_FOR(FIB4_DEFAULT_ROUTES)}, table_size[FP_MAX_VRFS];

static struct rte_fib *create4(uint16_t vrf)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB4_NO_ROUTE,
		.max_routes = size.max_routes,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = size.tbl8_groups},
	};
	struct rte_fib *fib;
	char name[32];

	/* a name of its own: VRF 0's empty table is replaced by a table of the new size */
	snprintf(name, sizeof(name), "fib4-%u-%u-%u", vrf, size.max_routes, size.tbl8_groups);
	fib = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	if (fib == NULL)
		fp_error(ENOMEM,
			"VRF %u: not enough memory for its IPv4 FIB of %u routes and %u tbl8 "
			"groups "
			"(fib.ipv4_max_routes, fib.ipv4_tbl8_groups; 1M routes take about 520 MB): "
			"lower them, or " FIB_MORE_MEMORY,
			vrf, size.max_routes, size.tbl8_groups);
	else
		table_size[vrf] = size;
	return fib;
}

static void *table4(uint16_t vrf, bool create)
{
	if (fp_fib4[vrf] == NULL && create)
		fp_fib4[vrf] = create4(vrf);
	return fp_fib4[vrf];
}

int fib4_set_size(uint32_t max_routes, uint32_t tbl8_groups)
{
	struct rte_fib *old = fp_fib4[0], *fib;

	if (max_routes < 1 || max_routes > FIB_SIZE_MAX || tbl8_groups < FIB_TBL8_MIN ||
		tbl8_groups > FIB_SIZE_MAX)
		return fp_error(EINVAL, "IPv4 FIB size out of range");
	if (max_routes == size.max_routes && tbl8_groups == size.tbl8_groups)
		return 0;
	size.max_routes = max_routes;
	size.tbl8_groups = tbl8_groups;
	/* VRF 0's table, made at start, takes the size while it holds no route (at start) */
	if (old == NULL || fib_route_count(AF_INET, 0) > 0)
		return 0;
	if ((fib = create4(0)) == NULL)
		return -ENOMEM;
	__atomic_store_n(&fp_fib4[0], fib, __ATOMIC_RELEASE);
	fp_rcu_synchronize();
	rte_fib_free(old);
	return 0;
}

void fib4_get_size(uint32_t *max_routes, uint32_t *tbl8_groups)
{
	*max_routes = size.max_routes;
	*tbl8_groups = size.tbl8_groups;
}

static uint64_t lookup4(void *fib, const struct fp_ip_addr *addr)
{
	uint32_t ip = rte_be_to_cpu_32(addr->v4);
	uint64_t nh = FIB4_NO_ROUTE;

	rte_fib_lookup_bulk(fib, &ip, &nh, 1);
	return nh;
}

static void *exact4(void *fib, const struct fp_ip_prefix *p)
{
	return rte_rib_lookup_exact(rte_fib_get_rib(fib), rte_be_to_cpu_32(p->addr.v4), p->len);
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
	__atomic_store_n(&fp_nh_groups[FIB4_ALIAS], g, __ATOMIC_RELEASE);
	ret = rte_fib_add(fib, ip, depth, FIB4_ALIAS);
	if (ret == 0 && (ret = rte_fib_add(fib, ip, depth, g->id)) < 0)
		rte_fib_delete(fib, ip, depth);
	fp_rcu_synchronize();
	__atomic_store_n(&fp_nh_groups[FIB4_ALIAS], NULL, __ATOMIC_RELEASE);
	return ret;
}

/*
 * A new route past max_routes is refused, as IPv6's (the RIB could take a few more); a full
 * RIB (ENOMEM) or tbl8 pool (ENOSPC) is a full FIB too.
 */
static int set4(void *fib, uint16_t vrf, const struct fp_ip_prefix *p, struct nh_group *g)
{
	uint32_t ip = rte_be_to_cpu_32(p->addr.v4);
	bool fresh = rte_rib_lookup_exact(rte_fib_get_rib(fib), ip, p->len) == NULL;
	int ret = fresh && fib_route_count(AF_INET, vrf) >= table_size[vrf].max_routes
			  ? -ENOSPC
			  : fib_add(fib, ip, p->len, g);

	if (ret == -ENOSPC || ret == -ENOMEM)
		return fp_error(ENOSPC,
			"the IPv4 FIB of VRF %u is full (%u routes, %u tbl8 groups: "
			"fib.ipv4_max_routes, fib.ipv4_tbl8_groups)",
			vrf, table_size[vrf].max_routes, table_size[vrf].tbl8_groups);
	return ret < 0 ? fp_error(ret, "%s", rte_strerror(-ret)) : 0;
}

static int unset4(void *fib, uint16_t vrf, const struct fp_ip_prefix *p)
{
	int ret = rte_fib_delete(fib, rte_be_to_cpu_32(p->addr.v4), p->len);

	(void)vrf;
	return ret < 0 ? fp_error(ret, "%s", rte_strerror(-ret)) : 0;
}

/* rte_rib_get_nxt(ALL) visits every route but the default one, which comes last. */
static void *next4(void *fib, void *node, bool *at_default)
{
	struct rte_rib *rib = rte_fib_get_rib(fib);
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

static void node_get4(const void *node, struct fp_ip_prefix *p, uint64_t *nh)
{
	uint32_t ip;

	rte_rib_get_ip(node, &ip);
	rte_rib_get_depth(node, &p->len);
	rte_rib_get_nh(node, nh);
	p->addr = fp_ip_addr4(rte_cpu_to_be_32(ip));
}

const struct fib_family fib4_family = {
	.family = AF_INET,
	.table = table4,
	.lookup = lookup4,
	.exact = exact4,
	.set = set4,
	.unset = unset4,
	.next = next4,
	.node_get = node_get4,
};

void fib4_tables_free(void)
{
	for (unsigned int v = 0; v < FP_MAX_VRFS; v++) {
		rte_fib_free(fp_fib4[v]);
		fp_fib4[v] = NULL;
	}
}

/* The IPv4 API ------------------------------------------------------------------------------ */

static struct fp_ip_prefix prefix_in(const struct fp_ip4_prefix *p)
{
	return (struct fp_ip_prefix){fp_ip_addr4(p->addr), p->len};
}

static void route_in(const struct route4 *u, struct route *r)
{
	*r = (struct route){.vrf = u->vrf,
		.prefix = prefix_in(&u->prefix),
		.type = u->type,
		.origin = u->origin,
		.n_nh = u->n_nh};
	for (unsigned int i = 0; i < u->n_nh && i < FIB4_ECMP_MAX; i++) {
		if (u->nh[i].gw != 0)
			r->nh[i].gw = fp_ip_addr4(u->nh[i].gw);
		r->nh[i].iface = u->nh[i].iface;
		r->nh[i].weight = u->nh[i].weight;
	}
}

static void route_out(const struct route *r, struct route4 *u)
{
	*u = (struct route4){.vrf = r->vrf,
		.prefix = {r->prefix.addr.v4, r->prefix.len},
		.type = r->type,
		.origin = r->origin,
		.n_nh = r->n_nh};
	for (unsigned int i = 0; i < r->n_nh; i++) {
		u->nh[i].gw = r->nh[i].gw.family == AF_INET ? r->nh[i].gw.v4 : 0;
		u->nh[i].iface = r->nh[i].iface;
		u->nh[i].weight = r->nh[i].weight;
	}
}

FIB_FAMILY_API(fib4, route4, fp_ip4_prefix, AF_INET)

const struct nh_group *fib4_lookup(uint16_t vrf, uint32_t addr)
{
	struct fp_ip_addr a = fp_ip_addr4(addr);

	return fib_lookup(vrf, &a);
}
