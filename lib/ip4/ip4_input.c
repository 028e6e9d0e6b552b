/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4.h"

enum {
	IP4_INPUT_ROUTE,
	IP4_INPUT_LOCAL,
	IP4_INPUT_TRUNCATED,
	IP4_INPUT_BAD_VERSION,
	IP4_INPUT_BAD_IHL,
	IP4_INPUT_BAD_CHECKSUM,
	IP4_INPUT_BAD_LENGTH,
	IP4_INPUT_MARTIAN_SOURCE,
	IP4_INPUT_MARTIAN_DESTINATION,
	IP4_INPUT_MULTICAST,
	IP4_INPUT_EDGES,
};

/* The checks of Linux's ip_rcv_core() and the martian tests of ip_route_input_slow(). */
static inline rte_edge_t ip4_check(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t hlen, tot_len;

	if (unlikely(m->data_len < sizeof(*ip)))
		return IP4_INPUT_TRUNCATED;
	if (unlikely((ip->version_ihl >> 4) != 4))
		return IP4_INPUT_BAD_VERSION;
	hlen = (ip->version_ihl & 0xf) * 4;
	if (unlikely(hlen < sizeof(*ip)))
		return IP4_INPUT_BAD_IHL;
	if (unlikely(m->data_len < hlen))
		return IP4_INPUT_TRUNCATED;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD) {
		if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
			rte_raw_cksum(ip, hlen) != 0xffff)
			return IP4_INPUT_BAD_CHECKSUM;
	}
	tot_len = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(m->pkt_len < tot_len))
		return IP4_INPUT_TRUNCATED;
	if (unlikely(tot_len < hlen))
		return IP4_INPUT_BAD_LENGTH;
	if (m->pkt_len > tot_len) /* Ethernet padding */
		rte_pktmbuf_trim(m, m->pkt_len - tot_len);
	m->l3_len = hlen;

	if (unlikely(ip4_is_multicast(ip->src_addr) || ip4_is_lbcast(ip->src_addr)))
		return IP4_INPUT_MARTIAN_SOURCE;
	if (unlikely(ip4_is_lbcast(ip->dst_addr))) {
		fp_mbuf_priv(m)->flags |= FP_MBUF_BROADCAST;
		return IP4_INPUT_LOCAL;
	}
	if (unlikely(ip4_is_zeronet(ip->src_addr) || ip4_is_loopback(ip->src_addr)))
		return IP4_INPUT_MARTIAN_SOURCE;
	if (unlikely(ip4_is_zeronet(ip->dst_addr) || ip4_is_loopback(ip->dst_addr)))
		return IP4_INPUT_MARTIAN_DESTINATION;
	if (unlikely(ip4_is_multicast(ip->dst_addr)))
		return IP4_INPUT_MULTICAST;
	return IP4_INPUT_ROUTE;
}

static uint16_t ip4_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */

	for (uint16_t i = 0; i < n; i++) {
		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod((struct rte_mbuf *)objs[i + 2], void *));
		nexts[i] = ip4_check(objs[i]);
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_input_node = {
	.name = "ip4_input",
	.process = ip4_input_process,
	.nb_edges = IP4_INPUT_EDGES,
	.next_nodes =
		{
			[IP4_INPUT_ROUTE] = "ip4_route",
			[IP4_INPUT_LOCAL] = "ip4_local",
			[IP4_INPUT_TRUNCATED] = "ip4_truncated",
			[IP4_INPUT_BAD_VERSION] = "ip4_bad_version",
			[IP4_INPUT_BAD_IHL] = "ip4_bad_ihl",
			[IP4_INPUT_BAD_CHECKSUM] = "ip4_bad_checksum",
			[IP4_INPUT_BAD_LENGTH] = "ip4_bad_length",
			[IP4_INPUT_MARTIAN_SOURCE] = "ip4_martian_source",
			[IP4_INPUT_MARTIAN_DESTINATION] = "ip4_martian_destination",
			[IP4_INPUT_MULTICAST] = "ip4_multicast",
		},
};
FP_NODE_REGISTER(ip4_input_node)
FP_DROP_NODE(ip4_truncated)
FP_DROP_NODE(ip4_bad_version)
FP_DROP_NODE(ip4_bad_ihl)
FP_DROP_NODE(ip4_bad_checksum)
FP_DROP_NODE(ip4_bad_length)
FP_DROP_NODE(ip4_martian_source)
FP_DROP_NODE(ip4_martian_destination)
FP_DROP_NODE(ip4_multicast)
