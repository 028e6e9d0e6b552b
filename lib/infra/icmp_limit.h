/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * The rate limits of the ICMP and ICMPv6 errors the router sends, Linux 6.1's with its sysctls
 * (docs/sysctl.md), read at every error so that a change applies to the next one:
 * - the types in net.ipv4.icmp_ratemask (IPv4, a bit per type) or net.ipv6.icmp.ratemask
 *   (ICMPv6, a list of ranges) are limited, the others never (IPv4's fragmentation needed
 *   neither: path MTU discovery must not starve);
 * - a limited error takes a token of the bucket all destinations and both families share
 *   (icmp_global_allow(): net.ipv4.icmp_msgs_per_sec a second, at most
 *   net.ipv4.icmp_msgs_burst, refilled in steps of 20 ms or more, and an error costs 0, 1 or
 *   2 tokens at random, 1 on average, as Linux randomizes it against side channels);
 * - then one of its destination's bucket (inet_peer_xrlim_allow(): a burst of 6, then one per
 *   net.ipv4.icmp_ratelimit or net.ipv6.icmp.ratelimit ms; 0 is no limit).
 * The buckets are shared by the workers, as Linux's are by the CPUs.
 */

#define ICMP_XRLIM_BURST_FACTOR 6 /* Linux XRLIM_BURST_FACTOR */

/* icmp_send(): an error of type and code to dst (an IPv4 address in host order). */
bool icmp4_error_allowed(uint32_t dst, uint8_t type, uint8_t code);

/*
 * icmp6_send(): an error of type to a destination named by tag (a hash of its address), the
 * route to it having prefix length plen: Linux gives wider routes more (icmpv6_xrlim_allow():
 * the timeout >> (128 - plen) / 32).
 */
bool icmp6_error_allowed(uint32_t tag, uint8_t type, unsigned int plen);

/*
 * A token of the destination's bucket alone (inet_peer_xrlim_allow(peer, timeout)), as NDP
 * redirects take one per destination and per source, 1 s each, of the same buckets.
 */
bool icmp_peer_allow(uint32_t tag, uint32_t timeout_ms);

/* net.ipv4.icmp_echo_ignore_all, net.ipv6.icmp.echo_ignore_all: workers read with sysctl_read */
extern int32_t icmp4_echo_ignore_all, icmp6_echo_ignore_all;
