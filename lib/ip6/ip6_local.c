/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr6.h"
#include "graph/hook.h"
#include "graph/punt.h"
#include "infra/icmp_limit.h"
#include "infra/sysctl.h"
#include "ip6.h"
#include "ndp.h"
#include "twin/twin.h"

enum {
	IP6_LOCAL_ECHO_REPLY,
	IP6_LOCAL_NDP,
	IP6_LOCAL_NDP_INVALID,
	IP6_LOCAL_FRAGMENT,
	IP6_LOCAL_ICMP_BAD_CHECKSUM,
	IP6_LOCAL_ICMP_UNHANDLED,
	IP6_LOCAL_ECHO_NO_SOURCE,
	IP6_LOCAL_ECHO_IGNORED,
	IP6_LOCAL_PORT_UNREACHABLE,
	IP6_LOCAL_UDP_BAD_CHECKSUM,
	IP6_LOCAL_MULTICAST,
	IP6_LOCAL_TCP,
	IP6_LOCAL_NO_NEXT_HEADER,
	IP6_LOCAL_KERNEL,
	IP6_LOCAL_EXT, /* IP6_EXT_EDGES of them */
	IP6_LOCAL_EDGES = IP6_LOCAL_EXT + IP6_EXT_EDGES,
};

/* The upper-layer protocols delivered here; any other is a parameter problem, as in Linux. */
static const struct ip6_proto_set upper = {
	.bits = {(UINT64_C(1) << IPPROTO_TCP) | (UINT64_C(1) << IPPROTO_UDP) |
		 (UINT64_C(1) << IPPROTO_ICMPV6)},
};
/* With a kernel twin every one has: the kernel's. */
static const struct ip6_proto_set any_upper = {
	.bits = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

/*
 * Turns an echo request into its reply in place (icmpv6_echo_reply()): from the address asked,
 * or, asked at a multicast group, from the address the source selection gives; the request's
 * traffic class, hop limit 64, its extension headers dropped.
 */
static rte_edge_t echo_reply(struct rte_mbuf *m, uint16_t l4_offset)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct fp_ip6_addr src, dst = *ip6_src(ip);
	struct icmp6_hdr *icmp;
	bool asked_at_group;
	uint32_t sum;

	if (fp_ip6_is_unspecified(&dst))
		return IP6_LOCAL_ECHO_NO_SOURCE;
	src = *ip6_dst(ip);
	asked_at_group = fp_ip6_is_multicast(&src);
	if (asked_at_group && !ip6_addr_source(priv->iface_in, &dst, &src))
		return IP6_LOCAL_ECHO_NO_SOURCE;
	if (l4_offset > sizeof(*ip)) {
		memmove((uint8_t *)ip + l4_offset - sizeof(*ip), ip, sizeof(*ip));
		ip = (struct rte_ipv6_hdr *)rte_pktmbuf_adj(m, l4_offset - sizeof(*ip));
	}
	ip->vtc_flow = (ip->vtc_flow & RTE_BE32(0x0ff00000)) | RTE_BE32(0x60000000) |
		       ip6_auto_flowlabel(&src, &dst, IPPROTO_ICMPV6);
	ip->payload_len = rte_cpu_to_be_16(m->pkt_len - sizeof(*ip));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = IP6_DEFAULT_HOP_LIMIT;
	memcpy(ip->src_addr, &src, 16);
	memcpy(ip->dst_addr, &dst, 16);
	icmp = (struct icmp6_hdr *)(ip + 1);
	icmp->type = ICMP6_ECHO_REPLY;
	if (asked_at_group) {
		icmp->cksum = 0;
		icmp->cksum = icmp6_cksum(&src, &dst, icmp, m->pkt_len - sizeof(*ip));
	} else {
		/* the same addresses and length, type 128 -> 129: the checksum changes by as
		 * much, RFC 1624 */
		sum = icmp->cksum + RTE_BE16(0xfeff);
		icmp->cksum = sum + (sum >> 16);
	}
	priv->flags |= FP_MBUF_LOCAL_ORIGIN;
	priv->iface_out = priv->iface_in;
	priv->neigh = NULL;
	return IP6_LOCAL_ECHO_REPLY;
}

/* Whether a UDP datagram's checksum holds (RFC 8200 8.1: mandatory over IPv6). */
static bool udp_cksum_ok(const struct rte_ipv6_hdr *ip, const void *udp, uint32_t len)
{
	uint32_t sum = ip6_phdr_sum(ip6_src(ip), ip6_dst(ip), len, IPPROTO_UDP);

	if (len < 8 || ((const uint16_t *)udp)[3] == 0)
		return false;
	return __rte_raw_cksum_reduce(__rte_raw_cksum(udp, len, sum)) == 0xffff;
}

/*
 * Packets for the router itself (ip6_input_finish()): the whole extension-header chain, then
 * ICMPv6 echo here, NDP on the control thread, the rest up the interface's kernel twin (whose
 * kernel reassembles fragments), or without one answered as Linux answers when nothing listens.
 */
static inline rte_edge_t local_one(struct rte_mbuf *m)
{
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)pkt;
	struct ip6_exthdr_info info;
	enum ip6_exthdr_verdict v;
	const struct icmp6_hdr *icmp;
	bool twin = iface_has_twin(fp_mbuf_priv(m)->iface_in);
	uint32_t len;

	v = ip6_exthdr_local(pkt, m->data_len, twin ? &any_upper : &upper, 0, &info);
	if (v == IP6_EXT_FRAGMENT)
		return twin_punt_if(m, twin) ? IP6_LOCAL_KERNEL : IP6_LOCAL_FRAGMENT;
	if (v != IP6_EXT_OK)
		return ip6_ext_edge(IP6_LOCAL_EXT, v, &info, m);
	len = m->data_len - info.l4_offset;
	if (info.proto == IPPROTO_ICMPV6) {
		icmp = (const struct icmp6_hdr *)(pkt + info.l4_offset);
		if (len < 4 || !icmp6_cksum_ok(ip6_src(ip), ip6_dst(ip), icmp, len))
			return IP6_LOCAL_ICMP_BAD_CHECKSUM;
		if (icmp->type == ICMP6_ECHO_REQUEST && sysctl_read(&icmp6_echo_ignore_all))
			return IP6_LOCAL_ECHO_IGNORED;
		if (icmp->type == ICMP6_ECHO_REQUEST)
			return len < 8 ? IP6_LOCAL_ICMP_UNHANDLED : echo_reply(m, info.l4_offset);
		if (icmp->type >= ICMP6_ROUTER_SOLICIT && icmp->type <= ICMP6_REDIRECT) {
			/* ndisc_rcv(): only from the link (hop limit 255), code 0, no header before
			 */
			if (ip->hop_limits != IP6_ND_HOP_LIMIT || icmp->code != 0 ||
				info.l4_offset != sizeof(*ip))
				return IP6_LOCAL_NDP_INVALID;
			fp_mbuf_priv(m)->punt_reason = ndp_punt_reason;
			return IP6_LOCAL_NDP;
		}
		return twin_punt_if(m, twin) ? IP6_LOCAL_KERNEL : IP6_LOCAL_ICMP_UNHANDLED;
	}
	if (info.proto == IPPROTO_NONE)
		return IP6_LOCAL_NO_NEXT_HEADER;
	if (twin_punt_if(m, twin))
		return IP6_LOCAL_KERNEL;
	/* without a twin, TCP or UDP */
	if (info.proto == IPPROTO_TCP)
		return IP6_LOCAL_TCP;
	if (fp_ip6_is_multicast(ip6_dst(ip)))
		return IP6_LOCAL_MULTICAST;
	if (!udp_cksum_ok(ip, pkt + info.l4_offset, len))
		return IP6_LOCAL_UDP_BAD_CHECKSUM;
	return IP6_LOCAL_PORT_UNREACHABLE;
}

FP_NODE_PROCESS_EACH(ip6_local_process, local_one)

static struct rte_node_register ip6_local_node = {
	.name = "ip6_local",
	.process = ip6_local_process,
	.nb_edges = IP6_LOCAL_EDGES,
	.next_nodes =
		{
			[IP6_LOCAL_ECHO_REPLY] = "ip6_route",
			[IP6_LOCAL_NDP] = PUNT_NODE,
			[IP6_LOCAL_NDP_INVALID] = "ndp_invalid",
			[IP6_LOCAL_FRAGMENT] = "ip6_local_fragment",
			[IP6_LOCAL_ICMP_BAD_CHECKSUM] = "icmp6_bad_checksum",
			[IP6_LOCAL_ICMP_UNHANDLED] = "icmp6_unhandled_type",
			[IP6_LOCAL_ECHO_NO_SOURCE] = "icmp6_echo_no_source",
			[IP6_LOCAL_ECHO_IGNORED] = "icmp6_echo_ignored",
			[IP6_LOCAL_PORT_UNREACHABLE] = "ip6_udp_port_unreachable",
			[IP6_LOCAL_UDP_BAD_CHECKSUM] = "ip6_udp_bad_checksum",
			[IP6_LOCAL_MULTICAST] = "ip6_local_multicast",
			[IP6_LOCAL_TCP] = "ip6_local_tcp",
			[IP6_LOCAL_NO_NEXT_HEADER] = "ip6_local_no_next_header",
			[IP6_LOCAL_KERNEL] = TWIN_NODE,
			IP6_EXT_NEXT_NODES(IP6_LOCAL_EXT),
		},
};
FP_NODE_REGISTER(ip6_local_node)
/* what INPUT's features let through (ip6_input_finish()) */
FP_HOOK_CONTINUATION(FP_HOOK_IP6, FP_HOOK_INPUT, "ip6_local")
FP_DROP_NODE(ndp_invalid)
FP_DROP_NODE(ip6_local_fragment)
FP_DROP_NODE(icmp6_bad_checksum)
FP_DROP_NODE(icmp6_unhandled_type)
FP_DROP_NODE(icmp6_echo_no_source)
FP_DROP_NODE(icmp6_echo_ignored) /* net.ipv6.icmp.echo_ignore_all */
FP_DROP_NODE(ip6_udp_bad_checksum)
FP_DROP_NODE(ip6_local_multicast)
FP_DROP_NODE(ip6_local_tcp)
FP_DROP_NODE(ip6_local_no_next_header)
IP6_ICMP_ERROR_NODE(ip6_udp_port_unreachable, ICMP6_DEST_UNREACH, ICMP6_PORT_UNREACH)
