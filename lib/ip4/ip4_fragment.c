/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/iface.h"
#include "ip4.h"
#include "ip4_options.h"

#include <string.h>

enum {
	IP4_FRAGMENT_OUTPUT,
	IP4_FRAGMENT_NOMBUF,
	IP4_FRAGMENT_EDGES,
};

/*
 * Cuts a packet too big for its interface and without DF into fragments of
 * the largest multiple of 8 bytes that fits (Linux ip_do_fragment() slow path),
 * each in a new mbuf; the fragments go back to ip4_output.
 */
static uint16_t ip4_fragment_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
		const struct iface *iface = iface_get(priv->iface_out);
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		uint16_t hlen = (ip->version_ihl & 0xf) * 4,
			 frag = rte_be_to_cpu_16(ip->fragment_offset);
		uint32_t payload = m->pkt_len - hlen, chunk, off;
		struct rte_mbuf *frags[RTE_IPV4_MAX_PKT_LEN / 8 / 8 + 1];
		unsigned int nf = 0;

		chunk = iface != NULL && iface->mtu > hlen + 8 ? (iface->mtu - hlen) & ~7u : 0;
		if (chunk == 0 || payload / chunk + 1 > RTE_DIM(frags)) {
			rte_node_enqueue_x1(graph, node, IP4_FRAGMENT_NOMBUF, m);
			continue;
		}
		for (off = 0; off < payload; off += chunk) {
			uint32_t len = RTE_MIN(chunk, payload - off);
			struct rte_mbuf *f = rte_pktmbuf_alloc(m->pool);
			struct rte_ipv4_hdr *fip;
			const void *src;
			char *data;
			uint16_t fo;

			if (f == NULL)
				break;
			frags[nf++] = f;
			data = rte_pktmbuf_append(f, hlen + len);
			if (data == NULL)
				break;
			fip = (struct rte_ipv4_hdr *)data;
			memcpy(fip, ip, hlen);
			src = rte_pktmbuf_read(m, hlen + off, len, data + hlen);
			/* it copies only what spans segments, else points into m */
			if (src != data + hlen)
				memcpy(data + hlen, src, len);
			if (off > 0 && hlen > sizeof(*fip))
				ip4_options_fragment((uint8_t *)(fip + 1), hlen - sizeof(*fip));
			/* a fragment being fragmented again keeps its offset and, last, its MF */
			fo = (frag & RTE_IPV4_HDR_OFFSET_MASK) + off / 8;
			if (off + len < payload || (frag & RTE_IPV4_HDR_MF_FLAG))
				fo |= RTE_IPV4_HDR_MF_FLAG;
			fip->fragment_offset = rte_cpu_to_be_16(fo);
			fip->total_length = rte_cpu_to_be_16(hlen + len);
			fip->hdr_checksum = 0;
			fip->hdr_checksum = rte_ipv4_cksum(fip);
			*fp_mbuf_priv(f) = *priv;
			fp_mbuf_priv(f)->flags &=
				~FP_MBUF_L2_KEPT; /* a new buffer: no frame header */
		}
		if (off < payload) {
			rte_pktmbuf_free_bulk(frags, nf);
			rte_node_enqueue_x1(graph, node, IP4_FRAGMENT_NOMBUF, m);
			continue;
		}
		rte_node_enqueue(graph, node, IP4_FRAGMENT_OUTPUT, (void **)frags, nf);
		rte_pktmbuf_free(m);
	}
	return n;
}

static struct rte_node_register ip4_fragment_node = {
	.name = "ip4_fragment",
	.process = ip4_fragment_process,
	.nb_edges = IP4_FRAGMENT_EDGES,
	.next_nodes =
		{
			[IP4_FRAGMENT_OUTPUT] = "ip4_output",
			[IP4_FRAGMENT_NOMBUF] = "ip4_fragment_failed",
		},
};
FP_NODE_REGISTER(ip4_fragment_node)
FP_DROP_NODE(ip4_fragment_failed)
