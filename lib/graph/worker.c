/* SPDX-License-Identifier: BSD-3-Clause */
#include "worker.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "graph.h"

#include <errno.h>

#include <rte_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#define INJECT_RING_SIZE	4096
#define IDLE_WALKS_BEFORE_SLEEP 256

struct worker fp_workers[FP_MAX_WORKERS];
uint16_t fp_n_workers;
struct rte_rcu_qsbr *fp_rcu;
void (*volatile fp_walk_end)(uint16_t worker);
static uint32_t idle_sleep_us;
static bool started;

int workers_init(uint16_t count, uint32_t sleep_us)
{
	unsigned int lcore = -1;
	size_t sz;

	if (count == 0 || count > FP_MAX_WORKERS)
		return fp_error(EINVAL, "workers: count must be 1 to %d", FP_MAX_WORKERS);
	if (rte_lcore_count() < (unsigned int)count + 1)
		return fp_error(EINVAL,
			"workers: %u workers need %u EAL lcores (one for the control thread), EAL "
			"has %u",
			count, count + 1, rte_lcore_count());
	sz = rte_rcu_qsbr_get_memsize(count);
	fp_rcu = rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE);
	if (fp_rcu == NULL || rte_rcu_qsbr_init(fp_rcu, count) < 0)
		return fp_error(ENOMEM, "workers: RCU init failed");
	for (uint16_t i = 0; i < count; i++) {
		struct worker *w = &fp_workers[i];
		char name[RTE_RING_NAMESIZE];

		lcore = rte_get_next_lcore(lcore, 1, 0);
		snprintf(name, sizeof(name), "inject-%u", i);
		w->index = i;
		w->lcore_id = lcore;
		w->inject = rte_ring_create(name, INJECT_RING_SIZE, rte_lcore_to_socket_id(lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->inject == NULL)
			return fp_error(
				ENOMEM, "workers: ring %s: %s", name, rte_strerror(rte_errno));
		w->rxqs = calloc(1, sizeof(*w->rxqs));
		if (w->rxqs == NULL)
			return fp_error(ENOMEM, "workers: out of memory");
		rte_rcu_qsbr_thread_register(fp_rcu, i);
	}
	fp_n_workers = count;
	idle_sleep_us = sleep_us;
	return 0;
}

struct worker *worker_of_graph(const struct rte_graph *graph)
{
	unsigned int index;

	/* graphs are named after their worker by workers_start() */
	if (sscanf(graph->name, "worker%u", &index) != 1 || index >= fp_n_workers)
		return NULL;
	return &fp_workers[index];
}

int workers_set_rxqs(const struct rxq *q, uint16_t n)
{
	struct rxq_list *lists[FP_MAX_WORKERS] = {0};
	int ret = 0;

	for (uint16_t w = 0; w < fp_n_workers; w++) {
		lists[w] = calloc(1, sizeof(struct rxq_list) + n * sizeof(struct rxq));
		if (lists[w] == NULL)
			ret = fp_error(ENOMEM, "workers: out of memory");
	}
	if (ret < 0)
		goto free_new;
	for (uint16_t i = 0; i < n; i++) {
		struct rxq_list *l = lists[i % fp_n_workers];

		l->q[l->n++] = q[i];
	}
	for (uint16_t w = 0; w < fp_n_workers; w++)
		lists[w] = __atomic_exchange_n(&fp_workers[w].rxqs, lists[w], __ATOMIC_ACQ_REL);
	fp_rcu_synchronize();
free_new:
	for (uint16_t w = 0; w < fp_n_workers; w++)
		free(lists[w]);
	return ret;
}

static int worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int idle = 0;

	rte_rcu_qsbr_thread_online(fp_rcu, w->index);
	while (!w->stop) {
		void (*walk_end)(uint16_t worker);

		rte_graph_walk(w->graph);
		walk_end = fp_walk_end;
		if (walk_end != NULL)
			walk_end(w->index);
		rte_rcu_qsbr_quiescent(fp_rcu, w->index);
		if (idle_sleep_us == 0)
			continue;
		idle = w->rx_last_walk ? 0 : idle + 1;
		if (idle > IDLE_WALKS_BEFORE_SLEEP) {
			/* a quiet worker gives its core back; offline so RCU waits need not wait */
			rte_rcu_qsbr_thread_offline(fp_rcu, w->index);
			usleep(idle_sleep_us);
			rte_rcu_qsbr_thread_online(fp_rcu, w->index);
		}
	}
	rte_rcu_qsbr_thread_offline(fp_rcu, w->index);
	return 0;
}

int workers_start(void)
{
	const char *patterns[256];
	uint16_t n_patterns = 0;

	for (struct fp_node *n = fp_nodes(); n != NULL && n_patterns < RTE_DIM(patterns);
		n = n->next)
		patterns[n_patterns++] = n->reg->name;

	for (uint16_t i = 0; i < fp_n_workers; i++) {
		struct worker *w = &fp_workers[i];
		struct rte_graph_param prm = {
			.socket_id = rte_lcore_to_socket_id(w->lcore_id),
			.nb_node_patterns = n_patterns,
			.node_patterns = patterns,
		};
		char name[RTE_GRAPH_NAMESIZE];
		rte_graph_t id;

		snprintf(name, sizeof(name), "worker%u", i);
		id = rte_graph_create(name, &prm);
		if (id == RTE_GRAPH_ID_INVALID)
			return fp_error(EINVAL, "graph %s: %s", name, rte_strerror(rte_errno));
		w->graph = rte_graph_lookup(name);
	}
	for (uint16_t i = 0; i < fp_n_workers; i++) {
		struct worker *w = &fp_workers[i];

		w->stop = false;
		if (rte_eal_remote_launch(worker_main, w, w->lcore_id) < 0)
			return fp_error(
				EBUSY, "worker %u: cannot launch on lcore %u", i, w->lcore_id);
	}
	started = true;
	return 0;
}

void workers_stop(void)
{
	if (!started)
		return;
	for (uint16_t i = 0; i < fp_n_workers; i++)
		fp_workers[i].stop = true;
	rte_eal_mp_wait_lcore();
	started = false;
}

void workers_fini(void)
{
	workers_stop();
	for (uint16_t i = 0; i < fp_n_workers; i++) {
		struct worker *w = &fp_workers[i];
		struct rte_mbuf *m;

		if (w->graph != NULL)
			rte_graph_destroy(rte_graph_from_name(w->graph->name));
		while (w->inject != NULL && rte_ring_sc_dequeue(w->inject, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->inject);
		free(w->rxqs);
		*w = (struct worker){0};
	}
	rte_free(fp_rcu);
	fp_rcu = NULL;
	fp_n_workers = 0;
}

void fp_rcu_synchronize(void)
{
	if (fp_rcu != NULL && started)
		rte_rcu_qsbr_synchronize(fp_rcu, RTE_QSBR_THRID_INVALID);
}
