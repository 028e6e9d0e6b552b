/* SPDX-License-Identifier: BSD-3-Clause */
#include "punt.h"
#include "base/counter.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "base/token_bucket.h"
#include "graph.h"
#include "mbuf.h"
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define PUNT_RING_SIZE 8192
#define MAX_REASONS    32
/* a stalled ring is logged once, then at most this often */
#define STALL_LOG_MS 60000

/*
 * Waking the control thread. `armed` is 1 while the control thread sleeps with the ring seen
 * empty, 0 while it drains (or is about to).
 *
 * - A worker puts its packets on the ring, then, after a full fence, reads armed: if it is set,
 *   the worker that swaps it to 0 writes the eventfd. One write per wake-up however many
 *   workers punt, and none at all while the control thread drains: under load a punt costs a
 *   fence, never a syscall.
 * - The control thread, once the ring is empty, sets armed, then, after a full fence, looks at
 *   the ring again (punt_arm()). Still empty: it sleeps. Not empty: a packet came after its
 *   last dequeue; it swaps armed back to 0 and drains on, or, if a worker swapped it first,
 *   returns to the loop, which that worker's eventfd write wakes.
 *
 * No wake-up is lost: the two sides each write one location (ring, armed), fence, then read the
 * other's. The fences are ordered one way or the other, so at least one side sees the other's
 * write: the worker sees armed set and wakes the control thread, or the control thread sees the
 * packet and drains it. (The old protocol, "wake only if the ring was empty before adding",
 * lost the wake-up when the control thread emptied the ring between the check and the add: the
 * ring then stayed full for good.) The watchdog checks that it holds.
 */
static struct rte_ring *punt_ring;
static int punt_eventfd = -1;
static uint32_t armed;

static struct {
	const char *name;
	punt_handler_fn fn;
	uint32_t pps;	    /* 0: not limited; read by the workers */
	rte_edge_t limited; /* control_output's edge to the reason's drop node, 0 if none */
	uint64_t handled;   /* control thread */
} reasons[MAX_REASONS];
static unsigned int n_reasons;

/* control thread, but kicks (the workers') */
static uint64_t drained, wakeups, kicks;
/* as of the watchdog's previous check: packets drained, and whether some were waiting */
static uint64_t watch_drained;
static bool watch_waiting;
static uint64_t stall_logged_ms;

FP_COUNTER(punt_stalled)

enum {
	CONTROL_OUTPUT_RING_FULL,
	CONTROL_OUTPUT_EDGES, /* then one per reason with a rate limit */
};

unsigned int punt_enqueue(struct rte_mbuf **mbufs, unsigned int n)
{
	unsigned int sent = rte_ring_enqueue_burst(punt_ring, (void **)mbufs, n, NULL);

	if (sent == 0)
		return 0;
	/* the packets are in the ring before armed is read (see above); the load first keeps the
	 * line shared while the control thread drains */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&armed, __ATOMIC_RELAXED) &&
		__atomic_exchange_n(&armed, 0, __ATOMIC_SEQ_CST)) {
		__atomic_fetch_add(&kicks, 1, __ATOMIC_RELAXED);
		eventfd_write(punt_eventfd, 1);
	}
	return sent;
}

/* Each worker's buckets, one per reason: a row of its own, allocated with its graph. */
static int control_output_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct fp_bucket *b = rte_zmalloc_socket(
		"punt_buckets", MAX_REASONS * sizeof(*b), RTE_CACHE_LINE_SIZE, graph->socket);

	if (b == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < MAX_REASONS; i++)
		fp_bucket_init(&b[i]);
	*(struct fp_bucket **)node->ctx = b;
	return 0;
}

static void control_output_fini(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	rte_free(*(struct fp_bucket **)node->ctx);
}

static uint16_t control_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct fp_bucket *buckets = *(struct fp_bucket **)node->ctx;
	/* what passes is packed at the front of objs, this node's own stream: no copy */
	struct rte_mbuf **pass = (struct rte_mbuf **)objs;
	uint16_t n_pass = 0;
	unsigned int sent;
	uint64_t now = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		uint8_t r = fp_mbuf_priv(m)->punt_reason;

		/* its conntrack entry is only valid in this walk (mbuf.h): not on the control
		 * thread */
		fp_mbuf_priv(m)->flags &= ~FP_MBUF_CT;
		uint32_t pps =
			r < MAX_REASONS ? __atomic_load_n(&reasons[r].pps, __ATOMIC_RELAXED) : 0;

		if (pps != 0) {
			if (now == 0)
				now = rte_rdtsc();
			if (!fp_bucket_take(&buckets[r], pps, now)) {
				rte_node_enqueue_x1(graph, node, reasons[r].limited, m);
				continue;
			}
		}
		pass[n_pass++] = m;
	}
	sent = punt_enqueue(pass, n_pass);
	if (sent < n_pass)
		rte_node_enqueue(
			graph, node, CONTROL_OUTPUT_RING_FULL, (void **)&pass[sent], n_pass - sent);
	return n;
}

static struct rte_node_register control_output_node = {
	.name = PUNT_NODE,
	.init = control_output_init,
	.fini = control_output_fini,
	.process = control_output_process,
	.nb_edges = CONTROL_OUTPUT_EDGES,
	.next_nodes = {[CONTROL_OUTPUT_RING_FULL] = "control_ring_full"},
};
FP_NODE_REGISTER(control_output_node)
FP_DROP_NODE(control_ring_full)

static int control_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(struct worker **)node->ctx = w;
	return 0;
}

static uint16_t control_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct worker *w = *(struct worker **)node->ctx;
	struct rte_mbuf *mbufs[RTE_GRAPH_BURST_SIZE];

	(void)objs;
	n = rte_ring_sc_dequeue_burst(w->inject, (void **)mbufs, RTE_GRAPH_BURST_SIZE, NULL);
	for (uint16_t i = 0; i < n; i++)
		rte_node_enqueue_x1(graph, node, fp_mbuf_priv(mbufs[i])->inject_edge, mbufs[i]);
	return n;
}

static struct rte_node_register control_input_node = {
	.name = "control_input",
	.flags = RTE_NODE_SOURCE_F,
	.init = control_input_init,
	.process = control_input_process,
	.nb_edges = 1,
	.next_nodes = {"control_ring_full"},
};
FP_NODE_REGISTER(control_input_node)

/* A new edge of node (by name) to next: its index, or <0. */
static int edge_add(const char *node, const char *next)
{
	rte_node_t id = rte_node_from_name(node);
	rte_edge_t edge = rte_node_edge_count(id);
	const char *names[] = {next};

	if (rte_node_edge_update(id, edge, names, 1) != 1)
		return fp_error(EINVAL, "cannot add edge %s -> %s", node, next);
	return edge;
}

int punt_reason_register(
	const char *name, punt_handler_fn fn, uint32_t pps, const char *limited_node)
{
	int edge = 0;

	if (n_reasons == MAX_REASONS)
		return fp_error(ENOSPC, "too many punt reasons (%s)", name);
	if ((limited_node == NULL && pps != 0) || pps > FP_BUCKET_PPS_MAX)
		return fp_error(EINVAL, "punt reason %s: rate %u without a drop node, or above %u",
			name, pps, FP_BUCKET_PPS_MAX);
	if (limited_node != NULL && (edge = edge_add(PUNT_NODE, limited_node)) < 0)
		return edge;
	reasons[n_reasons].name = name;
	reasons[n_reasons].fn = fn;
	reasons[n_reasons].pps = pps;
	reasons[n_reasons].limited = edge;
	return n_reasons++;
}

int punt_reason_set_rate(int reason, uint32_t pps)
{
	if (reason < 0 || (unsigned int)reason >= n_reasons || reasons[reason].limited == 0)
		return fp_error(EINVAL, "punt reason %d has no rate limit", reason);
	if (pps > FP_BUCKET_PPS_MAX)
		return fp_error(EINVAL, "punt rate %u above %u", pps, FP_BUCKET_PPS_MAX);
	__atomic_store_n(&reasons[reason].pps, pps, __ATOMIC_RELAXED);
	return 0;
}

int punt_inject_edge(const char *node_name)
{
	return edge_add("control_input", node_name);
}

int punt_inject(struct rte_mbuf *m, uint8_t edge)
{
	fp_mbuf_priv(m)->inject_edge = edge;
	if (fp_n_workers == 0 || rte_ring_sp_enqueue(fp_workers[0].inject, m) < 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

/*
 * The control thread's side of the wake-up (see above), the ring seen empty: true if it may
 * sleep, false if packets came meanwhile and it must drain them itself.
 */
static bool punt_arm(void)
{
	__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_empty(punt_ring))
		return true;
	/* 0: a worker disarmed first and rang the eventfd, which brings the loop back */
	return __atomic_exchange_n(&armed, 0, __ATOMIC_SEQ_CST) == 0;
}

unsigned int punt_drain(void)
{
	struct rte_mbuf *mbufs[32];
	unsigned int done = 0, n;
	eventfd_t value;

	/* a wake-up asked for before this read is for packets already in the ring, drained now;
	 * one asked for after it comes after punt_arm(), and wakes the loop again */
	eventfd_read(punt_eventfd, &value);
	do {
		while (done < PUNT_DRAIN_BUDGET &&
			(n = rte_ring_sc_dequeue_burst(punt_ring, (void **)mbufs,
				 RTE_MIN(RTE_DIM(mbufs), PUNT_DRAIN_BUDGET - done), NULL)) > 0) {
			drained += n;
			done += n;
			for (unsigned int i = 0; i < n; i++) {
				uint8_t r = fp_mbuf_priv(mbufs[i])->punt_reason;

				if (r < n_reasons) {
					reasons[r].handled++;
					reasons[r].fn(mbufs[i]);
				} else {
					rte_pktmbuf_free(mbufs[i]);
				}
			}
		}
		if (done == PUNT_DRAIN_BUDGET && !rte_ring_empty(punt_ring)) {
			/* still disarmed: no worker rings meanwhile, the loop comes back after the
			 * API's and netlink's events */
			eventfd_write(punt_eventfd, 1);
			return done;
		}
	} while (!punt_arm());
	return done;
}

int punt_fd(void)
{
	return punt_eventfd;
}

void punt_woken(void)
{
	wakeups++;
	punt_drain();
}

/* Whether the eventfd is readable: a drain is due, the loop runs it. */
static bool wakeup_pending(void)
{
	struct pollfd p = {.fd = punt_eventfd, .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

void punt_watchdog(void)
{
	bool waiting = !rte_ring_empty(punt_ring);
	uint64_t now;

	/* packets that were already waiting at the previous check, none drained since, and no
	 * wake-up due: a long API command or netlink dump delays drains without stalling them */
	if (waiting && watch_waiting && drained == watch_drained && !wakeup_pending()) {
		punt_stalled.value++;
		now = rte_get_timer_cycles() / (rte_get_timer_hz() / 1000);
		if (stall_logged_ms == 0 || now - stall_logged_ms >= STALL_LOG_MS) {
			stall_logged_ms = now;
			LOG(WARNING,
				"punt ring stalled: %u packets waiting, none drained for %u ms and "
				"no wake-up due; drained by the watchdog (%" PRIu64
				" stalls so far)",
				rte_ring_count(punt_ring), PUNT_WATCHDOG_MS, punt_stalled.value);
		}
		punt_drain();
		waiting = !rte_ring_empty(punt_ring);
	}
	watch_drained = drained;
	watch_waiting = waiting;
}

void punt_stats_get(struct punt_stats *s)
{
	uint32_t depth = rte_ring_count(punt_ring);

	*s = (struct punt_stats){
		.size = rte_ring_get_capacity(punt_ring),
		.depth = depth,
		.enqueued = drained + depth,
		.drained = drained,
		.wakeups = wakeups,
		.kicks = __atomic_load_n(&kicks, __ATOMIC_RELAXED),
		.stalled = punt_stalled.value,
	};
}

json_t *punt_stats_json(void)
{
	struct punt_stats s;
	json_t *list = json_array();

	punt_stats_get(&s);
	for (unsigned int i = 0; i < n_reasons; i++)
		json_array_append_new(list,
			json_pack("{s:s, s:I, s:I}", "name", reasons[i].name, "rate_pps",
				(json_int_t)__atomic_load_n(&reasons[i].pps, __ATOMIC_RELAXED),
				"handled", (json_int_t)reasons[i].handled));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "size", (json_int_t)s.size,
		"depth", (json_int_t)s.depth, "enqueued", (json_int_t)s.enqueued, "drained",
		(json_int_t)s.drained, "wakeups", (json_int_t)s.wakeups, "kicks",
		(json_int_t)s.kicks, "stalled", (json_int_t)s.stalled, "reasons", list);
}

static int punt_init(void)
{
	/*
	 * Relaxed tail sync: a worker preempted in the middle of its enqueue (more threads than
	 * cores, as on small test machines) holds the others up no longer; in the classic MP mode
	 * they spin until it runs again, and their graphs with them.
	 */
	punt_ring = rte_ring_create(
		"punt", PUNT_RING_SIZE, SOCKET_ID_ANY, RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	if (punt_ring == NULL)
		return fp_error(ENOMEM, "punt ring: %s", rte_strerror(rte_errno));
	punt_eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (punt_eventfd < 0)
		return fp_error(errno, "eventfd: %s", strerror(errno));
	/* the ring is empty: the first punt wakes the control thread */
	__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void punt_fini(void)
{
	struct rte_mbuf *m;

	if (punt_eventfd >= 0) {
		close(punt_eventfd);
		punt_eventfd = -1;
	}
	while (punt_ring != NULL && rte_ring_sc_dequeue(punt_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(punt_ring);
	punt_ring = NULL;
}

static struct fp_module punt_module = {
	.name = "punt",
	.order = 1,
	.init = punt_init,
	.fini = punt_fini,
};
FP_MODULE_REGISTER(punt_module)
