/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 fragmentation (Linux's ip6_fragment()), of reassembled datagrams only (lib/defrag): a
 * router never fragments what it forwards otherwise (packet too big), and its own packets are
 * not fragmented yet.
 */
#include "infra/iface.h"
#include "ip6_output.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_random.h>

/*
 * ip6_find_1stfragopt(): the length of the unfragmentable part (the headers up to a routing
 * header and the destination options before it) and the byte naming what follows it; -1 if
 * the headers run past the packet.
 */
static int first_frag_opt(const struct rte_mbuf *m, uint16_t *nhoff)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t offset = IP6_HDR_LEN, len = m->data_len;
	bool found_rhdr = false;

	*nhoff = offsetof(struct rte_ipv6_hdr, proto);
	while (offset <= len) {
		switch (p[*nhoff]) {
		case IPPROTO_HOPOPTS:
			break;
		case IPPROTO_ROUTING:
			found_rhdr = true;
			break;
		case IPPROTO_DSTOPTS:
			if (found_rhdr)
				return offset;
			break;
		default:
			return offset;
		}
		if (offset + 2 > len)
			return -1;
		*nhoff = offset;
		offset += ((uint32_t)p[offset + 1] + 1) << 3; /* ipv6_optlen() */
		if (offset > UINT16_MAX)
			return -1;
	}
	return -1;
}

struct build6_arg {
	uint16_t hlen;	/* the unfragmentable part */
	uint16_t nhoff; /* the byte in it naming the fragmentable part */
	uint32_t id;
};

static void build6(uint8_t *data, const struct rte_mbuf *m, uint32_t off, uint32_t len, bool last,
	bool fast, const void *arg)
{
	const struct build6_arg *a = arg;
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)(data + a->hlen);

	(void)fast; /* IPv6 has no DF */
	memcpy(data, src, a->hlen);
	fh->next_header = src[a->nhoff];
	fh->reserved = 0;
	fh->frag_data = rte_cpu_to_be_16((uint16_t)off | (last ? 0 : 1));
	fh->id = rte_cpu_to_be_32(a->id);
	data[a->nhoff] = IPPROTO_FRAGMENT;
	((struct rte_ipv6_hdr *)data)->payload_len =
		rte_cpu_to_be_16(a->hlen - IP6_HDR_LEN + RTE_IPV6_FRAG_HDR_SIZE + len);
}

int ip6_fragment(const struct rte_mbuf *m, uint16_t size, uint32_t id, struct rte_mempool *pool,
	struct rte_mbuf **out, unsigned int max)
{
	struct build6_arg a = {.id = id};
	int hlen = first_frag_opt(m, &a.nhoff);

	if (hlen < 0)
		return -EINVAL;
	a.hlen = hlen;
	/* ip6_fragment(): never smaller than the minimum MTU */
	if (size < IP6_MIN_MTU)
		size = IP6_MIN_MTU;
	if (size <= hlen + RTE_IPV6_FRAG_HDR_SIZE + 8)
		return -EINVAL;
	return fp_mbuf_cut(m, a.hlen, RTE_IPV6_FRAG_HDR_SIZE, size - hlen - RTE_IPV6_FRAG_HDR_SIZE,
		true, pool, out, max, build6, &a);
}

enum {
	IP6_FRAGMENT_OUTPUT,
	IP6_FRAGMENT_FAILED,
	IP6_FRAGMENT_EDGES,
};

/*
 * A reassembled datagram longer than its frag_max_size (ip6_output_one() has checked that size
 * against the MTU): cut to it, with a new identification (Linux's ipv6_select_ident() hashes
 * the addresses with a secret; a random one is as unpredictable); the fragments go back to
 * ip6_output.
 */
static uint16_t ip6_fragment_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct rte_mbuf *frags[UINT16_MAX / (IP6_MIN_MTU - IP6_HDR_LEN - 8) + 2];
		int nf = ip6_fragment(m, fp_mbuf_frag_max_size(m), (uint32_t)rte_rand(), m->pool,
			frags, RTE_DIM(frags));

		if (nf < 0) {
			rte_node_enqueue_x1(graph, node, IP6_FRAGMENT_FAILED, m);
			continue;
		}
		rte_node_enqueue(graph, node, IP6_FRAGMENT_OUTPUT, (void **)frags, nf);
		rte_pktmbuf_free(m);
	}
	return n;
}

static struct rte_node_register ip6_fragment_node = {
	.name = "ip6_fragment",
	.process = ip6_fragment_process,
	.nb_edges = IP6_FRAGMENT_EDGES,
	.next_nodes =
		{
			[IP6_FRAGMENT_OUTPUT] = "ip6_output",
			[IP6_FRAGMENT_FAILED] = "ip6_fragment_failed",
		},
};
FP_NODE_REGISTER(ip6_fragment_node)
FP_DROP_NODE(ip6_fragment_failed)
