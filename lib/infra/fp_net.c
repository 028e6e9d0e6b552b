/* SPDX-License-Identifier: BSD-3-Clause */
#include "fp_net.h"
#include "fp_error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fp_ip4_parse(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return fp_error(EINVAL, "'%s' is not an IPv4 address", s ? s : "");
	*addr = a.s_addr;
	return 0;
}

int fp_ip4_prefix_parse(const char *s, struct fp_ip4_prefix *p, bool allow_host_bits)
{
	char buf[FP_IP4_PREFIXSTRLEN + 1];
	const char *slash = strchr(s, '/');
	char *end;
	long len = 32;

	if (strlen(s) > FP_IP4_PREFIXSTRLEN)
		return fp_error(EINVAL, "'%s' is not an IPv4 prefix", s);
	snprintf(buf, sizeof(buf), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	if (fp_ip4_parse(buf, &p->addr) < 0)
		return fp_error(EINVAL, "'%s' is not an IPv4 prefix", s);
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || len < 0 || len > 32)
			return fp_error(EINVAL, "'%s': prefix length must be 0 to 32", s);
	}
	p->len = len;
	if (!allow_host_bits && (p->addr & ~fp_ip4_mask(p->len)) != 0)
		return fp_error(EINVAL, "'%s' has host bits set (did you mean %s/%ld?)", s,
			fp_ip4_fmt(p->addr & fp_ip4_mask(p->len), buf), len);
	return 0;
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
