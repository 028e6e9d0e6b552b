/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

/*
 * Drop reasons counted on the control thread (hold-queue overflows, ARP
 * packets refused...). Datapath drops are drop nodes (graph.h); both show in
 * "show stats" side by side.
 */
struct fp_counter {
	const char *name;
	uint64_t value;
	struct fp_counter *next;
};

void fp_counter_register(struct fp_counter *c);
struct fp_counter *fp_counters(void);

#define FP_COUNTER(var)                                                                            \
	static struct fp_counter var = {.name = #var};                                             \
	static void __attribute__((constructor)) fp_counter_reg_##var(void)                        \
	{                                                                                          \
		fp_counter_register(&var);                                                         \
	}
