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
#include "config/config.h"
#include "base/counter.h"
#include "base/fp_error.h"
#include "base/fp_net.h"
#include "infra/iface.h"
#include "graph/mbuf.h"
#include "graph/punt.h"
#include "infra/settings.h"
#include "ip4/ip4_output.h"
#include "ip6/ip6_output.h"
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

/* An IPv4 packet to dst (data at the header) as a route sends it through gw on ifs[i]. */
static struct rte_mbuf *packet4(int i, const char *dst, struct neigh *gw, uint32_t nh)
{
	struct rte_mbuf *m = packet(100);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint32_t a;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons(100);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	assert_int_equal(fp_ip4_parse(dst, &a), 0);
	ip->dst_addr = a;
	priv->flags = FP_MBUF_AT_L3;
	priv->iface_out = ifs[i]->id;
	priv->neigh = gw;
	priv->nh_addr = nh;
	return m;
}

/* The same in IPv6. */
static struct rte_mbuf *packet6(int i, const char *dst, struct neigh *gw)
{
	struct rte_mbuf *m = packet(100);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = htonl(6u << 28);
	ip->payload_len = htons(100 - sizeof(*ip));
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = 64;
	assert_int_equal(fp_ip6_parse(dst, (struct fp_ip6_addr *)ip->dst_addr), 0);
	priv->flags = FP_MBUF_AT_L3;
	priv->iface_out = ifs[i]->id;
	priv->neigh = gw;
	return m;
}

/* A worker's output step for m, which finds no MAC: m leaves for the punt ring. */
static void punt_unresolved(struct rte_mbuf *m)
{
	bool v6 = (rte_pktmbuf_mtod(m, const uint8_t *)[0] >> 4) == 6;
	struct ip4_output_hop hop4 = IP4_OUTPUT_HOP_NONE;
	struct ip6_output_hop hop6 = IP6_OUTPUT_HOP_NONE;

	assert_int_equal(v6 ? ip6_output_one(m, &hop6, true) : ip4_output_one(m, &hop4, true),
		ETH_OUT_RESOLVE);
	/* what crosses the ring names its next hop, it holds no pointer to it */
	assert_null(fp_mbuf_priv(m)->neigh);
	assert_int_equal(fp_mbuf_priv(m)->punt_reason, neigh_punt_resolve);
	assert_int_equal(punt_enqueue(&m, 1), 1);
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
	uint64_t no_resolver = counter("neigh_no_resolver"),
		 inject_full = counter("neigh_inject_full");
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
	uint64_t no_resolver = counter("neigh_no_resolver"),
		 inject_full = counter("neigh_inject_full");
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

/* Packets and entries that go while others wait ---------------------------------------------- */

/*
 * A packet punted through a route's gateway, whose entry is deleted (and its memory reused)
 * before the control thread takes the packet off the ring: the packet finds the entry of its
 * next hop by address, made again, which holds it; the other entry is untouched. (It used to
 * carry the freed entry's pointer, and whatever took its memory got the packet.)
 */
static void test_punted_gateway_deleted(void **state)
{
	uint32_t gw = htonl(0xc0000232); /* 192.0.2.50 */
	struct neigh *n = neigh_ref(ifs[0]->id, gw), *other;
	struct neigh_key ko = key4(1, "198.51.100.1");

	(void)state;
	punt_unresolved(packet4(0, "203.0.113.9", n, gw));
	neigh_unref(n);
	assert_int_equal(neigh_del(ifs[0]->id, gw), 0);
	assert_null(neigh_lookup(ifs[0]->id, gw));
	other = neigh_ref_key(&ko);
	neigh_unref(other);

	assert_int_equal(punt_drain(), 1);
	n = neigh_lookup(ifs[0]->id, gw);
	assert_non_null(n);
	assert_int_equal(n->sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(n->held_count, 1);
	assert_int_equal(other->held_count, 0);
	assert_int_equal(other->sm.state, NEIGH_NONE);
}

/*
 * The same in IPv6, the gateway's entry FAILED and collected by the garbage collection while
 * the packet waits: the packet carries the gateway's address (fe80::1), not the destination's.
 */
static void test_punted_gateway_collected_v6(void **state)
{
	struct neigh_key k = key6(0, "fe80::1"), ko = key6(1, "fe80::2");
	struct neigh *n = neigh_ref_key(&k), *other;
	struct rte_mbuf *m;
	struct fp_ip6_addr gw;

	(void)state;
	neigh_output(n, packet(100));
	for (int i = 0; i < 3; i++)
		step(n);
	assert_int_equal(n->sm.state, NEIGH_FAILED);
	/* the route goes: the entry is now the collector's */
	neigh_unref(n);
	m = packet6(0, "2001:db8:99::1", n);
	punt_unresolved(m);
	assert_int_equal(fp_ip6_parse("fe80::1", &gw), 0);
	assert_memory_equal(&fp_mbuf_priv(m)->nh6, &gw, sizeof(gw));
	neigh_periodic(control_now_ms() + 60000);
	assert_null(neigh_lookup_key(&k));
	other = neigh_ref_key(&ko);
	neigh_unref(other);

	assert_int_equal(punt_drain(), 1);
	n = neigh_lookup_key(&k);
	assert_non_null(n);
	assert_int_equal(n->sm.state, NEIGH_INCOMPLETE);
	assert_int_equal(n->held_count, 1);
	assert_int_equal(other->held_count, 0);
}

/* Punted for an interface removed meanwhile: dropped and counted, no entry made. */
static void test_punted_iface_removed(void **state)
{
	uint64_t no_iface = counter("neigh_resolve_no_iface");

	(void)state;
	punt_unresolved(packet4(1, "198.51.100.7", NULL, htonl(0xc6336407)));
	iface_free(ifs[1]);
	assert_int_equal(punt_drain(), 1);
	assert_int_equal(counter("neigh_resolve_no_iface"), no_iface + 1);
	assert_int_equal(test_neigh_count(), base_neighs);
	ifs[1] = test_iface_new("nt1", 2);
}

/* The next packet injected for a worker that is no ARP frame, or NULL; node: where it goes. */
static struct rte_mbuf *take_injected(const char **node)
{
	struct rte_mbuf *m;

	while ((m = test_inject_take(node)) != NULL &&
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type ==
			RTE_BE16(RTE_ETHER_TYPE_ARP))
		rte_pktmbuf_free(m);
	return m;
}

/* m as sent to n's MAC out of ifs[0]: whole, for port_tx, and naming no entry. */
static void assert_sent(struct rte_mbuf *m, const char *node, uint16_t type, uint8_t mac_last)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ether_addr mac = mac_n(mac_last);

	assert_non_null(m);
	assert_string_equal(node, "port_tx");
	assert_null(fp_mbuf_priv(m)->neigh);
	assert_int_equal(fp_mbuf_priv(m)->iface_out, ifs[0]->id);
	assert_int_equal(m->pkt_len, 100 + sizeof(*eth));
	assert_memory_equal(&eth->dst_addr, &mac, sizeof(mac));
	assert_memory_equal(&eth->src_addr, &ifs[0]->mac, sizeof(mac));
	assert_int_equal(eth->ether_type, rte_cpu_to_be_16(type));
	rte_pktmbuf_free(m);
}

/*
 * Once resolved, held packets leave with their Ethernet header, for port_tx: a worker sends
 * them without the entry, which may be deleted before it takes them (here at once). So does a
 * packet punted while the entry resolved, handled after. Both families.
 */
static void test_held_packets_leave_whole(void **state)
{
	uint32_t ip = htonl(0xc000023c); /* 192.0.2.60 */
	struct neigh_key k6 = key6(0, "2001:db8::60");
	struct rte_ether_addr mac = mac_n(0x60), mac6 = mac_n(0x66);
	struct neigh *n = neigh_ref(ifs[0]->id, ip);
	const char *node;

	(void)state;
	neigh_unref(n);
	test_inject_attach();
	neigh_output(n, packet4(0, "192.0.2.60", NULL, ip));
	neigh_output(n, packet4(0, "192.0.2.60", NULL, ip));
	neigh_output(neigh_ref_key(&k6), packet6(0, "2001:db8::60", NULL));
	neigh_unref(neigh_lookup_key(&k6));
	assert_null(take_injected(&node));
	punt_unresolved(packet4(0, "192.0.2.60", NULL, ip));

	neigh_learn(ifs[0]->id, ip, &mac, NEIGH_REACHABLE, false, false);
	neigh_learn_key(&k6, &mac6, NEIGH_REACHABLE, false, false);
	assert_int_equal(punt_drain(), 1);
	assert_int_equal(neigh_del(ifs[0]->id, ip), 0);
	assert_int_equal(neigh_del_key(&k6), 0);
	for (int i = 0; i < 2; i++) {
		struct rte_mbuf *m = take_injected(&node);

		assert_sent(m, node, RTE_ETHER_TYPE_IPV4, 0x60);
	}
	assert_sent(take_injected(&node), node, RTE_ETHER_TYPE_IPV6, 0x66);
	/* the punted one, sent at once by the REACHABLE entry */
	assert_sent(take_injected(&node), node, RTE_ETHER_TYPE_IPV4, 0x60);
	assert_null(take_injected(&node));
	test_inject_detach();
}

/*
 * All entries together hold unres_qlen_total packets at most: past it, an entry with packets of
 * its own drops its oldest, one without drops the new packet; counted as
 * neigh_unres_qlen_total_overflow. Room comes back as entries let their packets go.
 * unres_qlen_bytes bounds each entry as before.
 */
static void test_hold_total_bounded(void **state)
{
	uint64_t total = counter("neigh_unres_qlen_total_overflow"),
		 per_entry = counter("neigh_hold_queue_overflow");
	struct neigh_conf conf, small;
	struct neigh *n[5];
	const unsigned int expect[5] = {4, 4, 2, 0, 0};

	(void)state;
	neigh_conf_get(&conf);
	assert_int_equal(conf.unres_qlen_bytes, 212992);
	small = conf;
	small.unres_qlen_total = 10;
	assert_int_equal(neigh_conf_set(&small), 0);
	for (int i = 0; i < 5; i++) {
		n[i] = neigh_ref(ifs[0]->id, htonl(0xc0000246 + i)); /* 192.0.2.70 + i */
		neigh_unref(n[i]);
		for (int j = 0; j < 4; j++)
			neigh_output(n[i], packet(100));
	}
	for (int i = 0; i < 5; i++)
		assert_int_equal(n[i]->held_count, expect[i]);
	assert_int_equal(counter("neigh_unres_qlen_total_overflow"), total + 10);
	assert_int_equal(counter("neigh_hold_queue_overflow"), per_entry);
	/* the first entry's packets go (deleted): room for 4 */
	assert_int_equal(neigh_del(ifs[0]->id, htonl(0xc0000246)), 0);
	for (int j = 0; j < 5; j++)
		neigh_output(n[4], packet(100));
	assert_int_equal(n[4]->held_count, 4);
	assert_int_equal(counter("neigh_unres_qlen_total_overflow"), total + 11);

	/* per entry: 250 bytes are two packets of 100 */
	small.unres_qlen_total = conf.unres_qlen_total;
	small.unres_qlen_bytes = 250;
	assert_int_equal(neigh_conf_set(&small), 0);
	neigh_output(n[3], packet(100));
	neigh_output(n[3], packet(100));
	neigh_output(n[3], packet(100));
	assert_int_equal(n[3]->held_count, 2);
	assert_int_equal(counter("neigh_hold_queue_overflow"), per_entry + 1);
	assert_int_equal(neigh_conf_set(&conf), 0);
}

/* Parses and applies a config document: 0, or <0 with the message in fp_errmsg(). */
static int config_apply(const char *text)
{
	struct cfg_doc *doc;
	struct cfg_parsed *p;
	int ret = cfg_doc_load_string("t.json", text, &doc);

	if (ret < 0)
		return ret;
	if ((ret = cfg_parse_doc(doc, &p)) == 0) {
		ret = cfg_apply(p);
		cfg_parsed_free(p);
	}
	cfg_doc_free(doc);
	return ret;
}

/*
 * The "neigh" section: its values for both families, the defaults for keys it lacks, what
 * config dump shows; errors at their place, nothing applied.
 */
static void test_conf_section(void **state)
{
	struct neigh_key k4 = key4(0, "192.0.2.80"), k6 = key6(0, "2001:db8::80");
	struct neigh_conf before, c;
	json_t *all, *dump;

	(void)state;
	neigh_conf_get(&before);
	assert_int_equal(before.unres_qlen_total, fp_settings.mbufs / 4);
	assert_int_equal(before.unres_punt_pps, PUNT_PPS_DEFAULT);
	assert_int_equal(
		config_apply("{\"neigh\": {\"unres_qlen_bytes\": 3000, \"unres_punt_pps\": 0}}"),
		0);
	neigh_conf_get(&c);
	assert_int_equal(c.unres_qlen_bytes, 3000);
	assert_int_equal(c.unres_qlen_total, fp_settings.mbufs / 4);
	assert_int_equal(c.unres_punt_pps, 0);
	assert_int_equal(neigh_ref_key(&k4)->sm.params->unres_qlen_bytes, 3000);
	assert_int_equal(neigh_ref_key(&k6)->sm.params->unres_qlen_bytes, 3000);
	neigh_unref(neigh_lookup_key(&k4));
	neigh_unref(neigh_lookup_key(&k6));
	all = cfg_dump();
	dump = json_object_get(all, "neigh");
	assert_int_equal(json_integer_value(json_object_get(dump, "unres_qlen_bytes")), 3000);
	assert_int_equal(json_integer_value(json_object_get(dump, "unres_qlen_total")),
		fp_settings.mbufs / 4);
	assert_int_equal(json_integer_value(json_object_get(dump, "unres_punt_pps")), 0);
	json_decref(all);

	assert_int_equal(config_apply("{\"neigh\": {\"unres_qlen_total\": 5}}"), 0);
	neigh_conf_get(&c);
	assert_int_equal(c.unres_qlen_bytes, 212992);
	assert_int_equal(c.unres_qlen_total, 5);
	assert_int_equal(c.unres_punt_pps, PUNT_PPS_DEFAULT);

	assert_true(config_apply("{\"neigh\": {\"unres_qlen_byte\": 1}}") < 0);
	assert_string_equal(fp_errmsg(), "t.json:1:12: /neigh: unknown key 'unres_qlen_byte' (did "
					 "you mean 'unres_qlen_bytes'?)");
	assert_true(config_apply("{\"neigh\": {\"unres_punt_pps\": -1}}") < 0);
	assert_true(config_apply("{\"neigh\": {\"unres_qlen_total\": 16777217}}") < 0);
	assert_true(config_apply("{\"neigh\": []}") < 0);
	neigh_conf_get(&c);
	assert_int_equal(c.unres_qlen_total, 5);
	assert_int_equal(neigh_conf_set(&before), 0);
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
		cmocka_unit_test_setup_teardown(test_punted_gateway_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punted_gateway_collected_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punted_iface_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_packets_leave_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_total_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_v6, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
