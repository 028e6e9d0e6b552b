/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>

/*
 * Packets that are not per-packet-fast work go from the workers to the
 * control thread ("punt": ARP, next hops waiting for resolution) over one
 * ring; the control thread hands packets back to a worker ("inject") over
 * that worker's ring, to a node chosen by edge.
 */

#define PUNT_NODE "control_output"

typedef void (*punt_handler_fn)(struct rte_mbuf *m); /* owns m */

/* Call from a module's init(): returns the reason to store in fp_mbuf_priv.punt_reason. */
int punt_reason_register(const char *name, punt_handler_fn fn);

/* Call from a module's init(): the control_input edge to node_name, for punt_inject(). */
int punt_inject_edge(const char *node_name);

/* Control thread only. Frees m and returns <0 if the worker's ring is full. */
int punt_inject(struct rte_mbuf *m, uint8_t edge);
