/* SPDX-License-Identifier: BSD-3-Clause */
#include "icmp_limit.h"
#include "control.h"

#include <rte_common.h>

/* net.ipv4.icmp_msgs_per_sec and icmp_msgs_burst, for all destinations */
#define ICMP_MSGS_PER_SEC 1000
#define ICMP_MSGS_BURST	  50
#define ICMP_PEERS	  4096

/*
 * A bucket is one word, tokens in the high half and the time of the last refill in the low
 * half, so taking a token is one compare-and-swap. Both refill by one token a millisecond.
 */
static uint64_t peer_buckets[ICMP_PEERS];
static uint32_t peer_tags[ICMP_PEERS];
static uint64_t global_bucket;

static bool bucket_take(uint64_t *bucket, uint32_t now, uint32_t cap, uint32_t cost)
{
	uint64_t old = __atomic_load_n(bucket, __ATOMIC_RELAXED), new;

	do {
		uint64_t tokens = (old >> 32) + (uint32_t)(now - (uint32_t)old);

		tokens = RTE_MIN(tokens, (uint64_t)cap);
		if (tokens < cost)
			return false;
		new = (tokens - cost) << 32 | now;
	} while (!__atomic_compare_exchange_n(
		bucket, &old, new, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

bool icmp_peer_allow(uint32_t tag, uint32_t timeout_ms)
{
	unsigned int slot = (tag ^ (tag >> 12) ^ (tag >> 24)) % ICMP_PEERS;

	/* a new host in the slot starts with a full burst (inet_getpeer) */
	if (__atomic_load_n(&peer_tags[slot], __ATOMIC_RELAXED) != tag) {
		__atomic_store_n(&peer_tags[slot], tag, __ATOMIC_RELAXED);
		__atomic_store_n(&peer_buckets[slot], 0, __ATOMIC_RELAXED);
	}
	return bucket_take(&peer_buckets[slot], fp_clock_ms, ICMP_XRLIM_BURST_FACTOR * timeout_ms,
		timeout_ms);
}

bool icmp_global_allow(void)
{
	/* ICMP_MSGS_PER_SEC is one a millisecond */
	return bucket_take(&global_bucket, fp_clock_ms, ICMP_MSGS_BURST, 1000 / ICMP_MSGS_PER_SEC);
}
