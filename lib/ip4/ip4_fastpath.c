/* SPDX-License-Identifier: BSD-3-Clause */
#include "eth/eth_input.h"
#include "graph/capture.h"
#include "graph/hook.h"
#include "infra/settings.h"
#include "ip4_input.h"
#include "ip4_output.h"
#include "ip4_route.h"
#include "ip4_source.h"

/*
 * Where the ports' packets enter. The common case of a router, a unicast IPv4 packet to a
 * resolved next hop, is decided here in one pass, with the checks and functions of
 * eth_input -> ip4_input -> ip4_forward, and leaves with its Ethernet header rewritten in
 * place. Any other packet goes to eth_input untouched, and the nodes there decide and
 * count it: so does every packet while a trace or a capture runs, or with the fast path
 * off (workers.fast_path), so that each node shows what it did, and every packet that would
 * meet a hook feature on its way (graph/hook.h): one of its input interface at PREROUTING or
 * FORWARD, or of its output interface at FORWARD or POSTROUTING. The masks are read once per
 * run of a port and once per route, not per packet.
 */

enum {
	IP4_FASTPATH_TX,
	IP4_FASTPATH_FULL_GRAPH,
	IP4_FASTPATH_EDGES,
};

/* Unicast to our MAC, IPv4, and a packet that passes ip4_input's checks at once. */
static inline bool fast_frame(const struct rte_mbuf *m, const struct iface *iface)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return m->data_len >= sizeof(*eth) + sizeof(struct rte_ipv4_hdr) &&
	       eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	       rte_is_same_ether_addr(&eth->dst_addr, &iface->mac) &&
	       ip4_is_plain((const struct rte_ipv4_hdr *)(eth + 1), m->data_len - sizeof(*eth),
		       m->pkt_len - sizeof(*eth), m->ol_flags);
}

/*
 * The burst's last route, when it has one path, through a gateway: the hop of its packets, for
 * the interface they came in on, and whether their sources need more than the filter of the
 * router's addresses (ip4_source.h: reverse-path filter, a redirect case).
 */
struct fast_route {
	uint64_t nh; /* FAST_ROUTE_NONE: none */
	uint16_t iface_out;
	uint16_t iface_in;
	bool source_full;
};

#define FAST_ROUTE_NONE UINT64_MAX /* no group id */

#define IP4_PREROUTING	 FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_PREROUTING)
#define IP4_FORWARD_HOOK FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_FORWARD)
#define IP4_POSTROUTING	 FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_POSTROUTING)

/* ip_forward() for a packet that needs nothing but its TTL and a new Ethernet header. */
static inline rte_edge_t fast_forward(
	struct rte_mbuf *m, uint64_t nh, struct fast_route *route, struct ip4_output_hop *hop)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

	if (likely(nh == route->nh && priv->iface_in == route->iface_in)) {
		priv->iface_out = route->iface_out;
	} else {
		uint8_t mode;

		if (unlikely(ip4_route_decide(m, ip, nh) != ROUTE_TO_NEXT_HOP))
			return IP4_FASTPATH_FULL_GRAPH;
		/* features on at the output interface: this route is not cached */
		if (unlikely((fp_hook_mask(priv->iface_out, IP4_FORWARD_HOOK) |
				     fp_hook_mask(priv->iface_out, IP4_POSTROUTING)) != 0))
			return IP4_FASTPATH_FULL_GRAPH;
		ip4_output_hop_update(hop, priv);
		route->nh = priv->neigh != NULL && fp_nh_groups[nh]->n_slots <= 1 ? nh
										  : FAST_ROUTE_NONE;
		route->iface_out = priv->iface_out;
		route->iface_in = priv->iface_in;
		mode = ip4_source_mode(priv->iface_in);
		route->source_full =
			(mode & IP4_SRC_MODE_RPF) ||
			(priv->iface_out == priv->iface_in && (mode & IP4_SRC_MODE_REDIRECTS));
	}
	/* a martian, filtered or redirected source: the whole graph counts or answers it */
	if (unlikely(route->source_full || ip4_local_filter_hit(ip->src_addr)) &&
		ip4_source_validate(priv, ip->src_addr, true) != IP4_SOURCE_OK)
		return IP4_FASTPATH_FULL_GRAPH;
	if (unlikely(ip->time_to_live <= 1 || m->pkt_len > hop->eth.max_frame))
		return IP4_FASTPATH_FULL_GRAPH;
	ip4_decrease_ttl(ip);
	/* the ethertype stays */
	memcpy(eth, &hop->eth.eth, 2 * RTE_ETHER_ADDR_LEN);
	return IP4_FASTPATH_TX;
}

static uint16_t ip4_fastpath_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */
	uint32_t dst[n];
	uint64_t nh[n];
	struct ip4_output_hop hop = IP4_OUTPUT_HOP_NONE;
	struct fast_route route = {.nh = FAST_ROUTE_NONE};
	const struct iface *iface = NULL;
	const struct iface *fast_iface = NULL; /* iface, unless features are on at its input */
	uint64_t priv_head = 0;
	uint16_t port = UINT16_MAX, n_fast = 0;
	int vrf = -2; /* none yet */

	if (unlikely(!fp_settings.fast_path || capture_active() != NULL ||
		     __atomic_load_n(&fp_trace, __ATOMIC_RELAXED) != NULL)) {
		rte_node_next_stream_move(graph, node, IP4_FASTPATH_FULL_GRAPH);
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		fp_mbuf_prefetch_ahead(objs, i, n);
		/* a burst comes from one queue: look the interface up once per run of a port */
		if (unlikely(m->port != port)) {
			port = m->port;
			iface = iface_get(fp_port_iface[port]);
			priv_head = iface != NULL ? iface_rx_priv_head(iface) : 0;
			if (iface != NULL)
				vrf = vrf == -2 || vrf == iface->vrf ? iface->vrf : IP4_VRF_MIXED;
			fast_iface = iface != NULL && (fp_hook_mask(iface->id, IP4_PREROUTING) |
							      fp_hook_mask(iface->id,
								      IP4_FORWARD_HOOK)) == 0
					     ? iface
					     : NULL;
		}
		/* every packet's, for the lookup of a burst of several VRFs */
		fp_mbuf_priv(m)->head = priv_head;
		if (unlikely(fast_iface == NULL || !fast_frame(m, fast_iface))) {
			nexts[i] = IP4_FASTPATH_FULL_GRAPH;
			dst[i] = 0;
			continue;
		}
		nexts[i] = IP4_FASTPATH_TX;
		n_fast++;
		dst[i] = ip4_host(rte_pktmbuf_mtod_offset(
			m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr))
					  ->dst_addr);
	}
	if (n_fast == 0) { /* e.g. a burst of IPv6 */
		rte_node_next_stream_move(graph, node, IP4_FASTPATH_FULL_GRAPH);
		return n;
	}
	ip4_fib_lookup(pkts, dst, nh, n, vrf);
	for (uint16_t i = 0; i < n; i++)
		if (likely(nexts[i] == IP4_FASTPATH_TX))
			nexts[i] = fast_forward(pkts[i], nh[i], &route, &hop);
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register ip4_fastpath_node = {
	.name = "ip4_fastpath",
	.process = ip4_fastpath_process,
	.nb_edges = IP4_FASTPATH_EDGES,
	.next_nodes =
		{
			[IP4_FASTPATH_TX] = "port_tx",
			[IP4_FASTPATH_FULL_GRAPH] = "eth_input",
		},
};
FP_NODE_REGISTER(ip4_fastpath_node)
/* ahead of eth_input (0): the ports' packets come here first */
ETH_RX_ENTRY_REGISTER(ip4_rx_entry, "ip4_fastpath", 1)
