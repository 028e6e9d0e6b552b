/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Address helpers shared by the daemon, the CLI and the tests. IPv4
 * addresses are kept in network byte order (as on the wire) everywhere.
 */

#define FP_IP4_ADDRSTRLEN   16
#define FP_IP4_PREFIXSTRLEN 19
#define FP_MAC_STRLEN	    18

struct fp_ip4_prefix {
	uint32_t addr; /* network byte order */
	uint8_t len;
};

struct fp_mac {
	uint8_t bytes[6];
};

/* "10.0.0.1" -> 0 or -EINVAL (message set). */
int fp_ip4_parse(const char *s, uint32_t *addr);
/* "10.0.0.0/8"; a bare address is a /32. Host bits must be zero unless allow_host_bits. */
int fp_ip4_prefix_parse(const char *s, struct fp_ip4_prefix *p, bool allow_host_bits);
const char *fp_ip4_fmt(uint32_t addr, char buf[FP_IP4_ADDRSTRLEN]);
const char *fp_ip4_prefix_fmt(const struct fp_ip4_prefix *p, char buf[FP_IP4_PREFIXSTRLEN]);
/* "02:00:00:00:00:01" */
int fp_mac_parse(const char *s, struct fp_mac *mac);
const char *fp_mac_fmt(const struct fp_mac *mac, char buf[FP_MAC_STRLEN]);

static inline uint32_t fp_ip4_mask(uint8_t len)
{
	return len == 0 ? 0 : __builtin_bswap32(~0u << (32 - len));
}
