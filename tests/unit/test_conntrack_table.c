/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table: both directions, clashes, expiry, a full table, millions of
 * entries, two threads, and the cost per lookup and insert (printed).
 */
#include "ct_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static uint64_t now = 5000000;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct ct_table *table(uint32_t capacity, struct rte_rcu_qsbr *q)
{
	struct ct_table_params p = {.capacity = capacity, .rcu = q};
	struct ct_table *t;

	assert_int_equal(ct_table_create(&p, &t), 0);
	return t;
}

/* Flow i: 10.x.y.z:1000+i%50000 -> 192.0.2.1:53, UDP. */
static struct ct_pkt *flow(struct tpkt *t, uint32_t i, bool reply)
{
	char a[16];

	snprintf(a, sizeof(a), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	return reply ? udp_pkt(t, "192.0.2.1", 53, a, (uint16_t)(1000 + i % 50000), 0)
		     : udp_pkt(t, a, (uint16_t)(1000 + i % 50000), "192.0.2.1", 53, 0);
}

static uint8_t run(struct ct_table *t, struct ct_worker *w, struct ct_pkt *p)
{
	uint8_t info;

	ct_in_bulk(t, w, &p, 1, now);
	info = p->ct != NULL && ct_confirm(t, w, p, now) < 0 ? CT_DROP : p->info;
	ct_walk_end(t, w);
	return info;
}

static void test_both_directions(void **state)
{
	struct ct_table *t = table(1024, test_qsbr(1));
	struct ct_worker w = {0};
	struct ct_entry *e;
	struct tpkt a, b;
	enum ct_dir d;

	(void)state;
	assert_int_equal(run(t, &w, flow(&a, 7, false)), CT_NEW);
	e = a.p.ct;
	assert_ptr_equal(ct_lookup(t, &a.p.t, now, &d), e);
	assert_int_equal(d, CT_DIR_ORIGINAL);
	flow(&b, 7, true);
	assert_ptr_equal(ct_lookup(t, &b.p.t, now, &d), e);
	assert_int_equal(d, CT_DIR_REPLY);
	assert_int_equal(run(t, &w, &b.p), CT_ESTABLISHED_REPLY);
	assert_int_equal(ct_table_count(t), 1);
	assert_int_equal(w.insert, 1);
	assert_int_equal(w.found, 1);
	/* another zone is another connection */
	ct_parse(&a.p, AF_INET, a.buf, a.len, 3);
	assert_null(ct_lookup(t, &a.p.t, now, NULL));
	ct_table_destroy(t);
}

/* Two packets of one new flow in a burst share one entry; an invalid one gets none. */
static void test_burst(void **state)
{
	struct ct_table *t = table(1024, test_qsbr(1));
	struct ct_worker w = {0};
	struct tpkt a, b, c;
	struct ct_pkt *burst[3] = {flow(&a, 1, false), flow(&b, 1, true), flow(&c, 1, false)};

	(void)state;
	ct_in_bulk(t, &w, burst, 3, now);
	assert_ptr_equal(a.p.ct, b.p.ct);
	assert_ptr_equal(a.p.ct, c.p.ct);
	assert_int_equal(a.p.info, CT_NEW);
	assert_int_equal(b.p.info, CT_ESTABLISHED_REPLY);
	assert_int_equal(c.p.info, CT_ESTABLISHED);
	assert_int_equal(ct_table_count(t), 1);
	/* the middle one dropped before postrouting: the others still confirm it */
	ct_abort(t, &w, &b.p);
	assert_int_equal(ct_confirm(t, &w, &a.p, now), 0);
	assert_int_equal(ct_confirm(t, &w, &c.p, now), 0);
	ct_walk_end(t, &w);
	assert_non_null(ct_lookup(t, &a.p.t, now, NULL));
	assert_int_equal(w.insert, 1);
	/* a new flow whose packets are all dropped leaves nothing */
	burst[0] = flow(&a, 2, false);
	ct_in_bulk(t, &w, burst, 1, now);
	ct_abort(t, &w, &a.p);
	assert_int_equal(ct_table_count(t), 1);
	ct_walk_end(t, &w);
	assert_int_equal(ct_table_count(t), 1);
	assert_null(ct_lookup(t, &a.p.t, now, NULL));
	/* nor one whose packets are dropped without ct_abort(): the walk's end frees it */
	burst[0] = flow(&a, 3, false);
	burst[1] = flow(&b, 3, true);
	ct_in_bulk(t, &w, burst, 2, now);
	assert_int_equal(ct_table_count(t), 2);
	ct_walk_end(t, &w);
	assert_int_equal(ct_table_count(t), 1);
	assert_int_equal(w.n_walk_new, 0);
	assert_null(ct_lookup(t, &a.p.t, now, NULL));
	/* and the entries go back to the pool: a table of 1024 takes 4096 such flows */
	for (uint32_t i = 0; i < 4096; i++) {
		burst[0] = flow(&a, 10 + i, false);
		ct_in_bulk(t, &w, burst, 1, now);
		assert_int_equal(a.p.info, CT_NEW);
		ct_walk_end(t, &w);
	}
	assert_int_equal(ct_table_count(t), 1);
	ct_table_destroy(t);
}

/* Two workers create the same flow at once (nf_ct_resolve_clash). */
static void test_clash(void **state)
{
	struct ct_table *t = table(1024, test_qsbr(2));
	struct ct_worker w1 = {0}, w2 = {.rcu_id = 1};
	struct ct_pkt *p;
	struct tpkt a, b;

	(void)state;
	/* UDP: the second packet takes the first worker's entry */
	p = flow(&a, 9, false);
	ct_in_bulk(t, &w1, &p, 1, now);
	p = flow(&b, 9, true); /* the reply, on the other worker, before the first confirms */
	ct_in_bulk(t, &w2, &p, 1, now);
	assert_ptr_not_equal(a.p.ct, b.p.ct);
	assert_int_equal(ct_table_count(t), 2);
	assert_int_equal(ct_confirm(t, &w1, &a.p, now), 0);
	assert_int_equal(ct_confirm(t, &w2, &b.p, now), 0);
	ct_walk_end(t, &w1);
	ct_walk_end(t, &w2);
	assert_ptr_equal(a.p.ct, b.p.ct);
	assert_int_equal(b.p.dir, CT_DIR_REPLY);
	assert_int_equal(b.p.info, CT_ESTABLISHED_REPLY);
	assert_true(a.p.ct->status & CT_S_SEEN_REPLY);
	assert_int_equal(w2.clash_resolve, 1);
	assert_int_equal(ct_table_count(t), 1);
	/* TCP: dropped, insert_failed */
	p = tcp_pkt(&a, "10.0.0.1", 1, "10.0.0.2", 2, TH_SYN, 1, 0, 100, 0, 0);
	ct_in_bulk(t, &w1, &p, 1, now);
	p = tcp_pkt(&b, "10.0.0.1", 1, "10.0.0.2", 2, TH_SYN, 1, 0, 100, 0, 0);
	ct_in_bulk(t, &w2, &p, 1, now);
	assert_int_equal(ct_confirm(t, &w1, &a.p, now), 0);
	assert_int_equal(ct_confirm(t, &w2, &b.p, now), -EEXIST);
	ct_walk_end(t, &w1);
	ct_walk_end(t, &w2);
	assert_null(b.p.ct);
	assert_int_equal(w2.insert_failed, 1);
	assert_int_equal(ct_table_count(t), 2);
	ct_table_destroy(t);
}

static void test_expiry(void **state)
{
	struct ct_table *t = table(1024, test_qsbr(1));
	struct ct_worker w = {0}, ctl = {0};
	uint64_t t0 = now;
	struct tpkt a;

	(void)state;
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(run(t, &w, flow(&a, i, false)), CT_NEW);
	assert_int_equal(ct_table_count(t), 100);
	/* not yet: 29.9 s */
	now += 29900;
	assert_int_equal(ct_gc(t, &ctl, now, ct_table_buckets(t)), 0);
	assert_int_equal(run(t, &w, flow(&a, 0, true)), CT_ESTABLISHED_REPLY);
	now += 29000; /* flow 0 was refreshed, the others are out */
	assert_int_equal(ct_gc(t, &ctl, now, ct_table_buckets(t) / 2) +
				 ct_gc(t, &ctl, now, ct_table_buckets(t) / 2),
		99);
	assert_int_equal(ct_table_count(t), 1);
	/* an expired flow is new again, even before the sweep got to it */
	now += 31000;
	assert_int_equal(run(t, &w, flow(&a, 0, false)), CT_NEW);
	assert_int_equal(ct_gc(t, &ctl, now, ct_table_buckets(t)), 1);
	assert_int_equal(ct_table_count(t), 1);
	now = t0;
	ct_table_destroy(t);
}

/* Full: early drop of entries not assured, then new flows dropped under ct_table_full. */
static void test_full(void **state)
{
	struct rte_rcu_qsbr *q = test_qsbr(1);
	struct ct_table *t = table(256, q);
	struct ct_worker w = {0}, ctl = {0};
	int32_t max = ct_max;
	uint32_t i;
	struct tpkt a;

	(void)state;
	ct_max = 256;
	for (i = 0; i < 256; i++)
		assert_int_equal(run(t, &w, flow(&a, i, false)), CT_NEW);
	assert_int_equal(ct_table_count(t), 256);
	assert_int_equal(w.early_drop, 0);
	/* one more: unassured entries in the buckets near its own make room */
	assert_int_equal(run(t, &w, flow(&a, 1000, false)), CT_NEW);
	assert_true(w.early_drop >= 1);
	assert_true(ct_table_count(t) <= 256);
	ct_flush(t, &ctl);
	ct_gc(t, &ctl, now, 0);
	assert_int_equal(ct_table_count(t), 0);
	/* assured entries are never evicted: the new flow is dropped */
	for (i = 0; i < 256; i++) {
		uint64_t t0 = now;

		run(t, &w, flow(&a, i, false));
		run(t, &w, flow(&a, i, true));
		now += 3000;
		run(t, &w, flow(&a, i, false));
		assert_true(a.p.ct->status & CT_S_ASSURED);
		now = t0;
	}
	w.early_drop = 0;
	assert_int_equal(run(t, &w, flow(&a, 1000, false)), CT_DROP);
	assert_int_equal(w.table_full, 1);
	assert_int_equal(w.early_drop, 0);
	/* nf_conntrack_max below the capacity counts too */
	ct_flush(t, &ctl);
	ct_gc(t, &ctl, now, 0);
	ct_max = 10;
	for (i = 0; i < 10; i++) {
		run(t, &w, flow(&a, i, false));
		run(t, &w, flow(&a, i, true));
		now += 3000;
		run(t, &w, flow(&a, i, false));
		now -= 3000;
	}
	assert_int_equal(run(t, &w, flow(&a, 500, false)), CT_DROP);
	assert_int_equal(w.table_full, 2);
	ct_max = max;
	ct_table_destroy(t);
}

/* Millions of entries created, looked up and expired in bounded time; the cost printed. */
static void test_millions(void **state)
{
	const uint32_t n = 4u << 20, burst = 32;
	struct ct_table *t = table(n, test_qsbr(1));
	struct ct_worker w = {0}, ctl = {0};
	struct tpkt *pk = calloc(burst, sizeof(*pk));
	struct ct_pkt *ps[32];
	double t0, t_ins, t_look, t_gc;
	uint64_t removed = 0;
	int32_t max = ct_max;

	(void)state;
	ct_max = (int32_t)n; /* nf_conntrack_max, 262144 by default, raised as a user would */
	/* IPv4 UDP tuples made directly: the packet builder is not what is measured */
	for (uint32_t b = 0; b < burst; b++)
		ps[b] = flow(&pk[b], 0, false);
	t0 = mono_s();
	for (uint32_t i = 0; i < n; i += burst) {
		for (uint32_t b = 0; b < burst; b++) {
			uint32_t k = i + b;

			memcpy(ps[b]->t.src, &k, 4);
			ps[b]->info = CT_NEW;
		}
		ct_in_bulk(t, &w, ps, (uint16_t)burst, now);
		for (uint32_t b = 0; b < burst; b++)
			ct_confirm(t, &w, ps[b], now);
		ct_walk_end(t, &w);
	}
	t_ins = mono_s() - t0;
	assert_int_equal(ct_table_count(t), n);
	assert_int_equal(w.insert, n);
	t0 = mono_s();
	for (uint32_t i = 0; i < n; i += burst) {
		for (uint32_t b = 0; b < burst; b++) {
			uint32_t k = (i + b) * 2654435761u % n; /* spread over the table */

			memcpy(ps[b]->t.src, &k, 4);
			ps[b]->info = CT_NEW;
		}
		ct_in_bulk(t, &w, ps, (uint16_t)burst, now);
		assert_int_equal(ps[0]->info, CT_NEW);
	}
	t_look = mono_s() - t0;
	assert_int_equal(w.found, n);
	now += 31000;
	t0 = mono_s();
	for (uint32_t s = 0; s < ct_table_buckets(t); s += 65536)
		removed += ct_gc(t, &ctl, now, 65536);
	ct_gc(t, &ctl, now, 0);
	t_gc = mono_s() - t0;
	assert_int_equal(removed, n);
	assert_int_equal(ct_table_count(t), 0);
	print_message("conntrack: %u entries, %zu bytes per entry; insert %.0f ns, lookup %.0f "
		      "ns (bursts of 32), expiry sweep %.0f ns per entry\n",
		n, ct_table_bytes_per_entry(t), t_ins * 1e9 / n, t_look * 1e9 / n, t_gc * 1e9 / n);
	/* bounded: well under what a sweep tick would notice on a loaded 2-core machine */
	assert_true(t_ins < 30 && t_look < 30 && t_gc < 30);
	now -= 31000;
	ct_max = max;
	free(pk);
	ct_table_destroy(t);
}

/* The cost per packet of an established flow, with 1k and 64k flows (the bench's sizes). */
static void test_lookup_cost(void **state)
{
	static const uint32_t sizes[] = {1024, 65536};
	struct ct_table *t = table(65536, test_qsbr(1));
	struct ct_worker w = {0};
	struct tpkt *pk = calloc(32, sizeof(*pk));
	struct ct_pkt *ps[32];

	(void)state;
	for (uint32_t b = 0; b < 32; b++)
		ps[b] = flow(&pk[b], 0, false);
	for (size_t z = 0; z < RTE_DIM(sizes); z++) {
		const uint32_t n = sizes[z], rounds = 1u << 21;
		double t0 = 0;

		for (uint32_t i = 0; i < rounds; i += 32) {
			for (uint32_t b = 0; b < 32; b++) {
				uint32_t k = (i + b) * 2654435761u % n;

				memcpy(ps[b]->t.src, &k, 4);
				ps[b]->info = CT_NEW;
			}
			if (i == n) /* all created: measure from here */
				t0 = mono_s();
			ct_in_bulk(t, &w, ps, 32, now);
			for (uint32_t b = 0; b < 32; b++)
				ct_confirm(t, &w, ps[b], now);
			ct_walk_end(t, &w);
		}
		assert_int_equal(ct_table_count(t), n);
		print_message("conntrack: %u flows, %.0f ns per packet (lookup and UDP tracking, "
			      "bursts of 32)\n",
			n, (mono_s() - t0) * 1e9 / (rounds - n));
	}
	free(pk);
	ct_table_destroy(t);
}

/*
 * Two workers, each seeing one direction of the same flows (asymmetric RSS), while the
 * control thread sweeps: one entry per flow, seen both ways.
 */
struct thr {
	struct ct_table *t;
	struct rte_rcu_qsbr *q;
	struct ct_worker w;
	bool reply;
	uint32_t flows, rounds;
};

static void *worker(void *arg)
{
	struct thr *th = arg;
	struct tpkt pk[16];
	struct ct_pkt *ps[16];

	rte_rcu_qsbr_thread_register(th->q, th->w.rcu_id);
	rte_rcu_qsbr_thread_online(th->q, th->w.rcu_id);
	for (uint32_t r = 0; r < th->rounds; r++)
		for (uint32_t i = 0; i < th->flows; i += 16) {
			for (uint32_t b = 0; b < 16; b++)
				ps[b] = flow(&pk[b], i + b, th->reply);
			ct_in_bulk(th->t, &th->w, ps, 16, now);
			for (uint32_t b = 0; b < 16; b++)
				if (ps[b]->ct != NULL)
					ct_confirm(th->t, &th->w, ps[b], now);
			ct_walk_end(th->t, &th->w);
			rte_rcu_qsbr_quiescent(th->q, th->w.rcu_id);
		}
	rte_rcu_qsbr_thread_offline(th->q, th->w.rcu_id);
	return NULL;
}

static void test_two_threads(void **state)
{
	struct rte_rcu_qsbr *q = test_qsbr(2);
	struct ct_table *t = table(1 << 16, q);
	struct thr a = {t, q, {.rcu_id = 0}, false, 20000, 20};
	struct thr b = {t, q, {.rcu_id = 1}, true, 20000, 20};
	struct ct_worker ctl = {0};
	pthread_t ta, tb;
	struct tpkt p, r;

	(void)state;
	assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
	/* the sweep runs beside them: nothing has expired, nothing may go */
	for (int i = 0; i < 200; i++)
		assert_int_equal(ct_gc(t, &ctl, now, 4096), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(ct_table_count(t), 20000);
	for (uint32_t i = 0; i < 20000; i++) {
		struct ct_entry *e = ct_lookup(t, &flow(&p, i, false)->t, now, NULL);

		assert_non_null(e);
		assert_ptr_equal(ct_lookup(t, &flow(&r, i, true)->t, now, NULL), e);
		assert_true(e->status & CT_S_SEEN_REPLY);
	}
	assert_int_equal(a.w.insert + b.w.insert, 20000);
	assert_int_equal(a.w.drop + b.w.drop, 0);
	print_message("two threads: %" PRIu64 " clashes resolved\n",
		a.w.clash_resolve + b.w.clash_resolve);
	ct_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_clash),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_lookup_cost),
		cmocka_unit_test(test_millions),
	};

	return cmocka_run_group_tests(tests, NULL, test_qsbr_free_all);
}
