/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/counter.h"
#include "base/module.h"
#include "eth/eth_input.h"
#include "graph/graph.h"
#include "graph/mbuf.h"
#include "graph/punt.h"
#include "infra/iface.h"
#include "infra/port.h"
#include "ip4/addr.h"
#include "neigh.h"

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>

static int punt_arp;
static int edge_port_tx;

FP_COUNTER(arp_martian)
FP_COUNTER(arp_not_for_us)
FP_COUNTER(arp_tx_nombuf)

enum {
	ARP_INPUT_PUNT,
	ARP_INPUT_INVALID,
	ARP_INPUT_EDGES,
};

/* Checks the fixed part here; learning and answering happen on the control thread. */
static uint16_t arp_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	rte_edge_t nexts[n]; /* n may exceed a burst: streams grow */

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct rte_arp_hdr *arp = rte_pktmbuf_mtod(m, const struct rte_arp_hdr *);

		if (m->data_len < sizeof(*arp) ||
			arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
			(arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
				arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))) {
			nexts[i] = ARP_INPUT_INVALID;
			continue;
		}
		fp_mbuf_priv(m)->punt_reason = punt_arp;
		nexts[i] = ARP_INPUT_PUNT;
	}
	fp_enqueue_runs(graph, node, nexts, objs, n);
	return n;
}

static struct rte_node_register arp_input_node = {
	.name = "arp_input",
	.process = arp_input_process,
	.nb_edges = ARP_INPUT_EDGES,
	.next_nodes =
		{
			[ARP_INPUT_PUNT] = PUNT_NODE,
			[ARP_INPUT_INVALID] = "arp_invalid",
		},
};
FP_NODE_REGISTER(arp_input_node)
ETH_INPUT_REGISTER(arp_ethertype, RTE_ETHER_TYPE_ARP, "arp_input")
FP_DROP_NODE(arp_invalid)
/* beyond PUNT_PPS_DEFAULT a second per worker (punt.h) */
FP_DROP_NODE(arp_rate_limited)

/* An ARP frame from iface to dst (broadcast if NULL). */
static int arp_send(uint16_t op, uint16_t iface_id, uint32_t sip, uint32_t tip,
	const struct rte_ether_addr *tha, const struct rte_ether_addr *dst)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	const struct iface *iface = iface_get(iface_id);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (iface == NULL)
		return -ENODEV;
	m = rte_pktmbuf_alloc(port_mempool(0));
	if (m == NULL) {
		arp_tx_nombuf.value++;
		return -ENOBUFS;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	eth->dst_addr = dst ? *dst : bcast;
	eth->src_addr = iface->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	*arp = (struct rte_arp_hdr){
		.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER),
		.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4),
		.arp_hlen = RTE_ETHER_ADDR_LEN,
		.arp_plen = 4,
		.arp_opcode = rte_cpu_to_be_16(op),
	};
	arp->arp_data.arp_sha = iface->mac;
	arp->arp_data.arp_sip = sip;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	if (tha != NULL)
		arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	*fp_mbuf_priv(m) = (struct fp_mbuf_priv){.iface_out = iface_id};
	return punt_inject(m, edge_port_tx);
}

int arp_send_request(uint16_t iface, uint32_t ip, const struct rte_ether_addr *dst)
{
	return arp_send(RTE_ARP_OP_REQUEST, iface, ip4_addr_source_for(iface, ip), ip, NULL, dst);
}

/* IPv4's neigh_resolver_fn */
static int arp_solicit(const struct neigh *n, const struct rte_ether_addr *dst)
{
	return arp_send_request(n->key.iface, n->key.addr.v4, dst);
}

void arp_gratuitous(uint16_t iface, uint32_t ip)
{
	arp_send(RTE_ARP_OP_REQUEST, iface, ip, ip, NULL, NULL);
}

static bool martian(uint32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	return (h >> 28) == 0xe || (h >> 24) == 127 || h == 0xffffffff;
}

/* Linux arp_process() with arp_ignore=0 and arp_accept=0. */
void arp_input(struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp = rte_pktmbuf_mtod(m, const struct rte_arp_hdr *);
	const struct rte_ether_hdr *eth =
		(const struct rte_ether_hdr *)((const char *)arp - sizeof(struct rte_ether_hdr));
	uint16_t iface_id = fp_mbuf_priv(m)->iface_in;
	const struct iface *iface = iface_get(iface_id);
	uint32_t sip = arp->arp_data.arp_sip, tip = arp->arp_data.arp_tip;
	struct rte_ether_addr sha = arp->arp_data.arp_sha;
	bool request = arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST);
	bool for_us = iface != NULL && ip4_addr_is_local(iface->vrf, tip);

	if (iface == NULL || martian(tip) || martian(sip) || rte_is_multicast_ether_addr(&sha)) {
		arp_martian.value++;
		goto out;
	}
	if (sip == 0) {
		/* duplicate address detection probe (RFC 5227): answer, learn nothing */
		if (request && for_us)
			arp_send(RTE_ARP_OP_REPLY, iface_id, tip, sip, &sha, &sha);
		goto out;
	}
	if (request && for_us) {
		neigh_learn(iface_id, sip, &sha, NEIGH_STALE, true, false);
		arp_send(RTE_ARP_OP_REPLY, iface_id, tip, sip, &sha, &sha);
		goto out;
	}
	if (!for_us && sip != tip)
		arp_not_for_us.value++;
	/* replies and gratuitous ARP only refresh entries we already have */
	neigh_learn(iface_id, sip, &sha,
		!request && rte_is_same_ether_addr(&eth->dst_addr, &iface->mac) ? NEIGH_REACHABLE
										: NEIGH_STALE,
		false, sip == tip);
	/* and complete the kernel's own resolutions, whose requests left through its twin */
	if (!request || sip == tip)
		fp_local_fallback_copy(m);
out:
	rte_pktmbuf_free(m);
}

static int arp_init(void)
{
	int ret;

	if ((ret = punt_arp = punt_reason_register(
		     "arp", arp_input, PUNT_PPS_DEFAULT, "arp_rate_limited")) < 0 ||
		(ret = edge_port_tx = punt_inject_edge("port_tx")) < 0)
		return ret;
	return neigh_register_resolver(AF_INET, arp_solicit);
}

static struct fp_module arp_module = {
	.name = "arp",
	.order = 16,
	.init = arp_init,
};
FP_MODULE_REGISTER(arp_module)
