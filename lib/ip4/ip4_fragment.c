/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fragmentation, the one function (Linux's ip_do_fragment()): of packets too big for their
 * interface, without DF, and of reassembled datagrams (lib/defrag) longer than their
 * frag_max_size, chained or not.
 */
#include "infra/iface.h"
#include "ip4.h"
#include "ip4_options.h"
#include "ip4_output.h"

#include <errno.h>
#include <string.h>

static void build4(uint8_t *data, const struct rte_mbuf *m, uint32_t off, uint32_t len, bool last,
	bool fast, const void *arg)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct rte_ipv4_hdr *fip = (struct rte_ipv4_hdr *)data;
	uint16_t hlen = rte_ipv4_hdr_len(ip), frag = rte_be_to_cpu_16(ip->fragment_offset), fo;

	(void)arg;
	memcpy(fip, ip, hlen);
	/* ip_options_fragment(): only the "copied" options after the first piece */
	if (off > 0 && hlen > sizeof(*fip))
		ip4_options_fragment((uint8_t *)(fip + 1), hlen - sizeof(*fip));
	/*
	 * A fragment cut again keeps its offset and, last, its MF. DF stays on the slow path
	 * (IPSKB_FRAG_PMTU); the fast path clears it (ip_fraglist_init(), ip_fraglist_prepare()).
	 */
	fo = (frag & RTE_IPV4_HDR_OFFSET_MASK) + off / 8;
	if (!fast)
		fo |= frag & RTE_IPV4_HDR_DF_FLAG;
	if (!last || (frag & RTE_IPV4_HDR_MF_FLAG))
		fo |= RTE_IPV4_HDR_MF_FLAG;
	fip->fragment_offset = rte_cpu_to_be_16(fo);
	fip->total_length = rte_cpu_to_be_16(hlen + len);
	fip->hdr_checksum = 0;
	fip->hdr_checksum = rte_ipv4_cksum(fip);
}

int ip4_fragment(const struct rte_mbuf *m, uint16_t size, struct rte_mempool *pool,
	struct rte_mbuf **out, unsigned int max)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t hlen = rte_ipv4_hdr_len(ip);
	bool fragment = (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
								RTE_IPV4_HDR_OFFSET_MASK)) != 0;

	if (size <= hlen)
		return -EINVAL;
	/* a fragment is cut again the slow way, as Linux */
	return fp_mbuf_cut(m, hlen, 0, size - hlen, !fragment, pool, out, max, build4, NULL);
}

enum {
	IP4_FRAGMENT_OUTPUT,
	IP4_FRAGMENT_NOMBUF,
	IP4_FRAGMENT_EDGES,
};

/* The fragments go back to ip4_output, each fitting its interface. */
static uint16_t ip4_fragment_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct iface *iface = iface_get(fp_mbuf_priv(m)->iface_out);
		struct rte_mbuf *frags[RTE_IPV4_MAX_PKT_LEN / 8 / 8 + 1];
		int nf;

		nf = iface == NULL ? -EINVAL
				   : ip4_fragment(m, ip4_output_size(m, iface->mtu), m->pool, frags,
					     RTE_DIM(frags));
		if (nf < 0) {
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
