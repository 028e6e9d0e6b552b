/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h> /* AF_INET, AF_INET6: the family tags of struct fp_ip_addr */

/*
 * Address helpers shared by the daemon, the CLI and the tests. Addresses are
 * kept in network byte order (as on the wire) everywhere: IPv4 ones in a
 * uint32_t, IPv6 ones in a struct fp_ip6_addr. Where either family may come
 * (neighbours), a struct fp_ip_addr carries the family with the address.
 */

#define FP_IP4_ADDRSTRLEN   16
#define FP_IP4_PREFIXSTRLEN 19
#define FP_IP6_ADDRSTRLEN   46 /* INET6_ADDRSTRLEN: "ffff:...:255.255.255.255" */
#define FP_IP6_PREFIXSTRLEN 50 /* and "/128" */
#define FP_IP_ADDRSTRLEN    FP_IP6_ADDRSTRLEN
#define FP_IP_PREFIXSTRLEN  FP_IP6_PREFIXSTRLEN
#define FP_MAC_STRLEN	    18

struct fp_ip4_prefix {
	uint32_t addr; /* network byte order */
	uint8_t len;
};

struct fp_mac {
	uint8_t bytes[6];
};

struct fp_ip6_addr {
	uint8_t bytes[16]; /* network byte order */
};

struct fp_ip6_prefix {
	struct fp_ip6_addr addr;
	uint8_t len;
};

/* An address of either family. Make them with fp_ip_addr4()/fp_ip_addr6() or fp_ip_parse(). */
struct fp_ip_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	union {
		uint32_t v4; /* network byte order */
		struct fp_ip6_addr v6;
	};
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

/* IPv6 ------------------------------------------------------------------------------------- */

/* "2001:db8::1" (RFC 4291 text, "::ffff:192.0.2.1" too; no zone "%eth0") -> 0 or -EINVAL. */
int fp_ip6_parse(const char *s, struct fp_ip6_addr *addr);
/* "2001:db8::/32"; a bare address is a /128. Host bits must be zero unless allow_host_bits. */
int fp_ip6_prefix_parse(const char *s, struct fp_ip6_prefix *p, bool allow_host_bits);
/* RFC 5952 canonical text: lower case, longest run of zero groups as "::" ("2001:db8::1"). */
const char *fp_ip6_fmt(const struct fp_ip6_addr *addr, char buf[FP_IP6_ADDRSTRLEN]);
const char *fp_ip6_prefix_fmt(const struct fp_ip6_prefix *p, char buf[FP_IP6_PREFIXSTRLEN]);
/* addr with the bits after the first len (0 to 128) cleared. */
struct fp_ip6_addr fp_ip6_masked(const struct fp_ip6_addr *addr, uint8_t len);

static inline bool fp_ip6_equal(const struct fp_ip6_addr *a, const struct fp_ip6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* :: */
static inline bool fp_ip6_is_unspecified(const struct fp_ip6_addr *a)
{
	static const struct fp_ip6_addr zero;

	return fp_ip6_equal(a, &zero);
}

/* ::1 */
static inline bool fp_ip6_is_loopback(const struct fp_ip6_addr *a)
{
	static const struct fp_ip6_addr one = {{[15] = 1}};

	return fp_ip6_equal(a, &one);
}

/* ff00::/8 */
static inline bool fp_ip6_is_multicast(const struct fp_ip6_addr *a)
{
	return a->bytes[0] == 0xff;
}

/* fe80::/10, link-local unicast */
static inline bool fp_ip6_is_link_local(const struct fp_ip6_addr *a)
{
	return a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

/* ::ffff:0:0/96, an IPv4 address in IPv6 clothes (RFC 4291 2.5.5.2) */
static inline bool fp_ip6_is_v4_mapped(const struct fp_ip6_addr *a)
{
	static const uint8_t prefix[12] = {[10] = 0xff, [11] = 0xff};

	return memcmp(a->bytes, prefix, sizeof(prefix)) == 0;
}

/*
 * The link-local address of an interface with this MAC (RFC 4291 appendix A):
 * fe80::/64 and the modified EUI-64 interface identifier, the MAC with ff:fe in
 * its middle and the universal/local bit flipped. 02:00:00:00:00:01 gives
 * fe80::ff:fe00:1.
 */
static inline struct fp_ip6_addr fp_ip6_link_local_eui64(const struct fp_mac *mac)
{
	const uint8_t *m = mac->bytes;

	return (struct fp_ip6_addr){{0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0] ^ 0x02, m[1], m[2], 0xff,
		0xfe, m[3], m[4], m[5]}};
}

/* The solicited-node multicast address of addr (RFC 4291 2.7.1): ff02::1:ff and its low 24 bits. */
static inline struct fp_ip6_addr fp_ip6_solicited_node(const struct fp_ip6_addr *addr)
{
	const uint8_t *a = addr->bytes;

	return (struct fp_ip6_addr){
		{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, a[13], a[14], a[15]}};
}

/* The Ethernet MAC of an IPv6 multicast address (RFC 2464 7): 33:33 and its low 32 bits. */
static inline struct fp_mac fp_ip6_mcast_mac(const struct fp_ip6_addr *addr)
{
	const uint8_t *a = addr->bytes;

	return (struct fp_mac){{0x33, 0x33, a[12], a[13], a[14], a[15]}};
}

/* Either family ----------------------------------------------------------------------------- */

static inline struct fp_ip_addr fp_ip_addr4(uint32_t v4)
{
	struct fp_ip_addr a;

	memset(&a, 0, sizeof(a)); /* every byte defined: addresses compare and hash whole */
	a.family = AF_INET;
	a.v4 = v4;
	return a;
}

static inline struct fp_ip_addr fp_ip_addr6(const struct fp_ip6_addr *v6)
{
	struct fp_ip_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.v6 = *v6;
	return a;
}

static inline bool fp_ip_addr_equal(const struct fp_ip_addr *a, const struct fp_ip_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET ? a->v4 == b->v4 : fp_ip6_equal(&a->v6, &b->v6);
}

/* An address of either family: IPv6 if s has a ':', else IPv4. 0 or -EINVAL (message set). */
int fp_ip_parse(const char *s, struct fp_ip_addr *addr);
/*
 * An address of the given family (AF_INET or AF_INET6), with fp_ip4_parse()'s and
 * fp_ip6_parse()'s messages: "'2001:db8::1' is an IPv6 address, not IPv4".
 */
int fp_ip_parse_as(uint8_t family, const char *s, struct fp_ip_addr *addr);
/* The address in the text of its family ("?" for an unknown family). */
const char *fp_ip_fmt(const struct fp_ip_addr *addr, char buf[FP_IP_ADDRSTRLEN]);
/* A prefix of either family: its family is its address's. */
struct fp_ip_prefix {
	struct fp_ip_addr addr;
	uint8_t len;
};

/* "10.0.0.0/8" or "2001:db8::/32" (IPv6 if s has a ':'); a bare address is a host route. */
int fp_ip_prefix_parse(const char *s, struct fp_ip_prefix *p, bool allow_host_bits);
const char *fp_ip_prefix_fmt(const struct fp_ip_prefix *p, char buf[FP_IP_PREFIXSTRLEN]);
/* addr with the bits after the first len cleared (len up to 32 or 128). */
struct fp_ip_addr fp_ip_masked(const struct fp_ip_addr *addr, uint8_t len);
/* 32 for IPv4, 128 for IPv6. */
static inline uint8_t fp_family_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* "IPv4", "IPv6" (for messages), "?" for another value. */
const char *fp_family_name(uint8_t family);
