/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_local.h"
#include "infra/icmp_limit.h"
#include "infra/sysctl.h"

#include <rte_icmp.h>

/*
 * Packets for the router itself (ip_local_deliver_finish()): fragments and the L4 protocols
 * nobody registered (graph/dispatch.h) go to the local fallback (the kernel twin), or without
 * one are answered as Linux answers when nothing listens; a registered protocol's node takes
 * all of its packets (ICMP: icmp4_input).
 */

enum {
	IP4_LOCAL_FRAGMENT,
	IP4_LOCAL_PORT_UNREACHABLE,
	IP4_LOCAL_PROTOCOL_UNREACHABLE,
	IP4_LOCAL_TCP,
	IP4_LOCAL_BROADCAST,
	IP4_LOCAL_EDGES,
};

/* per L4 protocol, the edge of its registered node, or IP4_LOCAL_EDGES for none */
static rte_edge_t ip4_local_protos[256];
static rte_edge_t ip4_local_fallback = RTE_EDGE_ID_INVALID;

static inline rte_edge_t local_one(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	bool broadcast = fp_mbuf_priv(m)->flags & FP_MBUF_BROADCAST;
	rte_edge_t proto = ip4_local_protos[ip->next_proto_id];

	/* no reassembly here: the kernel's (its twin), or defragmentation at PREROUTING */
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG))
		return ip4_to_fallback(m, ip4_local_fallback) ? ip4_local_fallback
							      : IP4_LOCAL_FRAGMENT;
	if (likely(proto != IP4_LOCAL_EDGES))
		return proto;
	if (ip4_to_fallback(m, ip4_local_fallback))
		return ip4_local_fallback;
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		return broadcast ? IP4_LOCAL_BROADCAST : IP4_LOCAL_PORT_UNREACHABLE;
	case IPPROTO_TCP:
		return IP4_LOCAL_TCP;
	default:
		return broadcast ? IP4_LOCAL_BROADCAST : IP4_LOCAL_PROTOCOL_UNREACHABLE;
	}
}

FP_NODE_PROCESS_EACH(ip4_local_process, local_one)

static int ip4_local_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	(void)node;
	fp_dispatch_table(
		"ip4_local", ip4_local_protos, RTE_DIM(ip4_local_protos), IP4_LOCAL_EDGES);
	ip4_local_fallback = fp_dispatch_edge("ip4_local", FP_DISPATCH_FALLBACK);
	return 0;
}

static struct rte_node_register ip4_local_node = {
	.name = "ip4_local",
	.init = ip4_local_init,
	.process = ip4_local_process,
	.nb_edges = IP4_LOCAL_EDGES,
	.next_nodes =
		{
			[IP4_LOCAL_FRAGMENT] = "ip4_local_fragment",
			[IP4_LOCAL_PORT_UNREACHABLE] = "ip4_udp_port_unreachable",
			[IP4_LOCAL_PROTOCOL_UNREACHABLE] = "ip4_protocol_unreachable",
			[IP4_LOCAL_TCP] = "ip4_local_tcp",
			[IP4_LOCAL_BROADCAST] = "ip4_local_broadcast",
		},
};
FP_NODE_REGISTER(ip4_local_node)
FP_LOCAL_FALLBACK_NODE(ip4_local_fallback_entry, "ip4_local")
FP_DROP_NODE(ip4_local_fragment)
FP_DROP_NODE(ip4_local_tcp)
FP_DROP_NODE(ip4_local_broadcast)
IP4_ICMP_ERROR_NODE(ip4_udp_port_unreachable, ICMP4_DEST_UNREACH, ICMP4_PORT_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_protocol_unreachable, ICMP4_DEST_UNREACH, ICMP4_PROT_UNREACH)

/* ICMP for the router (icmp_rcv()): echo answered here, the other types to the fallback. */
enum {
	ICMP4_INPUT_ECHO_REPLY,
	ICMP4_INPUT_BAD_CHECKSUM,
	ICMP4_INPUT_UNHANDLED,
	ICMP4_INPUT_ECHO_BROADCAST,
	ICMP4_INPUT_ECHO_IGNORED,
	ICMP4_INPUT_OPTIONS_NO_ROOM,
	ICMP4_INPUT_EDGES,
};

static rte_edge_t icmp4_input_fallback = RTE_EDGE_ID_INVALID;

/*
 * The reply's header (addresses swapped) replaced by one with the options echo, of another
 * length (icmp_reply() -> ip_options_echo()); final_dst: the request's source.
 */
static struct rte_ipv4_hdr *echo_options(struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
	const struct ip4_opt_echo *echo, uint32_t final_dst)
{
	struct rte_ipv4_hdr fixed = *ip;

	rte_pktmbuf_adj(m, rte_ipv4_hdr_len(ip));
	/* never NULL: the request's header was at least as long */
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip) + echo->len);
	*ip = fixed;
	ip->total_length = rte_cpu_to_be_16(m->pkt_len);
	if (echo->opt.srr) /* back along the source route */
		ip->dst_addr = echo->first_hop;
	ip4_options_answer_build(m, ip, echo, final_dst);
	return ip;
}

/* Turns an echo request into its reply in place (icmp_echo()), sent from the address asked. */
static rte_edge_t echo_reply(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct rte_icmp_hdr *icmp)
{
	struct ip4_opt_echo echo;
	uint32_t sum;
	uint32_t src = ip->src_addr;
	bool options = ip->version_ihl != RTE_IPV4_VHL_DEF;

	if (unlikely(options) && ip4_options_answer(m, &echo) < 0)
		return ICMP4_INPUT_OPTIONS_NO_ROOM;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = src;
	if (unlikely(options))
		ip = echo_options(m, ip, &echo, src);
	ip->time_to_live = IP4_DEFAULT_TTL;
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = ICMP4_ECHO_REPLY;
	/* type 8 -> 0: the checksum changes by the same amount, RFC 1624 */
	sum = icmp->icmp_cksum + RTE_BE16(ICMP4_ECHO_REQUEST << 8);
	icmp->icmp_cksum = sum + (sum >> 16);
	fp_mbuf_priv(m)->flags |= FP_MBUF_LOCAL_ORIGIN;
	return ICMP4_INPUT_ECHO_REPLY;
}

static inline rte_edge_t icmp4_one(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint16_t hlen = rte_ipv4_hdr_len(ip);
	struct rte_icmp_hdr *icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, hlen);

	if (m->pkt_len < hlen + sizeof(*icmp) ||
		fp_mbuf_cksum(m, hlen, m->pkt_len - hlen, 0) != 0xffff)
		return ICMP4_INPUT_BAD_CHECKSUM;
	if (icmp->icmp_type != ICMP4_ECHO_REQUEST)
		return ip4_to_fallback(m, icmp4_input_fallback) ? icmp4_input_fallback
								: ICMP4_INPUT_UNHANDLED;
	/* net.ipv4.icmp_echo_ignore_broadcasts = 1 */
	if (fp_mbuf_priv(m)->flags & FP_MBUF_BROADCAST)
		return ICMP4_INPUT_ECHO_BROADCAST;
	if (sysctl_read(&icmp4_echo_ignore_all))
		return ICMP4_INPUT_ECHO_IGNORED;
	return echo_reply(m, ip, icmp);
}

FP_NODE_PROCESS_EACH(icmp4_input_process, icmp4_one)

static int icmp4_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	(void)node;
	icmp4_input_fallback = fp_dispatch_edge("icmp4_input", FP_DISPATCH_FALLBACK);
	return 0;
}

static struct rte_node_register icmp4_input_node = {
	.name = "icmp4_input",
	.init = icmp4_input_init,
	.process = icmp4_input_process,
	.nb_edges = ICMP4_INPUT_EDGES,
	.next_nodes =
		{
			[ICMP4_INPUT_ECHO_REPLY] = "ip4_route",
			[ICMP4_INPUT_BAD_CHECKSUM] = "icmp4_bad_checksum",
			[ICMP4_INPUT_UNHANDLED] = "icmp4_unhandled_type",
			[ICMP4_INPUT_ECHO_BROADCAST] = "icmp4_echo_broadcast_ignored",
			[ICMP4_INPUT_ECHO_IGNORED] = "icmp4_echo_ignored",
			[ICMP4_INPUT_OPTIONS_NO_ROOM] = "ip4_options_no_room",
		},
};
FP_NODE_REGISTER(icmp4_input_node)
FP_L4_PROTO_REGISTER(icmp4_proto, "ip4_local", IPPROTO_ICMP, "icmp4_input")
FP_LOCAL_FALLBACK_NODE(icmp4_input_fallback_entry, "icmp4_input")
FP_DROP_NODE(icmp4_bad_checksum)
FP_DROP_NODE(icmp4_unhandled_type)
FP_DROP_NODE(icmp4_echo_broadcast_ignored)
FP_DROP_NODE(icmp4_echo_ignored) /* net.ipv4.icmp_echo_ignore_all */
