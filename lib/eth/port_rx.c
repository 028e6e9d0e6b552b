/* SPDX-License-Identifier: BSD-3-Clause */
#include "graph/graph.h"
#include "graph/worker.h"

#include <errno.h>

#include <rte_ethdev.h>

enum {
	PORT_RX_NEXT,
	PORT_RX_EDGES,
};

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

/* Polls every RX queue assigned to this worker, straight into ip4_fastpath's stream. */
static uint16_t port_rx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct worker *w = *(struct worker **)node->ctx;
	const struct rxq_list *rxqs = __atomic_load_n(&w->rxqs, __ATOMIC_ACQUIRE);
	uint16_t total = 0;

	(void)objs;
	(void)n;
	for (uint16_t i = 0; i < rxqs->n; i++) {
		void **stream = rte_node_next_stream_get(
			graph, node, PORT_RX_NEXT, PORT_RX_BURST);
		uint16_t got = rte_eth_rx_burst(rxqs->q[i].port_id, rxqs->q[i].queue_id,
			(struct rte_mbuf **)stream, PORT_RX_BURST);

		rte_node_next_stream_put(graph, node, PORT_RX_NEXT, got);
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
	.nb_edges = PORT_RX_EDGES,
	.next_nodes = {[PORT_RX_NEXT] = "ip4_fastpath"},
};
FP_NODE_REGISTER(port_rx_node)
