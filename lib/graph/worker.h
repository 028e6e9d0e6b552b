/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_graph.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#ifndef FP_MAX_WORKERS
#define FP_MAX_WORKERS 64
#endif

struct rxq {
	uint16_t port_id;
	uint16_t queue_id;
};

struct rxq_list {
	uint16_t n;
	struct rxq q[];
};

/* One polling lcore with its own graph. Its index is its TX queue on every port. */
struct worker {
	uint16_t index;
	unsigned int lcore_id;
	struct rte_graph *graph;
	struct rxq_list *rxqs;	 /* published by the control thread, read by port_rx */
	struct rte_ring *inject; /* control thread -> this worker's control_input node */
	uint16_t rx_last_walk;	 /* packets port_rx got in the last walk, for idle sleep */
	volatile bool stop;
} __rte_cache_aligned;

extern struct worker fp_workers[FP_MAX_WORKERS];
extern uint16_t fp_n_workers;
extern struct rte_rcu_qsbr *fp_rcu;

/* count workers on the EAL's worker lcores; idle_sleep_us > 0 lets an idle worker sleep */
int workers_init(uint16_t count, uint32_t idle_sleep_us);
int workers_start(void);
void workers_stop(void);
void workers_fini(void);
/*
 * Spreads the n RX queues in q over the workers, in turn, and publishes the lists: the ports
 * layer (infra/port.c) hands in every queue of its ports whenever they change.
 */
int workers_set_rxqs(const struct rxq *q, uint16_t n);
struct worker *worker_of_graph(const struct rte_graph *graph);

/*
 * Set by a feature whose per-packet state must not outlive a graph walk (conntrack's new
 * entries of packets dropped on the way, as Linux frees them with the skb): each worker
 * calls it after each walk, before its quiescent state. NULL: nothing to do.
 */
extern void (*volatile fp_walk_end)(uint16_t worker);

/* Waits until every worker has finished the graph walk it was in. */
void fp_rcu_synchronize(void);
