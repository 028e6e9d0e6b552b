/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Defragmentation in the graph (nf_defrag_ipv4, nf_defrag_ipv6): the hook feature "defrag" at
 * PREROUTING and OUTPUT of both families, before conntrack (FP_HOOK_PRI_CONNTRACK_DEFRAG).
 *
 * Each worker owns one table per family. A fragment whose datagram another worker owns
 * (defrag_owner()) goes to that worker's hand-off ring, with its hook position in its metadata;
 * the owner's source node defrag_handoff drains the ring into its tables and sends what is
 * whole on at the hook, as the feature node would have. The same node expires the worker's
 * datagrams once per walk and answers timeouts with time exceeded, code 1.
 */
#include "base/fp_error.h"
#include "base/module.h"
#include "defrag.h"
#include "fib/fib4.h"
#include "graph/graph.h"
#include "graph/hook.h"
#include "graph/mbuf.h"
#include "graph/worker.h"
#include "infra/control.h"

#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>

/* datagrams in reassembly at once, per worker and family (docs/defrag.md: memory first) */
#define DEFRAG_QUEUES	  2048
#define HANDOFF_RING_SIZE 4096
#define EXPIRE_HEADS_MAX  32

struct defrag_worker {
	struct defrag_table *t[DEFRAG_FAMILIES];
	/* fragments other workers hand to this one: multi-producer, drained by this one only */
	struct rte_ring *ring;
} __rte_cache_aligned;

static struct defrag_worker defrag_workers[FP_MAX_WORKERS];

/*
 * The edges of the nodes that reassemble (defrag, defrag_handoff): each family's drop nodes, by
 * verdict, then the hand-off's. A feature node cannot continue the hook itself: every hook node
 * has an edge to every feature (hook.h), its own too, and the graph refuses a node's edge to
 * itself; defrag sends what goes on to defrag_continue, which does.
 */
#define DEFRAG_DROPS (DEFRAG_DROP_TRUNCATED - DEFRAG_DROP_NO_MEMORY + 1)
enum {
	DEFRAG_EDGE_DROP4 = 0,
	DEFRAG_EDGE_DROP6 = DEFRAG_DROPS,
	DEFRAG_EDGE_HANDOFF_FULL = 2 * DEFRAG_DROPS,
	DEFRAG_EDGE_ON,
	DEFRAG_EDGES,
};

#define DEFRAG_DROP_NEXT_NODES                                                                     \
	DEFRAG_DROP_NAMES("4", DEFRAG_EDGE_DROP4 - DEFRAG_DROP_NO_MEMORY),                         \
		DEFRAG_DROP_NAMES("6", DEFRAG_EDGE_DROP6 - DEFRAG_DROP_NO_MEMORY)

static inline rte_edge_t drop_edge(enum defrag_family family, enum defrag_verdict v)
{
	return (family == DEFRAG_IPV4 ? DEFRAG_EDGE_DROP4 : DEFRAG_EDGE_DROP6) + v -
	       DEFRAG_DROP_NO_MEMORY;
}

/* A packet's family: its hook's, which it keeps across the hand-off ring. */
static inline enum defrag_family family_of(struct rte_mbuf *m)
{
	return FP_HOOK_FAMILY(fp_mbuf_priv(m)->hook.id) == FP_HOOK_IP4 ? DEFRAG_IPV4 : DEFRAG_IPV6;
}

/* The worker of the graph, in node->ctx, as control_input finds its own. */
static int defrag_node_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(uint16_t *)node->ctx = w->index;
	return 0;
}

static inline enum defrag_verdict reassemble(
	enum defrag_family family, struct defrag_table *t, struct rte_mbuf **m)
{
	return family == DEFRAG_IPV4 ? defrag4_input(t, m, fp_clock_ms)
				     : defrag6_input(t, m, fp_clock_ms);
}

/*
 * A packet at the hook: not a fragment, on; a fragment of another worker's datagram, to its
 * ring; else into this worker's table. Returns whether *m goes on, by *edge.
 */
static inline bool feature_one(uint16_t self, struct rte_mbuf **mp, rte_edge_t *edge)
{
	struct rte_mbuf *m = *mp;
	enum defrag_family family = family_of(m);
	enum defrag_verdict v;
	uint32_t hash;
	unsigned int owner;

	if (family == DEFRAG_IPV4) {
		if (likely(!defrag4_is_fragment(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)))) {
			*edge = DEFRAG_EDGE_ON;
			return true;
		}
		hash = defrag4_owner_hash(m);
	} else if (likely(!defrag6_owner_hash(m, &hash))) {
		*edge = DEFRAG_EDGE_ON;
		return true;
	}
	owner = defrag_owner(hash, fp_n_workers);
	if (owner != self) {
		/*
		 * The next hop found before OUTPUT is not to be kept past this walk (mbuf.h): the
		 * output step finds it again from nh_addr / the destination.
		 */
		fp_mbuf_priv(m)->neigh = NULL;
		if (rte_ring_mp_enqueue(defrag_workers[owner].ring, m) == 0)
			return false;
		*edge = DEFRAG_EDGE_HANDOFF_FULL;
		return true;
	}
	v = reassemble(family, defrag_workers[self].t[family], mp);
	if (v == DEFRAG_HELD)
		return false;
	*edge = v == DEFRAG_PASS || v == DEFRAG_DONE ? DEFRAG_EDGE_ON : drop_edge(family, v);
	return true;
}

/* The hook feature "defrag", both families (nf_defrag_ipv4, nf_defrag_ipv6). */
static uint16_t defrag_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t self = *(uint16_t *)node->ctx, k = 0;
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	void *out[n];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];

		if (feature_one(self, &m, &nexts[k]))
			out[k++] = m;
	}
	fp_enqueue_runs(graph, node, nexts, out, k);
	return n;
}

static struct rte_node_register defrag_node = {
	.name = "defrag",
	.init = defrag_node_init,
	.process = defrag_process,
	.nb_edges = DEFRAG_EDGES,
	.next_nodes =
		{
			DEFRAG_DROP_NEXT_NODES,
			[DEFRAG_EDGE_HANDOFF_FULL] = "defrag_handoff_full",
			[DEFRAG_EDGE_ON] = "defrag_continue",
		},
};
FP_NODE_REGISTER(defrag_node)

/* What defragmentation lets through, on at its hook (fp_hook_next()). */
static inline rte_edge_t continue_one(struct rte_mbuf *m)
{
	return fp_hook_next(m, 0);
}

FP_NODE_PROCESS_EACH(defrag_continue_process, continue_one)

static struct rte_node_register defrag_continue_node = {
	.name = "defrag_continue",
	.process = defrag_continue_process,
};
FP_NODE_REGISTER(defrag_continue_node)
FP_HOOK_NODE(defrag_continue_node)

FP_HOOK_REGISTER(defrag4_prerouting, "defrag", FP_HOOK_IP4, FP_HOOK_PREROUTING,
	FP_HOOK_PRI_CONNTRACK_DEFRAG, "defrag")
FP_HOOK_REGISTER(defrag4_output, "defrag", FP_HOOK_IP4, FP_HOOK_OUTPUT,
	FP_HOOK_PRI_CONNTRACK_DEFRAG, "defrag")
FP_HOOK_REGISTER(defrag6_prerouting, "defrag", FP_HOOK_IP6, FP_HOOK_PREROUTING,
	FP_HOOK_PRI_CONNTRACK_DEFRAG, "defrag")
FP_HOOK_REGISTER(defrag6_output, "defrag", FP_HOOK_IP6, FP_HOOK_OUTPUT,
	FP_HOOK_PRI_CONNTRACK_DEFRAG, "defrag")

/* The source node's edges: each family's drops, then the timeouts'. */
enum {
	HANDOFF_TIME_EXCEEDED4 = 2 * DEFRAG_DROPS,
	HANDOFF_TIMEOUT4,
	HANDOFF_TIME_EXCEEDED6,
	HANDOFF_ON,
	HANDOFF_EDGES,
};

/*
 * ip_expire(): for conntrack's defragmentation, the error only if the destination is the
 * router's (a RTN_LOCAL route), the route looked up as ip_route_input_noref() would.
 */
static bool local4(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct rte_fib *fib = fp_fib4[fp_mbuf_priv(m)->vrf];
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	uint64_t nh = FIB4_NO_ROUTE;
	const struct nh_group *g;

	if (fib != NULL)
		rte_fib_lookup_bulk(fib, &dst, &nh, 1);
	/* group 0 is never allocated: a miss finds NULL */
	g = fp_nh_groups[nh];
	return g != NULL && g->type == ROUTE_LOCAL;
}

static void expire(struct rte_graph *graph, struct rte_node *node, struct defrag_worker *dw)
{
	struct rte_mbuf *heads[EXPIRE_HEADS_MAX];
	unsigned int n;

	n = defrag_expire(dw->t[DEFRAG_IPV4], fp_clock_ms, heads, RTE_DIM(heads));
	for (unsigned int i = 0; i < n; i++)
		rte_node_enqueue_x1(graph, node,
			local4(heads[i]) ? HANDOFF_TIME_EXCEEDED4 : HANDOFF_TIMEOUT4, heads[i]);
	n = defrag_expire(dw->t[DEFRAG_IPV6], fp_clock_ms, heads, RTE_DIM(heads));
	if (n > 0)
		rte_node_enqueue(graph, node, HANDOFF_TIME_EXCEEDED6, (void **)heads, n);
}

/*
 * Per walk: the fragments handed to this worker, into its tables (their family is their hook's),
 * what is whole on through defrag_continue as from defrag; then the timeouts. Counts what came
 * through the ring: the hand-off counter.
 */
static uint16_t defrag_handoff_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct defrag_worker *dw = &defrag_workers[*(uint16_t *)node->ctx];
	struct rte_mbuf *mbufs[RTE_GRAPH_BURST_SIZE];

	(void)objs;
	/* nothing handed over, nothing held: what a walk costs when defrag is off */
	if (likely(rte_ring_empty(dw->ring)) && defrag_table_count(dw->t[DEFRAG_IPV4]) == 0 &&
		defrag_table_count(dw->t[DEFRAG_IPV6]) == 0)
		return 0;
	n = rte_ring_sc_dequeue_burst(dw->ring, (void **)mbufs, RTE_DIM(mbufs), NULL);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = mbufs[i];
		enum defrag_family family = family_of(m);
		enum defrag_verdict v = reassemble(family, dw->t[family], &m);

		if (v == DEFRAG_HELD)
			continue;
		rte_node_enqueue_x1(graph, node,
			v == DEFRAG_PASS || v == DEFRAG_DONE ? HANDOFF_ON : drop_edge(family, v),
			m);
	}
	expire(graph, node, dw);
	return n;
}

static struct rte_node_register defrag_handoff_node = {
	.name = "defrag_handoff",
	.flags = RTE_NODE_SOURCE_F,
	.init = defrag_node_init,
	.process = defrag_handoff_process,
	.nb_edges = HANDOFF_EDGES,
	.next_nodes =
		{
			DEFRAG_DROP_NEXT_NODES,
			[HANDOFF_TIME_EXCEEDED4] = "defrag4_time_exceeded",
			[HANDOFF_TIMEOUT4] = "defrag4_timeout",
			[HANDOFF_TIME_EXCEEDED6] = "defrag6_time_exceeded",
			[HANDOFF_ON] = "defrag_continue",
		},
};
FP_NODE_REGISTER(defrag_handoff_node)

#define DEFRAG_DROP_NODES(f)                                                                       \
	FP_DROP_NODE(defrag##f##_no_memory)                                                        \
	FP_DROP_NODE(defrag##f##_duplicate)                                                        \
	FP_DROP_NODE(defrag##f##_overlap)                                                          \
	FP_DROP_NODE(defrag##f##_malformed)                                                        \
	FP_DROP_NODE(defrag##f##_oversize)                                                         \
	FP_DROP_NODE(defrag##f##_ecn)                                                              \
	FP_DROP_NODE(defrag##f##_too_many_holes)                                                   \
	FP_DROP_NODE(defrag##f##_truncated)
DEFRAG_DROP_NODES(4)
DEFRAG_DROP_NODES(6)
FP_DROP_NODE(defrag_handoff_full)
/* a timed-out first fragment for a destination not the router's: no error (ip_expire()) */
FP_DROP_NODE(defrag4_timeout)
/* time exceeded, code 1: fragment reassembly time exceeded (RFC 792, RFC 4443) */
FP_ICMP_ERROR_NODE(defrag4_time_exceeded, 11, 1, "icmp4_error")
FP_ICMP_ERROR_NODE(defrag6_time_exceeded, 3, 1, "icmp6_error")

static void defrag_fini(void)
{
	for (unsigned int i = 0; i < FP_MAX_WORKERS; i++) {
		struct defrag_worker *dw = &defrag_workers[i];
		struct rte_mbuf *m;

		while (dw->ring != NULL && rte_ring_sc_dequeue(dw->ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dw->ring);
		for (int f = 0; f < DEFRAG_FAMILIES; f++)
			defrag_table_free(dw->t[f]);
		*dw = (struct defrag_worker){0};
	}
}

/* Control thread, at start: the tables and rings of every worker, on its socket. */
static int defrag_init(void)
{
	for (uint16_t i = 0; i < fp_n_workers; i++) {
		struct defrag_worker *dw = &defrag_workers[i];
		int socket = rte_lcore_to_socket_id(fp_workers[i].lcore_id);
		char name[RTE_RING_NAMESIZE];

		for (int f = 0; f < DEFRAG_FAMILIES; f++) {
			dw->t[f] = defrag_table_create(f, DEFRAG_QUEUES, socket);
			if (dw->t[f] == NULL) {
				defrag_fini();
				return -ENOMEM;
			}
		}
		snprintf(name, sizeof(name), "defrag-%u", i);
		dw->ring = rte_ring_create(name, HANDOFF_RING_SIZE, socket, RING_F_SC_DEQ);
		if (dw->ring == NULL) {
			defrag_fini();
			return fp_error(
				-ENOMEM, "defrag: ring %s: %s", name, rte_strerror(rte_errno));
		}
	}
	return 0;
}

static struct fp_module defrag_module = {
	.name = "defrag",
	.order = 45, /* after the workers are counted, before their graphs */
	.init = defrag_init,
	.fini = defrag_fini,
};
FP_MODULE_REGISTER(defrag_module)
