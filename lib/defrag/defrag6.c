/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6: Linux 6.1's nf_ct_frag6_gather() (net/ipv6/netfilter/nf_conntrack_reasm.c), which
 * differs from the host's ipv6_frag_rcv() in what it lets through unchanged, and
 * ip6_fragment()'s cutting.
 */
#include "defrag_priv.h"
#include "graph/mbuf.h"

#include <errno.h>
#include <rte_ether.h>
#include <string.h>

enum {
	NH_HOP = 0,
	NH_TCP = 6,
	NH_UDP = 17,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_AUTH = 51,
	NH_ICMPV6 = 58,
	NH_NONE = 59,
	NH_DEST = 60,
};

#define FRAG6_HDR_LEN 8
#define IP6_HDR_LEN   40
#define IP6_MAXPLEN   65535

struct frag6_hdr {
	uint8_t next_header;
	uint8_t reserved;
	rte_be16_t frag_off; /* offset in 8-byte units << 3, 2 reserved bits, M */
	rte_be32_t id;
} __rte_packed;

/* ipv6_ext_hdr() */
static bool ext_hdr(uint8_t nh)
{
	return nh == NH_HOP || nh == NH_ROUTING || nh == NH_FRAGMENT || nh == NH_AUTH ||
	       nh == NH_NONE || nh == NH_DEST;
}

/* bytes at off of the packet (any segment), into buf: NULL past end */
static const uint8_t *peek(
	const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t end, void *buf)
{
	if (off + len > end)
		return NULL;
	return rte_pktmbuf_read(m, off, len, buf);
}

/* ipv6_optlen() / ipv6_authlen() */
static uint32_t ext_len(uint8_t nh, const uint8_t *h)
{
	return nh == NH_AUTH ? ((uint32_t)h[1] + 2) << 2 : ((uint32_t)h[1] + 1) << 3;
}

/*
 * find_prev_fhdr(): where the fragment header is (*fhoff) and the byte naming it (*nhoff):
 * 0; or -1 if the packet has none before its upper-layer header.
 */
static int find_fhdr(const struct rte_mbuf *m, uint32_t end, uint16_t *nhoff, uint16_t *fhoff)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint32_t start = IP6_HDR_LEN, prev = offsetof(struct rte_ipv6_hdr, proto);
	uint8_t nh = ip6->proto, buf[2];

	while (nh != NH_FRAGMENT) {
		const uint8_t *h;

		if (!ext_hdr(nh) || nh == NH_NONE)
			return -1;
		h = peek(m, start, 2, end, buf);
		if (h == NULL)
			return -1;
		prev = start;
		start += ext_len(nh, h);
		nh = h[0];
	}
	if (start > end)
		return -1;
	*nhoff = prev;
	*fhoff = start;
	return 0;
}

/*
 * ipv6frag_thdr_truncated(): a first fragment whose headers, from the fragment header to the
 * upper-layer header's first bytes, do not all fit in it (RFC 7112; RFC 8200 4.5).
 */
static bool thdr_truncated(const struct rte_mbuf *m, uint32_t start, uint32_t end)
{
	uint8_t nh = NH_FRAGMENT, buf[4];
	uint16_t frag_off = 0;

	/* ipv6_skip_exthdr() */
	while (ext_hdr(nh)) {
		const uint8_t *h;
		uint32_t hdrlen;

		if (nh == NH_NONE)
			return false;
		h = peek(m, start, nh == NH_FRAGMENT ? 4 : 2, end, buf);
		if (h == NULL)
			return false;
		if (nh == NH_FRAGMENT) {
			frag_off = (uint16_t)(h[2] << 8 | h[3]);
			if (frag_off & ~7u)
				break;
			hdrlen = FRAG6_HDR_LEN;
		} else {
			hdrlen = ext_len(nh, h);
		}
		nh = h[0];
		start += hdrlen;
	}
	if (frag_off & ~7u)
		return false;
	switch (nh) {
	case NH_TCP:
		start += 20; /* struct tcphdr */
		break;
	case NH_UDP:
	case NH_ICMPV6:
		start += 8;
		break;
	default:
		start += 1;
	}
	return start > end;
}

static void key6(const struct rte_mbuf *m, const struct frag6_hdr *fh, struct defrag_key *key)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

	memset(key, 0, sizeof(*key));
	memcpy(key->src, &ip6->src_addr, 16);
	memcpy(key->dst, &ip6->dst_addr, 16);
	key->id = fh->id;
	key->scope = fp_mbuf_priv((struct rte_mbuf *)(uintptr_t)m)->iface_in;
}

/* The packet's fragment header, read into buf: NULL if it has none (or not in reach). */
static const struct frag6_hdr *frag_hdr(const struct rte_mbuf *m, uint32_t end, uint16_t *nhoff,
	uint16_t *fhoff, struct frag6_hdr *buf)
{
	if (find_fhdr(m, end, nhoff, fhoff) < 0)
		return NULL;
	return (const struct frag6_hdr *)peek(m, *fhoff, sizeof(*buf), end, buf);
}

static uint32_t packet_end(const struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

	return IP6_HDR_LEN + rte_be_to_cpu_16(ip6->payload_len);
}

bool defrag6_owner_hash(const struct rte_mbuf *m, uint32_t *hash)
{
	const struct frag6_hdr *fh;
	struct frag6_hdr buf;
	struct defrag_key key;
	uint16_t nhoff, fhoff;

	fh = frag_hdr(m, packet_end(m), &nhoff, &fhoff, &buf);
	if (fh == NULL)
		return false;
	key6(m, fh, &key);
	*hash = defrag_key_hash(&key);
	return true;
}

static uint8_t tclass(const struct rte_ipv6_hdr *ip6)
{
	return (uint8_t)(rte_be_to_cpu_32(ip6->vtc_flow) >> 20);
}

/*
 * nf_ct_frag6_reasm(): the fragment header taken out of the whole, or a drop verdict (the
 * chain is then *m).
 */
static enum defrag_verdict reassemble(
	struct defrag_table *t, struct defrag_queue *q, struct rte_mbuf **m)
{
	uint8_t ecn = defrag_ecn_merge(q->ecn);
	uint32_t fhoff = q->hdr_len - FRAG6_HDR_LEN, plen = fhoff - IP6_HDR_LEN + q->len;
	uint16_t iface_in = fp_mbuf_priv(*m)->iface_in;
	bool ok = ecn != 0xff && plen <= IP6_MAXPLEN;
	struct rte_mbuf *head = defrag_take(t, q, ok);
	struct rte_ipv6_hdr *ip6;
	uint32_t l2;
	uint8_t *data;

	*m = head;
	if (ecn == 0xff)
		return DEFRAG_DROP_ECN;
	if (!ok)
		return DEFRAG_DROP_OVERSIZE;
	data = rte_pktmbuf_mtod(head, uint8_t *);
	data[q->nhoff] = data[fhoff]; /* the fragment header's next header */
	/* the headers before the fragment header move up over it, and the frame's Ethernet
	 * header with them, as ipv6_frag_reasm() moves the MAC header: what goes up a kernel
	 * twin (local delivery's fallback) or into a capture is still a whole frame */
	l2 = fp_mbuf_priv(head)->flags & FP_MBUF_L2_KEPT ? RTE_ETHER_HDR_LEN : 0;
	memmove(data - l2 + FRAG6_HDR_LEN, data - l2, l2 + fhoff);
	rte_pktmbuf_adj(head, FRAG6_HDR_LEN);
	ip6 = rte_pktmbuf_mtod(head, struct rte_ipv6_hdr *);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	ip6->vtc_flow |= rte_cpu_to_be_32((uint32_t)ecn << 20);
	fp_mbuf_priv(head)->iface_in = iface_in;
	defrag_set_frag_max_size(head, IP6_HDR_LEN + q->max_size);
	return DEFRAG_DONE;
}

enum defrag_verdict defrag6_input(struct defrag_table *t, struct rte_mbuf **mp, uint64_t now_ms)
{
	struct rte_mbuf *m = *mp;
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint32_t plen = rte_be_to_cpu_16(ip6->payload_len), end_pkt = IP6_HDR_LEN + plen;
	uint32_t offset, end, hash;
	uint8_t ecn_bit = defrag_ecn_bit(tclass(ip6));
	const struct frag6_hdr *fh;
	enum defrag_verdict v;
	struct frag6_hdr fbuf;
	uint16_t nhoff, fhoff;
	struct defrag_queue *q;
	struct defrag_key key;

	/* a jumbogram has no fragment header */
	if (plen == 0)
		return DEFRAG_PASS;
	if (find_fhdr(m, end_pkt, &nhoff, &fhoff) < 0)
		return DEFRAG_PASS;
	/* RFC 8200 4.5: a first fragment without all headers is not reassembled here */
	if (thdr_truncated(m, fhoff, end_pkt))
		return DEFRAG_PASS;
	fh = (const struct frag6_hdr *)peek(m, fhoff, sizeof(fbuf), end_pkt, &fbuf);
	if (fh == NULL || m->pkt_len < end_pkt)
		return DEFRAG_DROP_TRUNCATED;
	key6(m, fh, &key);
	hash = defrag_key_hash(&key);
	q = defrag_find(t, &key, hash, now_ms);
	if (q == NULL)
		return DEFRAG_DROP_NO_MEMORY;

	/* nf_ct_frag6_queue(), step by step */
	offset = rte_be_to_cpu_16(fh->frag_off) & ~7u;
	end = offset + end_pkt - (fhoff + FRAG6_HDR_LEN);
	if (end > IP6_MAXPLEN)
		return DEFRAG_DROP_OVERSIZE;
	if (!(fh->frag_off & rte_cpu_to_be_16(1))) {
		if (end < q->len || ((q->flags & DEFRAG_LAST_IN) && end != q->len))
			return DEFRAG_DROP_MALFORMED;
		q->flags |= DEFRAG_LAST_IN;
		q->len = end;
	} else {
		if (end & 7) {
			/* RFC 8200 4.5: the host sends the parameter problem; netfilter lets it by
			 */
			defrag_kill(t, q, DEFRAG_DROP_MALFORMED);
			return DEFRAG_PASS;
		}
		if (end > q->len) {
			if (q->flags & DEFRAG_LAST_IN)
				return DEFRAG_DROP_MALFORMED;
			q->len = end;
		}
	}
	if (end == offset)
		return DEFRAG_DROP_MALFORMED;
	/* the first keeps its headers for the whole, in its first segment */
	if (offset == 0 && m->data_len < fhoff + FRAG6_HDR_LEN)
		return DEFRAG_DROP_TRUNCATED;
	if (offset > 0 && rte_pktmbuf_adj(m, fhoff + FRAG6_HDR_LEN) == NULL)
		return DEFRAG_DROP_TRUNCATED;
	fp_mbuf_trim(m, (offset == 0 ? fhoff + FRAG6_HDR_LEN : 0) + end - offset);

	v = defrag_insert(t, q, m, offset, end);
	if (v == DEFRAG_DROP_DUPLICATE)
		return v;
	if (v != DEFRAG_HELD) {
		defrag_kill(t, q, v);
		return v;
	}
	q->ecn |= ecn_bit;
	if (plen > q->max_size)
		q->max_size = plen;
	if (offset == 0) {
		q->flags |= DEFRAG_FIRST_IN;
		q->nhoff = nhoff;
		q->hdr_len = fhoff + FRAG6_HDR_LEN;
		q->first_len = m->pkt_len;
		q->first_segs = m->nb_segs;
	}
	if (!defrag_whole(q))
		return DEFRAG_HELD;
	*mp = m;
	return reassemble(t, q, mp);
}
