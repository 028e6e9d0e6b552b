/* SPDX-License-Identifier: BSD-3-Clause */
#include "icmp_limit.h"
#include "base/fp_error.h"
#include "control.h"
#include "sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_random.h>

#define ICMP_PEERS 4096

/* The knobs, at Linux's defaults */
static SYSCTL_INT(icmp4_ratelimit, "net.ipv4.icmp_ratelimit", 0, INT32_MAX, 1000,
	"ms between two rate-limited ICMP errors to one destination, after a burst of 6; 0: no "
	"limit") static SYSCTL_INT(icmp4_ratemask, "net.ipv4.icmp_ratemask", INT32_MIN, INT32_MAX,
	6168,
	"the ICMP types rate-limited, a bit per type (6168: destination unreachable, source "
	"quench, time exceeded, parameter problem)") static SYSCTL_INT(icmp_msgs_per_sec,
	"net.ipv4.icmp_msgs_per_sec", 0, INT32_MAX, 1000,
	"rate-limited ICMP and ICMPv6 errors a second, to all destinations "
	"together") static SYSCTL_INT(icmp_msgs_burst, "net.ipv4.icmp_msgs_burst", 0, INT32_MAX, 50,
	"the burst of icmp_msgs_per_sec (an error costs 0 to 2 of it at random, as in "
	"Linux)") static SYSCTL_INT(icmp6_ratelimit, "net.ipv6.icmp.ratelimit", 0, INT32_MAX, 1000,
	"ms between two rate-limited ICMPv6 errors to one destination, shorter for wider routes "
	"to it; 0: no limit") SYSCTL_INT(icmp4_echo_ignore_all, "net.ipv4.icmp_echo_ignore_all", 0,
	1, 0, "1: echo requests to the router are not answered")
	SYSCTL_INT(icmp6_echo_ignore_all, "net.ipv6.icmp.echo_ignore_all", 0, 1, 0,
		"1: ICMPv6 echo requests to the router are not answered")

	/* net.ipv6.icmp.ratemask, a bit per type: 0-1,3-127 (every error but packet too big) */
	static uint64_t icmp6_ratemask[4] = {
		~UINT64_C(0) & ~(UINT64_C(1) << 2), ~UINT64_C(0), 0, 0};

/*
 * A bucket is one word, so that taking a token is one compare-and-swap: a peer's holds its
 * tokens (ms of credit) in the high half and the time of its last refill in the low half, the
 * global one its credit and the time of its last refill.
 */
static uint64_t peer_buckets[ICMP_PEERS];
static uint32_t peer_tags[ICMP_PEERS];
static uint64_t global_bucket;

/* inet_peer_xrlim_allow(): a token of timeout ms, at most ICMP_XRLIM_BURST_FACTOR of them. */
static bool peer_allow(uint32_t tag, uint32_t timeout)
{
	unsigned int slot = (tag ^ (tag >> 12) ^ (tag >> 24)) % ICMP_PEERS;
	uint64_t *bucket = &peer_buckets[slot];
	uint32_t now = fp_clock_ms;
	uint64_t cap = (uint64_t)ICMP_XRLIM_BURST_FACTOR * timeout, old, new;

	/* a new host in the slot starts with a full burst (inet_getpeer) */
	if (__atomic_load_n(&peer_tags[slot], __ATOMIC_RELAXED) != tag) {
		__atomic_store_n(&peer_tags[slot], tag, __ATOMIC_RELAXED);
		__atomic_store_n(bucket, (uint32_t)(now - 60000), __ATOMIC_RELAXED);
	}
	old = __atomic_load_n(bucket, __ATOMIC_RELAXED);
	do {
		uint64_t tokens = (old >> 32) + (uint32_t)(now - (uint32_t)old);

		tokens = RTE_MIN(tokens, cap);
		if (tokens < timeout)
			return false;
		/* the high half holds 2^32 - 1 ms: a larger cap is full anyway */
		new = RTE_MIN(tokens - timeout, (uint64_t)UINT32_MAX) << 32 | now;
	} while (!__atomic_compare_exchange_n(
		bucket, &old, new, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

bool icmp_peer_allow(uint32_t tag, uint32_t timeout_ms)
{
	return peer_allow(tag, timeout_ms);
}

/* icmp_global_allow() of Linux 6.1 */
static bool global_allow(void)
{
	uint32_t now = fp_clock_ms, cost = rte_rand_max(3);
	uint64_t old = __atomic_load_n(&global_bucket, __ATOMIC_RELAXED), new, credit;
	bool ok;

	do {
		uint32_t stamp = (uint32_t)old, delta = RTE_MIN(now - stamp, 1000u);
		uint64_t incr = 0;

		/* refilled in steps of HZ / 50 at least */
		if (delta >= 20) {
			incr = (uint64_t)sysctl_read(&icmp_msgs_per_sec) * delta / 1000;
			if (incr != 0)
				stamp = now;
		}
		credit = RTE_MIN((old >> 32) + incr, (uint64_t)sysctl_read(&icmp_msgs_burst));
		ok = credit != 0;
		/* a credit of one on average, random against side channels (CVE-2020-25705) */
		credit = credit > cost ? credit - cost : 0;
		new = credit << 32 | stamp;
	} while (new != old && !__atomic_compare_exchange_n(&global_bucket, &old, new, true,
				       __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return ok;
}

bool icmp4_error_allowed(uint32_t dst, uint8_t type, uint8_t code)
{
	/* icmpv4_mask_allow(): NR_ICMP_TYPES 18; fragmentation needed: path MTU discovery */
	if (type > 18 || (type == 3 && code == 4) ||
		!((UINT32_C(1) << type) & (uint32_t)sysctl_read(&icmp4_ratemask)))
		return true;
	/* icmpv4_global_allow() before icmpv4_xrlim_allow(), as __icmp_send() */
	return global_allow() && peer_allow(dst, sysctl_read(&icmp4_ratelimit));
}

bool icmp6_error_allowed(uint32_t tag, uint8_t type, unsigned int plen)
{
	uint32_t tmo = sysctl_read(&icmp6_ratelimit);

	/* icmpv6_mask_allow() */
	if (!(__atomic_load_n(&icmp6_ratemask[type / 64], __ATOMIC_RELAXED) &
		    (UINT64_C(1) << (type % 64))))
		return true;
	if (!global_allow())
		return false;
	/* "Give more bandwidth to wider prefixes." */
	if (plen < 128)
		tmo >>= (128 - plen) >> 5;
	return peer_allow(tag, tmo);
}

/* net.ipv6.icmp.ratemask: a bitmap of the 256 types as proc_do_large_bitmap() reads it */
static int ratemask_parse(const char *text, void *out)
{
	uint64_t *bits = out;
	const char *p = text;
	char *end;

	memset(bits, 0, 4 * sizeof(*bits));
	p += strspn(p, " \t\n");
	while (*p != '\0') {
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			return fp_error(
				EINVAL, "'%s' is not a list of types or ranges (0-1,3-127)", text);
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return fp_error(EINVAL, "'%s': a range is LOW-HIGH", text);
			hi = strtoul(end + 1, &end, 10);
		}
		if (hi > 255 || lo > hi)
			return fp_error(
				EINVAL, "'%s': types are 0 to 255, ranges low to high", text);
		for (unsigned long t = lo; t <= hi; t++)
			bits[t / 64] |= UINT64_C(1) << (t % 64);
		p = end + strspn(end, " \t\n");
		if (*p == ',')
			p += 1 + strspn(p + 1, " \t");
		else if (*p != '\0')
			return fp_error(
				EINVAL, "'%s' is not a list of types or ranges (0-1,3-127)", text);
	}
	return 0;
}

static bool bit(const uint64_t *bits, unsigned int t)
{
	return t < 256 && (bits[t / 64] >> (t % 64) & 1);
}

/* As Linux prints it: "0-1,3-127", "" when empty. */
static void ratemask_format(const void *value, char *buf)
{
	const uint64_t *bits = value;
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int t = 0; t < 256; t++) {
		unsigned int hi = t;

		if (!bit(bits, t))
			continue;
		while (bit(bits, hi + 1))
			hi++;
		len += snprintf(buf + len, SYSCTL_TEXT_MAX - len, hi > t ? "%s%u-%u" : "%s%u",
			len ? "," : "", t, hi);
		t = hi;
	}
}

static const struct sysctl_text ratemask6_type = {
	.value = icmp6_ratemask,
	.size = sizeof(icmp6_ratemask),
	.def = "0-1,3-127",
	.parse = ratemask_parse,
	.format = ratemask_format,
};

static struct sysctl_knob icmp6_ratemask_knob = {
	.name = "net.ipv6.icmp.ratemask",
	.help = "the ICMPv6 types rate-limited, as ranges (0-1,3-127: every error but packet too "
		"big)",
	.text = &ratemask6_type,
};
SYSCTL_GLOBAL_REGISTER(icmp6_ratemask_knob)
