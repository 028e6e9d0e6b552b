/* SPDX-License-Identifier: BSD-3-Clause */
#include "punt.h"
#include "control.h"
#include "fp_error.h"
#include "graph.h"
#include "log.h"
#include "mbuf.h"
#include "module.h"
#include "worker.h"

#include <errno.h>

#include <rte_errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define PUNT_RING_SIZE 8192
#define MAX_REASONS    32

static struct rte_ring *punt_ring;
static int punt_eventfd = -1;
static struct {
	const char *name;
	punt_handler_fn fn;
} reasons[MAX_REASONS];
static unsigned int n_reasons;

enum {
	CONTROL_OUTPUT_RING_FULL,
	CONTROL_OUTPUT_EDGES,
};

static uint16_t control_output_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	unsigned int was_empty = rte_ring_empty(punt_ring);
	unsigned int sent = rte_ring_mp_enqueue_burst(punt_ring, objs, n, NULL);

	/* wake the control thread only when the ring stops being empty: punts are rare, and the
	 * thread drains everything once awake */
	if (sent > 0 && was_empty)
		eventfd_write(punt_eventfd, 1);
	if (sent < n)
		rte_node_enqueue(graph, node, CONTROL_OUTPUT_RING_FULL, &objs[sent], n - sent);
	return n;
}

static struct rte_node_register control_output_node = {
	.name = PUNT_NODE,
	.process = control_output_process,
	.nb_edges = CONTROL_OUTPUT_EDGES,
	.next_nodes = {[CONTROL_OUTPUT_RING_FULL] = "control_ring_full"},
};
FP_NODE_REGISTER(control_output_node)
FP_DROP_NODE(control_ring_full)

static int control_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct worker *w = worker_of_graph(graph);

	if (w == NULL)
		return -EINVAL;
	*(struct worker **)node->ctx = w;
	return 0;
}

static uint16_t control_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct worker *w = *(struct worker **)node->ctx;
	struct rte_mbuf *mbufs[RTE_GRAPH_BURST_SIZE];

	(void)objs;
	n = rte_ring_sc_dequeue_burst(w->inject, (void **)mbufs, RTE_GRAPH_BURST_SIZE, NULL);
	for (uint16_t i = 0; i < n; i++)
		rte_node_enqueue_x1(graph, node, fp_mbuf_priv(mbufs[i])->inject_edge, mbufs[i]);
	return n;
}

static struct rte_node_register control_input_node = {
	.name = "control_input",
	.flags = RTE_NODE_SOURCE_F,
	.init = control_input_init,
	.process = control_input_process,
	.nb_edges = 1,
	.next_nodes = {"control_ring_full"},
};
FP_NODE_REGISTER(control_input_node)

int punt_reason_register(const char *name, punt_handler_fn fn)
{
	if (n_reasons == MAX_REASONS)
		return fp_error(ENOSPC, "too many punt reasons (%s)", name);
	reasons[n_reasons].name = name;
	reasons[n_reasons].fn = fn;
	return n_reasons++;
}

int punt_inject_edge(const char *node_name)
{
	rte_node_t id = rte_node_from_name("control_input");
	rte_edge_t edge = rte_node_edge_count(id);
	const char *names[] = {node_name};

	if (rte_node_edge_update(id, edge, names, 1) != 1)
		return fp_error(EINVAL, "cannot add edge control_input -> %s", node_name);
	return edge;
}

int punt_inject(struct rte_mbuf *m, uint8_t edge)
{
	fp_mbuf_priv(m)->inject_edge = edge;
	if (fp_n_workers == 0 || rte_ring_sp_enqueue(fp_workers[0].inject, m) < 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static void punt_drain(int fd, uint32_t events, void *arg)
{
	struct rte_mbuf *mbufs[64];
	eventfd_t value;
	unsigned int n;

	(void)events;
	(void)arg;
	eventfd_read(fd, &value);
	/* read the eventfd first: a punt racing with this drain rings it again */
	while ((n = rte_ring_sc_dequeue_burst(punt_ring, (void **)mbufs, RTE_DIM(mbufs), NULL))) {
		for (unsigned int i = 0; i < n; i++) {
			uint8_t r = fp_mbuf_priv(mbufs[i])->punt_reason;

			if (r < n_reasons)
				reasons[r].fn(mbufs[i]);
			else
				rte_pktmbuf_free(mbufs[i]);
		}
	}
}

static int punt_init(void)
{
	punt_ring = rte_ring_create("punt", PUNT_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (punt_ring == NULL)
		return fp_error(ENOMEM, "punt ring: %s", rte_strerror(rte_errno));
	punt_eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (punt_eventfd < 0)
		return fp_error(errno, "eventfd: %s", strerror(errno));
	return control_fd_add(punt_eventfd, EPOLLIN, punt_drain, NULL);
}

static void punt_fini(void)
{
	struct rte_mbuf *m;

	if (punt_eventfd >= 0) {
		control_fd_del(punt_eventfd);
		close(punt_eventfd);
		punt_eventfd = -1;
	}
	while (punt_ring != NULL && rte_ring_sc_dequeue(punt_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(punt_ring);
	punt_ring = NULL;
}

static struct fp_module punt_module = {
	.name = "punt",
	.order = 1,
	.init = punt_init,
	.fini = punt_fini,
};
FP_MODULE_REGISTER(punt_module)
