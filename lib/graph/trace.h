/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <rte_graph_worker.h>
#include <rte_mbuf.h>

#include "mbuf.h"

/*
 * Packet trace: "trace add N" makes eth_input mark the next N packets, and
 * every node that hands a marked packet on records what it saw and where it
 * sent it. Off, it costs one pointer load per burst and node.
 */

#define TRACE_MAX_PACKETS 1000
#define TRACE_MAX_STEPS	  24

struct trace_step {
	char node[RTE_NODE_NAMESIZE];
	char info[160];
};

struct trace_packet {
	uint16_t worker;
	uint16_t n_steps;
	struct trace_step steps[TRACE_MAX_STEPS];
};

struct trace_buf {
	uint16_t gen;	  /* a mark of another generation is stale */
	uint32_t count;	  /* packets to trace */
	uint32_t claimed; /* slots taken so far, may exceed count */
	struct trace_packet packets[];
};

extern struct trace_buf *fp_trace; /* NULL when no trace is asked for */

/* eth_input, with fp_trace as loaded once per burst: marks the packet if the trace wants more
 * (gen << 16 | slot + 1), else clears its mark. */
static inline void trace_mark(struct trace_buf *t, struct rte_mbuf *m, uint16_t worker)
{
	uint32_t slot;

	fp_mbuf_priv(m)->trace = 0;
	if (likely(t == NULL) || __atomic_load_n(&t->claimed, __ATOMIC_RELAXED) >= t->count)
		return;
	slot = __atomic_fetch_add(&t->claimed, 1, __ATOMIC_RELAXED);
	if (slot >= t->count)
		return;
	t->packets[slot].worker = worker;
	fp_mbuf_priv(m)->trace = (uint32_t)t->gen << 16 | (slot + 1);
}

void trace_record(const struct rte_node *node, void **objs, const rte_edge_t *nexts, uint16_t n);

/*
 * Control thread: a new trace of the next count packets (0: none), the old one freed once no
 * worker can be writing it; 0 or <0 with fp_error.
 */
int trace_publish(uint32_t count);

/*
 * What a node saw of a packet and where it sends it, as one line: set by the layer that knows
 * interfaces and headers (graphctl/trace_api.c). Without it a step says "-> next".
 */
typedef void (*trace_describe_fn)(
	char *buf, size_t size, const char *node, struct rte_mbuf *m, const char *next);
void trace_set_describe(trace_describe_fn fn);
