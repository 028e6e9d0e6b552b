/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr6.h"
#include "graph/dispatch.h"
#include "graph/hook.h"
#include "graph/punt.h"
#include "infra/icmp_limit.h"
#include "infra/sysctl.h"
#include "ip6.h"
#include "ndp.h"

/*
 * Packets for the router itself (ip6_input_finish()): the whole extension-header chain, then
 * each upper-layer protocol to the node registered for it (graph/dispatch.h; ICMPv6:
 * icmp6_input), fragments and the protocols nobody registered to local delivery's fallback
 * (the kernel twin, whose kernel reassembles fragments) when it takes the input interface, or
 * without it answered as Linux answers when nothing listens.
 */

enum {
	IP6_LOCAL_FRAGMENT,
	IP6_LOCAL_PORT_UNREACHABLE,
	IP6_LOCAL_UDP_BAD_CHECKSUM,
	IP6_LOCAL_MULTICAST,
	IP6_LOCAL_TCP,
	IP6_LOCAL_NO_NEXT_HEADER,
	IP6_LOCAL_EXT, /* IP6_EXT_EDGES of them */
	IP6_LOCAL_EDGES = IP6_LOCAL_EXT + IP6_EXT_EDGES,
};

/* per upper-layer protocol, the edge of its registered node, or IP6_LOCAL_EDGES for none */
static rte_edge_t ip6_local_protos[256];
static rte_edge_t ip6_local_fallback = RTE_EDGE_ID_INVALID;
/*
 * The upper-layer protocols delivered here: TCP and UDP, answered here as Linux does when
 * nothing listens, and the registered ones; any other is a parameter problem, as in Linux.
 */
static struct ip6_proto_set upper = {
	.bits = {(UINT64_C(1) << IPPROTO_TCP) | (UINT64_C(1) << IPPROTO_UDP)},
};
/* With the fallback (a kernel twin) every one has: the kernel's. */
static const struct ip6_proto_set any_upper = {
	.bits = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

/* Whether m goes to the fallback, whose edge from its node is edge (none: RTE_EDGE_ID_INVALID). */
static inline bool ip6_to_fallback(struct rte_mbuf *m, rte_edge_t edge)
{
	return edge != RTE_EDGE_ID_INVALID && fp_local_fallback_takes(fp_mbuf_priv(m)->iface_in);
}

/* Whether a UDP datagram's checksum holds (RFC 8200 8.1: mandatory over IPv6). */
static bool udp_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip, uint32_t off)
{
	uint32_t len = m->pkt_len - off;

	if (len < 8 || rte_pktmbuf_mtod_offset(m, const uint16_t *, off)[3] == 0)
		return false;
	return fp_mbuf_cksum(m, off, len,
		       ip6_phdr_sum(ip6_src(ip), ip6_dst(ip), len, IPPROTO_UDP)) == 0xffff;
}

static inline rte_edge_t local_one(struct rte_mbuf *m)
{
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)pkt;
	bool fallback = ip6_to_fallback(m, ip6_local_fallback);
	struct ip6_exthdr_info info;
	enum ip6_exthdr_verdict v;
	rte_edge_t proto;

	v = ip6_exthdr_local(pkt, m->data_len, fallback ? &any_upper : &upper, 0, &info);
	if (v == IP6_EXT_FRAGMENT)
		return fallback ? ip6_local_fallback : IP6_LOCAL_FRAGMENT;
	if (v != IP6_EXT_OK)
		return ip6_ext_edge(IP6_LOCAL_EXT, v, &info, m);
	proto = ip6_local_protos[info.proto];
	if (likely(proto != IP6_LOCAL_EDGES))
		return proto;
	if (info.proto == IPPROTO_NONE)
		return IP6_LOCAL_NO_NEXT_HEADER;
	if (fallback)
		return ip6_local_fallback;
	/* without the fallback, TCP or UDP */
	if (info.proto == IPPROTO_TCP)
		return IP6_LOCAL_TCP;
	if (fp_ip6_is_multicast(ip6_dst(ip)))
		return IP6_LOCAL_MULTICAST;
	if (!udp_cksum_ok(m, ip, info.l4_offset))
		return IP6_LOCAL_UDP_BAD_CHECKSUM;
	return IP6_LOCAL_PORT_UNREACHABLE;
}

FP_NODE_PROCESS_EACH(ip6_local_process, local_one)

static int ip6_local_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	(void)node;
	fp_dispatch_table(
		"ip6_local", ip6_local_protos, RTE_DIM(ip6_local_protos), IP6_LOCAL_EDGES);
	for (unsigned int p = 0; p < RTE_DIM(ip6_local_protos); p++)
		if (ip6_local_protos[p] != IP6_LOCAL_EDGES)
			ip6_proto_set_add(&upper, p);
	ip6_local_fallback = fp_dispatch_edge("ip6_local", FP_DISPATCH_FALLBACK);
	return 0;
}

static struct rte_node_register ip6_local_node = {
	.name = "ip6_local",
	.init = ip6_local_init,
	.process = ip6_local_process,
	.nb_edges = IP6_LOCAL_EDGES,
	.next_nodes =
		{
			[IP6_LOCAL_FRAGMENT] = "ip6_local_fragment",
			[IP6_LOCAL_PORT_UNREACHABLE] = "ip6_udp_port_unreachable",
			[IP6_LOCAL_UDP_BAD_CHECKSUM] = "ip6_udp_bad_checksum",
			[IP6_LOCAL_MULTICAST] = "ip6_local_multicast",
			[IP6_LOCAL_TCP] = "ip6_local_tcp",
			[IP6_LOCAL_NO_NEXT_HEADER] = "ip6_local_no_next_header",
			IP6_EXT_NEXT_NODES(IP6_LOCAL_EXT),
		},
};
FP_NODE_REGISTER(ip6_local_node)
FP_LOCAL_FALLBACK_NODE(ip6_local_fallback_entry, "ip6_local")
/* what INPUT's features let through (ip6_input_finish()) */
FP_HOOK_CONTINUATION(FP_HOOK_IP6, FP_HOOK_INPUT, "ip6_local")
FP_DROP_NODE(ip6_local_fragment)
FP_DROP_NODE(ip6_udp_bad_checksum)
FP_DROP_NODE(ip6_local_multicast)
FP_DROP_NODE(ip6_local_tcp)
FP_DROP_NODE(ip6_local_no_next_header)
IP6_ICMP_ERROR_NODE(ip6_udp_port_unreachable, ICMP6_DEST_UNREACH, ICMP6_PORT_UNREACH)

/* ICMPv6 for the router (icmpv6_rcv()): echo answered here, NDP punted, the rest to the fallback.
 */
enum {
	ICMP6_INPUT_ECHO_REPLY,
	ICMP6_INPUT_NDP,
	ICMP6_INPUT_NDP_INVALID,
	ICMP6_INPUT_BAD_CHECKSUM,
	ICMP6_INPUT_UNHANDLED,
	ICMP6_INPUT_ECHO_NO_SOURCE,
	ICMP6_INPUT_ECHO_IGNORED,
	ICMP6_INPUT_EDGES,
};

static rte_edge_t icmp6_input_fallback = RTE_EDGE_ID_INVALID;

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
		return ICMP6_INPUT_ECHO_NO_SOURCE;
	src = *ip6_dst(ip);
	asked_at_group = fp_ip6_is_multicast(&src);
	if (asked_at_group && !ip6_addr_source(priv->iface_in, &dst, &src))
		return ICMP6_INPUT_ECHO_NO_SOURCE;
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
		icmp->cksum = ~fp_mbuf_cksum(m, sizeof(*ip), m->pkt_len - sizeof(*ip),
			ip6_phdr_sum(&src, &dst, m->pkt_len - sizeof(*ip), IPPROTO_ICMPV6));
	} else {
		/* the same addresses and length, type 128 -> 129: the checksum changes by as
		 * much, RFC 1624 */
		sum = icmp->cksum + RTE_BE16(0xfeff);
		icmp->cksum = sum + (sum >> 16);
	}
	priv->flags |= FP_MBUF_LOCAL_ORIGIN;
	priv->iface_out = priv->iface_in;
	priv->neigh = NULL;
	return ICMP6_INPUT_ECHO_REPLY;
}

static inline rte_edge_t icmp6_one(struct rte_mbuf *m)
{
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)pkt;
	const struct icmp6_hdr *icmp;
	struct ip6_exthdr_info info;
	uint32_t len;

	/* where ip6_local found the header: the chain it walked, again (the common packet has
	 * none: one test) */
	info.l4_offset = sizeof(*ip);
	if (unlikely(ip->proto != IPPROTO_ICMPV6))
		ip6_exthdr_local(pkt, m->data_len, &any_upper, 0, &info);
	len = m->pkt_len - info.l4_offset; /* a reassembled datagram is a chain */
	icmp = (const struct icmp6_hdr *)(pkt + info.l4_offset);
	if (len < 4 ||
		fp_mbuf_cksum(m, info.l4_offset, len,
			ip6_phdr_sum(ip6_src(ip), ip6_dst(ip), len, IPPROTO_ICMPV6)) != 0xffff)
		return ICMP6_INPUT_BAD_CHECKSUM;
	if (icmp->type == ICMP6_ECHO_REQUEST && sysctl_read(&icmp6_echo_ignore_all))
		return ICMP6_INPUT_ECHO_IGNORED;
	if (icmp->type == ICMP6_ECHO_REQUEST)
		return len < 8 ? ICMP6_INPUT_UNHANDLED : echo_reply(m, info.l4_offset);
	if (icmp->type >= ICMP6_ROUTER_SOLICIT && icmp->type <= ICMP6_REDIRECT) {
		/* ndisc_rcv(): only from the link (hop limit 255), code 0, no header before */
		if (ip->hop_limits != IP6_ND_HOP_LIMIT || icmp->code != 0 ||
			info.l4_offset != sizeof(*ip))
			return ICMP6_INPUT_NDP_INVALID;
		fp_mbuf_priv(m)->punt_reason = ndp_punt_reason;
		return ICMP6_INPUT_NDP;
	}
	return ip6_to_fallback(m, icmp6_input_fallback) ? icmp6_input_fallback
							: ICMP6_INPUT_UNHANDLED;
}

FP_NODE_PROCESS_EACH(icmp6_input_process, icmp6_one)

static int icmp6_input_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	(void)node;
	icmp6_input_fallback = fp_dispatch_edge("icmp6_input", FP_DISPATCH_FALLBACK);
	return 0;
}

static struct rte_node_register icmp6_input_node = {
	.name = "icmp6_input",
	.init = icmp6_input_init,
	.process = icmp6_input_process,
	.nb_edges = ICMP6_INPUT_EDGES,
	.next_nodes =
		{
			[ICMP6_INPUT_ECHO_REPLY] = "ip6_route",
			[ICMP6_INPUT_NDP] = PUNT_NODE,
			[ICMP6_INPUT_NDP_INVALID] = "ndp_invalid",
			[ICMP6_INPUT_BAD_CHECKSUM] = "icmp6_bad_checksum",
			[ICMP6_INPUT_UNHANDLED] = "icmp6_unhandled_type",
			[ICMP6_INPUT_ECHO_NO_SOURCE] = "icmp6_echo_no_source",
			[ICMP6_INPUT_ECHO_IGNORED] = "icmp6_echo_ignored",
		},
};
FP_NODE_REGISTER(icmp6_input_node)
FP_L4_PROTO_REGISTER(icmp6_proto, "ip6_local", IPPROTO_ICMPV6, "icmp6_input")
FP_LOCAL_FALLBACK_NODE(icmp6_input_fallback_entry, "icmp6_input")
FP_DROP_NODE(ndp_invalid)
FP_DROP_NODE(icmp6_bad_checksum)
FP_DROP_NODE(icmp6_unhandled_type)
FP_DROP_NODE(icmp6_echo_no_source)
FP_DROP_NODE(icmp6_echo_ignored) /* net.ipv6.icmp.echo_ignore_all */
