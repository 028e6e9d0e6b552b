/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv4 route table as a user sees it: fib4_route_add/del/get/lookup/walk and the routes
 * that ip4_addr_add/del install. Runs a real EAL (no hugepages, no PCI, no shared files) and
 * the daemon's modules, without workers: fp_rcu_synchronize() is then a no-op and packets the
 * control plane sends (gratuitous ARP) are dropped.
 *
 * Every test starts from the same state (three fresh interfaces without addresses, no route)
 * and its teardown frees the interfaces, then checks that no route, next-hop group or
 * neighbour is left: tests do not depend on their order.
 *
 * Environment:
 *   TEST_FIB_SCALE_ROUTES=N  routes of the scale test (default 100000; lower under valgrind)
 */
#include "base/fp_error.h"
#include "base/fp_net.h"
#include "config/config.h"
#include "config/iface_names.h"
#include "fib/fib4.h"
#include "graph/worker.h"
#include "infra/iface.h"
#include "ip4/addr.h"
#include "neigh/neigh.h"
#include "test_eal.h"
#include "test_routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define N_IFACES 3
#define NONE	 FP_IFACE_NONE

static struct iface *ifs[N_IFACES];
static unsigned int base_routes, base_groups, base_neighs;

/* Helpers ---------------------------------------------------------------------------------- */

static uint32_t A(const char *s)
{
	uint32_t a;

	assert_int_equal(fp_ip4_parse(s, &a), 0);
	return a;
}

/* host bits allowed: interface addresses, and prefixes fib4 must refuse */
static struct fp_ip4_prefix P(const char *s) {
	struct fp_ip4_prefix p;

	assert_int_equal(fp_ip4_prefix_parse(s, &p, true), 0);
	return p;
}

static struct route4
R(const char *prefix, enum route_type type) {
	return (struct route4){
		.vrf = 0, .prefix = P(prefix), .type = type, .origin = ORIGIN_STATIC};
}

static void
nh(struct route4 *r, const char *gw, uint16_t iface, uint16_t weight)
{
	assert_true(r->n_nh < FIB4_ECMP_MAX);
	r->nh[r->n_nh].gw = gw ? A(gw) : 0;
	r->nh[r->n_nh].iface = iface;
	r->nh[r->n_nh].weight = weight;
	r->n_nh++;
}

static int add_via(const char *prefix, const char *gw)
{
	struct route4 r = R(prefix, ROUTE_UNICAST);

	nh(&r, gw, NONE, 0);
	return fib4_route_add(&r, false);
}

static int del(const char *prefix)
{
	struct fp_ip4_prefix p = P(prefix);

	return fib4_route_del(0, &p);
}

static int get(const char *prefix, struct route4 *out)
{
	struct fp_ip4_prefix p = P(prefix);

	return fib4_route_get(0, &p, out);
}

static const struct nh_group *L(const char *addr)
{
	return fib4_lookup(0, A(addr));
}

static void addr_add(int i, const char *a)
{
	struct fp_ip4_prefix p = P(a);

	int rc = ip4_addr_add(ifs[i]->id, &p);
	if (rc)
		printf("DEBUG %s: %s\n", a, fp_errmsg());
	assert_int_equal(rc, 0);
}

static void addr_del(int i, const char *a)
{
	struct fp_ip4_prefix p = P(a);

	assert_int_equal(ip4_addr_del(ifs[i]->id, &p), 0);
}

/* The route of exactly prefix, with one next hop (gw NULL: none). */
static void assert_route1(const char *prefix, enum route_type type, enum route_origin origin,
	const char *gw, int iface)
{
	struct route4 r;

	assert_int_equal(get(prefix, &r), 0);
	assert_int_equal(r.prefix.addr, P(prefix).addr);
	assert_int_equal(r.prefix.len, P(prefix).len);
	assert_int_equal(r.type, type);
	assert_int_equal(r.origin, origin);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].gw, gw ? A(gw) : 0);
	assert_int_equal(r.nh[0].iface, ifs[iface]->id);
}

/* The gateway of the route matching addr ("" for a connected network, NULL for no route). */
static const char *lookup_gw(const char *addr, char buf[FP_IP4_ADDRSTRLEN])
{
	const struct nh_group *g = L(addr);

	if (g == NULL)
		return NULL;
	assert_int_equal(g->type, ROUTE_UNICAST);
	if (g->members[0].gw.family == 0)
		return "";
	assert_int_equal(g->members[0].gw.family, AF_INET);
	return fp_ip4_fmt(g->members[0].gw.v4, buf);
}

#define assert_lookup_gw(addr, expected)                                                           \
	do {                                                                                       \
		char buf_[FP_IP4_ADDRSTRLEN];                                                      \
		assert_string_equal(lookup_gw(addr, buf_), expected);                              \
	} while (0)

/* Every route of a walk, in walk order. */
struct walk {
	unsigned int n, cap;
	struct route4 *r;
	unsigned int stop_after; /* 0: never */
};

static int walk_collect(const struct route4 *r, void *arg)
{
	struct walk *w = arg;

	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->r = realloc(w->r, w->cap * sizeof(*w->r));
		assert_non_null(w->r);
	}
	w->r[w->n++] = *r;
	return w->stop_after && w->n == w->stop_after ? 42 : 0;
}

static int walk_find(const struct walk *w, uint16_t vrf, const char *prefix)
{
	struct fp_ip4_prefix p = P(prefix);
	int found = -1;

	for (unsigned int i = 0; i < w->n; i++)
		if (w->r[i].vrf == vrf && w->r[i].prefix.addr == p.addr &&
			w->r[i].prefix.len == p.len) {
			assert_int_equal(found, -1); /* once only */
			found = i;
		}
	return found;
}

/* Fixtures --------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	/* the FIB of a VRF for test_scale's 2^18 routes takes about 180 MB, VRF 0 and test_vrf's
	 * VRF 1 need two */
	if (test_eal_setup("test_fib", 768) < 0)
		return -1;
	if (fp_n_workers != 0 || fp_nh_groups == NULL || fp_fib4[0] == NULL) {
		fprintf(stderr, "unexpected state after init\n");
		return -1;
	}
	/* VRF 0's table, empty, is made again at that size */
	if (fib4_set_size(1u << 18, FIB4_TBL8_FOR(1u << 18)) < 0 || fp_fib4[0] == NULL) {
		fprintf(stderr, "fib4_set_size: %s\n", fp_errmsg());
		return -1;
	}
	base_routes = fib4_route_count(0);
	if (base_routes != 0) { /* teardown deletes every route left */
		fprintf(stderr, "%u routes after init\n", base_routes);
		return -1;
	}
	base_groups = test_nh_group_count();
	base_neighs = test_neigh_count();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_eal_teardown();
	return 0;
}

static int setup(void **state)
{
	static const char *names[N_IFACES] = {"fibt0", "fibt1", "fibt2"};

	(void)state;
	assert_int_equal(fib4_route_count(0), base_routes);
	assert_int_equal(fib4_route_count(1), 0);
	assert_int_equal(test_nh_group_count(), base_groups);
	for (int i = 0; i < N_IFACES; i++)
		ifs[i] = test_iface_new(names[i], i + 1);
	return 0;
}

static int teardown(void **state)
{
	struct walk w = {0};

	(void)state;
	for (int i = 0; i < N_IFACES; i++) {
		iface_free(ifs[i]);
		ifs[i] = NULL;
	}
	/* interface-less routes (blackhole, ...) a failed test may have left */
	fib4_routes_walk(UINT16_MAX, walk_collect, &w);
	for (unsigned int i = 0; i < w.n; i++)
		fib4_route_del(w.r[i].vrf, &w.r[i].prefix);
	free(w.r);
	assert_int_equal(w.n, 0);
	assert_int_equal(fib4_route_count(0), base_routes);
	assert_int_equal(test_nh_group_count(), base_groups);
	assert_int_equal(test_neigh_count(), base_neighs);
	return 0;
}

/* Addresses -------------------------------------------------------------------------------- */

/* 192.0.2.1/24: local /32, connected /24, broadcast /32; all gone on delete. */
static void test_addr_connected_routes(void **state)
{
	uint32_t a = A("192.0.2.1");
	const struct nh_group *g;
	struct route4 r;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	assert_int_equal(fib4_route_count(0), base_routes + 3);
	assert_route1("192.0.2.1/32", ROUTE_LOCAL, ORIGIN_CONNECTED, NULL, 0);
	assert_route1("192.0.2.0/24", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 0);
	assert_route1("192.0.2.255/32", ROUTE_BROADCAST, ORIGIN_CONNECTED, NULL, 0);
	assert_true(ip4_addr_is_local(0, a));
	assert_false(ip4_addr_is_local(0, A("192.0.2.2")));
	assert_int_equal(ifs[0]->ip4_primary, a);
	assert_int_equal(ip4_addr_source_for(ifs[0]->id, A("192.0.2.77")), a);

	/* what the datapath sees */
	g = L("192.0.2.77");
	assert_non_null(g);
	assert_int_equal(g->type, ROUTE_UNICAST);
	assert_int_equal(g->origin, ORIGIN_CONNECTED);
	assert_int_equal(g->n_members, 1);
	assert_null(g->members[0].neigh);
	assert_int_equal(g->members[0].iface, ifs[0]->id);
	assert_int_equal(L("192.0.2.1")->type, ROUTE_LOCAL);
	assert_int_equal(L("192.0.2.255")->type, ROUTE_BROADCAST);
	assert_null(L("192.0.3.1"));

	/* twice, or the same address elsewhere */
	assert_int_equal(ip4_addr_add(ifs[0]->id, &(struct fp_ip4_prefix){a, 24}), -EEXIST);
	assert_int_equal(ip4_addr_add(ifs[1]->id, &(struct fp_ip4_prefix){a, 24}), -EADDRINUSE);
	assert_int_equal(fib4_route_count(0), base_routes + 3);

	addr_del(0, "192.0.2.1/24");
	assert_int_equal(fib4_route_count(0), base_routes);
	assert_int_equal(get("192.0.2.1/32", &r), -ENOENT);
	assert_int_equal(get("192.0.2.0/24", &r), -ENOENT);
	assert_int_equal(get("192.0.2.255/32", &r), -ENOENT);
	assert_null(L("192.0.2.77"));
	assert_false(ip4_addr_is_local(0, a));
	assert_int_equal(ifs[0]->ip4_primary, 0);
	assert_int_equal(ip4_addr_del(ifs[0]->id, &(struct fp_ip4_prefix){a, 24}), -ENOENT);
	assert_int_equal(test_nh_group_count(), base_groups);
}

/* /31 has no broadcast (RFC 3021), /32 no network. */
static void test_addr_31_32(void **state)
{
	struct route4 r;

	(void)state;
	addr_add(0, "198.51.100.0/31");
	assert_int_equal(fib4_route_count(0), base_routes + 2);
	assert_route1("198.51.100.0/32", ROUTE_LOCAL, ORIGIN_CONNECTED, NULL, 0);
	assert_route1("198.51.100.0/31", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 0);
	assert_int_equal(get("198.51.100.1/32", &r), -ENOENT);

	addr_add(1, "203.0.113.7/32");
	assert_int_equal(fib4_route_count(0), base_routes + 3);
	assert_route1("203.0.113.7/32", ROUTE_LOCAL, ORIGIN_CONNECTED, NULL, 1);

	addr_del(0, "198.51.100.0/31");
	addr_del(1, "203.0.113.7/32");
	assert_int_equal(fib4_route_count(0), base_routes);
}

/* A second address on the network shares its routes, which stay until the last goes. */
static void test_addr_shared_network(void **state)
{
	struct route4 r;

	(void)state;
	for (int order = 0; order < 2; order++) {
		const char *first = order ? "192.0.2.2/24" : "192.0.2.1/24";
		const char *second = order ? "192.0.2.1/24" : "192.0.2.2/24";

		addr_add(0, "192.0.2.1/24");
		addr_add(0, "192.0.2.2/24");
		assert_int_equal(fib4_route_count(0), base_routes + 4);
		assert_route1("192.0.2.1/32", ROUTE_LOCAL, ORIGIN_CONNECTED, NULL, 0);
		assert_route1("192.0.2.2/32", ROUTE_LOCAL, ORIGIN_CONNECTED, NULL, 0);
		/* both locals: same type, origin and path, one group */
		assert_ptr_equal(L("192.0.2.1"), L("192.0.2.2"));
		assert_int_equal(ifs[0]->ip4_primary, A("192.0.2.1"));

		addr_del(0, first);
		assert_int_equal(fib4_route_count(0), base_routes + 3);
		assert_int_equal(get(order ? "192.0.2.2/32" : "192.0.2.1/32", &r), -ENOENT);
		assert_route1(order ? "192.0.2.1/32" : "192.0.2.2/32", ROUTE_LOCAL,
			ORIGIN_CONNECTED, NULL, 0);
		assert_route1("192.0.2.0/24", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 0);
		assert_route1("192.0.2.255/32", ROUTE_BROADCAST, ORIGIN_CONNECTED, NULL, 0);
		assert_int_equal(ifs[0]->ip4_primary, A(order ? "192.0.2.1" : "192.0.2.2"));

		addr_del(0, second);
		assert_int_equal(fib4_route_count(0), base_routes);
		assert_int_equal(get("192.0.2.0/24", &r), -ENOENT);
		assert_int_equal(get("192.0.2.255/32", &r), -ENOENT);
		assert_int_equal(ifs[0]->ip4_primary, 0);
	}
	/* same address, other prefix length: another network, its own routes */
	addr_add(0, "192.0.2.1/24");
	addr_add(0, "192.0.2.65/26");
	assert_int_equal(fib4_route_count(0), base_routes + 6);
	assert_route1("192.0.2.64/26", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 0);
	assert_route1("192.0.2.127/32", ROUTE_BROADCAST, ORIGIN_CONNECTED, NULL, 0);
	addr_del(0, "192.0.2.1/24");
	assert_int_equal(fib4_route_count(0), base_routes + 3);
	assert_route1("192.0.2.64/26", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 0);
	assert_route1("192.0.2.127/32", ROUTE_BROADCAST, ORIGIN_CONNECTED, NULL, 0);
	assert_int_equal(get("192.0.2.0/24", &r), -ENOENT);
	assert_int_equal(get("192.0.2.255/32", &r), -ENOENT);
	addr_del(0, "192.0.2.65/26");
	assert_int_equal(fib4_route_count(0), base_routes);
}

/* Static routes ---------------------------------------------------------------------------- */

static void test_static_gateway(void **state)
{
	const struct nh_group *g;
	struct route4 r, out;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(1, "198.51.100.1/24");

	/* the interface follows from the gateway */
	assert_int_equal(add_via("172.16.0.0/16", "192.0.2.2"), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 7);
	assert_int_equal(get("172.16.0.0/16", &out), 0);
	assert_int_equal(out.type, ROUTE_UNICAST);
	assert_int_equal(out.origin, ORIGIN_STATIC);
	assert_int_equal(out.n_nh, 1);
	assert_int_equal(out.nh[0].gw, A("192.0.2.2"));
	assert_int_equal(out.nh[0].iface, ifs[0]->id);
	assert_int_equal(out.nh[0].weight, 1); /* 0 means 1 */
	g = L("172.16.200.1");
	assert_non_null(g);
	assert_int_equal(g->members[0].iface, ifs[0]->id);
	assert_int_equal(g->members[0].gw.v4, A("192.0.2.2"));
	assert_non_null(g->members[0].neigh);
	assert_null(L("172.17.0.1"));

	/* a gateway with the right interface given */
	r = R("172.17.0.0/16", ROUTE_UNICAST);
	nh(&r, "198.51.100.9", ifs[1]->id, 5);
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_route1("172.17.0.0/16", ROUTE_UNICAST, ORIGIN_STATIC, "198.51.100.9", 1);
	assert_int_equal(get("172.17.0.0/16", &out), 0);
	assert_int_equal(out.nh[0].weight, 5);
	assert_int_equal(del("172.17.0.0/16"), 0);

	/* a gateway with the wrong interface */
	fp_error_clear();
	r = R("172.17.0.0/16", ROUTE_UNICAST);
	nh(&r, "198.51.100.9", ifs[0]->id, 0);
	assert_int_equal(fib4_route_add(&r, false), -ENETUNREACH);
	assert_non_null(strstr(fp_errmsg(), "198.51.100.9"));

	/* a gateway on no connected network */
	fp_error_clear();
	assert_int_equal(add_via("10.0.0.0/8", "10.9.9.9"), -ENETUNREACH);
	assert_non_null(strstr(fp_errmsg(), "10.9.9.9"));
	assert_non_null(strstr(fp_errmsg(), "connected"));
	assert_non_null(strstr(fp_errmsg(), "10.0.0.0/8"));
	/* nor is one reached through another gateway, our own address or a broadcast */
	assert_int_equal(add_via("10.0.0.0/8", "172.16.0.1"), -ENETUNREACH);
	assert_int_equal(add_via("10.0.0.0/8", "192.0.2.1"), -ENETUNREACH);
	assert_int_equal(add_via("10.0.0.0/8", "192.0.2.255"), -ENETUNREACH);
	assert_int_equal(get("10.0.0.0/8", &out), -ENOENT);

	/* duplicate, then replace */
	fp_error_clear();
	assert_int_equal(add_via("172.16.0.0/16", "192.0.2.3"), -EEXIST);
	assert_non_null(strstr(fp_errmsg(), "172.16.0.0/16"));
	assert_route1("172.16.0.0/16", ROUTE_UNICAST, ORIGIN_STATIC, "192.0.2.2", 0);
	r = R("172.16.0.0/16", ROUTE_UNICAST);
	nh(&r, "198.51.100.3", NONE, 0);
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 7);
	assert_route1("172.16.0.0/16", ROUTE_UNICAST, ORIGIN_STATIC, "198.51.100.3", 1);
	assert_int_equal(L("172.16.1.1")->members[0].iface, ifs[1]->id);
	/* replace by the same route, and replace creating */
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 7);
	r.prefix = P("172.18.0.0/16");
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 8);
	assert_int_equal(del("172.18.0.0/16"), 0);

	/* device routes, and next hops that are neither */
	r = R("172.20.0.0/16", ROUTE_UNICAST);
	nh(&r, NULL, ifs[2]->id, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	g = L("172.20.0.1");
	assert_int_equal(g->members[0].iface, ifs[2]->id);
	assert_null(g->members[0].neigh);
	assert_int_equal(g->origin, ORIGIN_STATIC);
	assert_int_equal(del("172.20.0.0/16"), 0);
	r = R("172.20.0.0/16", ROUTE_UNICAST);
	nh(&r, NULL, NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), -EINVAL);
	r = R("172.20.0.0/16", ROUTE_UNICAST);
	nh(&r, NULL, 200, 0); /* no such interface */
	assert_int_equal(fib4_route_add(&r, false), -ENODEV);
	r = R("172.20.0.0/16", ROUTE_UNICAST); /* no next hop */
	assert_int_equal(fib4_route_add(&r, false), -EINVAL);

	/* delete */
	assert_int_equal(del("172.16.0.0/16"), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 6);
	assert_null(L("172.16.200.1"));
	fp_error_clear();
	assert_int_equal(del("172.16.0.0/16"), -ENOENT);
	assert_non_null(strstr(fp_errmsg(), "172.16.0.0/16"));
	assert_int_equal(del("172.16.0.0/15"), -ENOENT);
	assert_int_equal(get("172.16.0.0/16", &out), -ENOENT);

	/* not a network prefix */
	fp_error_clear();
	assert_int_equal(add_via("172.16.0.1/16", "192.0.2.2"), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "172.16.0.1/16"));
	assert_int_equal(add_via("0.0.0.1/0", "192.0.2.2"), -EINVAL);
	r = R("172.16.0.0/16", ROUTE_UNICAST);
	r.prefix.len = 33;
	nh(&r, "192.0.2.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), -EINVAL);
	assert_int_equal(fib4_route_count(0), base_routes + 6);

	addr_del(0, "192.0.2.1/24");
	addr_del(1, "198.51.100.1/24");
	assert_int_equal(fib4_route_count(0), base_routes);
}

/* A static route to a network yields to the connected route of an address added there. */
static void test_connected_replaces_static(void **state)
{
	(void)state;
	addr_add(0, "192.0.2.1/24");
	assert_int_equal(add_via("198.51.100.0/24", "192.0.2.2"), 0);
	assert_lookup_gw("198.51.100.7", "192.0.2.2");
	addr_add(1, "198.51.100.1/24");
	assert_route1("198.51.100.0/24", ROUTE_UNICAST, ORIGIN_CONNECTED, NULL, 1);
	assert_lookup_gw("198.51.100.7", "");
	assert_int_equal(fib4_route_count(0), base_routes + 6);
	addr_del(1, "198.51.100.1/24");
	addr_del(0, "192.0.2.1/24");
}

/* Longest prefix match ------------------------------------------------------------------- */

static void test_longest_prefix_match(void **state)
{
	struct walk w = {0};
	struct route4 r;
	int i;

	(void)state;
	assert_null(L("20.1.2.3"));
	addr_add(0, "192.0.2.1/24");
	assert_int_equal(add_via("0.0.0.0/0", "192.0.2.10"), 0);
	assert_int_equal(add_via("20.0.0.0/8", "192.0.2.11"), 0);
	assert_int_equal(add_via("20.1.0.0/16", "192.0.2.12"), 0);
	assert_int_equal(add_via("20.1.2.0/24", "192.0.2.13"), 0);
	assert_int_equal(add_via("20.1.2.3/32", "192.0.2.14"), 0);
	assert_int_equal(add_via("20.1.2.128/25", "192.0.2.15"), 0);
	assert_int_equal(fib4_route_count(0), base_routes + 9);

	assert_lookup_gw("20.1.2.3", "192.0.2.14");
	assert_lookup_gw("20.1.2.2", "192.0.2.13");
	assert_lookup_gw("20.1.2.4", "192.0.2.13");
	assert_lookup_gw("20.1.2.127", "192.0.2.13");
	assert_lookup_gw("20.1.2.128", "192.0.2.15");
	assert_lookup_gw("20.1.2.255", "192.0.2.15");
	assert_lookup_gw("20.1.3.0", "192.0.2.12");
	assert_lookup_gw("20.1.255.255", "192.0.2.12");
	assert_lookup_gw("20.2.0.0", "192.0.2.11");
	assert_lookup_gw("20.0.0.0", "192.0.2.11");
	assert_lookup_gw("20.255.255.255", "192.0.2.11");
	assert_lookup_gw("19.255.255.255", "192.0.2.10");
	assert_lookup_gw("21.0.0.0", "192.0.2.10");
	assert_lookup_gw("255.255.255.254", "192.0.2.10");
	assert_lookup_gw("0.0.0.0", "192.0.2.10");
	assert_lookup_gw("192.0.2.77", ""); /* the connected /24 beats the default */
	assert_int_equal(L("192.0.2.1")->type, ROUTE_LOCAL);
	assert_route1("0.0.0.0/0", ROUTE_UNICAST, ORIGIN_STATIC, "192.0.2.10", 0);

	/* the walk has every route once, the default route too */
	assert_int_equal(fib4_routes_walk(0, walk_collect, &w), 0);
	assert_int_equal(w.n, fib4_route_count(0));
	i = walk_find(&w, 0, "0.0.0.0/0");
	assert_true(i >= 0);
	assert_int_equal(w.r[i].nh[0].gw, A("192.0.2.10"));
	assert_true(walk_find(&w, 0, "20.0.0.0/8") >= 0);
	assert_true(walk_find(&w, 0, "20.1.0.0/16") >= 0);
	assert_true(walk_find(&w, 0, "20.1.2.0/24") >= 0);
	assert_true(walk_find(&w, 0, "20.1.2.3/32") >= 0);
	assert_true(walk_find(&w, 0, "20.1.2.128/25") >= 0);
	assert_true(walk_find(&w, 0, "192.0.2.0/24") >= 0);
	assert_true(walk_find(&w, 0, "192.0.2.1/32") >= 0);
	assert_true(walk_find(&w, 0, "192.0.2.255/32") >= 0);
	/* the same through "every VRF" */
	w.n = 0;
	assert_int_equal(fib4_routes_walk(UINT16_MAX, walk_collect, &w), 0);
	assert_int_equal(w.n, fib4_route_count(0));
	/* a callback's non-zero return stops the walk and is returned */
	w.n = 0;
	w.stop_after = 3;
	assert_int_equal(fib4_routes_walk(0, walk_collect, &w), 42);
	assert_int_equal(w.n, 3);
	free(w.r);

	/* deletions uncover the shorter prefixes */
	assert_int_equal(del("20.1.2.0/24"), 0);
	assert_lookup_gw("20.1.2.3", "192.0.2.14");
	assert_lookup_gw("20.1.2.4", "192.0.2.12");
	assert_lookup_gw("20.1.2.200", "192.0.2.15");
	assert_int_equal(del("20.1.2.3/32"), 0);
	assert_lookup_gw("20.1.2.3", "192.0.2.12");
	assert_int_equal(del("20.1.0.0/16"), 0);
	assert_lookup_gw("20.1.2.3", "192.0.2.11");
	assert_lookup_gw("20.1.2.200", "192.0.2.15");
	assert_int_equal(del("20.1.2.128/25"), 0);
	assert_int_equal(del("20.0.0.0/8"), 0);
	assert_lookup_gw("20.1.2.3", "192.0.2.10");
	assert_int_equal(del("0.0.0.0/0"), 0);
	assert_null(L("20.1.2.3"));
	assert_null(L("0.0.0.0"));
	assert_int_equal(get("0.0.0.0/0", &r), -ENOENT);
	assert_lookup_gw("192.0.2.77", "");
	addr_del(0, "192.0.2.1/24");
	assert_null(L("192.0.2.77"));
}

/* A default route that is not unicast, and the walk with only it. */
static void test_default_route_alone(void **state)
{
	struct walk w = {0};
	struct route4 r = R("0.0.0.0/0", ROUTE_UNREACHABLE);

	(void)state;
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_int_equal(L("8.8.8.8")->type, ROUTE_UNREACHABLE);
	assert_int_equal(L("255.255.255.255")->type, ROUTE_UNREACHABLE);
	assert_int_equal(fib4_routes_walk(0, walk_collect, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.r[0].prefix.len, 0);
	assert_int_equal(w.r[0].type, ROUTE_UNREACHABLE);
	free(w.r);
	assert_int_equal(del("0.0.0.0/0"), 0);
	assert_null(L("8.8.8.8"));
}

/* Blackhole, unreachable, prohibit -------------------------------------------------------- */

static void test_special_routes(void **state)
{
	static const struct {
		const char *prefix;
		enum route_type type;
	} t[] = {
		{"100.64.0.0/10", ROUTE_BLACKHOLE},
		{"100.64.1.0/24", ROUTE_UNREACHABLE},
		{"100.64.1.128/25", ROUTE_PROHIBIT},
	};
	const struct nh_group *g;
	struct route4 r, out;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	for (unsigned int i = 0; i < RTE_DIM(t); i++) {
		/* no next hop allowed, neither gateway nor device */
		fp_error_clear();
		r = R(t[i].prefix, t[i].type);
		nh(&r, "192.0.2.2", NONE, 0);
		assert_int_equal(fib4_route_add(&r, false), -EINVAL);
		assert_non_null(strstr(fp_errmsg(), route_type_names[t[i].type]));
		r = R(t[i].prefix, t[i].type);
		nh(&r, NULL, ifs[0]->id, 0);
		assert_int_equal(fib4_route_add(&r, false), -EINVAL);

		r = R(t[i].prefix, t[i].type);
		assert_int_equal(fib4_route_add(&r, false), 0);
		assert_int_equal(get(t[i].prefix, &out), 0);
		assert_int_equal(out.type, t[i].type);
		assert_int_equal(out.origin, ORIGIN_STATIC);
		assert_int_equal(out.n_nh, 0);
	}
	assert_int_equal(fib4_route_count(0), base_routes + 3 + 3);
	assert_int_equal(L("100.100.0.1")->type, ROUTE_BLACKHOLE);
	assert_int_equal(L("100.64.1.1")->type, ROUTE_UNREACHABLE);
	assert_int_equal(L("100.64.1.200")->type, ROUTE_PROHIBIT);
	assert_int_equal(L("100.64.1.200")->n_members, 0);
	assert_string_equal(route_type_names[ROUTE_PROHIBIT], "prohibit");

	/* replaced by a unicast route and back */
	r = R("100.64.1.0/24", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_lookup_gw("100.64.1.1", "192.0.2.2");
	r = R("100.64.1.0/24", ROUTE_UNREACHABLE);
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_int_equal(L("100.64.1.1")->type, ROUTE_UNREACHABLE);

	/* two blackholes: one group */
	r = R("100.200.0.0/16", ROUTE_BLACKHOLE);
	assert_int_equal(fib4_route_add(&r, false), 0);
	g = L("100.200.0.1");
	assert_int_equal(g->type, ROUTE_BLACKHOLE);
	assert_ptr_equal(g, L("100.100.0.1"));
	assert_int_equal(g->refcnt, 2);

	/* a gateway behind a blackhole route is not on a connected network */
	assert_int_equal(add_via("10.0.0.0/8", "100.100.0.1"), -ENETUNREACH);

	for (unsigned int i = 0; i < RTE_DIM(t); i++)
		assert_int_equal(del(t[i].prefix), 0);
	assert_int_equal(del("100.200.0.0/16"), 0);
	assert_null(L("100.100.0.1"));
	addr_del(0, "192.0.2.1/24");
}

/* ECMP -------------------------------------------------------------------------------------- */

static void test_ecmp(void **state)
{
	unsigned int counts[FIB4_ECMP_MAX];
	const struct nh_group *g, *g2;
	struct route4 r, out;
	uint32_t id;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(1, "198.51.100.1/24");

	/* 2 paths, equal weights */
	r = R("10.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);
	nh(&r, "198.51.100.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_int_equal(get("10.0.0.0/8", &out), 0);
	assert_int_equal(out.n_nh, 2);
	assert_int_equal(out.nh[0].gw, A("192.0.2.2"));
	assert_int_equal(out.nh[0].iface, ifs[0]->id);
	assert_int_equal(out.nh[1].gw, A("198.51.100.2"));
	assert_int_equal(out.nh[1].iface, ifs[1]->id);
	g = L("10.1.2.3");
	assert_int_equal(g->n_members, 2);
	assert_ptr_equal(g->members[0].neigh, neigh_lookup(ifs[0]->id, A("192.0.2.2")));
	assert_ptr_equal(g->members[1].neigh, neigh_lookup(ifs[1]->id, A("198.51.100.2")));
	test_slot_counts(g, counts);
	assert_int_equal(counts[0], counts[1]);
	assert_int_equal(counts[0] * 2, g->n_slots);

	/* another route with the same paths shares the group */
	id = g->id;
	r.prefix = P("172.16.0.0/12");
	assert_int_equal(fib4_route_add(&r, false), 0);
	g2 = L("172.16.0.1");
	assert_ptr_equal(g2, g);
	assert_int_equal(g2->id, id);
	assert_int_equal(g->refcnt, 2);
	assert_int_equal(
		test_nh_group_count(), base_groups + 6 + 1); /* 2 x (local, connected, bcast) */

	/* 3 paths */
	r = R("11.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);
	nh(&r, "192.0.2.3", NONE, 0);
	nh(&r, "198.51.100.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	g2 = L("11.0.0.1");
	assert_true(g2 != g);
	assert_int_equal(g2->n_members, 3);
	test_slot_counts(g2, counts);
	assert_int_equal(counts[0], counts[1]);
	assert_int_equal(counts[1], counts[2]);
	assert_int_equal(counts[0] * 3, g2->n_slots);
	assert_int_equal(neigh_lookup(ifs[0]->id, A("192.0.2.2"))->refcnt, 2);

	/* weights 1 and 3: a quarter and three quarters of the slots */
	static const uint16_t weights[][2] = {{1, 3}, {10, 30}, {100, 300}, {16384, 49152}};
	for (unsigned int k = 0; k < RTE_DIM(weights); k++) {
		r = R("12.0.0.0/8", ROUTE_UNICAST);
		nh(&r, "192.0.2.2", NONE, weights[k][0]);
		nh(&r, "198.51.100.2", NONE, weights[k][1]);
		assert_int_equal(fib4_route_add(&r, true), 0);
		g2 = L("12.0.0.1");
		assert_int_equal(g2->members[0].weight, weights[k][0]);
		assert_int_equal(g2->members[1].weight, weights[k][1]);
		test_slot_counts(g2, counts);
		assert_int_equal(counts[0] * 4, g2->n_slots);
		assert_int_equal(counts[1] * 4, 3 * g2->n_slots);
		assert_int_equal(get("12.0.0.0/8", &out), 0);
		assert_int_equal(out.nh[0].weight, weights[k][0]);
		assert_int_equal(out.nh[1].weight, weights[k][1]);
	}
	/* other weights: another group */
	assert_true(L("12.0.0.1") != g);
	/* a weight of 0 is 1: the same group as equal weights */
	r = R("13.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 1);
	nh(&r, "198.51.100.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_ptr_equal(L("13.0.0.1"), g);
	assert_int_equal(g->refcnt, 3);
	/* the same paths with another origin: not the same group */
	r.prefix = P("14.0.0.0/8");
	r.origin = ORIGIN_CONNECTED;
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_true(L("14.0.0.1") != g);
	assert_int_equal(del("14.0.0.0/8"), 0);

	/* 16 paths at most */
	r = R("15.0.0.0/8", ROUTE_UNICAST);
	for (int i = 0; i < FIB4_ECMP_MAX; i++) {
		char gw[FP_IP4_ADDRSTRLEN];

		snprintf(gw, sizeof(gw), "192.0.2.%d", 100 + i);
		nh(&r, gw, NONE, 0);
	}
	assert_int_equal(fib4_route_add(&r, false), 0);
	g2 = L("15.0.0.1");
	assert_int_equal(g2->n_members, FIB4_ECMP_MAX);
	test_slot_counts(g2, counts);
	for (int i = 0; i < FIB4_ECMP_MAX; i++)
		assert_int_equal(counts[i], 1);
	assert_int_equal(del("15.0.0.0/8"), 0);
	r.n_nh = FIB4_ECMP_MAX + 1; /* fib4 must not read beyond nh[] */
	assert_int_equal(fib4_route_add(&r, false), -EINVAL);

	/* the group lives as long as one of its routes */
	assert_int_equal(del("10.0.0.0/8"), 0);
	assert_ptr_equal(fp_nh_groups[id], g);
	assert_int_equal(del("172.16.0.0/12"), 0);
	assert_ptr_equal(fp_nh_groups[id], g);
	assert_int_equal(del("13.0.0.0/8"), 0);
	assert_null(fp_nh_groups[id]);
	assert_int_equal(del("11.0.0.0/8"), 0);
	assert_int_equal(del("12.0.0.0/8"), 0);
	assert_int_equal(test_nh_group_count(), base_groups + 6);
	addr_del(0, "192.0.2.1/24");
	addr_del(1, "198.51.100.1/24");
	assert_int_equal(test_nh_group_count(), base_groups);
}

/* Neighbours --------------------------------------------------------------------------------- */

static void test_gateway_neighbours(void **state)
{
	uint32_t gw = A("192.0.2.2"), gw2 = A("192.0.2.3");
	struct neigh *n;
	struct route4 r;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	assert_null(neigh_lookup(ifs[0]->id, gw));
	assert_int_equal(add_via("10.0.0.0/8", "192.0.2.2"), 0);
	n = neigh_lookup(ifs[0]->id, gw);
	assert_non_null(n);
	assert_int_equal(n->key.addr.v4, gw);
	assert_int_equal(n->key.iface, ifs[0]->id);
	assert_int_equal(n->refcnt, 1);
	assert_ptr_equal(L("10.0.0.1")->members[0].neigh, n);
	/* on that interface only */
	assert_null(neigh_lookup(ifs[1]->id, gw));

	/* a second route through the same group: the group holds the reference */
	assert_int_equal(add_via("11.0.0.0/8", "192.0.2.2"), 0);
	assert_ptr_equal(neigh_lookup(ifs[0]->id, gw), n);
	assert_int_equal(n->refcnt, 1);
	/* another group through it */
	r = R("12.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);
	nh(&r, "192.0.2.3", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_int_equal(n->refcnt, 2);
	assert_int_equal(neigh_lookup(ifs[0]->id, gw2)->refcnt, 1);

	/* replacing moves the reference */
	r = R("10.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.3", NONE, 0);
	assert_int_equal(fib4_route_add(&r, true), 0);
	assert_int_equal(n->refcnt, 2); /* 11/8 keeps the first group */
	assert_int_equal(neigh_lookup(ifs[0]->id, gw2)->refcnt, 2);
	assert_int_equal(del("11.0.0.0/8"), 0);
	assert_ptr_equal(neigh_lookup(ifs[0]->id, gw), n);
	assert_int_equal(n->refcnt, 1);

	assert_int_equal(del("12.0.0.0/8"), 0);
	/* unreferenced: garbage collection may free it later; it keeps no reference */
	n = neigh_lookup(ifs[0]->id, gw);
	if (n != NULL)
		assert_int_equal(n->refcnt, 0);
	assert_int_equal(neigh_lookup(ifs[0]->id, gw2)->refcnt, 1);
	assert_int_equal(del("10.0.0.0/8"), 0);
	n = neigh_lookup(ifs[0]->id, gw2);
	if (n != NULL)
		assert_int_equal(n->refcnt, 0);
	addr_del(0, "192.0.2.1/24");
}

/* Interface removal ------------------------------------------------------------------------- */

static int addr_on(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	(void)a;
	return iface == *(uint16_t *)arg;
}

static void test_iface_removal(void **state)
{
	uint16_t id1 = ifs[1]->id;
	struct walk w = {0};
	struct route4 r, out;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(1, "198.51.100.1/24");
	addr_add(1, "198.51.100.2/24");
	addr_add(1, "203.0.113.1/24");
	addr_add(2, "10.10.0.1/16");
	assert_int_equal(add_via("10.0.0.0/8", "192.0.2.2"), 0);       /* eth0: stays */
	assert_int_equal(add_via("100.64.0.0/10", "198.51.100.9"), 0); /* eth1: goes */
	assert_int_equal(add_via("100.128.0.0/10", "203.0.113.9"), 0); /* eth1: goes */
	r = R("172.16.0.0/12", ROUTE_UNICAST);			       /* ECMP through eth1: goes */
	nh(&r, "192.0.2.3", NONE, 0);
	nh(&r, "198.51.100.9", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	r = R("172.32.0.0/12", ROUTE_UNICAST); /* device route on eth1: goes */
	nh(&r, NULL, id1, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	r = R("192.168.0.0/16", ROUTE_BLACKHOLE); /* no interface: stays */
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_non_null(neigh_lookup(id1, A("198.51.100.9")));
	assert_int_equal(fib4_route_count(0), base_routes + 3 + 3 + 3 + 1 + 3 + 6);

	iface_free(ifs[1]);
	ifs[1] = NULL;
	assert_null(iface_get(id1));

	/* its addresses */
	assert_int_equal(ip4_addr_walk(addr_on, &id1), 0);
	assert_false(ip4_addr_is_local(0, A("198.51.100.1")));
	assert_false(ip4_addr_is_local(0, A("203.0.113.1")));
	/* its connected routes and the routes through it */
	assert_int_equal(fib4_route_count(0), base_routes + 3 + 3 + 2);
	assert_int_equal(fib4_routes_walk(0, walk_collect, &w), 0);
	for (unsigned int i = 0; i < w.n; i++)
		for (unsigned int k = 0; k < w.r[i].n_nh; k++)
			assert_int_not_equal(w.r[i].nh[k].iface, id1);
	free(w.r);
	assert_null(L("198.51.100.7"));
	assert_null(L("203.0.113.7"));
	assert_null(L("100.64.0.1"));
	assert_null(L("100.128.0.1"));
	assert_null(L("172.16.0.1"));
	assert_null(L("172.32.0.1"));
	/* its neighbours */
	assert_null(neigh_lookup(id1, A("198.51.100.9")));
	assert_null(neigh_lookup(id1, A("203.0.113.9")));
	/* the others' stay */
	assert_lookup_gw("10.1.0.1", "192.0.2.2");
	assert_lookup_gw("10.10.0.7", ""); /* eth2's /16 beats the /8 */
	assert_int_equal(L("192.168.1.1")->type, ROUTE_BLACKHOLE);
	assert_int_equal(get("10.0.0.0/8", &out), 0);
	assert_true(ip4_addr_is_local(0, A("192.0.2.1")));
	assert_true(ip4_addr_is_local(0, A("10.10.0.1")));
	assert_non_null(neigh_lookup(ifs[0]->id, A("192.0.2.2")));

	/* the rest goes with the other interfaces (teardown), except the blackhole */
	assert_int_equal(del("192.168.0.0/16"), 0);
}

/* VRFs ------------------------------------------------------------------------------------- */

static int count_vrf(const struct route4 *r, void *arg)
{
	unsigned int *n = arg;

	n[r->vrf < 2 ? r->vrf : 2]++;
	return 0;
}

static void test_vrf(void **state)
{
	unsigned int n[3] = {0};
	struct route4 r = R("10.0.0.0/8", ROUTE_BLACKHOLE), out;

	(void)state;
	r.vrf = 1;
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_int_equal(fib4_route_count(1), 1);
	assert_int_equal(fib4_route_count(0), base_routes);
	assert_null(fib4_lookup(0, A("10.0.0.1")));
	assert_int_equal(fib4_lookup(1, A("10.0.0.1"))->type, ROUTE_BLACKHOLE);
	assert_int_equal(get("10.0.0.0/8", &out), -ENOENT);
	assert_int_equal(fib4_route_get(1, &r.prefix, &out), 0);
	assert_int_equal(out.vrf, 1);
	assert_int_equal(fib4_route_del(0, &r.prefix), -ENOENT);
	/* a gateway is looked for in the route's VRF */
	addr_add(0, "192.0.2.1/24");
	r = R("11.0.0.0/8", ROUTE_UNICAST);
	r.vrf = 1;
	nh(&r, "192.0.2.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), -ENETUNREACH);
	assert_int_equal(fib4_routes_walk(UINT16_MAX, count_vrf, n), 0);
	assert_int_equal(n[0], base_routes + 3);
	assert_int_equal(n[1], 1);
	n[0] = n[1] = 0;
	assert_int_equal(fib4_routes_walk(1, count_vrf, n), 0);
	assert_int_equal(n[0], 0);
	assert_int_equal(n[1], 1);
	r = R("10.0.0.0/8", ROUTE_BLACKHOLE);
	assert_int_equal(fib4_route_del(1, &r.prefix), 0);
	assert_int_equal(fib4_route_count(1), 0);
	assert_null(fib4_lookup(1, A("10.0.0.1")));
	/* out of range */
	assert_null(fib4_lookup(FP_MAX_VRFS, A("10.0.0.1")));
	assert_int_equal(fib4_route_count(FP_MAX_VRFS), 0);
	assert_int_equal(fib4_route_get(FP_MAX_VRFS, &r.prefix, &out), -ENOENT);
	assert_int_equal(fib4_route_del(FP_MAX_VRFS, &r.prefix), -ENOENT);
	r.vrf = FP_MAX_VRFS;
	assert_true(fib4_route_add(&r, false) < 0);
	addr_del(0, "192.0.2.1/24");
}

/* Scale -------------------------------------------------------------------------------------- */

static int count_route(const struct route4 *r, void *arg)
{
	(void)r;
	(*(unsigned int *)arg)++;
	return 0;
}

static uint32_t scale_prefix(unsigned int i)
{
	return rte_cpu_to_be_32(0x64000000u + (i << 8)); /* 100.0.0.0/24 onwards */
}

/*
 * A route longer than /24 under a parent with the same next-hop group, added
 * and deleted: DPDK 22.11 would then miscount its reserved tbl8 groups and
 * refuse every later long route (fib_add() works around it).
 */
static void test_long_route_under_same_group(void **state)
{
	(void)state;
	addr_add(0, "192.0.2.1/24");
	assert_int_equal(add_via("0.0.0.0/0", "192.0.2.2"), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(add_via("203.0.113.128/25", "192.0.2.2"), 0);
		assert_int_equal(del("203.0.113.128/25"), 0);
	}
	addr_del(0, "192.0.2.1/24");
	/* the /24's own long routes (local, broadcast) went too: the count must not wrap */
	addr_add(0, "192.0.2.1/24");
	assert_int_equal(add_via("198.51.100.7/32", "192.0.2.2"), 0);
	assert_non_null(L("198.51.100.7"));
	assert_int_equal(del("198.51.100.7/32"), 0);
	assert_int_equal(del("0.0.0.0/0"), 0);
	addr_del(0, "192.0.2.1/24");
}

/* A walk in chunks (a streamed route.list) goes on across additions and deletions. */
static void test_walk_resumes(void **state)
{
	static const char *const stay[] = {"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
		"10.2.0.0/16", "172.16.0.0/12", "198.51.100.0/24", "203.0.113.128/25"};
	static const char *const go[] = {"10.1.3.0/24", "10.3.0.0/16", "192.0.2.128/25"};
	struct fib_position pos = {.family = AF_INET, .only_vrf = 0};
	struct test_seen seen = {0};
	int ret, chunks = 0;

	(void)state;
	addr_add(0, "192.0.2.1/25");
	for (size_t i = 0; i < RTE_DIM(stay); i++)
		assert_int_equal(add_via(stay[i], "192.0.2.2"), 0);
	for (size_t i = 0; i < RTE_DIM(go); i++)
		assert_int_equal(add_via(go[i], "192.0.2.2"), 0);
	do {
		ret = fib_routes_walk_from(&pos, 3, test_seen_add, &seen);
		assert_true(ret == 0 || ret == 1);
		/* between chunks: routes go, including the one the walk stopped at, and come */
		if (chunks == 0)
			for (size_t i = 0; i < RTE_DIM(go); i++)
				del(go[i]);
		if (chunks == 1)
			assert_int_equal(add_via("10.9.0.0/16", "192.0.2.2"), 0);
		chunks++;
	} while (ret == 1);
	for (size_t i = 0; i < RTE_DIM(stay); i++)
		assert_int_equal(test_seen_count(&seen, stay[i]), 1);
	for (int i = 0; i < seen.n; i++)
		assert_int_equal(test_seen_count(&seen, seen.prefix[i]), 1);
	/* the walk's order: more specific routes first, the default route last */
	assert_string_equal(seen.prefix[seen.n - 1], "0.0.0.0/0");
	assert_true(chunks >= 4);
	del("10.9.0.0/16");
	for (size_t i = 0; i < RTE_DIM(stay); i++)
		assert_int_equal(del(stay[i]), 0);
	addr_del(0, "192.0.2.1/25");
}

static void test_scale(void **state)
{
	const char *env = getenv("TEST_FIB_SCALE_ROUTES");
	unsigned int n = env ? (unsigned int)strtoul(env, NULL, 0) : 100000;
	unsigned int before, groups, walked = 0;
	const struct nh_group *g;
	struct route4 r;
	double t0, t1, t2, t3;

	(void)state;
	if (n > 1u << 18)
		n = 1u << 18; /* stays in 100.0.0.0-103.255.255.255 */
	addr_add(0, "192.0.2.1/24");
	before = fib4_route_count(0);
	groups = test_nh_group_count();
	r = R("0.0.0.0/24", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);

	t0 = test_now_s();
	for (unsigned int i = 0; i < n; i++) {
		r.prefix.addr = scale_prefix(i);
		if (fib4_route_add(&r, false) != 0)
			fail_msg("route %u: %s", i, fp_errmsg());
	}
	t1 = test_now_s();
	assert_int_equal(fib4_route_count(0), before + n);
	assert_int_equal(test_nh_group_count(), groups + 1); /* all share one group */
	g = fib4_lookup(0, scale_prefix(0) | rte_cpu_to_be_32(1));
	assert_non_null(g);
	assert_int_equal(g->refcnt, n);
	assert_int_equal(neigh_lookup(ifs[0]->id, A("192.0.2.2"))->refcnt, 1);
	for (unsigned int i = 0; i < n; i += 997)
		assert_ptr_equal(fib4_lookup(0, scale_prefix(i) | rte_cpu_to_be_32(0x7f)), g);
	assert_ptr_equal(fib4_lookup(0, scale_prefix(n - 1) | rte_cpu_to_be_32(0xff)), g);
	assert_null(fib4_lookup(0, scale_prefix(n)));
	assert_int_equal(fib4_routes_walk(0, count_route, &walked), 0);
	assert_int_equal(walked, before + n);

	t2 = test_now_s();
	for (unsigned int i = 0; i < n; i++) {
		struct fp_ip4_prefix p = {scale_prefix(i), 24};

		if (fib4_route_del(0, &p) != 0)
			fail_msg("route %u: %s", i, fp_errmsg());
	}
	t3 = test_now_s();
	printf("[   INFO   ] %u /24 routes via one gateway: added in %.3f s (%.0f routes/s), "
	       "deleted in %.3f s (%.0f routes/s)\n",
		n, t1 - t0, n / (t1 - t0), t3 - t2, n / (t3 - t2));
	assert_int_equal(fib4_route_count(0), before);
	assert_int_equal(test_nh_group_count(), groups);
	assert_null(fib4_lookup(0, scale_prefix(0)));
	addr_del(0, "192.0.2.1/24");
}

/* Regressions -------------------------------------------------------------------------------- */

/* With skewed weights every member still gets an ECMP slot and carries traffic. */
static void test_ecmp_every_member_gets_a_slot(void **state)
{
	unsigned int counts[FIB4_ECMP_MAX];
	struct route4 r = R("10.0.0.0/8", ROUTE_UNICAST);

	(void)state;
	addr_add(0, "192.0.2.1/24");
	nh(&r, "192.0.2.2", NONE, 200);
	nh(&r, "192.0.2.3", NONE, 1);
	nh(&r, "192.0.2.4", NONE, 1);
	nh(&r, "192.0.2.5", NONE, 1);
	assert_int_equal(fib4_route_add(&r, false), 0);
	test_slot_counts(L("10.0.0.1"), counts);
	for (int i = 0; i < 4; i++)
		assert_true(counts[i] >= 1);
	assert_int_equal(del("10.0.0.0/8"), 0);
	addr_del(0, "192.0.2.1/24");
}

/* A gateway with an interface id that does not exist is ENODEV, not a crash. */
static void test_gateway_with_unknown_iface(void **state)
{
	struct route4 r = R("10.0.0.0/8", ROUTE_UNICAST);

	(void)state;
	addr_add(0, "192.0.2.1/24");
	nh(&r, "192.0.2.2", 200, 0);
	assert_true(fib4_route_add(&r, false) < 0);
	addr_del(0, "192.0.2.1/24");
}

/* del and get refuse a prefix with host bits, as add does: "del 10.1.2.3/8" must not delete
 * 10.0.0.0/8 (rte_rib_lookup_exact masks the address). */
static void test_del_host_bits(void **state)
{
	struct route4 r = R("10.0.0.0/8", ROUTE_BLACKHOLE), out;

	(void)state;
	assert_int_equal(fib4_route_add(&r, false), 0);
	assert_int_equal(get("10.1.2.3/8", &out), -EINVAL);
	assert_int_equal(del("10.1.2.3/8"), -EINVAL);
	assert_int_equal(get("10.0.0.0/8", &out), 0);
	assert_int_equal(del("10.0.0.0/8"), 0);
}

/* A VRF out of range is refused with a message of its own. */
static void test_vrf_out_of_range(void **state)
{
	struct route4 r = R("10.0.0.0/8", ROUTE_BLACKHOLE);

	(void)state;
	r.vrf = FP_MAX_VRFS;
	fp_error_clear();
	assert_int_equal(fib4_route_add(&r, false), -EINVAL);
	assert_non_null(strstr(fp_errmsg(), "VRF"));
}

/* The same network on two interfaces: the connected route stays on the first while it has its
 * address, and moves to the other when that address goes. */
static void test_same_network_two_ifaces(void **state)
{
	const struct nh_group *g;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(1, "192.0.2.2/24");
	addr_del(1, "192.0.2.2/24");
	g = L("192.0.2.77");
	assert_non_null(g);
	assert_int_equal(g->members[0].iface, ifs[0]->id);
	assert_non_null(L("192.0.2.255"));
	addr_add(1, "192.0.2.2/24");
	addr_del(0, "192.0.2.1/24");
	g = L("192.0.2.77");
	assert_non_null(g);
	assert_int_equal(g->members[0].iface, ifs[1]->id);
	addr_del(1, "192.0.2.2/24");
}

/* Two networks with one broadcast address (192.0.2.1/24 and 192.0.2.129/25): the broadcast
 * route stays while either needs it (Linux checks too, fib_del_ifaddr). */
static void test_shared_broadcast_address(void **state)
{
	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(0, "192.0.2.129/25");
	addr_del(0, "192.0.2.1/24");
	assert_non_null(L("192.0.2.255"));
	assert_int_equal(L("192.0.2.255")->type, ROUTE_BROADCAST);
	addr_del(0, "192.0.2.129/25");
}

/* Config documents --------------------------------------------------------------------------- */

static void assert_nexthop(
	const struct route4 *r, unsigned int i, const char *gw, uint16_t iface, uint16_t weight)
{
	assert_true(i < r->n_nh);
	assert_int_equal(r->nh[i].gw, gw ? A(gw) : 0);
	assert_int_equal(r->nh[i].iface, iface);
	assert_int_equal(r->nh[i].weight, weight);
}

/* A document's routes, then a reload that keeps, replaces and deletes some. */
static void test_config_routes(void **state)
{
	struct fp_ip4_prefix p = P("10.3.0.0/16");
	unsigned int connected;
	struct route4 r;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	connected = fib4_route_count(0);
	test_apply_routes("[{\"prefix\": \"10.2.0.0/16\", \"via\": \"192.0.2.2\"},"
			  " {\"prefix\": \"10.1.0.0/16\", \"nexthops\": [{\"via\": \"192.0.2.3\", "
			  "\"weight\": 3}, {\"dev\": \"fibt1\"}]},"
			  " {\"prefix\": \"10.3.0.0/16\", \"vrf\": 1, \"type\": \"blackhole\"}]");
	assert_int_equal(fib4_route_count(0), connected + 2);
	assert_int_equal(get("10.2.0.0/16", &r), 0);
	assert_int_equal(r.origin, ORIGIN_STATIC);
	assert_nexthop(&r, 0, "192.0.2.2", ifs[0]->id, 1);
	assert_int_equal(get("10.1.0.0/16", &r), 0);
	assert_int_equal(r.n_nh, 2);
	assert_nexthop(&r, 0, "192.0.2.3", ifs[0]->id, 3);
	assert_nexthop(&r, 1, NULL, ifs[1]->id, 1);
	assert_int_equal(fib4_route_get(1, &p, &r), 0);
	assert_int_equal(r.type, ROUTE_BLACKHOLE);

	/* the reload: 10.2/16 changes its gateway, 10.1/16 and VRF 1's route go, 10.4/24 comes */
	test_apply_routes(
		"[{\"prefix\": \"10.4.0.0/24\", \"via\": [\"192.0.2.2\", \"192.0.2.3\"]},"
		" {\"prefix\": \"10.2.0.0/16\", \"via\": \"192.0.2.4\", \"dev\": \"fibt0\"}]");
	assert_int_equal(fib4_route_count(0), connected + 2);
	assert_int_equal(get("10.2.0.0/16", &r), 0);
	assert_nexthop(&r, 0, "192.0.2.4", ifs[0]->id, 1);
	assert_int_equal(get("10.1.0.0/16", &r), -ENOENT);
	assert_int_equal(fib4_route_get(1, &p, &r), -ENOENT);
	assert_int_equal(get("10.4.0.0/24", &r), 0);
	assert_int_equal(r.n_nh, 2);
	assert_int_equal(L("192.0.2.1")->type, ROUTE_LOCAL); /* connected routes stay */

	test_apply_routes("[]");
	assert_int_equal(fib4_route_count(0), connected);
	addr_del(0, "192.0.2.1/24");
}

/* ip link set down: an ECMP route leaves its paths through the interface, takes them back up */
static void test_ecmp_iface_down(void **state)
{
	unsigned int counts[FIB4_ECMP_MAX];
	const struct nh_group *g;
	struct route4 r;

	(void)state;
	addr_add(0, "192.0.2.1/24");
	addr_add(1, "198.51.100.1/24");
	r = R("10.0.0.0/8", ROUTE_UNICAST);
	nh(&r, "192.0.2.2", NONE, 0);
	nh(&r, "198.51.100.2", NONE, 0);
	assert_int_equal(fib4_route_add(&r, false), 0);
	g = L("10.1.2.3");
	ifs[1]->admin_up = false;
	iface_admin_changed(ifs[1]);
	/* the same group, its members kept, every slot member 0's; two slots, not one */
	assert_ptr_equal(L("10.1.2.3"), g);
	assert_int_equal(g->n_members, 2);
	test_slot_counts(g, counts);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[0], g->n_slots);
	ifs[0]->admin_up = false;
	iface_admin_changed(ifs[0]);
	/* both down: the route is kept as it was (routes through one interface alone go) */
	test_slot_counts(g, counts);
	assert_int_equal(counts[0], counts[1]);
	ifs[0]->admin_up = true;
	iface_admin_changed(ifs[0]);
	test_slot_counts(g, counts);
	assert_int_equal(counts[1], 0);
	/* member 1 alone: two slots, as the datapath takes member 0 for one */
	ifs[0]->admin_up = false;
	ifs[1]->admin_up = true;
	iface_admin_changed(ifs[1]);
	test_slot_counts(g, counts);
	assert_int_equal(counts[0], 0);
	assert_true(g->n_slots >= 2);
	ifs[0]->admin_up = true;
	iface_admin_changed(ifs[0]);
	test_slot_counts(g, counts);
	assert_int_equal(counts[0], counts[1]);
	assert_int_equal(counts[0] * 2, g->n_slots);
	assert_int_equal(fib4_route_del(0, &r.prefix), 0);
}

/* fib.ipv4_max_routes: a table made after it holds that many routes, then says which setting */
static void test_size_limit(void **state)
{
	struct route4 r = R("10.0.0.0/24", ROUTE_BLACKHOLE);

	(void)state;
	r.vrf = 2;
	assert_int_equal(fib4_set_size(8, 64), 0);
	for (unsigned int i = 0; i < 8; i++) {
		r.prefix.addr = rte_cpu_to_be_32(0x0a000000 | i << 8);
		assert_int_equal(fib4_route_add(&r, false), 0);
	}
	/* replacing one is no new route */
	assert_int_equal(fib4_route_add(&r, true), 0);
	r.prefix.addr = rte_cpu_to_be_32(0x0a000900);
	assert_int_equal(fib4_route_add(&r, false), -ENOSPC);
	assert_string_equal(fp_errmsg(),
		"route 10.0.9.0/24: the IPv4 FIB of VRF 2 is full (8 routes, 64 tbl8 groups: "
		"fib.ipv4_max_routes, fib.ipv4_tbl8_groups)");
	/* VRF 2's table, with routes, keeps its size; VRF 0's, empty, is made again */
	assert_int_equal(fib4_set_size(1u << 18, FIB4_TBL8_FOR(1u << 18)), 0);
	assert_int_equal(fib4_route_count(2), 8);
	fib4_route_del(2, &(struct fp_ip4_prefix){rte_cpu_to_be_32(0x0a000000), 24});
	r.prefix.addr = rte_cpu_to_be_32(0x0a000900);
	assert_int_equal(fib4_route_add(&r, false), 0);
	for (unsigned int i = 1; i < 10; i++)
		fib4_route_del(
			2, &(struct fp_ip4_prefix){rte_cpu_to_be_32(0x0a000000 | i << 8), 24});
	assert_int_equal(fib4_route_count(2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addr_connected_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecmp_iface_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr_31_32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr_shared_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connected_replaces_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longest_prefix_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_route_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iface_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vrf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_route_under_same_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ecmp_every_member_gets_a_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_with_unknown_iface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_host_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vrf_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_network_two_ifaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_broadcast_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_routes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
