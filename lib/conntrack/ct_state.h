/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include "ct.h"

/*
 * The running daemon's connection tracking: set up at start by the hook nodes' module when
 * tracking is on, read by the API (ct_api.c) on the control thread. A NULL table: tracking off.
 */
struct ct_state {
	struct ct_table *table;
	struct ct_worker *workers; /* [n_workers], indexed by worker: conntrack -S's "cpu=" */
	unsigned int n_workers;
	struct ct_worker *control; /* the control thread's: ct_gc(), ct_flush(), its events */
};

extern struct ct_state ct_state;

/*
 * The event rings the API gives a ct_worker when someone first listens (w->ev, one
 * allocation): whoever frees a ct_worker calls this first, with its thread stopped.
 */
void ct_state_worker_fini(struct ct_worker *w);

/* The events' tick of the control loop (a 10 ms timer of ct_api.c's module; the tests run it). */
void ct_events_tick(void *arg);
