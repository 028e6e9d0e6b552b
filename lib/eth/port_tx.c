/* SPDX-License-Identifier: BSD-3-Clause */
#include "graph/capture.h"
#include "graph/graph.h"
#include "infra/iface.h"
#include "graph/mbuf.h"
#include "graph/worker.h"

#include <errno.h>

#include <rte_ethdev.h>

enum {
	PORT_TX_FULL,
	PORT_TX_NO_IFACE,
	PORT_TX_DOWN,
	PORT_TX_EDGES,
};

static int port_tx_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(uint16_t *)node->ctx = w->index; /* this worker's TX queue on every port */
	return 0;
}

/* Complete frames out of the port of priv->iface_out; runs for the same interface in one burst. */
static uint16_t port_tx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **mbufs = (struct rte_mbuf **)objs;
	uint16_t txq = *(uint16_t *)node->ctx;
	struct capture *capture = capture_active();
	uint16_t start = 0;

	while (start < n) {
		uint16_t iface_out = fp_mbuf_priv(mbufs[start])->iface_out, end = start + 1, sent;
		const struct iface *iface;

		while (end < n && fp_mbuf_priv(mbufs[end])->iface_out == iface_out)
			end++;
		iface = iface_get(iface_out);
		if (unlikely(iface == NULL)) {
			rte_node_enqueue(graph, node, PORT_TX_NO_IFACE, &objs[start], end - start);
		} else if (unlikely(!iface->admin_up)) {
			/* ip link set down: nothing leaves, as from Linux's */
			rte_node_enqueue(graph, node, PORT_TX_DOWN, &objs[start], end - start);
		} else {
			for (uint16_t i = start; unlikely(capture != NULL) && i < end; i++)
				capture_packet(capture, mbufs[i], fp_mbuf_priv(mbufs[i])->iface_out,
					CAPTURE_TX, NULL);
			sent = rte_eth_tx_burst(iface->port_id, txq, &mbufs[start], end - start);
			if (unlikely(sent < end - start))
				rte_node_enqueue(graph, node, PORT_TX_FULL, &objs[start + sent],
					end - start - sent);
		}
		start = end;
	}
	return n;
}

static struct rte_node_register port_tx_node = {
	.name = "port_tx",
	.init = port_tx_init,
	.process = port_tx_process,
	.nb_edges = PORT_TX_EDGES,
	.next_nodes =
		{
			[PORT_TX_FULL] = "port_tx_full",
			[PORT_TX_NO_IFACE] = "port_tx_no_iface",
			[PORT_TX_DOWN] = "port_tx_iface_down",
		},
};
FP_NODE_REGISTER(port_tx_node)
FP_DROP_NODE(port_tx_full)
FP_DROP_NODE(port_tx_no_iface)
FP_DROP_NODE(port_tx_iface_down)
