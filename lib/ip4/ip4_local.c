/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/icmp_limit.h"
#include "infra/sysctl.h"
#include "ip4.h"
#include "ip4_options.h"
#include "twin/twin.h"

#include <rte_icmp.h>

enum {
	IP4_LOCAL_ECHO_REPLY,
	IP4_LOCAL_FRAGMENT,
	IP4_LOCAL_ICMP_BAD_CHECKSUM,
	IP4_LOCAL_ICMP_UNHANDLED,
	IP4_LOCAL_ECHO_BROADCAST,
	IP4_LOCAL_ECHO_IGNORED,
	IP4_LOCAL_PORT_UNREACHABLE,
	IP4_LOCAL_PROTOCOL_UNREACHABLE,
	IP4_LOCAL_TCP,
	IP4_LOCAL_BROADCAST,
	IP4_LOCAL_KERNEL,
	IP4_LOCAL_OPTIONS_NO_ROOM,
	IP4_LOCAL_EDGES,
};

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
		return IP4_LOCAL_OPTIONS_NO_ROOM;
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
	return IP4_LOCAL_ECHO_REPLY;
}

/* Up the twin, a packet with options as it came: the kernel's stack fills them in itself. */
static inline bool local_punt(struct rte_mbuf *m)
{
	uint8_t *iph = rte_pktmbuf_mtod(m, uint8_t *);

	if (!twin_punt(m))
		return false;
	if (unlikely(iph[0] != RTE_IPV4_VHL_DEF))
		ip4_options_undo(iph, &fp_mbuf_priv(m)->ip4_opt);
	return true;
}

/* Packets for the router itself (ip_local_deliver): ICMP echo here, the rest up the interface's
 * kernel twin (whose kernel reassembles fragments), or without one answered as Linux answers
 * when nothing listens. */
static inline rte_edge_t local_one(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	bool broadcast = fp_mbuf_priv(m)->flags & FP_MBUF_BROADCAST;
	uint16_t hlen = rte_ipv4_hdr_len(ip);
	struct rte_icmp_hdr *icmp;

	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG))
		return local_punt(m) ? IP4_LOCAL_KERNEL : IP4_LOCAL_FRAGMENT;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, hlen);
		if (m->pkt_len < hlen + sizeof(*icmp) ||
			rte_raw_cksum(icmp, m->pkt_len - hlen) != 0xffff)
			return IP4_LOCAL_ICMP_BAD_CHECKSUM;
		if (icmp->icmp_type != ICMP4_ECHO_REQUEST)
			return local_punt(m) ? IP4_LOCAL_KERNEL : IP4_LOCAL_ICMP_UNHANDLED;
		/* net.ipv4.icmp_echo_ignore_broadcasts = 1 */
		if (broadcast)
			return IP4_LOCAL_ECHO_BROADCAST;
		if (sysctl_read(&icmp4_echo_ignore_all))
			return IP4_LOCAL_ECHO_IGNORED;
		return echo_reply(m, ip, icmp);
	}
	if (local_punt(m))
		return IP4_LOCAL_KERNEL;
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

static struct rte_node_register ip4_local_node = {
	.name = "ip4_local",
	.process = ip4_local_process,
	.nb_edges = IP4_LOCAL_EDGES,
	.next_nodes =
		{
			[IP4_LOCAL_ECHO_REPLY] = "ip4_route",
			[IP4_LOCAL_FRAGMENT] = "ip4_local_fragment",
			[IP4_LOCAL_ICMP_BAD_CHECKSUM] = "icmp4_bad_checksum",
			[IP4_LOCAL_ICMP_UNHANDLED] = "icmp4_unhandled_type",
			[IP4_LOCAL_ECHO_BROADCAST] = "icmp4_echo_broadcast_ignored",
			[IP4_LOCAL_ECHO_IGNORED] = "icmp4_echo_ignored",
			[IP4_LOCAL_PORT_UNREACHABLE] = "ip4_udp_port_unreachable",
			[IP4_LOCAL_PROTOCOL_UNREACHABLE] = "ip4_protocol_unreachable",
			[IP4_LOCAL_TCP] = "ip4_local_tcp",
			[IP4_LOCAL_BROADCAST] = "ip4_local_broadcast",
			[IP4_LOCAL_KERNEL] = TWIN_NODE,
			[IP4_LOCAL_OPTIONS_NO_ROOM] = "ip4_options_no_room",
		},
};
FP_NODE_REGISTER(ip4_local_node)
FP_DROP_NODE(ip4_local_fragment)
FP_DROP_NODE(icmp4_bad_checksum)
FP_DROP_NODE(icmp4_unhandled_type)
FP_DROP_NODE(icmp4_echo_broadcast_ignored)
FP_DROP_NODE(icmp4_echo_ignored) /* net.ipv4.icmp_echo_ignore_all */
FP_DROP_NODE(ip4_local_tcp)
FP_DROP_NODE(ip4_local_broadcast)
IP4_ICMP_ERROR_NODE(ip4_udp_port_unreachable, ICMP4_DEST_UNREACH, ICMP4_PORT_UNREACH)
IP4_ICMP_ERROR_NODE(ip4_protocol_unreachable, ICMP4_DEST_UNREACH, ICMP4_PROT_UNREACH)
