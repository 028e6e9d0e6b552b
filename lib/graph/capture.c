/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture.h"
#include "mbuf.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ring.h>

/* The control half (graphctl/capture_api.c) writes the file and serves the API. */

struct capture *fp_capture;

void capture_packet(struct capture *c, struct rte_mbuf *m, uint16_t iface, enum capture_point point,
	const char *reason)
{
	static const struct rte_ether_hdr ip4_only = {.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4)};
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct fp_mbuf_priv *cp;
	struct rte_mbuf *copy;
	uint32_t head = 0, len;
	char *data;

	if (!(c->points & point) || (c->iface != FP_IFACE_NONE && c->iface != iface))
		return;
	if (c->count && __atomic_fetch_add(&c->taken, 1, __ATOMIC_RELAXED) >= c->count)
		return;
	copy = rte_pktmbuf_alloc(c->pool);
	if (copy == NULL)
		goto lost;
	/* the file holds Ethernet frames: the header kept before an L3 packet, or a stand-in */
	if (priv->flags & FP_MBUF_AT_L3)
		head = sizeof(struct rte_ether_hdr);
	len = RTE_MIN(m->pkt_len + head, (uint32_t)CAPTURE_SNAPLEN);
	data = rte_pktmbuf_append(copy, len);
	if (head)
		memcpy(data,
			priv->flags & FP_MBUF_L2_KEPT
				? rte_pktmbuf_mtod_offset(m, const void *, -(int)head)
				: (const void *)&ip4_only,
			head);
	if (rte_pktmbuf_read(m, 0, len - head, data + head) != data + head)
		memcpy(data + head, rte_pktmbuf_mtod(m, const void *), len - head);
	/* the original length, for the file */
	copy->hash.usr = m->pkt_len + head;
	cp = fp_mbuf_priv(copy);
	*cp = (struct fp_mbuf_priv){.iface_in = iface};
	cp->flags = point == CAPTURE_RX ? FP_MBUF_CAPTURE_RX : 0;
	cp->capture.reason = reason;
	cp->capture.tsc = rte_rdtsc();
	if (rte_ring_mp_enqueue(c->ring, copy) == 0)
		return;
	rte_pktmbuf_free(copy);
lost:
	__atomic_fetch_add(&c->lost, 1, __ATOMIC_RELAXED);
}
