/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <jansson.h>
#include <rte_mbuf.h>

/*
 * Packets that are not per-packet-fast work go from the workers to the
 * control thread ("punt": ARP, NDP, next hops waiting for resolution, the
 * twins) over one ring; the control thread hands packets back to a worker
 * ("inject") over that worker's ring, to a node chosen by edge.
 *
 * A packet in a ring holds no pointer to anything the other side may free (a
 * neighbour entry...): grace periods cover the workers' graph walks, not the
 * packets waiting in a ring. It carries keys, looked up on arrival.
 */

#define PUNT_NODE "control_output"

/* Packets a second each worker may punt for ARP or NDP: far above what hosts send in normal use,
 * far below what the control thread handles. */
#define PUNT_PPS_DEFAULT 10000

typedef void (*punt_handler_fn)(struct rte_mbuf *m); /* owns m */

/*
 * Call from a module's init(): returns the reason to store in fp_mbuf_priv.punt_reason.
 * pps: packets a second each worker may punt for it, a tenth of a second's worth in a burst;
 * the others are dropped on the worker and counted by limited_node, a drop node of the
 * caller's (FP_DROP_NODE), so that one reason flooding leaves room in the ring for the others.
 * pps 0 and limited_node NULL: not limited here (the reason has its own limit upstream).
 */
int punt_reason_register(
	const char *name, punt_handler_fn fn, uint32_t pps, const char *limited_node);

/* Control thread: a new rate for a reason registered with a limited_node (0: no limit). */
int punt_reason_set_rate(int reason, uint32_t pps);

/* Call from a module's init(): the control_input edge to node_name, for punt_inject(). */
int punt_inject_edge(const char *node_name);

/* Control thread only. Frees m and returns <0 if the worker's ring is full. */
int punt_inject(struct rte_mbuf *m, uint8_t edge);

/*
 * Workers (control_output, after the rate limits): puts mbufs on the ring and wakes the
 * control thread if it waits for packets. Returns how many went; the caller keeps the others
 * (ring full).
 */
unsigned int punt_enqueue(struct rte_mbuf **mbufs, unsigned int n);

/* Packets handled per wake-up, at most: the control loop serves the API and netlink between. */
#define PUNT_DRAIN_BUDGET 256

/*
 * Control thread: hands up to PUNT_DRAIN_BUDGET packets of the ring to their handlers; once
 * it is empty, lets the workers wake the control thread again. If packets remain, the loop
 * calls again after its other events. Returns the number handled. Run by the loop when woken;
 * public for the tests.
 */
unsigned int punt_drain(void);

/*
 * The eventfd the workers write to wake the control thread (valid once the punt module is
 * initialised), and what the control loop (infra/control.c, which registers it) calls when it
 * is readable: a counted wake-up and a drain. The graph knows no event loop.
 */
int punt_fd(void);
void punt_woken(void);

#define PUNT_WATCHDOG_MS 500

/*
 * Control thread, every PUNT_WATCHDOG_MS (the control loop's timer): a ring that held packets at
 * the previous check, was not drained since and has no wake-up pending is stalled: counted
 * (punt_stalled), logged (once a minute at most) and drained. Public for the tests.
 */
void punt_watchdog(void);

struct punt_stats {
	uint32_t size;	   /* packets the ring holds at most */
	uint32_t depth;	   /* packets in it now */
	uint64_t enqueued; /* by the workers, since start */
	uint64_t drained;  /* by the control thread, since start */
	uint64_t wakeups;  /* times the control thread was woken to drain */
	uint64_t kicks;	   /* eventfd writes of the workers (wake-ups they asked for) */
	uint64_t stalled;  /* times the watchdog found the ring stalled */
};

void punt_stats_get(struct punt_stats *s);
/* The ring as stats.show shows it, with each reason's rate and packets handled (new reference). */
json_t *punt_stats_json(void);
