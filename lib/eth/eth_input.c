/* SPDX-License-Identifier: BSD-3-Clause */
#include "eth_input.h"
#include "base/fp_error.h"
#include "base/module.h"
#include "graph/capture.h"
#include "graph/graph.h"
#include "graph/mbuf.h"
#include "graph/worker.h"
#include "infra/iface.h"

#include <errno.h>

#include <rte_ether.h>

enum {
	ETH_INPUT_NOT_FOR_US,
	ETH_INPUT_UNKNOWN_ETHERTYPE,
	ETH_INPUT_UNKNOWN_VLAN,
	ETH_INPUT_TRUNCATED,
	ETH_INPUT_NO_IFACE,
	ETH_INPUT_EDGES,
};

/* The registered ethertypes (eth_input.h), by value: IPv4 (0x0800), the most common, first. */
#define ETH_TYPES_MAX 8
static struct eth_type {
	rte_be16_t type;
	rte_edge_t edge;
} eth_types[ETH_TYPES_MAX] = {{RTE_BE16(0xffff), ETH_INPUT_UNKNOWN_ETHERTYPE}}; /* reserved type */
static unsigned int n_eth_types;

/* The ethertypes after the first, which eth_classify() compares itself. */
static __rte_noinline rte_edge_t eth_type_other(rte_be16_t type)
{
	for (unsigned int i = 1; i < n_eth_types; i++)
		if (eth_types[i].type == type)
			return eth_types[i].edge;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
		return ETH_INPUT_UNKNOWN_VLAN;
	return ETH_INPUT_UNKNOWN_ETHERTYPE;
}

/* Ethertype demux; frames for another host (the kernel's PACKET_OTHERHOST) are dropped. */
static inline rte_edge_t eth_classify(
	struct rte_mbuf *m, struct fp_mbuf_priv *priv, const struct iface *iface)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	rte_edge_t next;

	if (unlikely(m->data_len < sizeof(*eth)))
		return ETH_INPUT_TRUNCATED;
	if (unlikely(rte_is_multicast_ether_addr(&eth->dst_addr)))
		priv->flags = FP_MBUF_L2_MULTICAST;
	else if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &iface->mac)))
		return ETH_INPUT_NOT_FOR_US;
	/* the first (IPv4) read where it is: an operand of the compare, no register held */
	if (likely(eth->ether_type == eth_types[0].type))
		next = eth_types[0].edge;
	else if ((next = eth_type_other(eth->ether_type)) < ETH_INPUT_EDGES)
		return next;
	/* rte_pktmbuf_adj() without its checks, done above */
	m->data_off += sizeof(*eth);
	m->data_len -= sizeof(*eth);
	m->pkt_len -= sizeof(*eth);
	priv->flags |= FP_MBUF_AT_L3 | FP_MBUF_L2_KEPT;
	return next;
}

static uint16_t eth_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	struct capture *capture = capture_active();
	struct trace_buf *trace = __atomic_load_n(&fp_trace, __ATOMIC_ACQUIRE);
	uint16_t worker = *(uint16_t *)node->ctx;
	const struct iface *iface = NULL;
	uint16_t port = UINT16_MAX;
	uint64_t priv_head = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

		fp_mbuf_prefetch_ahead(objs, i, n);
		/* a burst comes from one queue: look the interface up once per run of a port */
		if (unlikely(m->port != port)) {
			port = m->port;
			iface = iface_get(fp_port_iface[port]);
			if (iface != NULL)
				priv_head = iface_rx_priv_head(iface);
		}
		if (unlikely(iface == NULL)) {
			nexts[i] = ETH_INPUT_NO_IFACE;
			continue;
		}
		priv->head = priv_head;
		trace_mark(trace, m, worker);
		if (unlikely(capture != NULL))
			capture_packet(capture, m, iface->id, CAPTURE_RX, NULL);
		nexts[i] = eth_classify(m, priv, iface);
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

ETH_RX_ENTRY_REGISTER(eth_rx_entry, "eth_input", 0)

/* The ethertypes' table, from their registrations (after the dispatch set-up). */
static int eth_types_init(void)
{
	n_eth_types = 0;
	for (const struct fp_dispatch_entry *e = fp_dispatch_entries(); e != NULL; e = e->next) {
		unsigned int i;

		if (strcmp(e->from, "eth_input") != 0)
			continue;
		if (n_eth_types == ETH_TYPES_MAX)
			return fp_error(
				ENOSPC, "eth_input: more than %d ethertypes", ETH_TYPES_MAX);
		for (i = 0; i < n_eth_types; i++)
			if (rte_be_to_cpu_16(eth_types[i].type) == e->key)
				return fp_error(EEXIST,
					"eth_input: ethertype 0x%04x registered twice", e->key);
		for (i = n_eth_types; i > 0 && rte_be_to_cpu_16(eth_types[i - 1].type) > e->key;
			i--)
			eth_types[i] = eth_types[i - 1];
		eth_types[i] = (struct eth_type){rte_cpu_to_be_16(e->key), e->edge};
		n_eth_types++;
	}
	return 0;
}

static struct fp_module eth_types_module = {
	.name = "eth_types",
	.order = 4, /* after the dispatch's edges (3) */
	.init = eth_types_init,
};
FP_MODULE_REGISTER(eth_types_module)
