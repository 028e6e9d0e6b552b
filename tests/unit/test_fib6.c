/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 route table (fib6.h) as a user and the datapath see it: add, delete, get, replace,
 * longest-prefix match through rte_fib6_lookup_bulk() on fp_fib6, ECMP and its flow hash,
 * next-hop groups shared with IPv4, gateway rules (link-local ones need their interface),
 * interface removal, VRFs, walks, the tbl8 accounting and a million routes. Runs a real EAL
 * and the daemon's modules without workers, as test_fib does.
 *
 * Connected networks come from the tests themselves ("dev" routes of origin connected), as
 * IPv6 addresses will install them. Every test starts from three fresh interfaces and no
 * route; its teardown checks that no route, group or neighbour is left.
 *
 * Environment:
 *   TEST_FIB6_SCALE_ROUTES=N  routes of the scale test (default 1000000; lower under valgrind)
 */
#include "base/fp_error.h"
#include "base/fp_net.h"
#include "config/config.h"
#include "config/iface_names.h"
#include "fib/fib4.h"
#include "fib/fib6.h"
#include "fib/ip6_flow_hash.h"
#include "graph/worker.h"
#include "infra/iface.h"
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

#define N_IFACES   3
#define NONE	   FP_IFACE_NONE
#define SMALL_TBL8 64 /* the pool of the tables made after group_setup() */

static struct iface *ifs[N_IFACES];
static unsigned int base_groups, base_neighs, base_routes4;

/* Helpers ---------------------------------------------------------------------------------- */

static struct fp_ip6_addr A(const char *s) {
	struct fp_ip6_addr a;

	assert_int_equal(fp_ip6_parse(s, &a), 0);
	return a;
}

/* host bits allowed: prefixes fib6 must refuse */
static struct fp_ip6_prefix
P(const char *s) {
	struct fp_ip6_prefix p;

	assert_int_equal(fp_ip6_prefix_parse(s, &p, true), 0);
	return p;
}

static struct route6
R(const char *prefix, enum route_type type) {
	return (struct route6){.prefix = P(prefix), .type = type, .origin = ORIGIN_STATIC};
}

static void
nh(struct route6 *r, const char *gw, uint16_t iface, uint16_t weight)
{
	assert_true(r->n_nh < FIB4_ECMP_MAX);
	if (gw != NULL)
		r->nh[r->n_nh].gw = A(gw);
	r->nh[r->n_nh].iface = iface;
	r->nh[r->n_nh].weight = weight;
	r->n_nh++;
}

static int add_via(const char *prefix, const char *gw, uint16_t iface)
{
	struct route6 r = R(prefix, ROUTE_UNICAST);

	nh(&r, gw, iface, 0);
	return fib6_route_add(&r, false);
}

/* A connected network, as an IPv6 address of interface i will install it. */
static void connected(int i, const char *prefix)
{
	struct route6 r = R(prefix, ROUTE_UNICAST);

	r.origin = ORIGIN_CONNECTED;
	nh(&r, NULL, ifs[i]->id, 0);
	if (fib6_route_add(&r, false) != 0)
		fail_msg("%s: %s", prefix, fp_errmsg());
}

static int del(const char *prefix)
{
	struct fp_ip6_prefix p = P(prefix);

	return fib6_route_del(0, &p);
}

static int get(const char *prefix, struct route6 *out)
{
	struct fp_ip6_prefix p = P(prefix);

	return fib6_route_get(0, &p, out);
}

static const struct nh_group *L(const char *addr)
{
	struct fp_ip6_addr a = A(addr);

	return fib6_lookup(0, &a);
}

/* The gateway of the route matching addr in the datapath's table: "" for a connected network,
 * "-" for no route. */
static const char *lookup_gw(const char *addr, char buf[FP_IP6_ADDRSTRLEN])
{
	uint8_t ip[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t id = 12345;
	const struct nh_group *g;

	memcpy(ip[0], A(addr).bytes, 16);
	assert_non_null(fp_fib6[0]);
	assert_int_equal(rte_fib6_lookup_bulk(fp_fib6[0], ip, &id, 1), 0);
	if (id == FIB6_NO_ROUTE)
		return "-";
	g = fp_nh_groups[id];
	assert_non_null(g);
	assert_ptr_equal(g, L(addr)); /* the control plane's lookup agrees */
	if (g->type != ROUTE_UNICAST)
		return route_type_names[g->type];
	if (g->members[0].gw.family == 0)
		return "";
	assert_int_equal(g->members[0].gw.family, AF_INET6);
	return fp_ip6_fmt(&g->members[0].gw.v6, buf);
}

#define assert_lookup_gw(addr, expected)                                                           \
	do {                                                                                       \
		char buf_[FP_IP6_ADDRSTRLEN];                                                      \
		assert_string_equal(lookup_gw(addr, buf_), expected);                              \
	} while (0)

static struct neigh *neigh6(int i, const char *addr)
{
	struct fp_ip6_addr a = A(addr);

	return neigh6_lookup(ifs[i]->id, &a);
}

/* The neighbour of a route that went: gone, or kept by nothing (garbage collection's). */
static bool neigh_unused(int i, const char *addr)
{
	struct neigh *n = neigh6(i, addr);

	return n == NULL || n->refcnt == 0;
}

static bool errmsg_has(const char *s)
{
	if (strstr(fp_errmsg(), s) != NULL)
		return true;
	print_error("message '%s' lacks '%s'\n", fp_errmsg(), s);
	return false;
}

/* Fixtures --------------------------------------------------------------------------------- */

static bool any_route(const struct route *r, void *arg)
{
	(void)r;
	(void)arg;
	return true;
}

static int group_setup(void **state)
{
	struct route6 r = R("2001:db8::/32", ROUTE_BLACKHOLE);

	(void)state;
	/* VRF 0's IPv4 table (~520 MB), its IPv6 one of the default size (1M routes and tbl8
	 * groups: ~1.6 GB), the small ones of other VRFs */
	if (test_eal_setup("test_fib6", 2600) < 0)
		return -1;
	if (fp_fib6[0] != NULL || fib6_route_count(0) != 0) {
		fprintf(stderr, "an IPv6 table before any IPv6 route\n");
		return -1;
	}
	/* VRF 0's table for a million routes (test_million_routes), made by its first route */
	if (fib6_set_size(1u << 20, FIB6_TBL8_FOR(1u << 20)) != 0 ||
		fib6_route_add(&r, false) != 0 || fp_fib6[0] == NULL ||
		fib6_route_del(0, &r.prefix)) {
		fprintf(stderr, "VRF 0's IPv6 table: %s\n", fp_errmsg());
		return -1;
	}
	if (fib6_set_size(1024, SMALL_TBL8) != 0)
		return -1;
	base_groups = test_nh_group_count();
	base_neighs = test_neigh_count();
	base_routes4 = fib4_route_count(0);
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
	static const char *names[N_IFACES] = {"f6t0", "f6t1", "f6t2"};

	(void)state;
	for (int i = 0; i < N_IFACES; i++)
		ifs[i] = test_iface_new(names[i], i + 1);
	return 0;
}

static int teardown(void **state)
{
	unsigned int pool;

	(void)state;
	for (int i = 0; i < N_IFACES; i++) {
		iface_free(ifs[i]);
		ifs[i] = NULL;
	}
	/* interface-less routes (blackhole, ...) a failed test may have left */
	assert_int_equal(fib_routes_delete_if(AF_INET6, any_route, NULL), 0);
	assert_int_equal(fib6_route_count(0), 0);
	assert_int_equal(fib6_route_count(1), 0);
	assert_int_equal(fib6_tbl8_used(0, &pool), 0);
	assert_int_equal(fib4_route_count(0), base_routes4);
	assert_int_equal(test_nh_group_count(), base_groups);
	assert_int_equal(test_neigh_count(), base_neighs);
	return 0;
}

/* Add, get, replace, delete ---------------------------------------------------------------- */

static void test_add_get_replace_del(void **state)
{
	const struct nh_group *g;
	struct route6 r, out;
	char buf[FP_IP6_ADDRSTRLEN];

	(void)state;
	connected(0, "2001:db8:1::/64");
	connected(1, "2001:db8:2::/64");
	assert_int_equal(fib6_route_count(0), 2);

	/* the interface follows from the gateway; written in a long form */
	assert_int_equal(add_via("2001:db8:100::/48", "2001:DB8:1:0::0:2", NONE), 0);
	assert_int_equal(fib6_route_count(0), 3);
	assert_int_equal(get("2001:db8:100::/48", &out), 0);
	assert_memory_equal(&out.prefix.addr, A("2001:db8:100::").bytes, 16);
	assert_int_equal(out.prefix.len, 48);
	assert_int_equal(out.type, ROUTE_UNICAST);
	assert_int_equal(out.origin, ORIGIN_STATIC);
	assert_int_equal(out.n_nh, 1);
	assert_memory_equal(&out.nh[0].gw, A("2001:db8:1::2").bytes, 16);
	assert_int_equal(out.nh[0].iface, ifs[0]->id);
	assert_int_equal(out.nh[0].weight, 1);
	g = L("2001:db8:100:ffff::1");
	assert_non_null(g);
	assert_int_equal(g->members[0].iface, ifs[0]->id);
	/* its neighbour is the IPv6 entry of the gateway on that interface */
	assert_ptr_equal(g->members[0].neigh, neigh6(0, "2001:db8:1::2"));
	assert_non_null(g->members[0].neigh);
	assert_int_equal(g->members[0].neigh->refcnt, 1);
	assert_lookup_gw("2001:db8:100:ffff::1", "2001:db8:1::2");
	assert_lookup_gw("2001:db8:101::1", "-");
	assert_lookup_gw("2001:db8:1::77", "");

	/* twice: EEXIST, named; the route stays */
	fp_error_clear();
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:1::3", NONE), -EEXIST);
	assert_true(errmsg_has("2001:db8:100::/48"));
	assert_lookup_gw("2001:db8:100::1", "2001:db8:1::2");

	/* replace: the other gateway, the old neighbour released */
	r = R("2001:db8:100::/48", ROUTE_UNICAST);
	nh(&r, "2001:db8:2::9", NONE, 0);
	assert_int_equal(fib6_route_add(&r, true), 0);
	assert_int_equal(fib6_route_count(0), 3);
	assert_lookup_gw("2001:db8:100::1", "2001:db8:2::9");
	assert_int_equal(L("2001:db8:100::1")->members[0].iface, ifs[1]->id);
	assert_true(neigh_unused(0, "2001:db8:1::2"));
	/* the same again, and replace creating */
	assert_int_equal(fib6_route_add(&r, true), 0);
	r.prefix = P("2001:db8:200::/48");
	assert_int_equal(fib6_route_add(&r, true), 0);
	assert_int_equal(fib6_route_count(0), 4);
	assert_int_equal(
		test_nh_group_count(), base_groups + 3); /* two connected, one shared gateway */

	/* delete */
	assert_int_equal(del("2001:db8:200::/48"), 0);
	assert_int_equal(del("2001:db8:100::/48"), 0);
	assert_lookup_gw("2001:db8:100::1", "-");
	assert_int_equal(get("2001:db8:100::/48", &out), -ENOENT);
	fp_error_clear();
	assert_int_equal(del("2001:db8:100::/48"), -ENOENT);
	assert_true(errmsg_has("no route 2001:db8:100::/48 in VRF 0"));
	assert_int_equal(del("2001:db8:100::/47"), -ENOENT);
	assert_int_equal(fib6_route_count(0), 2);
	(void)buf;
}

/* Longest prefix match, through the datapath's bulk lookup ---------------------------------- */

static void test_longest_prefix_match(void **state)
{
	static const struct {
		const char *prefix, *gw;
	} routes[] = {
		{"::/0", "2001:db8:1::10"},
		{"2001:db8::/32", "2001:db8:1::11"},
		{"2001:db8:aa::/48", "2001:db8:1::12"},
		{"2001:db8:aa:bb::/64", "2001:db8:1::13"},
		{"2001:db8:aa:bb::1/128", "2001:db8:1::14"},
		{"2001:db8:aa:bb:8000::/65", "2001:db8:1::15"},
		{"2001:db8:aa:b0::/60", "2001:db8:1::16"},
		{"3000::/4", "2001:db8:1::17"},
	};
	static const struct {
		const char *addr, *gw;
	} cases[] = {
		{"2001:db8:aa:bb::1", "2001:db8:1::14"},
		{"2001:db8:aa:bb::2", "2001:db8:1::13"},
		{"2001:db8:aa:bb:7fff:ffff:ffff:ffff", "2001:db8:1::13"},
		{"2001:db8:aa:bb:8000::", "2001:db8:1::15"},
		{"2001:db8:aa:bb:ffff:ffff:ffff:ffff", "2001:db8:1::15"},
		{"2001:db8:aa:bc::1", "2001:db8:1::16"},
		{"2001:db8:aa:af::1", "2001:db8:1::12"},
		{"2001:db8:aa:c0::1", "2001:db8:1::12"},
		{"2001:db8:ab::1", "2001:db8:1::11"},
		{"2001:db9::1", "2001:db8:1::10"},
		{"3fff:ffff::1", "2001:db8:1::17"},
		{"4000::1", "2001:db8:1::10"},
		{"2001:db8:1::99", ""},
	};
	uint8_t ips[RTE_DIM(cases)][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t ids[RTE_DIM(cases)];
	char buf[FP_IP6_ADDRSTRLEN];

	(void)state;
	connected(0, "2001:db8:1::/64");
	for (size_t i = 0; i < RTE_DIM(routes); i++)
		assert_int_equal(add_via(routes[i].prefix, routes[i].gw, NONE), 0);
	/* one burst, as the datapath looks up */
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		memcpy(ips[i], A(cases[i].addr).bytes, 16);
	assert_int_equal(rte_fib6_lookup_bulk(fp_fib6[0], ips, ids, RTE_DIM(cases)), 0);
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		const struct nh_group *g = fp_nh_groups[ids[i]];
		const char *gw =
			g->members[0].gw.family ? fp_ip6_fmt(&g->members[0].gw.v6, buf) : "";

		if (strcmp(gw, cases[i].gw) != 0)
			fail_msg("%s: via '%s', not '%s'", cases[i].addr, gw, cases[i].gw);
	}
	/* the more specific ones go: their parents take over */
	assert_int_equal(del("2001:db8:aa:bb::1/128"), 0);
	assert_lookup_gw("2001:db8:aa:bb::1", "2001:db8:1::13");
	assert_int_equal(del("2001:db8:aa:bb::/64"), 0);
	assert_lookup_gw("2001:db8:aa:bb::1", "2001:db8:1::16");
	assert_int_equal(del("2001:db8:aa:b0::/60"), 0);
	assert_lookup_gw("2001:db8:aa:bb::1", "2001:db8:1::12");
	assert_lookup_gw("2001:db8:aa:bb:8000::1", "2001:db8:1::15");
	assert_int_equal(del("::/0"), 0);
	assert_lookup_gw("4000::1", "-");
	assert_int_equal(del("2001:db8::/32"), 0);
	assert_lookup_gw("2001:db8:ab::1", "-");
	assert_lookup_gw("2001:db8:aa:bb:8000::1", "2001:db8:1::15");
	for (size_t i = 0; i < RTE_DIM(routes); i++)
		del(routes[i].prefix);
	assert_lookup_gw("2001:db8:aa:bb:8000::1", "-");
	assert_int_equal(fib6_route_count(0), 1);
}

/* ECMP and its flow hash -------------------------------------------------------------------- */

static void test_ecmp_weights(void **state)
{
	unsigned int counts[FIB4_ECMP_MAX];
	struct route6 r = R("2001:db8:100::/48", ROUTE_UNICAST), out;
	const struct nh_group *g;

	(void)state;
	connected(0, "2001:db8:1::/64");
	connected(1, "2001:db8:2::/64");
	nh(&r, "2001:db8:1::2", NONE, 1);
	nh(&r, "2001:db8:2::2", NONE, 3);
	nh(&r, "fe80::3", ifs[2]->id, 4);
	assert_int_equal(fib6_route_add(&r, false), 0);
	g = L("2001:db8:100::1");
	assert_int_equal(g->n_members, 3);
	test_slot_counts(g, counts);
	assert_int_equal(counts[0] * 3, counts[1]);
	assert_int_equal(counts[0] * 4, counts[2]);
	assert_int_equal(g->members[2].iface, ifs[2]->id);
	assert_int_equal(get("2001:db8:100::/48", &out), 0);
	assert_int_equal(out.n_nh, 3);
	assert_int_equal(out.nh[1].weight, 3);
	assert_int_equal(out.nh[2].weight, 4);
	/* the same paths: the same group */
	r.prefix = P("2001:db8:200::/48");
	assert_int_equal(fib6_route_add(&r, false), 0);
	assert_ptr_equal(L("2001:db8:200::1"), g);
	assert_int_equal(g->refcnt, 2);
	/* skewed weights: every member still has a slot */
	r = R("2001:db8:300::/48", ROUTE_UNICAST);
	nh(&r, "2001:db8:1::2", NONE, 256);
	nh(&r, "2001:db8:1::3", NONE, 1);
	nh(&r, "2001:db8:1::4", NONE, 1);
	assert_int_equal(fib6_route_add(&r, false), 0);
	test_slot_counts(L("2001:db8:300::1"), counts);
	for (int i = 0; i < 3; i++)
		assert_true(counts[i] >= 1);
	assert_int_equal(del("2001:db8:100::/48"), 0);
	assert_int_equal(g->refcnt, 1);
	assert_int_equal(del("2001:db8:200::/48"), 0);
	assert_int_equal(del("2001:db8:300::/48"), 0);
}

/* An IPv6 header and a UDP (or TCP) header after an 8-byte extension header. */
struct pkt6 {
	struct rte_ipv6_hdr ip;
	uint8_t ext[8];
	uint16_t sport, dport;
} __attribute__((packed));

static struct pkt6 pkt6(uint8_t proto, uint16_t sport, uint32_t flow_label)
{
	struct pkt6 p = {.ip = {.vtc_flow = rte_cpu_to_be_32(6u << 28 | flow_label)},
		.sport = rte_cpu_to_be_16(sport),
		.dport = rte_cpu_to_be_16(443)};

	p.ip.proto = 0; /* hop-by-hop, then proto */
	memcpy(p.ip.src_addr, A("2001:db8:1::2").bytes, 16);
	memcpy(p.ip.dst_addr, A("2001:db8:100::1").bytes, 16);
	p.ext[0] = proto;
	return p;
}

static unsigned int member_of(
	const struct nh_group *g, const struct pkt6 *p, uint8_t proto, uint16_t l4_offset)
{
	return g->slots[ip6_flow_hash(&p->ip, proto, l4_offset) % g->n_slots];
}

/* The same flow always takes the same path; 64 flows spread over two. */
static void test_flow_hash(void **state)
{
	struct route6 r = R("2001:db8:100::/48", ROUTE_UNICAST);
	const uint16_t l4 = offsetof(struct pkt6, sport);
	unsigned int per_member[2] = {0}, first[64];
	const struct nh_group *g;

	(void)state;
	connected(0, "2001:db8:1::/64");
	nh(&r, "2001:db8:1::2", NONE, 0);
	nh(&r, "2001:db8:1::3", NONE, 0);
	assert_int_equal(fib6_route_add(&r, false), 0);
	g = L("2001:db8:100::1");
	assert_int_equal(g->n_slots, 2);
	for (int round = 0; round < 3; round++) {
		for (unsigned int f = 0; f < 64; f++) {
			struct pkt6 p = pkt6(IPPROTO_UDP, 40000 + f, 0);
			unsigned int m = member_of(g, &p, IPPROTO_UDP, l4);

			if (round == 0) {
				first[f] = m;
				per_member[m]++;
			}
			assert_int_equal(m, first[f]);
		}
	}
	printf("[   INFO   ] 64 UDP flows over 2 paths: %u and %u\n", per_member[0], per_member[1]);
	assert_true(per_member[0] >= 16 && per_member[1] >= 16);
	/* TCP's ports count as UDP's */
	per_member[0] = per_member[1] = 0;
	for (unsigned int f = 0; f < 64; f++) {
		struct pkt6 p = pkt6(IPPROTO_TCP, 40000 + f, 0);

		per_member[member_of(g, &p, IPPROTO_TCP, l4)]++;
	}
	assert_true(per_member[0] >= 16 && per_member[1] >= 16);
	/* without the L4 offset (a fragment), or another protocol, ports are not read */
	for (unsigned int f = 1; f < 64; f++) {
		struct pkt6 a = pkt6(IPPROTO_UDP, 40000, 0), b = pkt6(IPPROTO_UDP, 40000 + f, 0);
		struct pkt6 c = pkt6(IPPROTO_ESP, 40000 + f, 0);

		assert_int_equal(
			ip6_flow_hash(&a.ip, IPPROTO_UDP, 0), ip6_flow_hash(&b.ip, IPPROTO_UDP, 0));
		assert_int_equal(ip6_flow_hash(&c.ip, IPPROTO_ESP, l4),
			ip6_flow_hash(&a.ip, IPPROTO_ESP, 0));
	}
	/* the flow label, the protocol and the addresses are the flow */
	per_member[0] = per_member[1] = 0;
	for (unsigned int f = 0; f < 64; f++) {
		struct pkt6 p = pkt6(IPPROTO_UDP, 40000, 0x12345 + f);

		per_member[member_of(g, &p, IPPROTO_UDP, 0)]++;
	}
	assert_true(per_member[0] >= 16 && per_member[1] >= 16);
	{
		struct pkt6 p = pkt6(IPPROTO_UDP, 40000, 0), q = p;

		assert_int_not_equal(ip6_flow_hash(&p.ip, IPPROTO_UDP, l4),
			ip6_flow_hash(&p.ip, IPPROTO_TCP, l4));
		q.ip.dst_addr[15] ^= 1;
		assert_int_not_equal(ip6_flow_hash(&p.ip, IPPROTO_UDP, l4),
			ip6_flow_hash(&q.ip, IPPROTO_UDP, l4));
		q = p;
		q.ip.src_addr[0] ^= 0x80;
		assert_int_not_equal(ip6_flow_hash(&p.ip, IPPROTO_UDP, l4),
			ip6_flow_hash(&q.ip, IPPROTO_UDP, l4));
		/* traffic class is not the flow */
		q = p;
		q.ip.vtc_flow |= rte_cpu_to_be_32(0xb8 << 20);
		assert_int_equal(ip6_flow_hash(&p.ip, IPPROTO_UDP, l4),
			ip6_flow_hash(&q.ip, IPPROTO_UDP, l4));
	}
	assert_int_equal(del("2001:db8:100::/48"), 0);
}

/* Groups shared with IPv4 ------------------------------------------------------------------- */

static void test_groups_shared_with_ipv4(void **state)
{
	struct route4 r4 = {.prefix = {RTE_BE32(0x0a420000), 16}, .type = ROUTE_BLACKHOLE};
	struct route6 r6 = R("2001:db8:66::/48", ROUTE_BLACKHOLE), out6;
	struct route4 c4 = {.prefix = {RTE_BE32(0xc0000200), 24},
		.type = ROUTE_UNICAST,
		.origin = ORIGIN_CONNECTED,
		.n_nh = 1};
	const struct nh_group *g4, *g6;
	struct route4 out4;

	(void)state;
	r4.origin = ORIGIN_STATIC;
	assert_int_equal(fib4_route_add(&r4, false), 0);
	assert_int_equal(fib6_route_add(&r6, false), 0);
	g4 = fib4_lookup(0, RTE_BE32(0x0a420101));
	g6 = L("2001:db8:66::1");
	/* a blackhole is a blackhole in either family: one group */
	assert_ptr_equal(g4, g6);
	assert_int_equal(g4->refcnt, 2);
	assert_int_equal(test_nh_group_count(), base_groups + 1);
	/* a connected network's "dev" group too */
	c4.nh[0].iface = ifs[0]->id;
	assert_int_equal(fib4_route_add(&c4, false), 0);
	connected(0, "2001:db8:1::/64");
	assert_ptr_equal(fib4_lookup(0, RTE_BE32(0xc0000209)), L("2001:db8:1::9"));
	assert_int_equal(test_nh_group_count(), base_groups + 2);
	/* a gateway group is its family's */
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:1::2", NONE), 0);
	assert_int_equal(test_nh_group_count(), base_groups + 3);

	/* IPv6 routes going leave the IPv4 ones as they were */
	assert_int_equal(del("2001:db8:66::/48"), 0);
	assert_int_equal(del("2001:db8:1::/64"), 0);
	assert_int_equal(del("2001:db8:100::/48"), 0);
	assert_int_equal(g4->refcnt, 1);
	assert_int_equal(fib4_route_get(0, &r4.prefix, &out4), 0);
	assert_int_equal(out4.type, ROUTE_BLACKHOLE);
	assert_int_equal(fib4_lookup(0, RTE_BE32(0xc0000209))->members[0].iface, ifs[0]->id);
	assert_int_equal(fib4_route_count(0), base_routes4 + 2);
	assert_int_equal(fib6_route_get(0, &r6.prefix, &out6), -ENOENT);
	/* and the other way round */
	assert_int_equal(fib6_route_add(&r6, false), 0);
	assert_int_equal(fib4_route_del(0, &r4.prefix), 0);
	assert_int_equal(L("2001:db8:66::1")->type, ROUTE_BLACKHOLE);
	assert_int_equal(L("2001:db8:66::1")->refcnt, 1);
	assert_int_equal(fib4_route_del(0, &c4.prefix), 0);
	assert_int_equal(del("2001:db8:66::/48"), 0);
}

/* Gateways ----------------------------------------------------------------------------------- */

static void test_link_local_gateway(void **state)
{
	struct route6 r = R("2001:db8:100::/48", ROUTE_UNICAST);
	struct neigh *n;

	(void)state;
	/* without its interface: refused, as ip -6 route add ... via fe80::1 is */
	fp_error_clear();
	assert_int_equal(add_via("2001:db8:100::/48", "fe80::1", NONE), -EINVAL);
	assert_true(errmsg_has("link-local"));
	assert_true(errmsg_has("fe80::1"));
	assert_true(errmsg_has("2001:db8:100::/48"));
	/* with it: accepted though no network is connected there */
	assert_int_equal(add_via("2001:db8:100::/48", "fe80::1", ifs[1]->id), 0);
	assert_lookup_gw("2001:db8:100::1", "fe80::1");
	assert_int_equal(L("2001:db8:100::1")->members[0].iface, ifs[1]->id);
	n = neigh6(1, "fe80::1");
	assert_non_null(n);
	assert_ptr_equal(L("2001:db8:100::1")->members[0].neigh, n);
	assert_int_equal(n->refcnt, 1);
	assert_null(neigh6(0, "fe80::1"));
	/* the default route over two links, each its own neighbour */
	nh(&r, "fe80::1", ifs[1]->id, 0);
	nh(&r, "fe80::1", ifs[2]->id, 0);
	r.prefix = P("::/0");
	assert_int_equal(fib6_route_add(&r, false), 0);
	assert_int_equal(n->refcnt, 2);
	assert_non_null(neigh6(2, "fe80::1"));
	assert_lookup_gw("4000::1", "fe80::1");
	assert_int_equal(del("::/0"), 0);
	assert_int_equal(del("2001:db8:100::/48"), 0);
	assert_true(neigh_unused(1, "fe80::1"));
	assert_true(neigh_unused(2, "fe80::1"));
	/* fe80::/10 whole: fe80::, febf::1 are link-local, fec0::1 is not */
	assert_int_equal(add_via("2001:db8:100::/48", "febf::1", NONE), -EINVAL);
	assert_int_equal(add_via("2001:db8:100::/48", "fec0::1", NONE), -ENETUNREACH);
}

static void test_gateway_rules(void **state)
{
	struct route r = {
		.prefix = {fp_ip_addr6(&(struct fp_ip6_addr){{0x20, 0x01, 0x0d, 0xb8, 0, 0x99}}),
			48},
		.type = ROUTE_UNICAST,
		.origin = ORIGIN_STATIC,
		.n_nh = 1};
	struct route6 r6;

	(void)state;
	connected(0, "2001:db8:1::/64");
	connected(1, "2001:db8:2::/64");
	/* off every connected network */
	fp_error_clear();
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:9::1", NONE), -ENETUNREACH);
	assert_true(errmsg_has("gateway 2001:db8:9::1 is not on a connected network"));
	/* on a network of another interface than the one given */
	fp_error_clear();
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:1::2", ifs[1]->id), -ENETUNREACH);
	assert_true(errmsg_has("not on a network of f6t1"));
	/* reached through another gateway, our own address, multicast, loopback */
	assert_int_equal(add_via("2001:db8:200::/48", "2001:db8:1::2", NONE), 0);
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:200::1", NONE), -ENETUNREACH);
	r6 = R("2001:db8:1::1/128", ROUTE_LOCAL);
	r6.origin = ORIGIN_CONNECTED;
	nh(&r6, NULL, ifs[0]->id, 0);
	assert_int_equal(fib6_route_add(&r6, false), 0);
	assert_int_equal(L("2001:db8:1::1")->type, ROUTE_LOCAL);
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:1::1", NONE), -ENETUNREACH);
	fp_error_clear();
	assert_int_equal(add_via("2001:db8:100::/48", "ff02::1", ifs[0]->id), -EINVAL);
	assert_true(errmsg_has("multicast"));
	assert_int_equal(add_via("2001:db8:100::/48", "::1", NONE), -EINVAL);
	/* an IPv4 gateway for an IPv6 route (the generic API lets one be written) */
	r.nh[0].gw = fp_ip_addr4(RTE_BE32(0x0a000001));
	fp_error_clear();
	assert_int_equal(fib_route_add(&r, false), -EINVAL);
	assert_true(errmsg_has("gateway 10.0.0.1 is an IPv4 address, not IPv6"));
	/* "::" is no gateway: a device route */
	r.nh[0].gw = fp_ip_addr6(&(struct fp_ip6_addr){{0}});
	r.nh[0].iface = ifs[2]->id;
	assert_int_equal(fib_route_add(&r, false), 0);
	assert_lookup_gw("2001:db8:99::1", "");
	assert_int_equal(L("2001:db8:99::1")->members[0].iface, ifs[2]->id);
	assert_int_equal(fib_route_del(0, &r.prefix), 0);
	assert_int_equal(del("2001:db8:200::/48"), 0);
	assert_int_equal(del("2001:db8:1::1/128"), 0);
}

/* Route types and bad input --------------------------------------------------------------- */

static void test_types_and_bad_input(void **state)
{
	static const enum route_type types[] = {ROUTE_BLACKHOLE, ROUTE_UNREACHABLE, ROUTE_PROHIBIT};
	struct route6 r;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(types); i++) {
		r = R("2001:db8:66::/48", types[i]);
		assert_int_equal(fib6_route_add(&r, false), 0);
		assert_lookup_gw("2001:db8:66::1", route_type_names[types[i]]);
		assert_int_equal(del("2001:db8:66::/48"), 0);
		nh(&r, NULL, ifs[0]->id, 0);
		assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	}
	fp_error_clear();
	r = R("2001:db8:66::/48", ROUTE_BROADCAST);
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	assert_true(errmsg_has("IPv6 has no broadcast routes"));
	/* no next hop, a next hop of nothing, an unknown interface, too many */
	r = R("2001:db8:66::/48", ROUTE_UNICAST);
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	nh(&r, NULL, NONE, 0);
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	r = R("2001:db8:66::/48", ROUTE_UNICAST);
	nh(&r, NULL, 200, 0);
	assert_int_equal(fib6_route_add(&r, false), -ENODEV);
	r = R("2001:db8:66::/48", ROUTE_UNICAST);
	r.n_nh = FIB4_ECMP_MAX + 1;
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	/* not a network prefix: host bits, a length past 128 */
	fp_error_clear();
	r = R("2001:db8:66::1/48", ROUTE_BLACKHOLE);
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	assert_true(errmsg_has("2001:db8:66::1/48: not a network prefix"));
	r = R("2001:db8:66::/48", ROUTE_BLACKHOLE);
	r.prefix.len = 129;
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	/* del and get refuse host bits too: "del 2001:db8:66::1/48" must not delete the /48 */
	r = R("2001:db8:66::/48", ROUTE_BLACKHOLE);
	assert_int_equal(fib6_route_add(&r, false), 0);
	assert_int_equal(del("2001:db8:66::1/48"), -EINVAL);
	assert_int_equal(get("2001:db8:66::1/48", &r), -EINVAL);
	assert_int_equal(del("2001:db8:66::/48"), 0);
	/* a VRF out of range */
	fp_error_clear();
	r = R("2001:db8:66::/48", ROUTE_BLACKHOLE);
	r.vrf = FP_MAX_VRFS;
	assert_int_equal(fib6_route_add(&r, false), -EINVAL);
	assert_true(errmsg_has("VRF"));
	assert_int_equal(fib6_route_del(FP_MAX_VRFS, &r.prefix), -ENOENT);
	assert_null(fib6_lookup(FP_MAX_VRFS, &r.prefix.addr));
	assert_int_equal(fib6_route_count(FP_MAX_VRFS), 0);
	assert_int_equal(fib6_route_count(0), 0);
}

/* Interface removal -------------------------------------------------------------------------- */

static void test_iface_removal(void **state)
{
	struct route6 r = R("2001:db8:300::/48", ROUTE_UNICAST), out;

	(void)state;
	connected(0, "2001:db8:1::/64");
	connected(1, "2001:db8:2::/64");
	assert_int_equal(add_via("2001:db8:100::/48", "2001:db8:2::2", NONE), 0);
	assert_int_equal(add_via("2001:db8:200::/48", "fe80::2", ifs[1]->id), 0);
	nh(&r, "2001:db8:1::2", NONE, 0);
	nh(&r, "2001:db8:2::3", NONE, 0);
	assert_int_equal(fib6_route_add(&r, false), 0);
	assert_int_equal(add_via("2001:db8:400::/48", "2001:db8:1::4", NONE), 0);
	r = R("2001:db8:66::/48", ROUTE_BLACKHOLE);
	assert_int_equal(fib6_route_add(&r, false), 0);
	assert_int_equal(fib6_route_count(0), 7);

	iface_free(ifs[1]);
	ifs[1] = NULL;
	/* every route with a path through it is gone, ECMP ones too, as in IPv4 */
	assert_int_equal(get("2001:db8:2::/64", &out), -ENOENT);
	assert_int_equal(get("2001:db8:100::/48", &out), -ENOENT);
	assert_int_equal(get("2001:db8:200::/48", &out), -ENOENT);
	assert_int_equal(get("2001:db8:300::/48", &out), -ENOENT);
	assert_lookup_gw("2001:db8:200::1", "-");
	/* the others stay */
	assert_int_equal(fib6_route_count(0), 3);
	assert_lookup_gw("2001:db8:400::1", "2001:db8:1::4");
	assert_lookup_gw("2001:db8:66::1", "blackhole");
	assert_int_equal(del("2001:db8:66::/48"), 0);
}

/* VRFs ----------------------------------------------------------------------------------------- */

static int count_vrf(const struct route6 *r, void *arg)
{
	unsigned int *n = arg;

	n[r->vrf < 2 ? r->vrf : 2]++;
	return 0;
}

static void test_vrf(void **state)
{
	struct route6 r = R("2001:db8:66::/48", ROUTE_BLACKHOLE), out;
	unsigned int n[3] = {0}, pool;

	(void)state;
	assert_null(fp_fib6[1]);
	r.vrf = 1;
	assert_int_equal(fib6_route_add(&r, false), 0);
	/* made by its first route, of the size set then */
	assert_non_null(fp_fib6[1]);
	fib6_tbl8_used(1, &pool);
	assert_int_equal(pool, SMALL_TBL8);
	assert_int_equal(fib6_route_count(1), 1);
	assert_int_equal(fib6_route_count(0), 0);
	assert_null(L("2001:db8:66::1"));
	assert_int_equal(fib6_lookup(1, &r.prefix.addr)->type, ROUTE_BLACKHOLE);
	assert_int_equal(get("2001:db8:66::/48", &out), -ENOENT);
	assert_int_equal(fib6_route_get(1, &r.prefix, &out), 0);
	assert_int_equal(out.vrf, 1);
	/* a gateway is looked for in the route's VRF */
	connected(0, "2001:db8:1::/64");
	r = R("2001:db8:100::/48", ROUTE_UNICAST);
	r.vrf = 1;
	nh(&r, "2001:db8:1::2", NONE, 0);
	assert_int_equal(fib6_route_add(&r, false), -ENETUNREACH);
	assert_int_equal(fib6_routes_walk(UINT16_MAX, count_vrf, n), 0);
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 1);
	r = R("2001:db8:66::/48", ROUTE_BLACKHOLE);
	assert_int_equal(fib6_route_del(1, &r.prefix), 0);
	assert_null(fib6_lookup(1, &r.prefix.addr));
	assert_non_null(fp_fib6[1]); /* tables stay */
}

/* Walks ---------------------------------------------------------------------------------------- */

/* A walk in chunks (a streamed route.list) goes on across deletions and additions; both
 * families: IPv4 first. */
static void test_walk(void **state)
{
	static const char *const stay[] = {"::/0", "2001:db8::/32", "2001:db8:1::/48",
		"2001:db8:1:2::/64", "2001:db8:2::/48", "3000::/16", "2001:db8:1:2::8/125"};
	static const char *const go[] = {"2001:db8:1:3::/64", "2001:db8:3::/48", "4000::/8"};
	struct route4 r4 = {.prefix = {RTE_BE32(0x0a420000), 16},
		.type = ROUTE_BLACKHOLE,
		.origin = ORIGIN_STATIC};
	struct fib_position pos = {.family = AF_UNSPEC, .only_vrf = 0};
	struct test_seen seen = {0};
	int ret, chunks = 0;

	(void)state;
	assert_int_equal(fib4_route_add(&r4, false), 0);
	for (size_t i = 0; i < RTE_DIM(stay); i++) {
		struct route6 r = R(stay[i], ROUTE_BLACKHOLE);

		assert_int_equal(fib6_route_add(&r, false), 0);
	}
	for (size_t i = 0; i < RTE_DIM(go); i++) {
		struct route6 r = R(go[i], ROUTE_PROHIBIT);

		assert_int_equal(fib6_route_add(&r, false), 0);
	}
	do {
		ret = fib_routes_walk_from(&pos, 3, test_seen_add, &seen);
		assert_true(ret == 0 || ret == 1);
		if (chunks == 1)
			for (size_t i = 0; i < RTE_DIM(go); i++)
				del(go[i]);
		if (chunks == 2) {
			struct route6 r = R("2001:db8:9::/48", ROUTE_BLACKHOLE);

			assert_int_equal(fib6_route_add(&r, false), 0);
		}
		chunks++;
	} while (ret == 1);
	for (size_t i = 0; i < RTE_DIM(stay); i++)
		assert_int_equal(test_seen_count(&seen, stay[i]), 1);
	for (int i = 0; i < seen.n; i++)
		assert_int_equal(test_seen_count(&seen, seen.prefix[i]), 1);
	/* IPv4 first; the default route last; a more specific route before its parent */
	assert_int_equal(test_seen_count(&seen, "10.66.0.0/16"), 1);
	assert_string_equal(seen.prefix[seen.n - 1], "::/0");
	for (int i = 0; i < seen.n; i++)
		if (strchr(seen.prefix[i], ':') == NULL)
			assert_true((unsigned int)i < base_routes4 + 1);
	assert_true(chunks >= 3);
	/* one family only */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(fib_routes_walk(AF_INET6, 0, test_seen_add, &seen), 0);
	assert_int_equal(seen.n, fib6_route_count(0));
	assert_int_equal(test_seen_count(&seen, "10.66.0.0/16"), 0);
	assert_int_equal(fib4_route_del(0, &r4.prefix), 0);
	del("2001:db8:9::/48");
	for (size_t i = 0; i < RTE_DIM(stay); i++)
		assert_int_equal(del(stay[i]), 0);
}

/* tbl8 groups ---------------------------------------------------------------------------------- */

/* 2001:db8:<i>::/64s, i < n, via the gateway of parity i & 1, in VRF vrf. */
static int add_slash64(uint16_t vrf, unsigned int i, bool del)
{
	struct route6 r = R("2001:db8::/64", ROUTE_UNICAST);

	r.vrf = vrf;
	r.prefix.addr.bytes[4] = i >> 8;
	r.prefix.addr.bytes[5] = i;
	if (del)
		return fib6_route_del(vrf, &r.prefix);
	r.type = i & 1 ? ROUTE_BLACKHOLE : ROUTE_PROHIBIT;
	return fib6_route_add(&r, false);
}

static void check_slash64s(uint16_t vrf, unsigned int n)
{
	uint8_t ips[1][RTE_FIB6_IPV6_ADDR_SIZE];

	for (unsigned int i = 0; i < n + 4; i++) {
		uint64_t id;

		memcpy(ips[0], A("2001:db8::7").bytes, 16);
		ips[0][4] = i >> 8;
		ips[0][5] = i;
		rte_fib6_lookup_bulk(fp_fib6[vrf], ips, &id, 1);
		if (i < n && (id == 0 || fp_nh_groups[id]->type !=
						 (i & 1 ? ROUTE_BLACKHOLE : ROUTE_PROHIBIT)))
			fail_msg("route %u: wrong group %lu", i, (unsigned long)id);
		if (i >= n && id != 0)
			fail_msg("address %u: group %lu, no route expected", i, (unsigned long)id);
	}
}

/*
 * A table of SMALL_TBL8 groups: filled with /64s of one /40 until refused (the first takes 5
 * groups, each other 2 of its own), every route right in the trie; emptied and filled again to the
 * same count, and a thousand add-delete rounds: nothing leaks (DPDK 22.11's own reservations would
 * exhaust the pool after 12 rounds).
 */
static void test_tbl8_groups(void **state)
{
	unsigned int n, again, pool;

	(void)state;
	fib6_set_size(1024, SMALL_TBL8);
	for (n = 0; add_slash64(2, n, false) == 0; n++)
		;
	assert_true(errmsg_has("tbl8 groups"));
	again = fib6_tbl8_used(2, &pool);
	printf("[   INFO   ] %u /64s in one /40 take %u of %u tbl8 groups\n", n, again, pool);
	assert_int_equal(pool, SMALL_TBL8);
	assert_int_equal(n, 30); /* 5 + 2 * 29 + the spare: 64 */
	check_slash64s(2, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(add_slash64(2, i, true), 0);
	assert_int_equal(fib6_tbl8_used(2, &pool), 0);
	check_slash64s(2, 0);
	for (again = 0; add_slash64(2, again, false) == 0; again++)
		;
	assert_int_equal(again, n);
	check_slash64s(2, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(add_slash64(2, i, true), 0);
	for (unsigned int round = 0; round < 1000; round++) {
		struct route6 r =
			R("2001:db8:1:2::/64", round & 1 ? ROUTE_BLACKHOLE : ROUTE_PROHIBIT);

		r.vrf = 2;
		if (fib6_route_add(&r, false) != 0)
			fail_msg("round %u: %s", round, fp_errmsg());
		assert_int_equal(fib6_route_del(2, &r.prefix), 0);
	}
	assert_int_equal(fib6_tbl8_used(2, &pool), 0);
	/* a /128 needs 13 levels: one fits in 64, and refuses the rest cleanly */
	{
		struct route6 r = R("2001:db8:1:2:3:4:5:6/128", ROUTE_BLACKHOLE);

		r.vrf = 2;
		assert_int_equal(fib6_route_add(&r, false), 0);
		assert_int_equal(fib6_tbl8_used(2, &pool), 13);
		assert_int_equal(fib6_route_del(2, &r.prefix), 0);
	}
	fib6_set_size(1024, SMALL_TBL8);
}

/* Scale ---------------------------------------------------------------------------------------- */

/* The i-th /48: 2001:xxxx:xxxx::/48, xxxx:xxxx a bijection of i (scattered, all distinct). */
static void scale_prefix(unsigned int i, uint8_t ip[16])
{
	uint32_t v = i * 2654435761u;

	memset(ip, 0, 16);
	ip[0] = 0x20;
	ip[1] = 0x01;
	ip[2] = v >> 24;
	ip[3] = v >> 16;
	ip[4] = v >> 8;
	ip[5] = v;
}

/* A million random /48s in 2001::/16, over 4 gateways: added, every one found through the
 * datapath's bulk lookup, deleted. */
static void test_million_routes(void **state)
{
	const char *env = getenv("TEST_FIB6_SCALE_ROUTES");
	unsigned int n = env ? (unsigned int)strtoul(env, NULL, 0) : 1000000, pool, used, before;
	static uint8_t ips[64][RTE_FIB6_IPV6_ADDR_SIZE];
	struct route6 r[4];
	uint16_t ids[4];
	uint64_t nhs[64];
	double t0, t1, t2, t3;

	(void)state;
	connected(0, "2001:db8:1::/64");
	before = fib6_tbl8_used(0, &pool);
	for (int k = 0; k < 4; k++) {
		char gw[32];

		snprintf(gw, sizeof(gw), "2001:db8:1::%d", 10 + k);
		r[k] = R("::/48", ROUTE_UNICAST);
		nh(&r[k], gw, NONE, 0);
	}
	t0 = test_now_s();
	for (unsigned int i = 0; i < n; i++) {
		struct route6 *x = &r[i & 3];

		scale_prefix(i, x->prefix.addr.bytes);
		if (fib6_route_add(x, false) != 0)
			fail_msg("route %u: %s", i, fp_errmsg());
	}
	t1 = test_now_s();
	assert_int_equal(fib6_route_count(0), n + 1);
	used = fib6_tbl8_used(0, &pool);
	for (int k = 0; k < 4; k++)
		ids[k] = fib6_lookup(0, &r[k].prefix.addr)->id;
	for (unsigned int i = 0; i < n; i += 64) {
		unsigned int burst = RTE_MIN(64u, n - i);

		for (unsigned int j = 0; j < burst; j++) {
			scale_prefix(i + j, ips[j]);
			ips[j][15] = j; /* an address in the /48 */
			ips[j][8] = 0xa5;
		}
		rte_fib6_lookup_bulk(fp_fib6[0], ips, nhs, burst);
		for (unsigned int j = 0; j < burst; j++)
			if (nhs[j] != ids[(i + j) & 3])
				fail_msg("route %u: group %lu, not %u", i + j,
					(unsigned long)nhs[j], ids[(i + j) & 3]);
	}
	t2 = test_now_s();
	for (unsigned int i = 0; i < n; i++) {
		struct fp_ip6_prefix p = {.len = 48};

		scale_prefix(i, p.addr.bytes);
		if (fib6_route_del(0, &p) != 0)
			fail_msg("route %u: %s", i, fp_errmsg());
	}
	t3 = test_now_s();
	printf("[   INFO   ] %u random /48s in 2001::/16 over 4 gateways: added in %.2f s "
	       "(%.0f routes/s), each found by rte_fib6_lookup_bulk in %.2f s, deleted in %.2f s "
	       "(%.0f routes/s); %u of %u tbl8 groups\n",
		n, t1 - t0, n / (t1 - t0), t2 - t1, t3 - t2, n / (t3 - t2), used, pool);
	assert_int_equal(fib6_route_count(0), 1);
	assert_int_equal(fib6_tbl8_used(0, &pool), before);
	assert_lookup_gw("2001:1234::1", "-");
}

/* Config documents ----------------------------------------------------------------------------- */

/* IPv6 routes in a document next to IPv4 ones, then a reload that keeps, changes and drops. */
static void test_config_routes(void **state)
{
	struct route6 r;
	struct route4 r4;
	struct fp_ip4_prefix p4 = {RTE_BE32(0x0a010000), 16};

	(void)state;
	connected(0, "2001:db8:1::/64");
	connected(1, "2001:db8:2::/64");
	test_apply_routes(
		"[{\"prefix\": \"2001:db8:100::/48\", \"via\": \"2001:db8:1::2\"},"
		" {\"prefix\": \"10.1.0.0/16\", \"type\": \"blackhole\"},"
		" {\"prefix\": \"2001:db8:200::/48\", \"nexthops\": [{\"via\": \"2001:db8:1::3\","
		" \"weight\": 3}, {\"via\": \"fe80::1\", \"dev\": \"f6t2\"}]},"
		" {\"prefix\": \"::/0\", \"via\": [\"2001:db8:1::4\", \"2001:db8:2::4\"]},"
		" {\"prefix\": \"2001:db8:66::/48\", \"vrf\": 1, \"type\": \"unreachable\"}]");
	assert_int_equal(fib6_route_count(0), 5);
	assert_int_equal(fib6_route_count(1), 1);
	assert_int_equal(get("2001:db8:200::/48", &r), 0);
	assert_int_equal(r.n_nh, 2);
	assert_int_equal(r.nh[0].weight, 3);
	assert_int_equal(r.nh[1].iface, ifs[2]->id);
	assert_memory_equal(&r.nh[1].gw, A("fe80::1").bytes, 16);
	assert_int_equal(get("::/0", &r), 0);
	assert_int_equal(r.n_nh, 2);
	assert_int_equal(r.nh[1].iface, ifs[1]->id);
	assert_int_equal(fib4_route_get(0, &p4, &r4), 0);

	/* the reload: one changes its gateway, VRF 1's, IPv4's and the default go, one comes */
	test_apply_routes(
		"[{\"prefix\": \"2001:db8:100::/48\", \"via\": \"2001:db8:2::9\"},"
		" {\"prefix\": \"2001:db8:200::/48\", \"nexthops\": [{\"via\": \"2001:db8:1::3\","
		" \"weight\": 3}, {\"via\": \"fe80::1\", \"dev\": \"f6t2\"}]},"
		" {\"prefix\": \"2001:db8:300::/48\", \"dev\": \"f6t1\"}]");
	assert_int_equal(fib6_route_count(0), 5);
	assert_int_equal(fib6_route_count(1), 0);
	assert_lookup_gw("2001:db8:100::1", "2001:db8:2::9");
	assert_lookup_gw("2001:db8:300::1", "");
	assert_lookup_gw("4000::1", "-");
	assert_int_equal(fib4_route_get(0, &p4, &r4), -ENOENT);
	assert_lookup_gw("2001:db8:1::1", ""); /* connected routes stay */
	test_apply_routes("[]");
	assert_int_equal(fib6_route_count(0), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get_replace_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longest_prefix_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecmp_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_shared_with_ipv4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_local_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types_and_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iface_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vrf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tbl8_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_million_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_routes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
