/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Telemetry: the daemon's counters (stats.h counters_walk) exported two ways,
 * to DPDK's telemetry socket (/fastpath/... commands, answered on DPDK's
 * telemetry threads) and as an OpenMetrics text endpoint over HTTP (answered
 * on the control thread).
 */

/* TEL_MEMPOOLS are gauges (values now), the others counters (totals since start) */
enum tel_kind { TEL_PORTS, TEL_NODES, TEL_DROPS, TEL_MEMPOOLS };

/* One counter or gauge, as counters_walk() gives it. */
struct tel_row {
	enum tel_kind kind;
	char field[32]; /* rx_packets, calls, packets, in_use... */
	char name[64];	/* port, node, drop reason or mempool */
	uint64_t value;
};

/* Every counter at one instant, in counters_walk() order. Immutable once published. */
struct tel_snapshot {
	uint64_t taken_ms; /* control_now_ms() when taken, 0 if built by hand */
	size_t n, cap;
	struct tel_row *rows;
};

struct tel_snapshot *tel_snapshot_new(void);
void tel_snapshot_free(struct tel_snapshot *s);
/* Appends a row; kind is "ports", "nodes", "drops" or "mempools" (others are ignored). 0 or
 * -ENOMEM. */
int tel_snapshot_add(struct tel_snapshot *s, const char *kind, const char *name, const char *field,
	uint64_t value);
/* Whether row i is the first of its kind with its name (the rows of one name need not touch). */
bool tel_snapshot_first_name(const struct tel_snapshot *s, size_t i);
/* The daemon's counters now (counters_walk()), control thread only: NULL and fp_error if none. */
struct tel_snapshot *tel_snapshot_take(void);

/*
 * Hand-off of snapshots from the control thread to DPDK's telemetry threads:
 * two slots, one published, each with a count of the readers pinned on it.
 * The control thread only ever writes the unpublished slot, and only when no
 * reader is pinned on it; then it publishes that slot. See snapshot.c.
 */
/* Control thread: publishes s (taken over) or, -EBUSY, leaves it to the caller. */
int tel_snapshot_publish(struct tel_snapshot *s);
/* Control thread: take and publish a fresh snapshot (the 500 ms timer). */
void tel_snapshot_refresh(void *arg);
/* Any thread: the published snapshot, or NULL (none yet, or closed); then release(slot). */
const struct tel_snapshot *tel_snapshot_acquire(unsigned int *slot);
void tel_snapshot_release(unsigned int slot);
/* Control thread: unpublish, wait up to timeout_ms for the readers, free. -EBUSY if one stayed. */
int tel_snapshot_close(unsigned int timeout_ms);
/* Control thread, after close or before the first publication: publishing allowed again. */
void tel_snapshot_reopen(void);

/* DPDK telemetry commands /fastpath/...: once, after EAL init. */
int tel_dpdk_register(void);

/* OpenMetrics text (version 1.0.0) of a snapshot, ending with "# EOF". 0 or -ENOMEM. */
#define OM_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"
int om_format(const struct tel_snapshot *s, char **text, size_t *len);

/*
 * Classifies the bytes of an HTTP request received so far: 0 while it is
 * incomplete, else the status to answer: 200 (GET or HEAD /metrics, *head
 * set for HEAD), 404 (another path), 405 (another method on /metrics) or
 * 400 (not HTTP/1.x, a malformed line or control characters, or no end of
 * headers within max bytes).
 */
int om_http_classify(const char *buf, size_t len, size_t max, bool *head);

/* Where the OpenMetrics endpoint listens ("telemetry": {"openmetrics": {...}}). */
struct om_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool allow_remote;
	char text[64]; /* as configured */
};

/* Listen there (NULL: stop listening). Connections in progress are served to their end. */
int om_server_configure(const struct om_listen *l);
/* Closes connections past their deadline (the control timer). */
void om_server_expire(void *arg);
void om_server_fini(void);

/*
 * The parsed "telemetry" config section:
 * "telemetry": {"openmetrics": {"listen": "127.0.0.1:9464", "allow_remote": false}}
 * Without "openmetrics" there is no HTTP endpoint (the default). DPDK's
 * telemetry socket is always there (EAL's; --no-telemetry in eal.args removes it).
 */
struct tel_conf {
	bool openmetrics;
	struct om_listen om;
};
