/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>

/*
 * A token bucket that one worker owns (in a node's context or a row of its own): refilled from
 * the TSC with pps tokens a second, holding a tenth of a second's worth at most (at least one).
 * Not icmp_limit's buckets: those are shared by the workers (a compare-and-swap per packet) and
 * count milliseconds, too coarse for thousands of packets a second.
 */
struct fp_bucket {
	uint64_t refilled; /* TSC of the last refill */
	uint32_t tokens;
};

/* pps at most this keeps the refill's arithmetic within 64 bits (a second of TSC times pps) */
#define FP_BUCKET_PPS_MAX 100000000

static inline void fp_bucket_init(struct fp_bucket *b)
{
	b->refilled = rte_rdtsc();
	b->tokens = 0;
}

/* Adds the tokens earned since the last refill, now a TSC reading. */
static inline void fp_bucket_refill(struct fp_bucket *b, uint32_t pps, uint64_t now)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t elapsed = RTE_MIN(now - b->refilled, hz); /* a second fills any bucket */
	uint64_t added = elapsed * pps / hz;
	uint32_t burst = RTE_MAX(pps / 10, 1u);

	/* the fraction of a token not added yet stays in elapsed for the next time */
	if (added > 0) {
		b->tokens = RTE_MIN(b->tokens + added, (uint64_t)burst);
		b->refilled = now;
	}
}

/* One token if there is one, refilling only when the bucket is empty (no division otherwise). */
static inline bool fp_bucket_take(struct fp_bucket *b, uint32_t pps, uint64_t now)
{
	if (b->tokens == 0)
		fp_bucket_refill(b, pps, now);
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}
