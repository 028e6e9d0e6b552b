/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * The rate limits of the ICMP and ICMPv6 errors the router sends, as Linux's: one token bucket
 * per destination host (inet_peer_xrlim_allow(): a burst of 6 errors, then one per timeout),
 * and one for all destinations and both families (icmp_global_allow(): net.ipv4.icmp_msgs_per_sec
 * 1000 with a burst of net.ipv4.icmp_msgs_burst 50, which ICMPv6 shares in Linux too). The
 * buckets are shared by the workers, as Linux's are by the CPUs.
 */

#define ICMP_XRLIM_BURST_FACTOR 6 /* Linux XRLIM_BURST_FACTOR */

/*
 * Takes a token of the destination's bucket: tag names the host (an IPv4 address in host
 * order, a hash of an IPv6 one); hosts whose tags share a slot share a bucket until one of
 * them takes it over, as a new host starts with a full burst (inet_getpeer()).
 */
bool icmp_peer_allow(uint32_t tag, uint32_t timeout_ms);

/* Takes a token of the global bucket. */
bool icmp_global_allow(void);
