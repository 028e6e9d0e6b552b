/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 tables: one rte_fib6 (TRIE, 4-byte next hops) per VRF, made with the VRF's first
 * IPv6 route, and the IPv6 route API (fib6.h). The "fib" config section sizes them
 * (fib_config.c).
 */
#include "fib6.h"
#include "config/config.h"
#include "fib_priv.h"
#include "base/fp_error.h"
#include "base/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_rib6.h>

struct rte_fib6 *fp_fib6[FP_MAX_VRFS];

static struct {
	uint32_t max_routes, tbl8_groups;
} size = {FIB6_DEFAULT_ROUTES, FIB6_TBL8_FOR(FIB6_DEFAULT_ROUTES)}, table_size[FP_MAX_VRFS];

/* Per VRF: the tbl8 groups its routes may take (see tbl8_blocks()). */
static unsigned int tbl8_used[FP_MAX_VRFS];

int fib6_set_size(uint32_t max_routes, uint32_t tbl8_groups)
{
	if (max_routes < 1 || max_routes > FIB_SIZE_MAX || tbl8_groups < FIB_TBL8_MIN ||
		tbl8_groups > FIB_SIZE_MAX)
		return fp_error(EINVAL, "IPv6 FIB size out of range");
	size.max_routes = max_routes;
	size.tbl8_groups = tbl8_groups;
	return 0;
}

void fib6_get_size(uint32_t *max_routes, uint32_t *tbl8_groups)
{
	*max_routes = size.max_routes;
	*tbl8_groups = size.tbl8_groups;
}

unsigned int fib6_tbl8_used(uint16_t vrf, unsigned int *pool)
{
	if (vrf >= FP_MAX_VRFS)
		return *pool = 0;
	*pool = table_size[vrf].tbl8_groups;
	return tbl8_used[vrf];
}

static void *table6(uint16_t vrf, bool create)
{
	struct rte_fib6_conf conf = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB6_NO_ROUTE,
		.max_routes = size.max_routes,
		.trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = size.tbl8_groups},
	};
	char name[32];

	if (fp_fib6[vrf] != NULL || !create)
		return fp_fib6[vrf];
	snprintf(name, sizeof(name), "fib6-%u", vrf);
	fp_fib6[vrf] = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
	if (fp_fib6[vrf] == NULL)
		fp_error(ENOMEM,
			"VRF %u: not enough memory for its IPv6 FIB of %u routes and %u tbl8 "
			"groups "
			"(fib.ipv6_max_routes, fib.ipv6_tbl8_groups): lower them, "
			"or " FIB_MORE_MEMORY,
			vrf, size.max_routes, size.tbl8_groups);
	table_size[vrf].max_routes = size.max_routes;
	table_size[vrf].tbl8_groups = size.tbl8_groups;
	return fp_fib6[vrf];
}

static uint64_t lookup6(void *fib, const struct fp_ip_addr *addr)
{
	uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh = FIB6_NO_ROUTE;

	memcpy(ip[0], addr->v6.bytes, sizeof(ip[0]));
	rte_fib6_lookup_bulk(fib, ip, &nh, 1);
	return nh;
}

static void *exact6(void *fib, const struct fp_ip_prefix *p)
{
	return rte_rib6_lookup_exact(rte_fib6_get_rib(fib), p->addr.v6.bytes, p->len);
}

/* The next hop of node's closest covering route, FIB6_NO_ROUTE if none. */
static uint64_t parent_nh(struct rte_rib6_node *node)
{
	struct rte_rib6_node *parent = rte_rib6_lookup_parent(node);
	uint64_t nh = FIB6_NO_ROUTE;

	if (parent != NULL)
		rte_rib6_get_nh(parent, &nh);
	return nh;
}

/*
 * The trie's tbl8 groups. Past its first 24 bits (tbl24), the trie has a group of 256 entries
 * for each 8-bit level L (3 to 15) of each block B (the first 8L bits of an address) in which
 * it must tell addresses apart: those where some route longer than 8L bits lies in B. So p
 * needs one group for each of its levels (8L < p's length) whose block holds no other route
 * longer than 8L, counted from the deepest up: a longer route in a block is in every larger
 * one. Called without p in the RIB, this counts the groups p adds (or frees once deleted): what
 * the trie takes (tested), or less when next hops are equal and it shares groups further.
 * Writing a prefix of whole bytes (/48), the trie takes one group more for a while.
 */
static unsigned int tbl8_blocks(struct rte_rib6 *rib, const struct fp_ip_prefix *p)
{
	unsigned int n = 0;

	for (int level = (p->len + 7) / 8 - 1; level >= 3; level--) {
		struct fp_ip_addr block = fp_ip_masked(&p->addr, 8 * level);

		if (rte_rib6_get_nxt(
			    rib, block.v6.bytes, 8 * level, NULL, RTE_RIB6_GET_NXT_COVER) != NULL)
			break;
		n++;
	}
	return n;
}

/*
 * Changes are made as modifications of existing RIB nodes, never as rte_fib6's own additions
 * and deletions. DPDK 22.11's trie reserves tbl8 groups for each new route longer than /24 as
 * if it shared none (3 for each /48), which would cap a table at a third of its groups, and
 * its deletions release nothing (tested: 20 add-delete rounds of one /64 exhaust a pool of
 * 100 for good). Here a new route goes into the RIB with its parent's next hop (what the trie
 * gives its addresses already), then is modified to its own; a deletion modifies it back to
 * its parent's, then takes it out of the RIB. The trie's reservations stay at 0, and
 * tbl8_blocks() accounts for the groups instead, refusing a route that might not fit: once its
 * pool is empty, a modification of the trie would fail half-done and still return 0.
 */
static int set6(void *fib, uint16_t vrf, const struct fp_ip_prefix *p, struct nh_group *g)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(fib);
	const uint8_t *ip = p->addr.v6.bytes;
	struct rte_rib6_node *node = rte_rib6_lookup_exact(rib, ip, p->len);
	bool fresh = node == NULL;
	unsigned int need = 0;
	uint64_t before, nh;

	if (fresh) {
		if (fib_route_count(AF_INET6, vrf) >= table_size[vrf].max_routes)
			return fp_error(ENOSPC, "the IPv6 FIB of VRF %u is full (%u routes)", vrf,
				table_size[vrf].max_routes);
		need = tbl8_blocks(rib, p);
		/* and one spare: the trie takes one more while it writes a prefix of whole bytes */
		if (tbl8_used[vrf] + need + 1 > table_size[vrf].tbl8_groups)
			return fp_error(ENOSPC,
				"the IPv6 FIB of VRF %u is full (its %u tbl8 groups are taken)",
				vrf, table_size[vrf].tbl8_groups);
		if ((node = rte_rib6_insert(rib, ip, p->len)) == NULL)
			return fp_error(ENOSPC, "the IPv6 FIB of VRF %u is full: %s", vrf,
				rte_strerror(rte_errno));
		rte_rib6_set_nh(node, parent_nh(node));
		tbl8_used[vrf] += need;
	}
	rte_rib6_get_nh(node, &before);
	rte_fib6_add(fib, ip, p->len, g->id);
	rte_rib6_get_nh(node, &nh);
	if (nh == g->id)
		return 0;
	/*
	 * The trie ran out of tbl8 groups after all and may have written part of the range: the
	 * RIB is made to say so, and the range is written back. Should that fail too, the group
	 * stays allocated, so that its id never names another path.
	 */
	rte_rib6_set_nh(node, g->id);
	rte_fib6_add(fib, ip, p->len, before);
	rte_rib6_get_nh(node, &nh);
	if (nh != before) {
		g->refcnt++;
		LOG(ERR, "IPv6 FIB of VRF %u out of tbl8 groups: part of a route stays", vrf);
		rte_rib6_set_nh(node, before);
	}
	if (fresh) {
		rte_rib6_remove(rib, ip, p->len);
		tbl8_used[vrf] -= need;
	}
	return fp_error(ENOSPC, "the IPv6 FIB of VRF %u is out of tbl8 groups", vrf);
}

static int unset6(void *fib, uint16_t vrf, const struct fp_ip_prefix *p)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(fib);
	const uint8_t *ip = p->addr.v6.bytes;
	struct rte_rib6_node *node = rte_rib6_lookup_exact(rib, ip, p->len);
	uint64_t parent = parent_nh(node), nh;

	rte_fib6_add(fib, ip, p->len, parent);
	rte_rib6_get_nh(node, &nh);
	if (nh != parent)
		return fp_error(ENOSPC, "the IPv6 FIB of VRF %u is out of tbl8 groups", vrf);
	rte_rib6_remove(rib, ip, p->len);
	tbl8_used[vrf] -= tbl8_blocks(rib, p);
	return 0;
}

/* rte_rib6_get_nxt(ALL) visits every route but the default one, which comes last. */
static void *next6(void *fib, void *node, bool *at_default)
{
	static const uint8_t zero[RTE_FIB6_IPV6_ADDR_SIZE];
	struct rte_rib6 *rib = rte_fib6_get_rib(fib);
	struct rte_rib6_node *next;

	if (*at_default)
		return NULL;
	next = rte_rib6_get_nxt(rib, zero, 0, node, RTE_RIB6_GET_NXT_ALL);
	if (next == NULL) {
		*at_default = true;
		next = rte_rib6_lookup_exact(rib, zero, 0);
	}
	return next;
}

static void node_get6(const void *node, struct fp_ip_prefix *p, uint64_t *nh)
{
	struct fp_ip6_addr ip;

	rte_rib6_get_ip(node, ip.bytes);
	rte_rib6_get_depth(node, &p->len);
	rte_rib6_get_nh(node, nh);
	p->addr = fp_ip_addr6(&ip);
}

const struct fib_family fib6_family = {
	.family = AF_INET6,
	.table = table6,
	.lookup = lookup6,
	.exact = exact6,
	.set = set6,
	.unset = unset6,
	.next = next6,
	.node_get = node_get6,
};

void fib6_tables_free(void)
{
	for (unsigned int v = 0; v < FP_MAX_VRFS; v++) {
		rte_fib6_free(fp_fib6[v]);
		fp_fib6[v] = NULL;
		tbl8_used[v] = 0;
	}
}

/* The IPv6 API ------------------------------------------------------------------------------ */

static struct fp_ip_prefix prefix_in(const struct fp_ip6_prefix *p)
{
	return (struct fp_ip_prefix){fp_ip_addr6(&p->addr), p->len};
}

static void route_in(const struct route6 *u, struct route *r)
{
	*r = (struct route){.vrf = u->vrf,
		.prefix = prefix_in(&u->prefix),
		.type = u->type,
		.origin = u->origin,
		.n_nh = u->n_nh};
	for (unsigned int i = 0; i < u->n_nh && i < FIB4_ECMP_MAX; i++) {
		if (!fp_ip6_is_unspecified(&u->nh[i].gw))
			r->nh[i].gw = fp_ip_addr6(&u->nh[i].gw);
		r->nh[i].iface = u->nh[i].iface;
		r->nh[i].weight = u->nh[i].weight;
	}
}

static void route_out(const struct route *r, struct route6 *u)
{
	*u = (struct route6){.vrf = r->vrf,
		.prefix = {r->prefix.addr.v6, r->prefix.len},
		.type = r->type,
		.origin = r->origin,
		.n_nh = r->n_nh};
	for (unsigned int i = 0; i < r->n_nh; i++) {
		if (r->nh[i].gw.family == AF_INET6)
			u->nh[i].gw = r->nh[i].gw.v6;
		u->nh[i].iface = r->nh[i].iface;
		u->nh[i].weight = r->nh[i].weight;
	}
}

FIB_FAMILY_API(fib6, route6, fp_ip6_prefix, AF_INET6)

const struct nh_group *fib6_lookup(uint16_t vrf, const struct fp_ip6_addr *addr)
{
	struct fp_ip_addr a = fp_ip_addr6(addr);

	return fib_lookup(vrf, &a);
}
