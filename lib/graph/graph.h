/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <string.h>

#include <rte_graph.h>
#include <rte_graph_worker.h>

#include "trace.h"

/*
 * Every fastpath node registers through these macros, so that worker graphs
 * are built from fastpath's nodes only and the stats know which nodes are
 * drop reasons. A drop reason is a node of its own: its packet counter is the
 * drop counter, visible per reason in "show stats".
 */

struct fp_node {
	struct rte_node_register *reg;
	bool drop;
	struct fp_node *next;
};

void fp_node_add(struct fp_node *n);
struct fp_node *fp_nodes(void);

#define FP_NODE_REGISTER_KIND(node_reg, is_drop)                                                   \
	RTE_NODE_REGISTER(node_reg);                                                               \
	static struct fp_node fp_node_##node_reg = {.reg = &node_reg, .drop = is_drop};            \
	static void __attribute__((constructor)) fp_node_add_##node_reg(void)                      \
	{                                                                                          \
		fp_node_add(&fp_node_##node_reg);                                                  \
	}

#define FP_NODE_REGISTER(node_reg) FP_NODE_REGISTER_KIND(node_reg, false)
/* A node whose packets count as drops of the reason it is named after. */
#define FP_DROP_NODE_REGISTER(node_reg) FP_NODE_REGISTER_KIND(node_reg, true)

uint16_t fp_drop_process(struct rte_graph *, struct rte_node *, void **objs, uint16_t n);

/* Defines the drop node named after the reason, e.g. FP_DROP_NODE(ip4_bad_checksum). */
#define FP_DROP_NODE(reason)                                                                       \
	static struct rte_node_register fp_drop_##reason = {                                       \
		.name = #reason,                                                                   \
		.process = fp_drop_process,                                                        \
	};                                                                                         \
	FP_DROP_NODE_REGISTER(fp_drop_##reason)

/*
 * A node that turns the packets it gets into ICMP or ICMPv6 errors of one type and code: it
 * counts them under its own name (a drop reason of the original packet) and hands them to
 * error_node (icmp4_error, icmp6_error), which builds, rate-limits and sends the error.
 */
uint16_t fp_icmp_error_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n);

#define FP_ICMP_ERROR_NODE(reason, type, code, error_node)                                         \
	static int reason##_init(const struct rte_graph *graph, struct rte_node *node)             \
	{                                                                                          \
		(void)graph;                                                                       \
		node->ctx[0] = type;                                                               \
		node->ctx[1] = code;                                                               \
		return 0;                                                                          \
	}                                                                                          \
	static struct rte_node_register reason##_node = {                                          \
		.name = #reason,                                                                   \
		.init = reason##_init,                                                             \
		.process = fp_icmp_error_process,                                                  \
		.nb_edges = 1,                                                                     \
		.next_nodes = {error_node},                                                        \
	};                                                                                         \
	FP_DROP_NODE_REGISTER(reason##_node)

/* Whether every nexts[i] is nexts[0]: the common case, compared four edges at a time. */
static inline bool fp_edges_all_same(const rte_edge_t *nexts, uint16_t n)
{
	uint64_t first4 = nexts[0] * UINT64_C(0x0001000100010001), differ = 0, four;
	uint16_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&four, &nexts[i], sizeof(four));
		differ |= four ^ first4;
	}
	for (; i < n; i++)
		differ |= nexts[i] ^ nexts[0];
	return differ == 0;
}

/*
 * Hands objs[i] to edge nexts[i]. Runs of the same edge go in one copy, and a
 * burst that goes entirely to one edge is moved without copying.
 */
static inline void fp_enqueue_runs(struct rte_graph *graph, struct rte_node *node,
	const rte_edge_t *nexts, void **objs, uint16_t n)
{
	uint16_t start = 0;

	if (n == 0)
		return;
	if (unlikely(__atomic_load_n(&fp_trace, __ATOMIC_RELAXED) != NULL))
		trace_record(node, objs, nexts, n);
	if (likely(objs == node->objs && fp_edges_all_same(nexts, n))) {
		rte_node_next_stream_move(graph, node, nexts[0]);
		return;
	}
	for (uint16_t i = 1; i <= n; i++) {
		if (i < n && nexts[i] == nexts[start])
			continue;
		rte_node_enqueue(graph, node, nexts[start], &objs[start], i - start);
		start = i;
	}
}

/*
 * The process function, name, of a node whose packets each take the edge that one(m)
 * returns; with _STATE, one(m, &state), a state the burst shares (the last next hop, ...)
 * that starts as init.
 */
#define FP_NODE_PROCESS_EACH(name, one)                                                            \
	static uint16_t name(                                                                      \
		struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)           \
	{                                                                                          \
		rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */                      \
                                                                                                   \
		for (uint16_t i = 0; i < n; i++)                                                   \
			nexts[i] = one(objs[i]);                                                   \
		fp_enqueue_runs(graph, node, nexts, objs, n);                                      \
		return n;                                                                          \
	}

#define FP_NODE_PROCESS_EACH_STATE(name, one, state_type, init)                                    \
	static uint16_t name(                                                                      \
		struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)           \
	{                                                                                          \
		rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */                      \
		state_type state = init;                                                           \
                                                                                                   \
		for (uint16_t i = 0; i < n; i++)                                                   \
			nexts[i] = one(objs[i], &state);                                           \
		fp_enqueue_runs(graph, node, nexts, objs, n);                                      \
		return n;                                                                          \
	}
