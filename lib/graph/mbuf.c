/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet helpers of the graph: fragmentation's common loop (mbuf.h). */
#include "mbuf.h"

#include <errno.h>
#include <string.h>

/*
 * ip_do_fragment()'s and ip6_fragment()'s fast path: a reassembled datagram still holds its
 * fragments (the skb's frag_list, here one segment each), and they are sent again as they came
 * when each fits in room and all but the last are multiples of 8.
 */
static bool keeps_geometry(const struct rte_mbuf *m, uint16_t hlen, uint32_t room)
{
	if (m->nb_segs < 2 || m->data_len <= hlen)
		return false;
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		uint32_t len = s == m ? s->data_len - hlen : s->data_len;

		if (len == 0 || len > room || ((len & 7) && s->next != NULL))
			return false;
	}
	return true;
}

int fp_mbuf_cut(const struct rte_mbuf *m, uint16_t hlen, uint16_t extra, uint32_t room,
	bool geometry, struct rte_mempool *pool, struct rte_mbuf **out, unsigned int max,
	void (*build)(uint8_t *data, const struct rte_mbuf *m, uint32_t off, uint32_t len,
		bool last, bool fast, const void *arg),
	const void *arg)
{
	uint32_t payload = m->pkt_len - hlen, off, len;
	const struct rte_mbuf *seg = m;
	unsigned int n = 0;

	if (room < 8 || m->pkt_len < hlen || m->data_len < hlen)
		return -EINVAL; /* the datapath's: no message to format */
	geometry = geometry && keeps_geometry(m, hlen, room);
	for (off = 0; off < payload; off += len) {
		struct rte_mbuf *f;
		const void *src;
		uint8_t *data;

		if (geometry) {
			len = seg == m ? seg->data_len - hlen : seg->data_len;
			seg = seg->next;
		} else {
			len = payload - off <= room ? payload - off : room & ~7u;
		}
		if (n == max || (f = rte_pktmbuf_alloc(pool)) == NULL)
			goto nobufs;
		out[n++] = f;
		data = (uint8_t *)rte_pktmbuf_append(f, hlen + extra + len);
		if (data == NULL)
			goto nobufs;
		/* it copies only what spans segments, else points into m */
		src = rte_pktmbuf_read(m, hlen + off, len, data + hlen + extra);
		if (src != data + hlen + extra)
			memcpy(data + hlen + extra, src, len);
		build(data, m, off, len, off + len == payload, geometry, arg);
		*fp_mbuf_priv(f) = *fp_mbuf_priv((struct rte_mbuf *)(uintptr_t)m);
		/* a new buffer: no frame header; a piece is no reassembled datagram */
		fp_mbuf_priv(f)->flags &= ~(FP_MBUF_L2_KEPT | FP_MBUF_FRAG_MAX);
	}
	return n;
nobufs:
	rte_pktmbuf_free_bulk(out, n);
	return -ENOBUFS;
}

int fp_mbuf_trim(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = len;
	uint16_t segs = 1;

	if (m->pkt_len < len)
		return -1;
	if (m->pkt_len == len)
		return 0;
	while (seg->data_len < left) {
		left -= seg->data_len;
		seg = seg->next;
		segs++;
	}
	seg->data_len = left;
	rest = seg->next;
	seg->next = NULL;
	m->pkt_len = len;
	m->nb_segs = segs;
	rte_pktmbuf_free(rest);
	return 0;
}
