/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "base/module.h"
#include "eth_input.h"
#include "graph/graph.h"
#include "graph/worker.h"

#include <errno.h>

#include <rte_ethdev.h>

/* The RX entry of the highest priority (eth_input.h): set at start-up, read by the workers. */
static rte_edge_t port_rx_next = RTE_EDGE_ID_INVALID;

/*
 * Packets asked of a queue per poll. A graph walk then carries at most this many per
 * queue, whose headers and metadata stay in L1 from node to node; 256 would not.
 */
#define PORT_RX_BURST 64

static int port_rx_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(struct worker **)node->ctx = w;
	return 0;
}

/* Polls every RX queue assigned to this worker, straight into the RX entry's stream. */
static uint16_t port_rx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct worker *w = *(struct worker **)node->ctx;
	const struct rxq_list *rxqs = __atomic_load_n(&w->rxqs, __ATOMIC_ACQUIRE);
	uint16_t total = 0;

	(void)objs;
	(void)n;
	for (uint16_t i = 0; i < rxqs->n; i++) {
		void **stream = rte_node_next_stream_get(graph, node, port_rx_next, PORT_RX_BURST);
		uint16_t got = rte_eth_rx_burst(rxqs->q[i].port_id, rxqs->q[i].queue_id,
			(struct rte_mbuf **)stream, PORT_RX_BURST);

		rte_node_next_stream_put(graph, node, port_rx_next, got);
		total += got;
	}
	w->rx_last_walk = total;
	return total;
}

static struct rte_node_register port_rx_node = {
	.name = "port_rx",
	.flags = RTE_NODE_SOURCE_F,
	.init = port_rx_init,
	.process = port_rx_process,
};
FP_NODE_REGISTER(port_rx_node)

static int port_rx_entry_init(void)
{
	uint32_t best = 0;

	for (const struct fp_dispatch_entry *e = fp_dispatch_entries(); e != NULL; e = e->next)
		if (strcmp(e->from, "port_rx") == 0 &&
			(port_rx_next == RTE_EDGE_ID_INVALID || e->key > best)) {
			port_rx_next = e->edge;
			best = e->key;
		}
	if (port_rx_next == RTE_EDGE_ID_INVALID)
		return fp_error(ENOENT, "port_rx: no RX entry registered");
	return 0;
}

static struct fp_module port_rx_module = {
	.name = "port_rx",
	.order = 4, /* after the dispatch's edges (3) */
	.init = port_rx_entry_init,
};
FP_MODULE_REGISTER(port_rx_module)
