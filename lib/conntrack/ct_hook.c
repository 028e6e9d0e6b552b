/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct_hook.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "graph/graph.h"
#include "graph/hook.h"
#include "graph/worker.h"
#include "infra/control.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <sys/socket.h>

/*
 * The hook nodes (docs/conntrack.md, "In the graph"). As Linux's nf_conntrack:
 *
 *	conntrack		prerouting and output, priority -200: every packet is tracked
 *				(ct_parse, then ct_in_bulk over the burst); its entry and state
 *				go into its metadata. Invalid packets go on, marked invalid: only
 *				a new flow with the table full is dropped (ct_table_full).
 *	conntrack_confirm	input and postrouting, last: a new entry enters the table;
 *				losing a TCP clash to another worker drops (ct_insert_failed).
 *
 * A packet dropped between the two while holding a new entry (no route, TTL, a filter, a
 * punt...) needs nothing here: the worker's walk ends with ct_walk_end(), which gives back
 * the entries that were not confirmed, as Linux frees an unconfirmed entry with its skb.
 */

static struct ct_worker workers[FP_MAX_WORKERS], control;
static unsigned int users;

/* buckets swept per 10 ms tick: the whole table in 2 s, at least 4096 */
#define CT_GC_PERIOD_MS 10
#define CT_GC_SWEEP_MS	2000

static int ct_node_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(struct ct_worker **)node->ctx = &workers[w->index];
	return 0;
}

/* Where the IP header is, and how much of the datagram can be read from it. */
static uint32_t l3_len(const struct rte_mbuf *m)
{
	/*
	 * A reassembled datagram is a chain: its headers are in the first segment, and
	 * ct_parse() reads only headers, checking their lengths against the whole datagram's.
	 */
	if (likely(m->nb_segs == 1) || m->data_len >= RTE_MIN(m->pkt_len, 128u))
		return m->pkt_len;
	return m->data_len;
}

enum {
	CT_IN_TABLE_FULL,
	CT_IN_EDGES,
};

static uint16_t ct_in_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct ct_worker *w = *(struct ct_worker **)node->ctx;
	struct ct_table *t = ct_state.table;
	struct ct_pkt pkts[n], *pp[n]; /* n may exceed a burst: streams grow */
	rte_edge_t nexts[n];
	uint64_t now = fp_clock_ms;

	if (unlikely(n == 0))
		return 0;
	if (unlikely(t == NULL)) {
		/* switched on by name without ct_require(): no table, nothing tracked */
		for (uint16_t i = 0; i < n; i++)
			nexts[i] = fp_hook_next(objs[i], CT_IN_EDGES);
		fp_enqueue_runs(graph, node, nexts, objs, n);
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
		uint8_t family = FP_HOOK_FAMILY(priv->hook.id) == FP_HOOK_IP4 ? AF_INET : AF_INET6;

		fp_mbuf_prefetch_ahead(objs, i, n);
		if (ct_parse(&pkts[i], family, rte_pktmbuf_mtod(m, const void *), l3_len(m),
			    priv->vrf) < 0)
			w->error++; /* nf_conntrack_in's "error": invalid, and it goes on */
		pp[i] = &pkts[i];
	}
	ct_in_bulk(t, w, pp, n, now);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

		if (unlikely(pkts[i].info == CT_DROP)) {
			nexts[i] = CT_IN_TABLE_FULL;
			continue;
		}
		priv->flags |= FP_MBUF_CT;
		priv->ct_info = pkts[i].info;
		priv->ct = pkts[i].ct != NULL ? ct_entry_id(t, pkts[i].ct) : 0;
		nexts[i] = fp_hook_next(m, CT_IN_EDGES);
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ct_in_node = {
	.name = "conntrack",
	.init = ct_node_init,
	.process = ct_in_process,
	.nb_edges = CT_IN_EDGES,
	.next_nodes = {[CT_IN_TABLE_FULL] = "ct_table_full"},
};
FP_NODE_REGISTER(ct_in_node)
FP_HOOK_NODE(ct_in_node)
FP_DROP_NODE(ct_table_full)

enum {
	CT_CONFIRM_INSERT_FAILED,
	CT_CONFIRM_EDGES,
};

/* __nf_conntrack_confirm() for a packet holding a new entry: false to drop it. */
static bool confirm(struct ct_table *t, struct ct_worker *w, struct fp_mbuf_priv *priv,
	struct ct_entry *e, uint64_t now)
{
	struct ct_pkt p = {.ct = e, .info = priv->ct_info};

	/* the packet's tuple and direction, for a clash: its entry made from it */
	p.dir = p.info == CT_ESTABLISHED_REPLY || p.info == CT_RELATED_REPLY ? CT_DIR_REPLY
									     : CT_DIR_ORIGINAL;
	p.t = e->h[p.dir].t;
	if (ct_confirm(t, w, &p, now) < 0)
		return false;
	priv->ct_info = p.info;
	priv->ct = p.ct != NULL ? ct_entry_id(t, p.ct) : 0;
	return true;
}

static uint16_t ct_confirm_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct ct_worker *w = *(struct ct_worker **)node->ctx;
	struct ct_table *t = ct_state.table;
	rte_edge_t nexts[n];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

		nexts[i] = fp_hook_next(m, CT_CONFIRM_EDGES);
		/* not tracked at this hook's entry (another interface's switch), or no entry */
		if (!(priv->flags & FP_MBUF_CT) || priv->ct == 0)
			continue;
		struct ct_entry *e = ct_entry_by_id(t, priv->ct);

		if (likely(__atomic_load_n(&e->status, __ATOMIC_ACQUIRE) & CT_S_CONFIRMED))
			continue;
		if (!confirm(t, w, priv, e, fp_clock_ms))
			nexts[i] = CT_CONFIRM_INSERT_FAILED;
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ct_confirm_node = {
	.name = "conntrack_confirm",
	.init = ct_node_init,
	.process = ct_confirm_process,
	.nb_edges = CT_CONFIRM_EDGES,
	.next_nodes = {[CT_CONFIRM_INSERT_FAILED] = "ct_insert_failed"},
};
FP_NODE_REGISTER(ct_confirm_node)
FP_HOOK_NODE(ct_confirm_node)
FP_DROP_NODE(ct_insert_failed)

/* Linux's ipv4_conntrack_defrag/in/local and ipv4_confirm, and their IPv6 twins. */
#define CT_HOOKS(fam, tag)                                                                         \
	FP_HOOK_REGISTER(ct_pre_##tag, "conntrack", fam, FP_HOOK_PREROUTING,                       \
		FP_HOOK_PRI_CONNTRACK, "conntrack")                                                \
	FP_HOOK_REGISTER(ct_out_##tag, "conntrack", fam, FP_HOOK_OUTPUT, FP_HOOK_PRI_CONNTRACK,    \
		"conntrack")                                                                       \
	FP_HOOK_REGISTER(ct_in_##tag, "conntrack", fam, FP_HOOK_INPUT,                             \
		FP_HOOK_PRI_CONNTRACK_CONFIRM, "conntrack_confirm")                                \
	FP_HOOK_REGISTER(ct_post_##tag, "conntrack", fam, FP_HOOK_POSTROUTING,                     \
		FP_HOOK_PRI_CONNTRACK_CONFIRM, "conntrack_confirm")
CT_HOOKS(FP_HOOK_IP4, 4)
CT_HOOKS(FP_HOOK_IP6, 6)

/* Control thread */

static void walk_end(uint16_t worker)
{
	struct ct_worker *w = &workers[worker];

	if (w->n_walk_new != 0)
		ct_walk_end(ct_state.table, w);
}

static void gc_tick(void *arg)
{
	uint32_t budget = ct_table_buckets(ct_state.table) / (CT_GC_SWEEP_MS / CT_GC_PERIOD_MS);

	(void)arg;
	ct_gc(ct_state.table, ct_state.control, control_now_ms(), RTE_MAX(budget, 4096u));
}

static int table_start(void)
{
	struct ct_table_params p = {
		.capacity = (uint32_t)RTE_MAX(sysctl_read(&ct_max), 1),
		.rcu = fp_rcu,
	};
	struct ct_table *t;
	int ret;

	if ((ret = ct_table_create(&p, &t)) < 0)
		return ret;
	for (uint16_t i = 0; i < FP_MAX_WORKERS; i++)
		workers[i].rcu_id = i;
	if ((ret = control_timer_add("conntrack_gc", CT_GC_PERIOD_MS, gc_tick, NULL)) < 0) {
		ct_table_destroy(t);
		return ret;
	}
	ct_state.workers = workers;
	ct_state.n_workers = fp_n_workers;
	ct_state.control = &control;
	/* published before any hook is switched on, as the masks are (release) */
	__atomic_store_n(&ct_state.table, t, __ATOMIC_RELEASE);
	fp_walk_end = walk_end;
	LOG(INFO, "conntrack: table of %u entries (%zu bytes each)", p.capacity,
		ct_table_bytes_per_entry(t));
	return 0;
}

int ct_require(void)
{
	int ret;

	if (users++ > 0)
		return 0;
	if (ct_state.table == NULL && (ret = table_start()) < 0)
		goto err;
	/* defragmentation first, at its own priority (-400), as nf_conntrack pulls in nf_defrag */
	if ((ret = fp_hook_enable("defrag", FP_HOOK_ALL_IFACES, true)) < 0)
		goto err;
	if ((ret = fp_hook_enable("conntrack", FP_HOOK_ALL_IFACES, true)) < 0) {
		fp_hook_enable("defrag", FP_HOOK_ALL_IFACES, false);
		goto err;
	}
	return 0;
err:
	users--;
	return ret;
}

void ct_release(void)
{
	if (users == 0 || --users > 0)
		return;
	/* entries stay and expire; the packets in flight still see the table */
	fp_hook_enable("conntrack", FP_HOOK_ALL_IFACES, false);
	fp_hook_enable("defrag", FP_HOOK_ALL_IFACES, false);
}

static void ct_fini(void)
{
	/* the workers have stopped: the last walks ended */
	fp_walk_end = NULL;
	if (ct_state.table == NULL)
		return;
	for (uint16_t i = 0; i < ct_state.n_workers; i++)
		ct_state_worker_fini(&workers[i]);
	ct_state_worker_fini(&control);
	ct_table_destroy(ct_state.table);
	ct_state = (struct ct_state){0};
}

static struct fp_module ct_module = {
	.name = "conntrack",
	.order = 60,
	.fini = ct_fini,
};
FP_MODULE_REGISTER(ct_module)
