/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The punt ring (lib/graph/punt.c): the wake-up protocol (one eventfd write per wake-up, none
 * while the control thread drains, none lost), the drain budget, the watchdog, and the rate
 * limits per reason and worker of control_output, run in graphs of the test's own. Runs the
 * daemon's modules on a real EAL without workers (test_eal.h): the test's threads stand for
 * the workers, and the last test runs the control loop against two of them. And the loop's
 * slice (control_slice_over()), which bounds the work one callback does.
 */
#include "graph/graph.h"
#include "graph/mbuf.h"
#include "graph/punt.h"
#include "infra/control.h"
#include "infra/iface.h"
#include "neigh/neigh.h"
#include "test_eal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_ip.h>
#include <rte_ring.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define POOL_SIZE   8191
#define LIMIT_PPS   100 /* test_limited's rate: 10 packets a burst */
#define STRESS_EACH 250000
#define PRODUCERS   4 /* more than the cores of the test machines: preempted anywhere */

static struct rte_mempool *pool;
static int reason, limited_reason;
static uint64_t handled;
/* packets the handler punts, one a call, as a worker would while the control thread drains */
static unsigned int punt_while_draining;

FP_DROP_NODE(test_punt_limited)

static struct rte_mbuf *packet(int r)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 64));
	*fp_mbuf_priv(m) = (struct fp_mbuf_priv){.punt_reason = r};
	return m;
}

static void handler(struct rte_mbuf *m)
{
	handled++;
	rte_pktmbuf_free(m);
	if (punt_while_draining > 0) {
		struct rte_mbuf *p = packet(reason);

		punt_while_draining--;
		assert_int_equal(punt_enqueue(&p, 1), 1);
	}
}

/* n packets of reason r, as workers punt them: bursts of 32 at most */
static void punt_n(int r, unsigned int n)
{
	while (n > 0) {
		struct rte_mbuf *b[32];
		unsigned int k = RTE_MIN(n, RTE_DIM(b));

		for (unsigned int i = 0; i < k; i++)
			b[i] = packet(r);
		assert_int_equal(punt_enqueue(b, k), k);
		n -= k;
	}
}

static struct punt_stats stats(void)
{
	struct punt_stats s;

	punt_stats_get(&s);
	return s;
}

/* Fixtures --------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	/* fib4's VRF 0 takes about 520 MB */
	if (test_eal_setup("test_punt", 1024) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_punt", POOL_SIZE, 0, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	reason = punt_reason_register("test", handler, 0, NULL);
	limited_reason =
		punt_reason_register("test_limited", handler, LIMIT_PPS, "test_punt_limited");
	if (pool == NULL || reason < 0 || limited_reason < 0)
		return -1;
	/* armed, with no wake-up pending */
	punt_drain();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	test_eal_teardown();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	punt_drain();
	assert_int_equal(stats().depth, 0);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

/* Wake-ups ------------------------------------------------------------------------------------ */

/* The first punt wakes the control thread; the next ones, until it has drained, do not. */
static void test_one_wakeup_per_drain(void **state)
{
	struct punt_stats s0 = stats();

	(void)state;
	punt_n(reason, 1);
	assert_int_equal(stats().kicks, s0.kicks + 1);
	punt_n(reason, 40);
	assert_int_equal(stats().kicks, s0.kicks + 1);
	assert_int_equal(stats().depth, 41);
	assert_int_equal(punt_drain(), 41);
	/* drained and armed again: the next punt wakes it */
	punt_n(reason, 1);
	assert_int_equal(stats().kicks, s0.kicks + 2);
	assert_int_equal(punt_drain(), 1);
	assert_int_equal(stats().drained, s0.drained + 42);
	assert_int_equal(stats().enqueued, s0.enqueued + 42);
}

/* What workers punt while the control thread drains goes in the same drain, without a syscall. */
static void test_punt_while_draining(void **state)
{
	struct punt_stats s0 = stats();
	uint64_t h0 = handled;

	(void)state;
	punt_while_draining = 5;
	punt_n(reason, 1);
	assert_int_equal(punt_drain(), 6);
	assert_int_equal(handled, h0 + 6);
	assert_int_equal(stats().kicks, s0.kicks + 1);
	assert_int_equal(stats().depth, 0);
}

/*
 * A drain hands PUNT_DRAIN_BUDGET packets at most to their handlers, then returns to the loop
 * with a wake-up of its own pending (the watchdog sees no stall) and the workers still
 * disarmed; the next drains take the rest.
 */
static void test_drain_budget(void **state)
{
	struct punt_stats s0 = stats();

	(void)state;
	punt_n(reason, 2 * PUNT_DRAIN_BUDGET + 5);
	assert_int_equal(stats().kicks, s0.kicks + 1);
	assert_int_equal(punt_drain(), PUNT_DRAIN_BUDGET);
	assert_int_equal(stats().depth, PUNT_DRAIN_BUDGET + 5);
	punt_n(reason, 1);
	assert_int_equal(stats().kicks, s0.kicks + 1);
	punt_watchdog();
	punt_watchdog();
	assert_int_equal(stats().stalled, s0.stalled);
	assert_int_equal(punt_drain(), PUNT_DRAIN_BUDGET);
	assert_int_equal(punt_drain(), 6);
	assert_int_equal(stats().depth, 0);
	punt_n(reason, 1);
	assert_int_equal(stats().kicks, s0.kicks + 2);
}

/*
 * Packets in the ring with no wake-up coming (what the old protocol left behind: a wake-up
 * lost), found at the second check: counted as stalled and drained. Packets whose wake-up is
 * pending (a control thread busy elsewhere) are no stall.
 */
static void test_watchdog(void **state)
{
	struct rte_ring *ring = rte_ring_lookup("punt");
	struct punt_stats s0 = stats();
	uint64_t h0 = handled;
	struct rte_mbuf *m = packet(reason);

	(void)state;
	assert_non_null(ring);
	punt_watchdog();
	/* on the ring without punt_enqueue(): nobody rings */
	assert_int_equal(rte_ring_enqueue(ring, m), 0);
	punt_watchdog();
	assert_int_equal(stats().stalled, s0.stalled);
	assert_int_equal(handled, h0);
	punt_watchdog();
	assert_int_equal(stats().stalled, s0.stalled + 1);
	assert_int_equal(handled, h0 + 1);
	assert_int_equal(stats().depth, 0);

	punt_n(reason, 3);
	for (int i = 0; i < 3; i++)
		punt_watchdog();
	assert_int_equal(stats().stalled, s0.stalled + 1);
	assert_int_equal(stats().depth, 3);
	assert_int_equal(punt_drain(), 3);
}

/* Rate limits ----------------------------------------------------------------------------------
 */

/* A source node that hands control_output what the test put in src. */
static struct rte_mbuf *src[256];
static uint16_t src_n;

static uint16_t test_src_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t count = src_n;

	(void)objs;
	(void)n;
	if (count > 0)
		rte_node_enqueue(graph, node, 0, (void **)src, count);
	src_n = 0;
	return count;
}

static struct rte_node_register test_src_node = {
	.name = "test_punt_src",
	.flags = RTE_NODE_SOURCE_F,
	.process = test_src_process,
	.nb_edges = 1,
	.next_nodes = {PUNT_NODE},
};
RTE_NODE_REGISTER(test_src_node);

/* A worker's graph: the source, control_output and its edges. */
static rte_graph_t graph_new(const char *name)
{
	const char *patterns[] = {"test_punt_src"};
	struct rte_graph_param prm = {
		.socket_id = SOCKET_ID_ANY,
		.nb_node_patterns = 1,
		.node_patterns = patterns,
	};
	rte_graph_t id = rte_graph_create(name, &prm);

	assert_int_not_equal(id, RTE_GRAPH_ID_INVALID);
	return id;
}

/* Walks graph with what src holds. */
static void walk(rte_graph_t id)
{
	rte_graph_walk(rte_graph_lookup(rte_graph_id_to_name(id)));
	assert_int_equal(src_n, 0);
}

static uint64_t node_packets(rte_graph_t id, const char *node)
{
	struct rte_node *n = rte_graph_node_get_by_name(rte_graph_id_to_name(id), node);

	assert_non_null(n);
	return n->total_objs;
}

/*
 * Each worker may punt LIMIT_PPS packets a second of a limited reason, a tenth of a second's
 * worth in a burst; the others are dropped there, counted by the reason's drop node. Reasons
 * without a limit pass.
 */
static void test_rate_limit_per_worker(void **state)
{
	rte_graph_t g[2] = {graph_new("tp0"), graph_new("tp1")};
	struct punt_stats s0 = stats();

	(void)state;
	/* a tenth of a second fills the buckets */
	usleep(150000);
	for (int w = 0; w < 2; w++) {
		for (src_n = 0; src_n < 64; src_n++)
			src[src_n] = packet(limited_reason);
		while (src_n < 72)
			src[src_n++] = packet(reason);
		walk(g[w]);
		assert_int_equal(node_packets(g[w], "test_punt_limited"), 64 - LIMIT_PPS / 10);
	}
	/* each worker its own bucket: both passed a burst's worth */
	assert_int_equal(stats().depth, 2 * (LIMIT_PPS / 10 + 8));
	assert_int_equal(stats().enqueued, s0.enqueued + 2 * (LIMIT_PPS / 10 + 8));
	/* empty now: one more token comes in 10 ms */
	for (src_n = 0; src_n < 64; src_n++)
		src[src_n] = packet(limited_reason);
	walk(g[0]);
	assert_true(node_packets(g[0], "test_punt_limited") >= 2 * 64 - LIMIT_PPS / 10 - 1);
	punt_drain();

	/* no limit any more */
	assert_int_equal(punt_reason_set_rate(limited_reason, 0), 0);
	for (src_n = 0; src_n < 64; src_n++)
		src[src_n] = packet(limited_reason);
	walk(g[1]);
	assert_int_equal(node_packets(g[1], "test_punt_limited"), 64 - LIMIT_PPS / 10);
	assert_int_equal(stats().depth, 64);
	assert_int_equal(punt_reason_set_rate(limited_reason, LIMIT_PPS), 0);
	/* a reason registered without a limit cannot get one */
	assert_int_equal(punt_reason_set_rate(reason, 10), -EINVAL);
	rte_graph_destroy(g[0]);
	rte_graph_destroy(g[1]);
}

/*
 * Packets for resolution beyond unres_punt_pps are dropped on the worker as
 * neigh_resolve_rate_limited; those within go to the control thread, whose neighbour entry
 * holds them.
 */
static void test_resolve_rate_limit(void **state)
{
	struct iface *ifc = test_iface_new("tp0", 1);
	struct neigh_conf conf, slow;
	rte_graph_t g;
	struct neigh *n;

	(void)state;
	neigh_conf_get(&conf);
	slow = conf;
	slow.unres_punt_pps = LIMIT_PPS;
	assert_int_equal(neigh_conf_set(&slow), 0);
	g = graph_new("tp_resolve");
	usleep(150000);
	for (src_n = 0; src_n < 64; src_n++) {
		struct rte_mbuf *m = packet(neigh_punt_resolve);
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		fp_mbuf_priv(m)->iface_out = ifc->id;
		fp_mbuf_priv(m)->nh_addr = htonl(0xc0000207); /* 192.0.2.7 */
		src[src_n] = m;
	}
	walk(g);
	assert_int_equal(node_packets(g, "neigh_resolve_rate_limited"), 64 - LIMIT_PPS / 10);
	assert_int_equal(punt_drain(), LIMIT_PPS / 10);
	n = neigh_lookup(ifc->id, htonl(0xc0000207));
	assert_non_null(n);
	assert_int_equal(n->held_count, LIMIT_PPS / 10);
	assert_int_equal(neigh_conf_set(&conf), 0);
	rte_graph_destroy(g);
	iface_free(ifc);
}

/* Stress: the control loop against two worker threads -------------------------------------- */

static volatile bool stop_producers;
static uint64_t stress_total, stress_bursts;
static uint64_t stress_start_ms;

/* A producer's own pool, which the control thread's handler frees into: one thread each side. */
struct producer {
	struct rte_mempool *pool;
	unsigned int seed;
	pthread_t thread;
};

static void *producer(void *arg)
{
	struct producer *p = arg;
	uint64_t left = STRESS_EACH, bursts = 0;

	while (left > 0 && !stop_producers) {
		struct rte_mbuf *b[32];
		unsigned int k = RTE_MIN(1 + rand_r(&p->seed) % RTE_DIM(b), left), sent = 0;

		while (rte_pktmbuf_alloc_bulk(p->pool, b, k) < 0 && !stop_producers)
			rte_pause();
		if (stop_producers)
			break;
		for (unsigned int i = 0; i < k; i++)
			fp_mbuf_priv(b[i])->punt_reason = reason;
		/* a full ring: the control thread drains it */
		while (sent < k && !stop_producers)
			sent += punt_enqueue(&b[sent], k - sent);
		rte_pktmbuf_free_bulk(&b[sent], k - sent);
		left -= k;
		bursts++;
		/* 0 to a few microseconds: the threads meet at every point of their loops */
		for (unsigned int spins = rand_r(&p->seed) % 64; spins > 0; spins--)
			rte_pause();
	}
	__atomic_fetch_add(&stress_bursts, bursts, __ATOMIC_RELAXED);
	return NULL;
}

static void stress_handler_check(void *arg)
{
	(void)arg;
	if (handled == stress_total || control_now_ms() - stress_start_ms > 20000)
		control_stop();
}

/*
 * Four threads (more than the test machines' cores: preempted anywhere) punt 250000 packets
 * each in bursts of 1 to 32 at random intervals while the control loop sleeps on the eventfd
 * and drains: every packet arrives within 20 s, the watchdog never finds the ring stalled, and
 * the eventfd is written less often than there are bursts. (With the old protocol and ring the
 * ring stalled 19 times in 20 s, a third of the packets through.) Last: it stops the control
 * loop for good.
 */
static void test_stress_no_lost_wakeup(void **state)
{
	struct punt_stats s0 = stats(), s;
	struct producer p[PRODUCERS];
	uint64_t h0 = handled;

	(void)state;
	for (int i = 0; i < PRODUCERS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "test_punt%d", i);
		/* single producer and consumer: a thread preempted in the pool's ring holds no
		 * other up */
		p[i].pool = rte_pktmbuf_pool_create_by_ops(name, 2047, 0, FP_MBUF_PRIV_SIZE,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, "ring_sp_sc");
		assert_non_null(p[i].pool);
		p[i].seed = i + 1;
	}
	stress_total = h0 + PRODUCERS * STRESS_EACH;
	stress_start_ms = control_now_ms();
	assert_int_equal(control_timer_add("test_stress", 10, stress_handler_check, NULL), 0);
	for (int i = 0; i < PRODUCERS; i++)
		assert_int_equal(pthread_create(&p[i].thread, NULL, producer, &p[i]), 0);
	assert_int_equal(control_run(), 0);
	stop_producers = true;
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i].thread, NULL);
	punt_drain();
	for (int i = 0; i < PRODUCERS; i++) {
		assert_int_equal(rte_mempool_avail_count(p[i].pool), 2047);
		rte_mempool_free(p[i].pool);
	}
	s = stats();
	printf("stress: %" PRIu64 " packets in %" PRIu64 " bursts, %" PRIu64 " ms: %" PRIu64
	       " eventfd writes by the producers, %" PRIu64 " wake-ups, %" PRIu64 " stalls\n",
		handled - h0, stress_bursts, control_now_ms() - stress_start_ms, s.kicks - s0.kicks,
		s.wakeups - s0.wakeups, s.stalled - s0.stalled);
	assert_int_equal(handled, stress_total);
	assert_int_equal(s.stalled, s0.stalled);
	assert_true(s.kicks - s0.kicks < stress_bursts);
}

/* The control loop's slice ------------------------------------------------------------------- */

static bool slice_over_at_start;
static uint64_t slice_used_ms;

/* Works until its slice is used, as the mirror's batches and route.list's chunks do. */
static void slice_callback(int fd, uint32_t events, void *arg)
{
	uint64_t start = control_now_ms();
	eventfd_t value;

	(void)events;
	(void)arg;
	eventfd_read(fd, &value);
	slice_over_at_start = control_slice_over();
	while (!control_slice_over() && control_now_ms() - start < 5000)
		;
	slice_used_ms = control_now_ms() - start;
}

/* A callback's slice starts with it and ends CONTROL_SLICE_MS later; outside, none is over. */
static void test_control_slice(void **state)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(control_fd_add(fd, EPOLLIN, slice_callback, NULL), 0);
	for (int round = 0; round < 2; round++) {
		slice_used_ms = 0;
		eventfd_write(fd, 1);
		/* the loop's tick and the punt ring's eventfd may be ready too */
		for (int i = 0; i < 10 && slice_used_ms == 0; i++)
			assert_true(control_poll() >= 0);
		assert_false(slice_over_at_start);
		assert_true(slice_used_ms >= CONTROL_SLICE_MS);
		assert_true(slice_used_ms < 5000);
		assert_false(control_slice_over());
	}
	control_fd_del(fd);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_one_wakeup_per_drain, teardown),
		cmocka_unit_test_teardown(test_punt_while_draining, teardown),
		cmocka_unit_test_teardown(test_drain_budget, teardown),
		cmocka_unit_test_teardown(test_watchdog, teardown),
		cmocka_unit_test_teardown(test_rate_limit_per_worker, teardown),
		cmocka_unit_test_teardown(test_resolve_rate_limit, teardown),
		cmocka_unit_test_teardown(test_stress_no_lost_wakeup, teardown),
		cmocka_unit_test_teardown(test_control_slice, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
