/* SPDX-License-Identifier: BSD-3-Clause */
/* The counters, the graph and the interfaces as the API shows them (stats.show, graph.show...). */
#include "api/api.h"
#include "base/fp_net.h"
#include "graph/graph.h"
#include "graph/punt.h"
#include "graph/worker.h"
#include "infra/iface.h"
#include "infra/port.h"
#include "infra/stats.h"
#include "ip4/addr.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_graph_worker.h>

/* Counters as of the last "clear stats": shown values are differences. */
static json_t *baseline;

static json_int_t since_clear(const char *kind, const char *name, const char *field, uint64_t value)
{
	json_t *b = json_object_get(json_object_get(json_object_get(baseline, kind), name), field);

	return (json_int_t)(value - (b ? (uint64_t)json_integer_value(b) : 0));
}

static void remember(
	json_t *snap, const char *kind, const char *name, const char *field, uint64_t value)
{
	json_t *k = json_object_get(snap, kind), *n;

	if (counter_kind_is_gauge(kind))
		return;
	if (k == NULL)
		json_object_set_new(snap, kind, k = json_object());
	if ((n = json_object_get(k, name)) == NULL)
		json_object_set_new(k, name, n = json_object());
	json_object_set_new(n, field, json_integer((json_int_t)value));
}

/*
 * {"ports": [{"name": .., field: ..}], "drops": [{"reason": .., "packets": ..}], "nodes": [..],
 *  "mempools": [{"name": .., "size": .., "in_use": .., "free": ..}]}: counters since the last
 * clear, gauges as they are; and "punt", the punt ring now (punt_stats_json())
 */
static void add_to_result(
	json_t *out, const char *kind, const char *name, const char *field, uint64_t value)
{
	json_t *list = json_object_get(out, kind), *last;
	const char *id_key = strcmp(kind, "drops") == 0 ? "reason" : "name";

	last = json_array_get(list, json_array_size(list) - 1);
	if (last == NULL || strcmp(json_string_value(json_object_get(last, id_key)), name) != 0) {
		last = json_pack("{s:s}", id_key, name);
		json_array_append_new(list, last);
	}
	json_object_set_new(last, field,
		json_integer(counter_kind_is_gauge(kind) ? (json_int_t)value
							 : since_clear(kind, name, field, value)));
}

static int api_stats_show(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:[], s:[], s:[], s:[]}", "ports", "drops", "nodes", "mempools");
	counters_walk(add_to_result, *result);
	json_object_set_new(*result, "punt", punt_stats_json());
	return 0;
}

/* Visits every node of every worker's graph. */
static void worker_nodes_walk(
	void (*cb)(json_t *out, uint16_t worker, const struct rte_node *node), json_t *out)
{
	for (uint16_t w = 0; w < fp_n_workers; w++) {
		struct rte_graph *graph = fp_workers[w].graph;
		struct rte_node *node;
		rte_graph_off_t off;
		rte_node_t count;

		if (graph != NULL)
			rte_graph_foreach_node(count, off, graph, node) cb(out, w, node);
	}
}

static void runtime_key(char *key, size_t size, uint16_t worker, const char *node)
{
	snprintf(key, size, "%u/%s", worker, node);
}

static void remember_runtime(json_t *snap, uint16_t worker, const struct rte_node *node)
{
	char key[RTE_NODE_NAMESIZE + 8];

	runtime_key(key, sizeof(key), worker, node->name);
	remember(snap, "runtime", key, "calls", node->total_calls);
	remember(snap, "runtime", key, "packets", node->total_objs);
	remember(snap, "runtime", key, "cycles", node->total_cycles);
}

/* {"workers": [{"worker": 0, "lcore": 1, "nodes": [{"name", "calls", "packets", "cycles"}]}]} */
static void add_runtime(json_t *workers, uint16_t worker, const struct rte_node *node)
{
	json_t *w = json_array_get(workers, worker), *o;
	char key[RTE_NODE_NAMESIZE + 8];

	if (w == NULL) {
		w = json_pack("{s:i, s:i, s:[]}", "worker", worker, "lcore",
			fp_workers[worker].lcore_id, "nodes");
		json_array_append_new(workers, w);
	}
	runtime_key(key, sizeof(key), worker, node->name);
	o = json_pack("{s:s, s:I, s:I, s:I}", "name", node->name, "calls",
		since_clear("runtime", key, "calls", node->total_calls), "packets",
		since_clear("runtime", key, "packets", node->total_objs), "cycles",
		since_clear("runtime", key, "cycles", node->total_cycles));
	json_array_append_new(json_object_get(w, "nodes"), o);
}

static int api_runtime_show(const json_t *args, json_t **result)
{
	json_t *workers = json_array();

	(void)args;
	worker_nodes_walk(add_runtime, workers);
	*result = json_pack("{s:o}", "workers", workers);
	return 0;
}

static const struct fp_node *fp_node_find(const char *name)
{
	for (const struct fp_node *n = fp_nodes(); n != NULL; n = n->next)
		if (strcmp(n->reg->name, name) == 0)
			return n;
	return NULL;
}

/* The graph as the workers run it (every worker has the same): nodes and their edges. */
static void add_graph_node(json_t *nodes, uint16_t worker, const struct rte_node *node)
{
	const struct fp_node *fn = fp_node_find(node->name);
	json_t *edges;

	if (worker != 0)
		return;
	edges = json_array();
	for (rte_edge_t e = 0; e < node->nb_edges; e++)
		json_array_append_new(edges, json_string(node->nodes[e]->name));
	json_array_append_new(nodes, json_pack("{s:s, s:o, s:b, s:b}", "name", node->name, "edges",
					     edges, "drop", fn != NULL && fn->drop, "source",
					     fn != NULL && (fn->reg->flags & RTE_NODE_SOURCE_F)));
}

static int api_graph_show(const json_t *args, json_t **result)
{
	json_t *nodes = json_array();

	(void)args;
	worker_nodes_walk(add_graph_node, nodes);
	*result = json_pack("{s:o}", "nodes", nodes);
	return 0;
}

static int api_stats_clear(const json_t *args, json_t **result)
{
	json_t *snap = json_object();

	(void)args;
	(void)result;
	counters_walk(remember, snap);
	worker_nodes_walk(remember_runtime, snap);
	json_decref(baseline);
	baseline = snap;
	return 0;
}

static int append_addr(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	char pfx[FP_IP4_PREFIXSTRLEN];
	json_t *o = arg;

	if (iface == json_integer_value(json_object_get(o, "id")))
		json_array_append_new(
			json_object_get(o, "addresses"), json_string(fp_ip4_prefix_fmt(a, pfx)));
	return 0;
}

static int api_iface_list(const json_t *args, json_t **result)
{
	json_t *list = json_array();

	(void)args;
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct iface *iface = fp_ifaces[i];
		const struct port_conf *conf;
		struct rte_eth_link link = {0};
		char mac[FP_MAC_STRLEN];
		json_t *o;

		if (iface == NULL)
			continue;
		conf = port_conf_of(iface);
		port_link_get(iface, &link);
		o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:b, s:b, s:i, s:b, s:i, s:i, s:i, s:[]}",
			"id", iface->id, "name", iface->name, "driver",
			conf ? conf->driver->name : "", "mac",
			fp_mac_fmt((const struct fp_mac *)&iface->mac, mac), "mtu", iface->mtu,
			"admin_up", iface->admin_up, "link_up", link.link_status == RTE_ETH_LINK_UP,
			"speed_mbps", link.link_speed, "promisc",
			rte_eth_promiscuous_get(iface->port_id) == 1, "rxqs",
			conf ? conf->rx_queues : 0, "txqs", fp_n_workers, "vrf", iface->vrf,
			"addresses");
		ip4_addr_walk(append_addr, o);
		json_array_append_new(list, o);
	}
	*result = json_pack("{s:o}", "interfaces", list);
	return 0;
}

API_COMMAND(stats_show_cmd, "stats.show",
	"port, node and drop counters, objects in use per mempool", api_stats_show, API_NO_ARGS)
API_COMMAND(stats_clear_cmd, "stats.clear", "zero the counters shown by stats.show",
	api_stats_clear, API_NO_ARGS)
API_COMMAND(runtime_show_cmd, "runtime.show",
	"per worker and node: calls, packets and cycles since the last stats.clear",
	api_runtime_show, API_NO_ARGS)
API_COMMAND(graph_show_cmd, "graph.show", "the worker graph: nodes and their edges", api_graph_show,
	API_NO_ARGS)
API_COMMAND(iface_list_cmd, "iface.list", "list the interfaces", api_iface_list, API_NO_ARGS)
