/* SPDX-License-Identifier: BSD-3-Clause */
#include "ndp.h"
#include "addr6.h"
#include "base/counter.h"
#include "base/module.h"
#include "graph/dispatch.h"
#include "graph/graph.h"
#include "graph/mbuf.h"
#include "graph/punt.h"
#include "infra/iface.h"
#include "infra/port.h"
#include "ndp_msg.h"
#include "neigh/neigh.h"

#include <errno.h>
#include <string.h>

int ndp_punt_reason;
static int edge_ip6_output;

/* a counter per reason to drop a message (ndp_msg.h) */
static struct fp_counter ndp_errors[NDP_ERRORS];

FP_COUNTER(ndp_tx_nombuf)
FP_COUNTER(ndp_not_for_us)   /* NS for an address that is not ours on that interface */
FP_COUNTER(ndp_no_source)    /* a probe to send and no usable address on the interface */
FP_COUNTER(ndp_na_untracked) /* NA for a neighbour we do not know: ignored (accept_untracked_na) */
/* beyond PUNT_PPS_DEFAULT a second per worker (punt.h) */
FP_DROP_NODE(ndp_rate_limited)

static void __attribute__((constructor)) ndp_counters_register(void)
{
	for (unsigned int e = NDP_OK + 1; e < NDP_ERRORS; e++) {
		ndp_errors[e].name = ndp_error_name(e);
		fp_counter_register(&ndp_errors[e]);
	}
}

/* m (data at the IPv6 header) out of iface: the neighbour step decides the MAC. Takes m. */
static int ndp_output(uint16_t iface_id, struct rte_mbuf *m)
{
	const struct iface *iface = iface_get(iface_id);

	if (iface == NULL) {
		rte_pktmbuf_free(m);
		return -ENODEV;
	}
	*fp_mbuf_priv(m) = (struct fp_mbuf_priv){
		.iface_in = iface_id,
		.iface_out = iface_id,
		.vrf = iface->vrf,
		.flags = FP_MBUF_LOCAL_ORIGIN | FP_MBUF_AT_L3,
	};
	return punt_inject(m, edge_ip6_output);
}

int ndp_send(uint16_t iface, const uint8_t *buf, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(port_mempool(0));
	char *data;

	if (m == NULL) {
		ndp_tx_nombuf.value++;
		return -ENOBUFS;
	}
	data = rte_pktmbuf_append(m, len);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memcpy(data, buf, len);
	return ndp_output(iface, m);
}

static const struct fp_mac *iface_mac(uint16_t iface)
{
	return (const struct fp_mac *)&iface_get(iface)->mac;
}

int ndp_send_ns(uint16_t iface, const struct fp_ip6_addr *src, const struct fp_ip6_addr *target,
	const struct rte_ether_addr *dst)
{
	struct fp_ip6_addr to = dst != NULL ? *target : fp_ip6_solicited_node(target);
	uint8_t buf[NDP_MSG_MAX];

	if (iface_get(iface) == NULL)
		return -ENODEV;
	/* a DAD probe carries no link-layer address (RFC 4861 7.2.2) */
	return ndp_send(iface, buf,
		ndp_build_ns(buf, src, &to, target, src != NULL ? iface_mac(iface) : NULL));
}

/* IPv6's neigh_resolver_fn (ndisc_solicit()): from the address the source selection gives. */
static int ndp_solicit(const struct neigh *n, const struct rte_ether_addr *dst)
{
	struct fp_ip6_addr src;

	if (!ip6_addr_source(n->key.iface, &n->key.addr.v6, &src)) {
		ndp_no_source.value++;
		return -EADDRNOTAVAIL;
	}
	return ndp_send_ns(n->key.iface, &src, &n->key.addr.v6, dst);
}

static int send_na(uint16_t iface, const struct fp_ip6_addr *dst, const struct fp_ip6_addr *target,
	bool solicited, bool override, bool with_lladdr)
{
	uint8_t buf[NDP_MSG_MAX];

	/* a router: R set (is_router = forwarding), from the address advertised */
	return ndp_send(iface, buf,
		ndp_build_na(buf, target, dst, target, true, solicited, override,
			with_lladdr ? iface_mac(iface) : NULL));
}

/* ndisc_recv_ns() */
static void recv_ns(uint16_t iface, const struct ndp_msg *msg)
{
	const struct ip6_ifaddr *a = ip6_addr_find(iface, &msg->target);
	bool inc = fp_ip6_is_multicast(&msg->dst);
	struct neigh_key key;

	if (a == NULL) {
		ndp_not_for_us.value++;
		return;
	}
	if (a->state != IP6_ADDR_PREFERRED) {
		/* another node probes an address we probe too: it is a duplicate */
		if (msg->dad)
			ip6_addr_dad_failed(iface, &msg->target);
		return;
	}
	if (msg->dad) {
		/* defend it: to all nodes, unsolicited, overriding, with our MAC */
		send_na(iface, &ip6_all_nodes, &msg->target, false, true, true);
		return;
	}
	key = neigh_key6(iface, &msg->src);
	/* neigh_event_ns(): the entry is made unless a multicast NS came without an address */
	if (neigh_nd_update(&key,
		    msg->has_lladdr ? (const struct rte_ether_addr *)&msg->lladdr : NULL,
		    NEIGH_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE,
		    !inc || msg->has_lladdr, -1) == NULL)
		return;
	/* solicited; override and our MAC only for a multicast NS, as Linux */
	send_na(iface, &msg->src, &msg->target, true, inc, inc);
}

/* ndisc_recv_na() */
static void recv_na(uint16_t iface, const struct ndp_msg *msg)
{
	const struct ip6_ifaddr *a = ip6_addr_find(iface, &msg->target);
	struct neigh_key key = neigh_key6(iface, &msg->target);
	struct neigh *n;

	if (a != NULL) {
		/* someone else has an address we are probing; any other NA for ours is ignored */
		if (a->state == IP6_ADDR_TENTATIVE)
			ip6_addr_dad_failed(iface, &msg->target);
		return;
	}
	n = neigh_lookup_key(&key);
	if (n == NULL) {
		ndp_na_untracked.value++;
		return;
	}
	if (n->sm.state & NEIGH_FAILED)
		return;
	neigh_nd_update(&key, msg->has_lladdr ? (const struct rte_ether_addr *)&msg->lladdr : NULL,
		msg->solicited ? NEIGH_REACHABLE : NEIGH_STALE,
		NEIGH_UPDATE_F_WEAK_OVERRIDE | (msg->override ? NEIGH_UPDATE_F_OVERRIDE : 0), false,
		msg->router);
}

/* NDP from the workers (punt handler), checked by ip6_local: hop limit, code, checksum. */
static void ndp_input(struct rte_mbuf *m)
{
	uint16_t iface = fp_mbuf_priv(m)->iface_in;
	struct ndp_msg msg;
	enum ndp_error e;

	if (iface_get(iface) == NULL)
		goto out;
	e = ndp_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &msg);
	if (e != NDP_OK) {
		ndp_errors[e].value++;
		goto out;
	}
	switch (msg.type) {
	case ICMP6_NEIGHBOUR_SOLICIT:
		recv_ns(iface, &msg);
		break;
	case ICMP6_NEIGHBOUR_ADVERT:
		recv_na(iface, &msg);
		/* the kernel's own resolutions, whose solicitations left through its twin */
		fp_local_fallback_copy(m);
		break;
	default:
		ra_solicited(iface, &msg);
		break;
	}
out:
	rte_pktmbuf_free(m);
}

static int ndp_init(void)
{
	int ret;

	if ((ret = ndp_punt_reason = punt_reason_register(
		     "ndp", ndp_input, PUNT_PPS_DEFAULT, "ndp_rate_limited")) < 0 ||
		(ret = edge_ip6_output = punt_inject_edge("ip6_output")) < 0)
		return ret;
	return neigh_register_resolver(AF_INET6, ndp_solicit);
}

static struct fp_module ndp_module = {
	.name = "ndp",
	.order = 16,
	.init = ndp_init,
};
FP_MODULE_REGISTER(ndp_module)
