/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Every counter of the daemon, as (kind, name, field, value): kind "ports"
 * (name: interface; fields rx_packets, rx_bytes, rx_missed, rx_errors,
 * rx_nombuf, tx_packets, tx_bytes, tx_errors, then the driver's own: af_xdp's
 * xdp_redirected, xdp_passed, xdp_no_socket), "nodes" (name: graph node;
 * fields calls, packets, cycles, summed over the workers) and "drops" (name:
 * drop reason; field packets). Values are totals since start, not since
 * "clear stats". Then the gauges of kind "mempools" (name: every mempool of
 * the process: the ports' mbufs "mbuf-N", a capture's, the FIBs' RIB nodes...;
 * fields size, in_use, free): values
 * now, that "clear stats" leaves alone. Control thread only.
 */
typedef void (*counter_cb)(
	json_t *out, const char *kind, const char *name, const char *field, uint64_t value);

void counters_walk(counter_cb cb, json_t *out);

/* Whether the values of kind are gauges (values now) rather than counters (totals since start). */
bool counter_kind_is_gauge(const char *kind);
