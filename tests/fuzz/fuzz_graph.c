/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbitrary frames into the worker graph of a daemon with three interfaces (IPv4 and IPv6
 * addresses, routes with and without ECMP, blackhole, unreachable and prohibit routes, no
 * default route, neighbours resolved and not, twins off, MTU 1280 on p2), then the punted packets
 * through their control-thread handlers (ARP, NDP, neighbour resolution) and what those send back
 * through the graph. Every mbuf must come back: at the end of each input the pool's use is its
 * baseline plus the packets held for resolution, else the target aborts.
 *
 * Input: one flags byte, then frames, each a 16-bit big-endian word (ingress port in the top
 * 2 bits, modulo 3; length in the low 12) and its bytes; the last frame takes what remains when
 * its length does not fit. Flags: bit 0 traces the input's packets (trace.add), bits 1-2 are
 * the RX checksum flags a NIC would set (unknown, bad, good, none), bit 3 runs the neighbour
 * timers 5 s ahead once the frames are in (age()). FUZZ_GRAPH_TRACE set in the
 * environment traces every input and prints the trace.
 */
#include "fuzz_env.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "graph/graph.h"
#include "infra/iface.h"
#include "infra/port.h"
#include "graph/worker.h"
#include "ip6/addr6.h"
#include "neigh/neigh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#define MAX_FRAMES 32
#define N_PORTS	   3
/* walks and control loop rounds after which an input's packets must all be gone */
#define MAX_ROUNDS 64
/* how far ahead flag bit 3 runs the neighbour timers: past a resolution's 3 probes */
#define AGE_SECONDS 5

static const char config[] =
	"{"
	"\"twins\": {\"enabled\": false},"
	"\"ports\": ["
	" {\"name\": \"p0\", \"driver\": \"null\", \"no_rx\": true, \"mac\": "
	"\"02:00:00:00:00:10\"},"
	" {\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true, \"mac\": "
	"\"02:00:00:00:00:11\"},"
	" {\"name\": \"p2\", \"driver\": \"null\", \"no_rx\": true, \"mac\": \"02:00:00:00:00:12\","
	"  \"mtu\": 1280}],"
	"\"addresses\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.1/24\"},"
	" {\"iface\": \"p0\", \"address\": \"2001:db8::1/64\"},"
	" {\"iface\": \"p1\", \"address\": \"198.51.100.1/24\"},"
	" {\"iface\": \"p1\", \"address\": \"2001:db8:1::1/64\"},"
	" {\"iface\": \"p2\", \"address\": \"203.0.113.1/24\"},"
	" {\"iface\": \"p2\", \"address\": \"2001:db8:2::1/64\"}],"
	"\"routes\": ["
	" {\"prefix\": \"198.18.0.0/15\", \"via\": \"198.51.100.254\"},"
	" {\"prefix\": \"10.1.0.0/16\", \"via\": [\"192.0.2.2\", \"198.51.100.2\"]},"
	" {\"prefix\": \"10.2.0.0/16\", \"via\": \"203.0.113.2\"},"
	" {\"prefix\": \"10.3.0.0/16\", \"via\": \"192.0.2.9\"},"
	" {\"prefix\": \"10.66.0.0/16\", \"type\": \"blackhole\"},"
	" {\"prefix\": \"10.67.0.0/16\", \"type\": \"unreachable\"},"
	" {\"prefix\": \"10.68.0.0/16\", \"type\": \"prohibit\"},"
	" {\"prefix\": \"2001:db8:100::/40\", \"via\": \"2001:db8:1::fe\"},"
	" {\"prefix\": \"2001:db8:10::/48\", \"via\": [\"2001:db8::2\", \"2001:db8:1::2\"]},"
	" {\"prefix\": \"2001:db8:20::/48\", \"via\": \"2001:db8:2::2\"},"
	" {\"prefix\": \"2001:db8:30::/48\", \"via\": \"fe80::9\", \"dev\": \"p0\"},"
	" {\"prefix\": \"2001:db8:66::/48\", \"type\": \"blackhole\"},"
	" {\"prefix\": \"2001:db8:67::/48\", \"type\": \"unreachable\"},"
	" {\"prefix\": \"2001:db8:68::/48\", \"type\": \"prohibit\"}],"
	"\"fib\": {\"ipv6_max_routes\": 1024},"
	"\"neighbours\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.2\", \"mac\": \"02:00:00:00:01:02\"},"
	" {\"iface\": \"p1\", \"address\": \"198.51.100.2\", \"mac\": \"02:00:00:00:02:02\"},"
	" {\"iface\": \"p1\", \"address\": \"198.51.100.254\", \"mac\": \"02:00:00:00:02:fe\"},"
	" {\"iface\": \"p0\", \"address\": \"2001:db8::2\", \"mac\": \"02:00:00:00:01:02\"},"
	" {\"iface\": \"p1\", \"address\": \"2001:db8:1::2\", \"mac\": \"02:00:00:00:02:02\"},"
	" {\"iface\": \"p1\", \"address\": \"2001:db8:1::fe\", \"mac\": \"02:00:00:00:02:fe\"}],"
	"\"router_advertisements\": [{\"iface\": \"p0\", \"interval\": 4}]"
	"}";

static struct rte_graph *graph;
static struct rte_ring *punt_ring;
static struct rte_mempool *pool;
static uint16_t ports[N_PORTS];
static unsigned int baseline;
static struct rte_mbuf *rx[MAX_FRAMES];
static uint16_t rx_n;

/* The ports' RX as a source node: this input's frames, once. */
static uint16_t fuzz_rx_process(struct rte_graph *g, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t got = rx_n;

	(void)objs;
	(void)n;
	if (got > 0)
		rte_node_enqueue(g, node, 0, (void **)rx, got);
	rx_n = 0;
	return got;
}

static struct rte_node_register fuzz_rx_node = {
	.name = "fuzz_rx",
	.flags = RTE_NODE_SOURCE_F,
	.process = fuzz_rx_process,
	.nb_edges = 1,
	.next_nodes = {"ip4_fastpath"}, /* port_rx's successor */
};
RTE_NODE_REGISTER(fuzz_rx_node);

/* The worker's graph as workers_start() builds it, plus fuzz_rx, walked by this thread. */
static struct rte_graph *graph_create(void)
{
	const char *patterns[256];
	uint16_t n = 0;
	struct rte_graph_param prm = {.socket_id = SOCKET_ID_ANY};

	for (struct fp_node *node = fp_nodes(); node != NULL && n < RTE_DIM(patterns) - 1;
		node = node->next)
		patterns[n++] = node->reg->name;
	patterns[n++] = fuzz_rx_node.name;
	prm.node_patterns = patterns;
	prm.nb_node_patterns = n;
	/* graphs are named after their worker (worker_of_graph()) */
	if (rte_graph_create("worker0", &prm) == RTE_GRAPH_ID_INVALID) {
		fprintf(stderr, "fuzz_graph: graph: %s\n", rte_strerror(rte_errno));
		abort();
	}
	return rte_graph_lookup("worker0");
}

/*
 * The packets each node got from an input, as libFuzzer's extra coverage counters (zeroed by
 * libFuzzer before each input): drop reasons and ICMP errors are nodes that run one shared
 * function, so that the code's coverage alone cannot tell them apart, nor keep in the corpus
 * an input for each.
 */
static uint8_t node_counters[256] __attribute__((section("__libfuzzer_extra_counters")));
static uint64_t node_objs[RTE_DIM(node_counters)];

static void count_nodes(void)
{
	struct rte_node *node;
	rte_graph_off_t off;
	rte_node_t count;

	rte_graph_foreach_node(count, off, graph, node)
	{
		uint64_t got = node->total_objs - node_objs[node->id % RTE_DIM(node_objs)];

		node_objs[node->id % RTE_DIM(node_objs)] = node->total_objs;
		/* reached or not: counts too would keep an input per count in the corpus */
		node_counters[node->id % RTE_DIM(node_counters)] = got > 0;
	}
}

/*
 * Walks and runs the control loop until no packet is left in flight: a walk ends with every
 * node's stream processed, so what remains is in the punt ring (the control loop drains it once
 * told) or in the worker's inject ring (the next walk takes it).
 */
static void settle(void)
{
	for (int i = 0; i < MAX_ROUNDS; i++) {
		rte_graph_walk(graph);
		control_poll();
		if (rte_ring_empty(punt_ring) && rte_ring_empty(fp_workers[0].inject))
			return;
	}
	fprintf(stderr, "fuzz_graph: packets still in flight after %d rounds\n", MAX_ROUNDS);
	abort();
}

static int add_held(const struct neigh *n, void *arg)
{
	*(unsigned int *)arg += n->held_count;
	return 0;
}

/* Aborts unless every mbuf is back in the pool or held for a neighbour's resolution. */
static void check_mbufs(const char *when)
{
	unsigned int held = 0, in_use = rte_mempool_in_use_count(pool);

	neigh_walk(add_held, &held);
	if (in_use != baseline + held) {
		fprintf(stderr, "fuzz_graph: mbuf leak %s: %u in use, %u expected (%u held)\n",
			when, in_use, baseline + held, held);
		abort();
	}
}

/*
 * The neighbour timers of the next seconds, at once: probes, resolutions that fail (held
 * packets turn into host unreachable errors), REACHABLE -> STALE. The entries go at the
 * input's end, so that the clock they saw running ahead misleads no later input.
 */
static void age(void)
{
	int64_t now = control_now_ms();

	for (int s = 1; s <= AGE_SECONDS; s++) {
		neigh_periodic(now + s * 1000);
		settle();
	}
}

struct keys {
	unsigned int n;
	struct neigh_key k[64];
};

static int add_dynamic(const struct neigh *n, void *arg)
{
	struct keys *keys = arg;

	if (n->sm.state != NEIGH_PERMANENT && keys->n < RTE_DIM(keys->k))
		keys->k[keys->n++] = n->key;
	return 0;
}

/* Forgets what the input taught the neighbour table, so that inputs replay alike. */
static void reset(void)
{
	struct keys keys = {0};

	neigh_walk(add_dynamic, &keys);
	for (unsigned int i = 0; i < keys.n; i++)
		neigh_del_key(&keys.k[i]);
	settle();
}

/* With FUZZ_GRAPH_NODES set, the nodes no packet reached, at exit: what the corpus misses
 * (port_rx, whose queues fuzz_rx stands for, is one). */
static void print_unvisited(void)
{
	struct rte_node *node;
	rte_graph_off_t off;
	rte_node_t count;
	unsigned int n = 0;

	rte_graph_foreach_node(count, off, graph, node) if (node->total_objs == 0)
	{
		printf("%s%s", n++ ? " " : "nodes no packet reached: ", node->name);
	}
	printf("%s\n", n ? "" : "every node was reached");
}

static bool tentative(void)
{
	for (int i = 0; i < FP_MAX_IFACES; i++) {
		const struct ip6_iface_addrs *as = ip6_iface_addrs(i);

		for (unsigned int k = 0; as != NULL && k < as->n; k++)
			if (as->a[k].state == IP6_ADDR_TENTATIVE)
				return true;
	}
	return false;
}

/* Runs the loop until DAD made every IPv6 address ours (2 s at most), so that the inputs find
 * the same state whenever they come. */
static void wait_dad(void)
{
	for (int i = 0; i < 400 && tentative(); i++) {
		usleep(10000);
		settle();
	}
	if (tentative()) {
		fprintf(stderr, "fuzz_graph: IPv6 addresses still tentative\n");
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[N_PORTS] = {"p0", "p1", "p2"};

	(void)argc;
	(void)argv;
	fuzz_env_start("fuzz_graph", config);
	graph = graph_create();
	fp_workers[0].graph = graph; /* as workers_start() does, for the node statistics */
	if (getenv("FUZZ_GRAPH_NODES") != NULL)
		atexit(print_unvisited);
	for (int i = 0; i < N_PORTS; i++)
		ports[i] = iface_by_name(names[i])->port_id;
	pool = port_mempool(SOCKET_ID_ANY);
	punt_ring = rte_ring_lookup("punt"); /* lib/graph/punt.c's */
	if (punt_ring == NULL) {
		fprintf(stderr, "fuzz_graph: no punt ring\n");
		abort();
	}
	wait_dad();
	baseline = rte_mempool_in_use_count(pool);
	count_nodes();
	return 0;
}

static void trace(bool on)
{
	json_t *args = on ? json_pack("{s:i}", "count", MAX_FRAMES) : json_object(), *result;

	if (fuzz_api_call(on ? "trace.add" : "trace.clear", args, &result) < 0) {
		fprintf(stderr, "fuzz_graph: trace: %s\n", fp_errmsg());
		abort();
	}
	json_decref(result);
	json_decref(args);
}

/* The traced packets, node by node; printed with FUZZ_GRAPH_TRACE set. */
static void trace_show(void)
{
	json_t *args = json_object(), *result;

	if (fuzz_api_call("trace.show", args, &result) == 0 && getenv("FUZZ_GRAPH_TRACE"))
		json_dumpf(result, stdout, JSON_INDENT(1));
	json_decref(result);
	json_decref(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t cksum[] = {RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_NONE};
	uint8_t flags;
	bool traced;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	while (size > 0 && rx_n < MAX_FRAMES) {
		uint16_t word = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
		size_t len = word & 0xfff, skip = size >= 2 ? 2 : size;
		struct rte_mbuf *m;
		char *p;

		if (len > size - skip || len == 0)
			len = size - skip;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			abort(); /* the pool is several times what an input can hold */
		len = RTE_MIN(len, (size_t)rte_pktmbuf_tailroom(m));
		p = rte_pktmbuf_append(m, len);
		memcpy(p, data + skip, len);
		/* what a PMD sets; the private area keeps what the mbuf's last use left there */
		m->port = ports[(word >> 14) % N_PORTS];
		m->ol_flags = cksum[(flags >> 1) & 3];
		m->packet_type = 0;
		rx[rx_n++] = m;
		data += skip + len;
		size -= skip + len;
		if (len == 0)
			break;
	}
	traced = (flags & 1) || getenv("FUZZ_GRAPH_TRACE") != NULL;
	if (traced)
		trace(true);
	settle();
	if (flags & 8)
		age();
	if (traced) {
		trace_show();
		trace(false);
	}
	check_mbufs("after the input");
	reset();
	check_mbufs("after the neighbours' reset");
	count_nodes();
	return 0;
}
