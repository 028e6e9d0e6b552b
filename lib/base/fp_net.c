/* SPDX-License-Identifier: BSD-3-Clause */
#include "fp_net.h"
#include "fp_error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fp_family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "?";
}

/*
 * The error for s, not an address or prefix (what) of family. When its address part addr is
 * of the other family, the message says so: the mistake is the family, not the text.
 */
static int bad_text(int family, const char *s, const char *addr, const char *what)
{
	int other = family == AF_INET ? AF_INET6 : AF_INET;
	struct in6_addr a;

	if (inet_pton(other, addr, &a) == 1)
		return fp_error(EINVAL, "'%s' is an %s %s, not %s", s, fp_family_name(other), what,
			fp_family_name(family));
	return fp_error(EINVAL, "'%s' is not an %s %s", s, fp_family_name(family), what);
}

int fp_ip4_parse(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (s == NULL)
		s = "";
	if (inet_pton(AF_INET, s, &a) != 1)
		return bad_text(AF_INET, s, s, "address");
	*addr = a.s_addr;
	return 0;
}

int fp_ip6_parse(const char *s, struct fp_ip6_addr *addr)
{
	if (s == NULL)
		s = "";
	if (inet_pton(AF_INET6, s, addr->bytes) != 1)
		return bad_text(AF_INET6, s, s, "address");
	return 0;
}

int fp_ip_parse(const char *s, struct fp_ip_addr *addr)
{
	struct fp_ip_addr a;

	if (s == NULL)
		s = "";
	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, s, a.family == AF_INET ? (void *)&a.v4 : (void *)a.v6.bytes) != 1)
		return fp_error(EINVAL, "'%s' is not an IPv4 or IPv6 address", s);
	*addr = a;
	return 0;
}

int fp_ip_parse_as(uint8_t family, const char *s, struct fp_ip_addr *addr)
{
	struct fp_ip6_addr v6;
	uint32_t v4;
	int ret;

	if (family == AF_INET) {
		if ((ret = fp_ip4_parse(s, &v4)) == 0)
			*addr = fp_ip_addr4(v4);
		return ret;
	}
	if ((ret = fp_ip6_parse(s, &v6)) == 0)
		*addr = fp_ip_addr6(&v6);
	return ret;
}

struct fp_ip_addr fp_ip_masked(const struct fp_ip_addr *a, uint8_t len)
{
	struct fp_ip6_addr v6;

	if (a->family == AF_INET)
		return fp_ip_addr4(a->v4 & fp_ip4_mask(len));
	v6 = fp_ip6_masked(&a->v6, len);
	return fp_ip_addr6(&v6);
}

/*
 * "ADDR[/LEN]" of family, shared by both families' prefix parsers: a bare address is a host
 * route, host bits must be zero unless allowed.
 */
static int prefix_parse(
	int family, const char *s, struct fp_ip_addr *a, uint8_t *len, bool allow_host_bits)
{
	char buf[FP_IP6_PREFIXSTRLEN + 1], m[FP_IP_ADDRSTRLEN];
	size_t max_text = family == AF_INET ? FP_IP4_PREFIXSTRLEN : FP_IP6_PREFIXSTRLEN;
	long max = family == AF_INET ? 32 : 128, n = max;
	const char *slash = strchr(s, '/');
	struct fp_ip_addr net;
	char *end;

	snprintf(buf, sizeof(buf), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (strlen(s) > max_text ||
		inet_pton(family, buf, family == AF_INET ? (void *)&a->v4 : (void *)a->v6.bytes) !=
			1)
		return bad_text(family, s, buf, "prefix");
	if (slash) {
		n = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || n < 0 || n > max)
			return fp_error(EINVAL, "'%s': prefix length must be 0 to %ld", s, max);
	}
	*len = n;
	net = fp_ip_masked(a, n);
	if (!allow_host_bits && !fp_ip_addr_equal(&net, a))
		return fp_error(EINVAL, "'%s' has host bits set (did you mean %s/%ld?)", s,
			fp_ip_fmt(&net, m), n);
	return 0;
}

int fp_ip4_prefix_parse(const char *s, struct fp_ip4_prefix *p, bool allow_host_bits)
{
	struct fp_ip_addr a;
	int ret = prefix_parse(AF_INET, s, &a, &p->len, allow_host_bits);

	p->addr = a.v4;
	return ret;
}

int fp_ip6_prefix_parse(const char *s, struct fp_ip6_prefix *p, bool allow_host_bits)
{
	struct fp_ip_addr a;
	int ret = prefix_parse(AF_INET6, s, &a, &p->len, allow_host_bits);

	p->addr = a.v6;
	return ret;
}

int fp_ip_prefix_parse(const char *s, struct fp_ip_prefix *p, bool allow_host_bits)
{
	int family = strchr(s ? s : "", ':') != NULL ? AF_INET6 : AF_INET;
	char buf[FP_IP6_PREFIXSTRLEN + 1];
	struct in6_addr a;

	if (s == NULL)
		s = "";
	/* text that is no address of either family is said to be so, as fp_ip_parse() does */
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(s, "/"), s);
	if (strlen(s) > FP_IP6_PREFIXSTRLEN || inet_pton(family, buf, &a) != 1)
		return fp_error(EINVAL, "'%s' is not an IPv4 or IPv6 prefix", s);
	return prefix_parse(family, s, &p->addr, &p->len, allow_host_bits);
}

const char *fp_ip_prefix_fmt(const struct fp_ip_prefix *p, char buf[FP_IP_PREFIXSTRLEN])
{
	char a[FP_IP_ADDRSTRLEN];

	snprintf(buf, FP_IP_PREFIXSTRLEN, "%s/%u", fp_ip_fmt(&p->addr, a), p->len);
	return buf;
}

const char *fp_ip4_fmt(uint32_t addr, char buf[FP_IP4_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &addr, buf, FP_IP4_ADDRSTRLEN);
}

const char *fp_ip4_prefix_fmt(const struct fp_ip4_prefix *p, char buf[FP_IP4_PREFIXSTRLEN])
{
	char a[FP_IP4_ADDRSTRLEN];

	snprintf(buf, FP_IP4_PREFIXSTRLEN, "%s/%u", fp_ip4_fmt(p->addr, a), p->len);
	return buf;
}

/* glibc's inet_ntop writes RFC 5952's form: lower case, no leading zeros, the first longest
 * run of two or more zero groups as "::", IPv4-mapped addresses as ::ffff:192.0.2.1. */
const char *fp_ip6_fmt(const struct fp_ip6_addr *addr, char buf[FP_IP6_ADDRSTRLEN])
{
	return inet_ntop(AF_INET6, addr->bytes, buf, FP_IP6_ADDRSTRLEN);
}

const char *fp_ip6_prefix_fmt(const struct fp_ip6_prefix *p, char buf[FP_IP6_PREFIXSTRLEN])
{
	char a[FP_IP6_ADDRSTRLEN];

	snprintf(buf, FP_IP6_PREFIXSTRLEN, "%s/%u", fp_ip6_fmt(&p->addr, a), p->len);
	return buf;
}

const char *fp_ip_fmt(const struct fp_ip_addr *addr, char buf[FP_IP_ADDRSTRLEN])
{
	if (addr->family == AF_INET)
		return fp_ip4_fmt(addr->v4, buf);
	if (addr->family == AF_INET6)
		return fp_ip6_fmt(&addr->v6, buf);
	snprintf(buf, FP_IP_ADDRSTRLEN, "?");
	return buf;
}

struct fp_ip6_addr fp_ip6_masked(const struct fp_ip6_addr *addr, uint8_t len)
{
	struct fp_ip6_addr m = *addr;

	for (int i = 0; i < 16; i++) {
		int bits = len - 8 * i; /* of this byte, that the prefix keeps */

		if (bits <= 0)
			m.bytes[i] = 0;
		else if (bits < 8)
			m.bytes[i] &= 0xff << (8 - bits);
	}
	return m;
}

int fp_mac_parse(const char *s, struct fp_mac *mac)
{
	unsigned int b[6];
	int n = 0;

	if (s == NULL || strlen(s) != 17 ||
		sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
			&n) != 6 ||
		n != 17)
		return fp_error(EINVAL, "'%s' is not a MAC address (expected xx:xx:xx:xx:xx:xx)",
			s ? s : "");
	for (int i = 0; i < 6; i++)
		mac->bytes[i] = b[i];
	return 0;
}

const char *fp_mac_fmt(const struct fp_mac *mac, char buf[FP_MAC_STRLEN])
{
	const uint8_t *b = mac->bytes;

	snprintf(buf, FP_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
		b[5]);
	return buf;
}
