/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr6.h"
#include "fib/fib6.h"
#include "infra/icmp_limit.h"
#include "infra/iface.h"
#include "ip6.h"
#include "ndp_msg.h"
#include "neigh/neigh.h"

/*
 * NDP redirects (RFC 4861 8.2), as Linux's ip6_forward() and ndisc_send_redirect() send them:
 * ip6_input sends here the packets that leave by the interface they came in on (a link-local
 * destination that is not ours too: Linux routes it back onto its link by fe80::/64). The
 * packet is forwarded all the same (to ip6_forward, which then lets a link-local source stay on
 * its link); before that, unless its hop limit runs out, a redirect goes to its source, from
 * the router's link-local address, naming the better first hop (the route's gateway, or the
 * destination itself on the link), with the target's link-layer address when it is resolved
 * and the packet as it arrived. Linux has no sysctl for it: a router always sends them,
 * limited to one a second per destination and one a second per source (bursts of 6), from the
 * buckets of the ICMPv6 errors.
 */

#define REDIRECT_RATELIMIT_MS 1000 /* inet_peer_xrlim_allow(peer, 1*HZ) */

enum {
	IP6_REDIRECT_FORWARD,
	IP6_REDIRECT_SEND,
	IP6_REDIRECT_EDGES,
};

/* ipv6_get_lladdr(): the interface's first link-local address that is not tentative */
static bool link_local_of(uint16_t iface, struct fp_ip6_addr *out)
{
	const struct ip6_iface_addrs *as = ip6_iface_addrs(iface);

	for (unsigned int i = 0; as != NULL && i < as->n; i++)
		if (fp_ip6_is_link_local(&as->a[i].p.addr) &&
			as->a[i].state == IP6_ADDR_PREFERRED) {
			*out = as->a[i].p.addr;
			return true;
		}
	return false;
}

/* ndisc_send_redirect(): the source must be on the link, not behind a gateway */
static bool source_on_link(const struct fp_mbuf_priv *priv, const struct fp_ip6_addr *src)
{
	const struct nh_group *g;

	if (fp_ip6_is_link_local(src))
		return true;
	g = fib6_lookup(priv->vrf, src);
	return g != NULL && g->type == ROUTE_UNICAST && g->members[0].gw.family == 0;
}

/* The redirect for m, in a new mbuf, or NULL. */
static struct rte_mbuf *redirect_of(struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m), *rpriv;
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint8_t quote_buf[IP6_MIN_MTU];
	struct fp_ip6_addr ll, target = *ip6_dst(ip);
	struct fp_mac mac, *lladdr = NULL;
	struct rte_ether_addr ea;
	const uint8_t *quote;
	struct rte_mbuf *r;
	struct neigh *n;
	uint8_t *buf;

	/* ip6_forward() sends nothing for these, or an error first */
	if ((priv->flags & FP_MBUF_L2_MULTICAST) || ip->hop_limits <= 1)
		return NULL;
	/* the destination's token first, then ndisc_send_redirect()'s checks */
	if (!icmp_peer_allow(ip6_host_tag(ip6_dst(ip)), REDIRECT_RATELIMIT_MS))
		return NULL;
	if (!link_local_of(priv->iface_in, &ll))
		return NULL;
	if (priv->neigh != NULL) /* a gateway: it must be named by its link-local address */
		target = priv->neigh->key.addr.v6;
	if (!fp_ip6_equal(&target, ip6_dst(ip)) && !fp_ip6_is_link_local(&target))
		return NULL;
	if (!source_on_link(priv, ip6_src(ip)) ||
		!icmp_peer_allow(ip6_host_tag(ip6_src(ip)), REDIRECT_RATELIMIT_MS))
		return NULL;
	n = neigh6_lookup(priv->iface_in, &target);
	if (n != NULL && neigh_l2_get(n, &ea)) {
		memcpy(mac.bytes, ea.addr_bytes, sizeof(mac.bytes));
		lladdr = &mac;
	}
	r = rte_pktmbuf_alloc(m->pool);
	if (r == NULL)
		return NULL;
	buf = (uint8_t *)rte_pktmbuf_append(r, NDP_REDIRECT_MAX);
	quote = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(quote_buf)), quote_buf);
	if (buf == NULL || quote == NULL) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	rte_pktmbuf_trim(r,
		NDP_REDIRECT_MAX - ndp_build_redirect(buf, &ll, ip6_src(ip), &target, ip6_dst(ip),
					   lladdr, quote, RTE_MIN(m->pkt_len, sizeof(quote_buf))));
	rpriv = fp_mbuf_priv(r);
	*rpriv = (struct fp_mbuf_priv){
		.iface_in = priv->iface_in,
		/* back to where the packet came from: ip6_route keeps it for a link-local one */
		.iface_out = priv->iface_in,
		.vrf = priv->vrf,
		.flags = FP_MBUF_LOCAL_ORIGIN | FP_MBUF_AT_L3,
	};
	return r;
}

static uint16_t ip6_redirect_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *r = redirect_of(objs[i]);

		if (r != NULL)
			rte_node_enqueue_x1(graph, node, IP6_REDIRECT_SEND, r);
	}
	/* every packet goes on: the redirect does not replace forwarding */
	rte_node_next_stream_move(graph, node, IP6_REDIRECT_FORWARD);
	return n;
}

static struct rte_node_register ip6_redirect_node = {
	.name = "ip6_redirect",
	.process = ip6_redirect_process,
	.nb_edges = IP6_REDIRECT_EDGES,
	.next_nodes =
		{
			[IP6_REDIRECT_FORWARD] = "ip6_forward",
			[IP6_REDIRECT_SEND] = "ip6_redirect_sent",
		},
};
FP_NODE_REGISTER(ip6_redirect_node)

/* The redirects sent, counted here on their way out (not a drop: the packet was forwarded). */
static uint16_t ip6_redirect_sent_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	(void)objs;
	rte_node_next_stream_move(graph, node, 0);
	return n;
}

static struct rte_node_register ip6_redirect_sent_node = {
	.name = "ip6_redirect_sent",
	.process = ip6_redirect_sent_process,
	.nb_edges = 1,
	.next_nodes = {"ip6_route"},
};
FP_NODE_REGISTER(ip6_redirect_sent_node)
