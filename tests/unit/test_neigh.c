/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table with both families (lib/neigh/neigh.c): keys, static entries, gateway
 * references, learning, resolution with and without a family's resolver, the held packets,
 * interface removal and garbage collection. Runs the daemon's modules on a real EAL without
 * workers (test_eal.h): packets the table sends out are dropped there, and counted. Time
 * passes through neigh_periodic(), called with the deadlines the entries have.
 *
 * Every test starts with two fresh interfaces and no neighbour on them; the teardown frees the
 * interfaces, which frees their neighbours, and checks that no entry and no packet is left.
 */
#include "infra/counter.h"
#include "infra/fp_error.h"
#include "infra/fp_net.h"
#include "infra/iface.h"
#include "infra/mbuf.h"
#include "neigh/neigh.h"
#include "test_eal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define POOL_SIZE 255

static struct iface *ifs[2];
static struct rte_mempool *pool;
static unsigned int base_neighs;

/* Helpers ---------------------------------------------------------------------------------- */

static struct neigh_key key4(int i, const char *s)
{
	uint32_t a;

	assert_int_equal(fp_ip4_parse(s, &a), 0);
	return neigh_key4(ifs[i]->id, a);
}

static struct neigh_key key6(int i, const char *s)
{
	struct fp_ip6_addr a;

	assert_int_equal(fp_ip6_parse(s, &a), 0);
	return neigh_key6(ifs[i]->id, &a);
}

static struct rte_ether_addr mac_n(uint8_t last)
{
	return (struct rte_ether_addr){{0x02, 0, 0, 0, 0x0a, last}};
}

static uint64_t counter(const char *name)
{
	for (const struct fp_counter *c = fp_counters(); c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c->value;
	fail_msg("no counter %s", name);
	return 0;
}

static struct rte_mbuf *packet(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, len));
	*fp_mbuf_priv(m) = (struct fp_mbuf_priv){0};
	return m;
}

static void assert_l2(struct neigh *n, struct rte_ether_addr mac)
{
	struct rte_ether_addr got;

	assert_true(neigh_l2_get(n, &got));
	assert_memory_equal(&got, &mac, sizeof(mac));
}

/* Runs the periodic work at n's timer deadline: one step of its state machine. */
static void step(struct neigh *n)
{
	assert_int_not_equal(n->sm.timer_deadline, 0);
	neigh_periodic(n->sm.timer_deadline);
}

/* A resolver standing for NDP: records its calls. */
static struct {
	unsigned int calls;
	const struct neigh *n;
	bool unicast;
	struct rte_ether_addr dst;
} probes;

static int fake_resolver(const struct neigh *n, const struct rte_ether_addr *dst)
{
	probes.calls++;
	probes.n = n;
	probes.unicast = dst != NULL;
	if (dst != NULL)
		probes.dst = *dst;
	return 0;
}

/* Fixtures --------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	/* fib4's VRF 0 takes about 520 MB */
	if (test_eal_setup("test_neigh", 1024) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_neigh", POOL_SIZE, 0, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	base_neighs = test_neigh_count();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	test_eal_teardown();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	ifs[0] = test_iface_new("nt0", 1);
	ifs[1] = test_iface_new("nt1", 2);
	memset(&probes, 0, sizeof(probes));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	neigh_register_resolver(AF_INET6, NULL);
	for (int i = 0; i < 2; i++) {
		iface_free(ifs[i]);
		ifs[i] = NULL;
	}
	assert_int_equal(test_neigh_count(), base_neighs);
	/* every held packet was sent, dropped or freed with its entry */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

/* Keys ---------------------------------------------------------------------------------------- */

/* 20 bytes, all defined; the family tells apart addresses of the same bytes. */
static void test_keys(void **state)
{
	static const uint8_t zero[12];
	struct neigh_key k4 = key4(0, "192.0.2.1"), k6 = key6(0, "c000:201::"), back;
	struct fp_ip_addr a;

	(void)state;
	assert_int_equal(sizeof(struct neigh_key), 20);
	assert_int_equal(k4.family, AF_INET);
	assert_int_equal(k4.iface, ifs[0]->id);
	assert_int_equal(k4.pad, 0);
	assert_memory_equal(&k4.addr.v6.bytes[4], zero, sizeof(zero));
	/* the same address bytes ... */
	assert_memory_equal(&k4.addr, &k6.addr, sizeof(k4.addr));
	/* ... another key, another hash */
	assert_int_equal(k6.family, AF_INET6);
	assert_memory_not_equal(&k4, &k6, sizeof(k4));
	assert_int_not_equal(
		neigh_key_hash(&k4, sizeof(k4), 0), neigh_key_hash(&k6, sizeof(k6), 0));

	/* from and to struct fp_ip_addr */
	a = neigh_key_addr(&k6);
	assert_int_equal(a.family, AF_INET6);
	back = neigh_key_of(ifs[0]->id, &a);
	assert_memory_equal(&back, &k6, sizeof(k6));
	a = neigh_key_addr(&k4);
	assert_int_equal(a.family, AF_INET);
	back = neigh_key_of(ifs[0]->id, &a);
	assert_memory_equal(&back, &k4, sizeof(k4));
}

/* Static entries ------------------------------------------------------------------------------ */

static void test_static_both_families(void **state)
{
	struct neigh_key k4 = key4(0, "192.0.2.1"), k6 = key6(0, "c000:201::"),
			 d0 = key6(0, "2001:db8::2"), d1 = key6(1, "2001:db8::2");
	struct rte_ether_addr mac;
	struct fp_ip6_addr doc;
	struct neigh *n;
	json_t *j;
	char *text;

	(void)state;
	mac = mac_n(1);
	assert_int_equal(neigh_static_add(ifs[0]->id, k4.addr.v4, &mac), 0);
	mac = mac_n(2);
	assert_int_equal(neigh_static_add_key(&k6, &mac), 0);
	mac = mac_n(3);
	assert_int_equal(neigh_static_add_key(&d0, &mac), 0);
	mac = mac_n(4);
	assert_int_equal(neigh_static_add_key(&d1, &mac), 0);
	assert_int_equal(test_neigh_count(), base_neighs + 4);

	/* each found by its own key, with its own MAC, usable at once */
	assert_l2(neigh_lookup(ifs[0]->id, k4.addr.v4), mac_n(1));
	assert_l2(neigh_lookup_key(&k6), mac_n(2));
	assert_int_equal(fp_ip6_parse("2001:db8::2", &doc), 0);
	assert_l2(neigh6_lookup(ifs[0]->id, &doc), mac_n(3));
	assert_l2(neigh6_lookup(ifs[1]->id, &doc), mac_n(4));
	n = neigh_lookup_key(&d0);
	assert_int_equal(n->sm.state, NEIGH_PERMANENT);
	assert_memory_equal(&n->key, &d0, sizeof(d0));

	/* shown like an IPv4 one */
	j = neigh_to_json(n, true);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text,
		"{\"iface\":\"nt0\",\"address\":\"2001:db8::2\",\"mac\":\"02:00:00:00:0a:03\"}");
	free(text);
	json_decref(j);
	j = neigh_to_json(n, false);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "PERMANENT");
	assert_true(json_is_true(json_object_get(j, "static")));
	json_decref(j);

	/* adding again replaces the MAC */
	mac = mac_n(5);
	assert_int_equal(neigh_static_add_key(&d0, &mac), 0);
	assert_ptr_equal(neigh_lookup_key(&d0), n);
	assert_l2(n, mac_n(5));

	/* deleting one leaves the others */
	assert_int_equal(neigh_del_key(&d0), 0);
	assert_null(neigh_lookup_key(&d0));
	assert_non_null(neigh_lookup_key(&d1));
	assert_non_null(neigh_lookup_key(&k6));
	assert_non_null(neigh_lookup_key(&k4));
	assert_int_equal(neigh_del_key(&d0), -ENOENT);
	assert_string_equal(fp_errmsg(), "no neighbour 2001:db8::2 on nt0");
	assert_int_equal(neigh_del(ifs[0]->id, k4.addr.v4), 0);
	assert_int_equal(neigh_del(ifs[0]->id, k4.addr.v4), -ENOENT);
	assert_string_equal(fp_errmsg(), "no neighbour 192.0.2.1 on nt0");
	assert_non_null(neigh_lookup_key(&k6));
	assert_int_equal(test_neigh_count(), base_neighs + 2);
}

/* Many of both families, on both interfaces: each found, each with its MAC. */
static void test_many(void **state)
{
	enum { N = 1000 };
	struct fp_ip6_addr a6 = {{0x20, 0x01, 0x0d, 0xb8}};

	(void)state;
	for (int i = 0; i < N; i++) {
		struct neigh_key k;

		a6.bytes[14] = i >> 8;
		a6.bytes[15] = i;
		k = neigh_key6(ifs[i % 2]->id, &a6);
		assert_int_equal(
			neigh_static_add_key(&k, &(struct rte_ether_addr){{2, 6, 0, 0, i >> 8, i}}),
			0);
		k = neigh_key4(ifs[i % 2]->id, htonl(0x0a000000 + i));
		assert_int_equal(
			neigh_static_add_key(&k, &(struct rte_ether_addr){{2, 4, 0, 0, i >> 8, i}}),
			0);
	}
	assert_int_equal(test_neigh_count(), base_neighs + 2 * N);
	for (int i = 0; i < N; i++) {
		a6.bytes[14] = i >> 8;
		a6.bytes[15] = i;
		assert_l2(neigh6_lookup(ifs[i % 2]->id, &a6),
			(struct rte_ether_addr){{2, 6, 0, 0, i >> 8, i}});
		assert_null(neigh6_lookup(ifs[(i + 1) % 2]->id, &a6));
		assert_l2(neigh_lookup(ifs[i % 2]->id, htonl(0x0a000000 + i)),
			(struct rte_ether_addr){{2, 4, 0, 0, i >> 8, i}});
	}
}

/* Gateways and learning ------------------------------------------------------------------------ */

static void test_ref_and_learn_v6(void **state)
{
	struct neigh_key gw = key6(1, "fe80::1"), other = key6(1, "fe80::2");
	struct rte_ether_addr sha = mac_n(7);
	struct neigh *n;

	(void)state;
	/* a route's gateway: created unresolved, one entry however many references */
	n = neigh_ref_key(&gw);
	assert_non_null(n);
	assert_int_equal(n->sm.state, NEIGH_NONE);
	assert_false(neigh_l2_get(n, &(struct rte_ether_addr){0}));
	assert_ptr_equal(neigh_ref_key(&gw), n);
	assert_int_equal(n->refcnt, 2);
	/* a referenced entry outlives its deletion (FAILED until unreferenced) */
	assert_int_equal(neigh_del_key(&gw), 0);
	assert_ptr_equal(neigh_lookup_key(&gw), n);
	assert_int_equal(n->sm.state, NEIGH_FAILED);
	neigh_unref(n);
	neigh_unref(n);
	assert_int_equal(n->refcnt, 0);

	/* learning refreshes known entries only, unless told to create */
	neigh_learn_key(&other, &sha, NEIGH_STALE, false, false);
	assert_null(neigh_lookup_key(&other));
	neigh_learn_key(&other, &sha, NEIGH_STALE, true, false);
	n = neigh_lookup_key(&other);
	assert_non_null(n);
	assert_int_equal(n->sm.state, NEIGH_STALE);
	assert_l2(n, mac_n(7));
	neigh_learn_key(&gw, &sha, NEIGH_REACHABLE, false, false);
	assert_int_equal(neigh_lookup_key(&gw)->sm.state, NEIGH_REACHABLE);
}

/* Resolution ------------------------------------------------------------------------------------
 */

/*
 * IPv6 without a resolver (NDP registers it when its module starts, which these tests do not
 * run). The entry resolves as any other, sending nothing (each probe counted), fails after the
 * 3 probes of 1 s, and its held packets go to icmp6_error (address unreachable): without
 * workers the inject ring refuses them, counted too.
 */
static void test_v6_without_resolver_fails(void **state)
{
	struct neigh_key k = key6(0, "2001:db8::99");
	uint64_t no_resolver = counter("neigh_no_resolver"), inject_full = counter("neigh_inject_full");
	struct neigh *n = neigh_ref_key(&k);

	(void)state;
	neigh_unref(n);
	for (int i = 0; i < 3; i++)
		neigh_output(n, packet(100));
	assert_int_equal(n->sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(n->held_count, 3);
	assert_int_equal(n->held_bytes, 300);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver + 1);
	step(n);
	step(n);
	assert_int_equal(n->sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver + 3);
	step(n);
	assert_int_equal(n->sm.state, NEIGH_FAILED);
	assert_int_equal(n->sm.timer_deadline, 0);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver + 3);
	assert_int_equal(n->held_count, 0);
	assert_int_equal(counter("neigh_inject_full"), inject_full + 3);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);

	/* a new packet starts a new resolution, as in Linux */
	neigh_output(n, packet(100));
	assert_int_equal(n->sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver + 4);
}

/* The held queue of an IPv6 entry is bounded as IPv4's: the oldest packets make room. */
static void test_v6_hold_queue_bounded(void **state)
{
	struct neigh_key k = key6(0, "2001:db8::98");
	uint64_t overflow = counter("neigh_hold_queue_overflow");
	struct neigh *n = neigh_ref_key(&k);

	(void)state;
	neigh_unref(n);
	for (int i = 0; i < 120; i++)
		neigh_output(n, packet(2000));
	/* 212992 bytes: 106 packets of 2000 */
	assert_int_equal(n->held_count, 106);
	assert_true(n->held_bytes <= n->sm.params->unres_qlen_bytes);
	assert_int_equal(counter("neigh_hold_queue_overflow"), overflow + 14);
}

/* A registered resolver gets the probes: broadcast while INCOMPLETE, unicast in PROBE. */
static void test_v6_resolver_hook(void **state)
{
	struct neigh_key k = key6(1, "2001:db8::7");
	uint64_t no_resolver = counter("neigh_no_resolver"), inject_full = counter("neigh_inject_full");
	struct rte_ether_addr sha = mac_n(8);
	struct neigh *n;

	(void)state;
	assert_int_equal(neigh_register_resolver(AF_INET6, fake_resolver), 0);
	n = neigh_ref_key(&k);
	neigh_unref(n);
	neigh_output(n, packet(100));
	neigh_output(n, packet(100));
	assert_int_equal(probes.calls, 1);
	assert_ptr_equal(probes.n, n);
	assert_false(probes.unicast);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver);

	/* the answer (an NA): REACHABLE, the held packets leave for ip6_output (refused here: no
	 * workers) */
	neigh_learn_key(&k, &sha, NEIGH_REACHABLE, false, false);
	assert_int_equal(n->sm.state, NEIGH_REACHABLE);
	assert_int_equal(n->held_count, 0);
	assert_int_equal(counter("neigh_inject_full"), inject_full + 2);
	assert_l2(n, mac_n(8));

	/*
	 * unconfirmed past reachable_time (its deadline, then the next tick: Linux's
	 * time_before_eq): STALE; used by a worker (which marks used_ms): DELAY on the next scan;
	 * unconfirmed for delay_first_probe_time: PROBE, unicast to the MAC
	 */
	step(n);
	assert_int_equal(n->sm.state, NEIGH_REACHABLE);
	step(n);
	assert_int_equal(n->sm.state, NEIGH_STALE);
	n->used_ms = n->sm.updated + 1;
	neigh_periodic(n->used_ms);
	assert_int_equal(n->sm.state, NEIGH_DELAY);
	step(n);
	assert_int_equal(n->sm.state, NEIGH_PROBE);
	assert_int_equal(probes.calls, 2);
	assert_true(probes.unicast);
	assert_memory_equal(&probes.dst, &sha, sizeof(sha));

	assert_int_equal(neigh_register_resolver(AF_UNSPEC, fake_resolver), -EAFNOSUPPORT);
	assert_int_equal(neigh_register_resolver(99, fake_resolver), -EAFNOSUPPORT);
	assert_int_equal(neigh_register_resolver(AF_INET6, NULL), 0);
	step(n);
	assert_int_equal(probes.calls, 2);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver + 1);
}

/*
 * IPv4 as before: ARP is its resolver (nothing counted as unsent), and its held packets go to
 * IPv4's nodes: injected, which fails without workers (neigh_inject_full).
 */
static void test_v4_resolution_unchanged(void **state)
{
	uint64_t no_resolver = counter("neigh_no_resolver"), no_output = counter("neigh_no_output"),
		 inject_full = counter("neigh_inject_full");
	uint32_t ip = htonl(0xc0000263); /* 192.0.2.99 */
	struct neigh *n = neigh_ref(ifs[0]->id, ip);

	(void)state;
	assert_ptr_equal(neigh_lookup(ifs[0]->id, ip), n);
	neigh_output(n, packet(100));
	neigh_output(n, packet(100));
	for (int i = 0; i < 3; i++)
		step(n);
	assert_int_equal(n->sm.state, NEIGH_FAILED);
	assert_int_equal(counter("neigh_no_resolver"), no_resolver);
	assert_int_equal(counter("neigh_no_output"), no_output);
	assert_int_equal(counter("neigh_inject_full"), inject_full + 2);
	neigh_unref(n);
}

/* Removal ---------------------------------------------------------------------------------------
 */

static void test_iface_removal(void **state)
{
	struct neigh_key a = key6(1, "2001:db8::5"), b = key4(1, "192.0.2.5"),
			 c = key6(0, "2001:db8::5"), d;
	struct rte_ether_addr mac = mac_n(9);

	(void)state;
	assert_int_equal(neigh_static_add_key(&a, &mac), 0);
	assert_int_equal(neigh_static_add_key(&b, &mac), 0);
	assert_int_equal(neigh_static_add_key(&c, &mac), 0);
	d = key6(1, "2001:db8::6");
	neigh_output(neigh_ref_key(&d), packet(100));
	iface_free(ifs[1]);
	ifs[1] = test_iface_new("nt1", 2);
	assert_int_equal(test_neigh_count(), base_neighs + 1);
	assert_non_null(neigh_lookup_key(&c));
}

/*
 * Garbage collection takes unreferenced IPv6 entries as IPv4 ones: unused for gc_stale_time.
 * Last: it moves the table's gc clock minutes ahead.
 */
static void test_gc_v6(void **state)
{
	struct neigh_key k = key6(0, "2001:db8::77");
	struct neigh *n = neigh_ref_key(&k);
	int64_t t = control_now_ms();

	(void)state;
	neigh_periodic(t + 5 * 60000);
	assert_ptr_equal(neigh_lookup_key(&k), n); /* referenced */
	neigh_unref(n);
	neigh_periodic(t + 10 * 60000);
	assert_null(neigh_lookup_key(&k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_both_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ref_and_learn_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_without_resolver_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_hold_queue_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_resolver_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_resolution_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iface_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_v6, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
