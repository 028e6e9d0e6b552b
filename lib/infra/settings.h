/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* What an out-of-memory error tells the operator to do, after what to lower. */
#define FP_MORE_MEMORY                                                                             \
	"give fastpathd more memory: more free hugepages (make hugepages, FP_HUGEPAGES=N), or "    \
	"eal.memory_mb without hugepages"

/*
 * Daemon-wide settings from the "eal", "workers" and "api" config sections.
 * They are read once, before EAL init: changing them needs a restart.
 */
struct fp_settings {
	/* eal */
	char lcores[256];     /* EAL --lcores; empty: control on CPU 0, workers after it */
	bool huge;	      /* false: --no-huge (no memif) */
	uint32_t memory_mb;   /* 0: grow as needed */
	char file_prefix[64]; /* --file-prefix, names /var/run/dpdk/<prefix> */
	char log_level[32];   /* --log-level */
	json_t *eal_args;     /* extra EAL arguments, array of strings */
	json_t *eal_allow;    /* PCI addresses DPDK may probe besides the pci ports', or NULL */
	uint32_t mbufs;	      /* per NUMA socket */
	/* workers */
	uint16_t workers;
	uint32_t idle_sleep_us;
	bool fast_path; /* ip4_fastpath forwards the common packet in one node */
	/* api */
	char api_socket[108];
};

extern struct fp_settings fp_settings;

/* The defaults, then what the document's sections say (parsed, not yet applied). */
void settings_defaults(struct fp_settings *s);
void settings_from_parsed(
	struct fp_settings *s, const void *eal, const void *workers, const void *api);
