/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/control.h"
#include "infra/iface.h"
#include "ip4_output.h"

#include <rte_hash_crc.h>

/*
 * ICMP redirects, as Linux's ip_forward() sends them: ip4_input sends here the packets that
 * leave by the interface they came in on, from a source on that link, where send_redirects is
 * on (ip4_source.h). The packet is forwarded all the same (to ip4_forward); a copy, as it
 * leaves (TTL decremented), becomes a host redirect (type 5 code 1) naming the next hop: the
 * route's gateway, or the destination itself when it is on the link (rt_nexthop()).
 *
 * ip_rt_send_redirect()'s backoff, per source host: the first redirect at once, the next
 * after 40 ms, then 80, 160... (ip_rt_redirect_load << n), none after 9 (ip_rt_redirect_number)
 * until the host has sent nothing that deserved one for 20.48 s (ip_rt_redirect_silence).
 */

#define REDIRECT_NUMBER	    9			     /* ip_rt_redirect_number */
#define REDIRECT_LOAD_MS    20u			     /* ip_rt_redirect_load: HZ / 50 */
#define REDIRECT_SILENCE_MS (REDIRECT_LOAD_MS << 10) /* ip_rt_redirect_silence */
#define REDIRECT_PEERS	    4096
#define REDIRECT_QUOTE_MAX  576 /* icmp_send() quotes no more (icmp4_error trims to fit) */

enum {
	IP4_REDIRECT_FORWARD,
	IP4_REDIRECT_SEND,
	IP4_REDIRECT_EDGES,
};

/*
 * The hosts' states, shared by the workers as Linux's inet_peer entries are by the CPUs: a
 * word each, the redirects sent in the high half and the time of the last one (ms) in the low
 * half, changed by compare-and-swap. A host that takes over a slot starts afresh.
 */
static uint32_t peer_tags[REDIRECT_PEERS];
static uint64_t peer_states[REDIRECT_PEERS];

static bool redirect_allowed(uint32_t tag)
{
	unsigned int slot = (tag ^ (tag >> 12) ^ (tag >> 24)) % REDIRECT_PEERS;
	uint32_t now = fp_clock_ms;
	uint64_t old, new;
	bool send;

	if (__atomic_load_n(&peer_tags[slot], __ATOMIC_RELAXED) != tag) {
		__atomic_store_n(&peer_tags[slot], tag, __ATOMIC_RELAXED);
		__atomic_store_n(&peer_states[slot], 0, __ATOMIC_RELAXED);
	}
	old = __atomic_load_n(&peer_states[slot], __ATOMIC_RELAXED);
	do {
		uint32_t n = old >> 32, since = now - (uint32_t)old;

		if (since > REDIRECT_SILENCE_MS)
			n = 0;
		/* too many ignored: keep silent, and the silence starts again */
		send = n < REDIRECT_NUMBER && (n == 0 || since > (REDIRECT_LOAD_MS << n));
		if (send)
			n++;
		else if (n < REDIRECT_NUMBER)
			return false;
		new = (uint64_t)n << 32 | now;
	} while (!__atomic_compare_exchange_n(
		&peer_states[slot], &old, new, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return send;
}

/* ip_forward() sends no redirect for a source-routed packet (opt->srr) */
static bool source_routed(const struct rte_ipv4_hdr *ip, uint32_t seg_len)
{
	const uint8_t *opt = (const uint8_t *)(ip + 1);
	unsigned int len = (ip->version_ihl & 0xf) * 4 - sizeof(*ip);

	len = RTE_MIN(len, seg_len - sizeof(*ip));
	for (unsigned int i = 0; i < len && opt[i] != 0 /* end of list */;) {
		if (opt[i] == 1) { /* no operation */
			i++;
			continue;
		}
		if (opt[i] == 131 || opt[i] == 137) /* loose and strict source routes */
			return true;
		if (i + 1 >= len || opt[i + 1] < 2)
			break;
		i += opt[i + 1];
	}
	return false;
}

/* The redirect for m, if ip_forward() would send one: a copy of m to the send edge. */
static void redirect_one(struct rte_graph *graph, struct rte_node *node, struct rte_mbuf *m)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m), *cpriv;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct iface *out = iface_get(priv->iface_out);
	struct rte_mbuf *c;

	/* ip_forward() drops these, or answers them otherwise, before the redirect */
	if ((priv->flags & FP_MBUF_L2_MULTICAST) || ip->time_to_live <= 1 || out == NULL ||
		(m->pkt_len > out->mtu && (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))))
		return;
	if (unlikely(ip->version_ihl != RTE_IPV4_VHL_DEF) && source_routed(ip, m->data_len))
		return;
	if (!redirect_allowed(rte_hash_crc_4byte(ip->src_addr, priv->vrf)))
		return;
	c = rte_pktmbuf_copy(m, m->pool, 0, RTE_MIN(m->pkt_len, REDIRECT_QUOTE_MAX));
	if (c == NULL)
		return; /* no mbuf: no redirect, as Linux's icmp_send() without memory */
	ip4_decrease_ttl(rte_pktmbuf_mtod(c, struct rte_ipv4_hdr *));
	cpriv = fp_mbuf_priv(c);
	*cpriv = *priv;
	cpriv->trace = 0;
	cpriv->icmp_info = priv->nh_addr; /* the gateway field, network order */
	rte_node_enqueue_x1(graph, node, IP4_REDIRECT_SEND, c);
}

static uint16_t ip4_redirect_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		redirect_one(graph, node, objs[i]);
	/* every packet goes on: the redirect does not replace forwarding */
	rte_node_next_stream_move(graph, node, IP4_REDIRECT_FORWARD);
	return n;
}

static struct rte_node_register ip4_redirect_node = {
	.name = "ip4_redirect",
	.process = ip4_redirect_process,
	.nb_edges = IP4_REDIRECT_EDGES,
	.next_nodes =
		{
			[IP4_REDIRECT_FORWARD] = "ip4_forward",
			[IP4_REDIRECT_SEND] = "ip4_redirect_sent",
		},
};
FP_NODE_REGISTER(ip4_redirect_node)

/* The redirects sent, counted here (not a drop: the packet was forwarded): host redirects. */
static int redirect_sent_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	node->ctx[0] = ICMP4_REDIRECT;
	node->ctx[1] = ICMP4_REDIR_HOST;
	return 0;
}

static struct rte_node_register ip4_redirect_sent_node = {
	.name = "ip4_redirect_sent",
	.init = redirect_sent_init,
	.process = fp_icmp_error_process,
	.nb_edges = 1,
	.next_nodes = {"icmp4_error"},
};
FP_NODE_REGISTER(ip4_redirect_sent_node)
