/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/* Packets for the conntrack tests, and a table with its QSBR variable. */

#include "conntrack/ct.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct tpkt {
	uint8_t buf[256];
	uint32_t len;
	struct ct_pkt p;
};

static inline void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* An IP header from src to dst (their family) carrying l4len bytes of proto at buf + hlen. */
static inline uint32_t ip_hdr(
	uint8_t *b, const char *src, const char *dst, uint8_t proto, uint32_t l4len)
{
	if (strchr(src, ':') == NULL) {
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint16_t)(20 + l4len));
		b[8] = 64;
		b[9] = proto;
		inet_pton(AF_INET, src, b + 12);
		inet_pton(AF_INET, dst, b + 16);
		return 20;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = 64;
	inet_pton(AF_INET6, src, b + 8);
	inet_pton(AF_INET6, dst, b + 24);
	return 40;
}

static inline uint8_t family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

/* A TCP segment with options opt (optlen bytes, a multiple of 4). */
static inline struct ct_pkt *tcp_pkt_opt(struct tpkt *t, const char *src, uint16_t sport,
	const char *dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	uint32_t payload, const uint8_t *opt, uint32_t optlen)
{
	uint32_t l4len = 20 + optlen + payload;
	uint32_t h = ip_hdr(t->buf, src, dst, IPPROTO_TCP, l4len);
	uint8_t *th = t->buf + h;

	memset(th, 0, l4len);
	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	th[13] = flags;
	put16(th + 14, win);
	if (optlen > 0)
		memcpy(th + 20, opt, optlen);
	t->len = h + l4len;
	if (ct_parse(&t->p, family_of(src), t->buf, t->len, 0) < 0)
		return NULL;
	return &t->p;
}

/* A TCP segment; SYNs carry Linux's options (MSS 1460, SACK_PERM, TS, NOP, WS 10). */
static inline struct ct_pkt *tcp_pkt(struct tpkt *t, const char *src, uint16_t sport,
	const char *dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	uint32_t payload, uint16_t zone)
{
	static const uint8_t synopt[20] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 10};

	if (tcp_pkt_opt(t, src, sport, dst, dport, flags, seq, ack, win, payload, synopt,
		    (flags & TH_SYN) ? sizeof(synopt) : 0) == NULL ||
		ct_parse(&t->p, family_of(src), t->buf, t->len, zone) < 0)
		return NULL;
	return &t->p;
}

static inline struct ct_pkt *udp_pkt(struct tpkt *t, const char *src, uint16_t sport,
	const char *dst, uint16_t dport, uint16_t zone)
{
	uint32_t h = ip_hdr(t->buf, src, dst, IPPROTO_UDP, 12);

	memset(t->buf + h, 0, 12);
	put16(t->buf + h, sport);
	put16(t->buf + h + 2, dport);
	put16(t->buf + h + 4, 12);
	t->len = h + 12;
	if (ct_parse(&t->p, family_of(src), t->buf, t->len, zone) < 0)
		return NULL;
	return &t->p;
}

/* An ICMP(v6) message; quote (an IP packet, qlen bytes) follows the 8-byte header. */
static inline struct ct_pkt *icmp_pkt(struct tpkt *t, const char *src, const char *dst,
	uint8_t type, uint8_t code, uint16_t id, const uint8_t *quote, uint32_t qlen)
{
	uint8_t proto = family_of(src) == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	uint32_t h = ip_hdr(t->buf, src, dst, proto, 8 + qlen);
	uint8_t *ih = t->buf + h;

	memset(ih, 0, 8);
	ih[0] = type;
	ih[1] = code;
	put16(ih + 4, id);
	if (qlen > 0)
		memcpy(ih + 8, quote, qlen);
	t->len = h + 8 + qlen;
	if (ct_parse(&t->p, family_of(src), t->buf, t->len, 0) < 0)
		return NULL;
	return &t->p;
}

/* QSBR variables of the tests, freed together by test_qsbr_free_all(). */
static struct rte_rcu_qsbr *test_qsbrs[16];
static unsigned int test_n_qsbrs;

static inline struct rte_rcu_qsbr *test_qsbr(unsigned int threads)
{
	size_t sz = rte_rcu_qsbr_get_memsize(threads);
	struct rte_rcu_qsbr *q = aligned_alloc(64, (sz + 63) & ~(size_t)63);

	if (q == NULL || rte_rcu_qsbr_init(q, threads) != 0 || test_n_qsbrs == RTE_DIM(test_qsbrs))
		abort();
	test_qsbrs[test_n_qsbrs++] = q;
	return q;
}

static inline int test_qsbr_free_all(void **state)
{
	(void)state;
	while (test_n_qsbrs > 0)
		free(test_qsbrs[--test_n_qsbrs]);
	return 0;
}
