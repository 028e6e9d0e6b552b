/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Inside lib/fib: what fib.c, the family-independent part, asks of each family's table
 * (fib4.c: rte_fib DIR24_8, fib6.c: rte_fib6 TRIE). Addresses and prefixes come as struct
 * fp_ip_addr and fp_ip_prefix of the family; nodes are the tables' rte_rib(6) nodes.
 */

#include "fib.h"
#include "infra/settings.h"
#include "graph/worker.h"

struct fib_family {
	uint8_t family;
	/* vrf's table, created if create and it has none; NULL (fp_error set if create) */
	void *(*table)(uint16_t vrf, bool create);
	/* the group id of addr's longest match, 0 for none */
	uint64_t (*lookup)(void *fib, const struct fp_ip_addr *addr);
	/* the node of exactly p, NULL if none */
	void *(*exact)(void *fib, const struct fp_ip_prefix *p);
	/* p's entry made to point to group g (a new route if it had none); 0 or <0 (message) */
	int (*set)(void *fib, uint16_t vrf, const struct fp_ip_prefix *p, struct nh_group *g);
	/* p's route deleted; 0 or <0 */
	int (*unset)(void *fib, uint16_t vrf, const struct fp_ip_prefix *p);
	/* the walk's next node after node (NULL: the first), the default route last; NULL at the
	 * end. *at_default is the walk's own state, false at its start. */
	void *(*next)(void *fib, void *node, bool *at_default);
	/* a node's prefix and group id */
	void (*node_get)(const void *node, struct fp_ip_prefix *p, uint64_t *nh);
};

extern const struct fib_family fib4_family, fib6_family;

/* A table's memory is allocated whole when the table is made: what to do when it is short. */
/* The sizes the "fib" config section takes: routes or tbl8 groups (a group is 1 KiB). */
#define FIB_SIZE_MAX (1u << 24)
#define FIB_TBL8_MIN 64u

#define FIB_MORE_MEMORY FP_MORE_MEMORY

/* The family's ops, NULL for another family. */
static inline const struct fib_family *fib_family_of(uint8_t family)
{
	return family == AF_INET ? &fib4_family : family == AF_INET6 ? &fib6_family : NULL;
}

/*
 * Set after a deletion, which may free a tbl8 group a worker still reads: neither rte_fib nor
 * rte_fib6 has RCU of its own in DPDK 22.11. The next change that may take a tbl8 group waits
 * for a grace period first (fib_grace()).
 */
extern bool fib_needs_grace;

static inline void fib_grace(void)
{
	if (fib_needs_grace) {
		fp_rcu_synchronize();
		fib_needs_grace = false;
	}
}

/* Frees every table of the family (module fini). */
void fib4_tables_free(void);
void fib6_tables_free(void);

/*
 * A family's route API (fib4_route_add() on struct route4, ...) as the functions of fib.h: the
 * file defining it has route_in() (the family's route to a struct route), route_out() (the
 * reverse) and prefix_in() (the family's prefix to a struct fp_ip_prefix).
 */
#define FIB_FAMILY_API(fibN, routeN, prefixN, af)                                                  \
	struct fibN##_walk {                                                                       \
		int (*cb)(const struct routeN *r, void *arg);                                      \
		void *arg;                                                                         \
	};                                                                                         \
	static int fibN##_walk_one(const struct route *r, void *arg)                               \
	{                                                                                          \
		const struct fibN##_walk *w = arg;                                                 \
		struct routeN u;                                                                   \
		route_out(r, &u);                                                                  \
		return w->cb(&u, w->arg);                                                          \
	}                                                                                          \
	int fibN##_route_add(const struct routeN *u, bool replace)                                 \
	{                                                                                          \
		struct route r;                                                                    \
		route_in(u, &r);                                                                   \
		return fib_route_add(&r, replace);                                                 \
	}                                                                                          \
	int fibN##_route_del(uint16_t vrf, const struct prefixN *p)                                \
	{                                                                                          \
		struct fp_ip_prefix g = prefix_in(p);                                              \
		return fib_route_del(vrf, &g);                                                     \
	}                                                                                          \
	int fibN##_route_get(uint16_t vrf, const struct prefixN *p, struct routeN *out)            \
	{                                                                                          \
		struct fp_ip_prefix g = prefix_in(p);                                              \
		struct route r;                                                                    \
		int ret = fib_route_get(vrf, &g, &r);                                              \
		if (ret == 0)                                                                      \
			route_out(&r, out);                                                        \
		return ret;                                                                        \
	}                                                                                          \
	int fibN##_routes_walk(                                                                    \
		uint16_t vrf, int (*cb)(const struct routeN *r, void *arg), void *arg)             \
	{                                                                                          \
		struct fibN##_walk w = {.cb = cb, .arg = arg};                                     \
		return fib_routes_walk(af, vrf, fibN##_walk_one, &w);                              \
	}                                                                                          \
	unsigned int fibN##_route_count(uint16_t vrf)                                              \
	{                                                                                          \
		return fib_route_count(af, vrf);                                                   \
	}
