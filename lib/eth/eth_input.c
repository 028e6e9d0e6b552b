/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/capture.h"
#include "infra/graph.h"
#include "infra/iface.h"
#include "infra/mbuf.h"
#include "infra/worker.h"

#include <errno.h>

#include <rte_ether.h>

enum {
	ETH_INPUT_IP4,
	ETH_INPUT_ARP,
	ETH_INPUT_NOT_FOR_US,
	ETH_INPUT_UNKNOWN_ETHERTYPE,
	ETH_INPUT_UNKNOWN_VLAN,
	ETH_INPUT_TRUNCATED,
	ETH_INPUT_NO_IFACE,
	ETH_INPUT_EDGES,
};

/* Ethertype demux; frames for another host (the kernel's PACKET_OTHERHOST) are dropped. */
static uint16_t eth_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	struct capture *capture = capture_active();
	struct trace_buf *trace = __atomic_load_n(&fp_trace, __ATOMIC_ACQUIRE);
	uint16_t worker = *(uint16_t *)node->ctx;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
		const struct rte_ether_hdr *eth;
		const struct iface *iface;
		uint16_t iface_id;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod((struct rte_mbuf *)objs[i + 1], void *));
		iface_id = fp_port_iface[m->port];
		iface = iface_get(iface_id);
		if (unlikely(iface == NULL)) {
			nexts[i] = ETH_INPUT_NO_IFACE;
			continue;
		}
		trace_mark(trace, m, worker);
		priv->iface_in = iface_id;
		if (unlikely(capture != NULL))
			capture_packet(capture, m, iface_id, CAPTURE_RX, NULL);
		priv->vrf = iface->vrf;
		priv->flags = 0;
		if (unlikely(m->data_len < sizeof(*eth))) {
			nexts[i] = ETH_INPUT_TRUNCATED;
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &iface->mac) &&
			     !rte_is_multicast_ether_addr(&eth->dst_addr))) {
			nexts[i] = ETH_INPUT_NOT_FOR_US;
			continue;
		}
		if (rte_is_multicast_ether_addr(&eth->dst_addr))
			priv->flags |= FP_MBUF_L2_MULTICAST;
		switch (eth->ether_type) {
		case RTE_BE16(RTE_ETHER_TYPE_IPV4):
			nexts[i] = ETH_INPUT_IP4;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_ARP):
			nexts[i] = ETH_INPUT_ARP;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_VLAN):
		case RTE_BE16(RTE_ETHER_TYPE_QINQ):
			nexts[i] = ETH_INPUT_UNKNOWN_VLAN;
			continue;
		default:
			nexts[i] = ETH_INPUT_UNKNOWN_ETHERTYPE;
			continue;
		}
		m->l2_len = sizeof(*eth);
		rte_pktmbuf_adj(m, sizeof(*eth));
		priv->flags |= FP_MBUF_AT_L3 | FP_MBUF_L2_KEPT;
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static int eth_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(uint16_t *)node->ctx = w->index; /* for the trace */
	return 0;
}

static struct rte_node_register eth_input_node = {
	.name = "eth_input",
	.init = eth_input_init,
	.process = eth_input_process,
	.nb_edges = ETH_INPUT_EDGES,
	.next_nodes =
		{
			[ETH_INPUT_IP4] = "ip4_input",
			[ETH_INPUT_ARP] = "arp_input",
			[ETH_INPUT_NOT_FOR_US] = "eth_not_for_us",
			[ETH_INPUT_UNKNOWN_ETHERTYPE] = "eth_unknown_ethertype",
			[ETH_INPUT_UNKNOWN_VLAN] = "eth_unknown_vlan",
			[ETH_INPUT_TRUNCATED] = "eth_truncated",
			[ETH_INPUT_NO_IFACE] = "eth_no_iface",
		},
};
FP_NODE_REGISTER(eth_input_node)
FP_DROP_NODE(eth_not_for_us)
FP_DROP_NODE(eth_unknown_ethertype)
FP_DROP_NODE(eth_unknown_vlan)
FP_DROP_NODE(eth_truncated)
FP_DROP_NODE(eth_no_iface)
