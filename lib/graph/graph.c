/* SPDX-License-Identifier: BSD-3-Clause */
#include "graph.h"
#include "base/counter.h"
#include "capture.h"
#include "mbuf.h"

#include <rte_mbuf.h>

static struct fp_node *nodes;

void fp_node_add(struct fp_node *n)
{
	n->next = nodes;
	nodes = n;
}

struct fp_node *fp_nodes(void)
{
	return nodes;
}

uint16_t fp_drop_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct capture *c = capture_active();

	(void)graph;
	for (uint16_t i = 0; unlikely(c != NULL) && i < n; i++)
		if (!(fp_mbuf_priv(objs[i])->flags & FP_MBUF_DROP_CAPTURED))
			capture_packet(c, objs[i], fp_mbuf_priv(objs[i])->iface_in, CAPTURE_DROP,
				node->name);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
	return n;
}

/*
 * A packet answered with an ICMP error is a drop of its own (show errors counts it under the
 * node's name): a drop capture takes it here, as it came, before icmp4_error or icmp6_error
 * turns it into the error, and once only (a rate-limited error drops it again).
 */
uint16_t fp_icmp_error_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct capture *c = capture_active();

	for (uint16_t i = 0; i < n; i++) {
		struct fp_mbuf_priv *priv = fp_mbuf_priv(objs[i]);

		if (unlikely(c != NULL)) {
			capture_packet(c, objs[i], priv->iface_in, CAPTURE_DROP, node->name);
			priv->flags |= FP_MBUF_DROP_CAPTURED;
		}
		priv->icmp_type = node->ctx[0];
		priv->icmp_code = node->ctx[1];
	}
	rte_node_next_stream_move(graph, node, 0);
	return n;
}

static struct fp_counter *counters;

void fp_counter_register(struct fp_counter *c)
{
	c->next = counters;
	counters = c;
}

struct fp_counter *fp_counters(void)
{
	return counters;
}
