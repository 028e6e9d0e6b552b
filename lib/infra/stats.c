/* SPDX-License-Identifier: BSD-3-Clause */
/* Every counter of the daemon, walked: the API (infractl/stats_api.c) and telemetry show them. */
#include "stats.h"
#include "base/counter.h"
#include "graph/graph.h"
#include "graph/worker.h"
#include "iface.h"
#include "port.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_graph_worker.h>
#include <rte_mempool.h>

struct node_totals {
	uint64_t calls, objs, cycles;
};

static struct node_totals node_totals(const char *name)
{
	struct node_totals t = {0};

	for (uint16_t w = 0; w < fp_n_workers; w++) {
		struct rte_graph *graph = fp_workers[w].graph;
		struct rte_node *node;
		rte_graph_off_t off;
		rte_node_t count;

		if (graph == NULL)
			continue;
		rte_graph_foreach_node(count, off, graph, node)
		{
			if (strcmp(node->name, name) != 0)
				continue;
			t.calls += __atomic_load_n(&node->total_calls, __ATOMIC_RELAXED);
			t.objs += __atomic_load_n(&node->total_objs, __ATOMIC_RELAXED);
			t.cycles += __atomic_load_n(&node->total_cycles, __ATOMIC_RELAXED);
		}
	}
	return t;
}

struct walk_args {
	counter_cb cb;
	json_t *out;
};

/* free counts the per-lcore caches too: only what a packet, a ring or a queue holds is in use */
static void mempool_gauges(struct rte_mempool *mp, void *arg)
{
	const struct walk_args *w = arg;
	unsigned int in_use = rte_mempool_in_use_count(mp);

	/* from one reading, so that in_use + free is the size */
	w->cb(w->out, "mempools", mp->name, "size", mp->size);
	w->cb(w->out, "mempools", mp->name, "in_use", in_use);
	w->cb(w->out, "mempools", mp->name, "free", mp->size - in_use);
}

bool counter_kind_is_gauge(const char *kind)
{
	return strcmp(kind, "mempools") == 0;
}

void counters_walk(counter_cb cb, json_t *out)
{
	struct walk_args w = {cb, out};

	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct iface *iface = fp_ifaces[i];
		const struct port_conf *conf;
		struct rte_eth_stats st;

		if (iface == NULL || iface->port_id >= RTE_MAX_ETHPORTS ||
			rte_eth_stats_get(iface->port_id, &st) < 0)
			continue;
		cb(out, "ports", iface->name, "rx_packets", st.ipackets);
		cb(out, "ports", iface->name, "rx_bytes", st.ibytes);
		cb(out, "ports", iface->name, "rx_missed", st.imissed);
		cb(out, "ports", iface->name, "rx_errors", st.ierrors);
		cb(out, "ports", iface->name, "rx_nombuf", st.rx_nombuf);
		cb(out, "ports", iface->name, "tx_packets", st.opackets);
		cb(out, "ports", iface->name, "tx_bytes", st.obytes);
		cb(out, "ports", iface->name, "tx_errors", st.oerrors);
		conf = port_conf_of(iface);
		if (conf != NULL && conf->driver->counters != NULL)
			conf->driver->counters(conf, cb, out);
	}
	for (struct fp_node *n = fp_nodes(); n != NULL; n = n->next) {
		struct node_totals t = node_totals(n->reg->name);

		if (n->drop) {
			cb(out, "drops", n->reg->name, "packets", t.objs);
			continue;
		}
		cb(out, "nodes", n->reg->name, "calls", t.calls);
		cb(out, "nodes", n->reg->name, "packets", t.objs);
		cb(out, "nodes", n->reg->name, "cycles", t.cycles);
	}
	for (struct fp_counter *c = fp_counters(); c != NULL; c = c->next)
		cb(out, "drops", c->name, "packets", c->value);
	rte_mempool_walk(mempool_gauges, &w);
}
