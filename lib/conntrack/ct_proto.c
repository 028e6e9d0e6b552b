/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct_priv.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

/*
 * Packets into tuples, and the trackers of UDP (nf_conntrack_proto_udp.c), ICMP and ICMPv6
 * (nf_conntrack_proto_icmp.c, _icmpv6.c) and other protocols (nf_conntrack_proto_generic.c).
 * TCP is ct_tcp.c.
 */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The reply type of an ICMP query (icmp_pkt_to_tuple's invmap), or -1. */
static int icmp_inverse(uint8_t family, uint8_t type)
{
	if (family == AF_INET) {
		switch (type) {
		case 8: /* echo */
			return 0;
		case 0:
			return 8;
		case 13: /* timestamp */
		case 15: /* info */
		case 17: /* address mask */
			return type + 1;
		case 14:
		case 16:
		case 18:
			return type - 1;
		}
		return -1;
	}
	switch (type) {
	case 128: /* echo request */
	case 139: /* node information query */
		return type + 1;
	case 129:
	case 140:
		return type - 1;
	}
	return -1;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

bool ct_tuple_invert(struct ct_tuple *inv, const struct ct_tuple *t)
{
	*inv = *t;
	memcpy(inv->src, t->dst, sizeof(inv->src));
	memcpy(inv->dst, t->src, sizeof(inv->dst));
	if (is_icmp(t->proto)) {
		int type = icmp_inverse(t->family, (uint8_t)(t->dport >> 8));

		if (type < 0)
			return false;
		inv->dport = (uint16_t)(type << 8 | (t->dport & 0xff));
		return true;
	}
	inv->sport = t->dport;
	inv->dport = t->sport;
	return true;
}

/* ICMP errors: the types whose payload quotes a packet. */
static bool icmp_is_error(uint8_t family, uint8_t type)
{
	if (family == AF_INET6)
		return type < 128;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* ICMPv6 the kernel never tracks (noct_valid_new): neighbour discovery, MLD. */
static bool icmp6_untracked(uint8_t type)
{
	return (type >= 130 && type <= 136) || type == 143;
}

/*
 * The IP header at l3 (len bytes) and its L4 part into p->t, p->l4, p->l4_len. inner: the
 * packet quoted by an ICMP error, which may be cut after 8 bytes of its L4 header.
 */
static int parse_l3(struct ct_pkt *p, uint8_t family, const uint8_t *l3, uint32_t len, bool inner)
{
	uint32_t hlen, total;
	uint8_t proto;

	if (family == AF_INET) {
		if (len < 20 || (l3[0] >> 4) != 4)
			return -EINVAL;
		hlen = (l3[0] & 0xf) * 4u;
		total = rd16(l3 + 2);
		if (hlen < 20 || hlen > len || total < hlen)
			return -EINVAL;
		if (!inner && total > len)
			return -EINVAL;
		/* a fragment: defragmentation comes before tracking */
		if (rd16(l3 + 6) & 0x3fff)
			return -EINVAL;
		proto = l3[9];
		memcpy(p->t.src, l3 + 12, 4);
		memcpy(p->t.dst, l3 + 16, 4);
	} else {
		uint8_t nh;

		if (len < 40 || (l3[0] >> 4) != 6)
			return -EINVAL;
		total = 40u + rd16(l3 + 4);
		if (!inner && total > len)
			return -EINVAL;
		memcpy(p->t.src, l3 + 8, 16);
		memcpy(p->t.dst, l3 + 24, 16);
		/* ipv6_skip_exthdr() */
		nh = l3[6];
		hlen = 40;
		for (;;) {
			uint32_t elen;

			if (nh != 0 && nh != 43 && nh != 60 && nh != 51 && nh != 44)
				break;
			if (hlen + 8 > len)
				return -EINVAL;
			if (nh == 44)
				return -EINVAL; /* a fragment */
			elen = nh == 51 ? (l3[hlen + 1] + 2u) * 4 : (l3[hlen + 1] + 1u) * 8;
			nh = l3[hlen];
			hlen += elen;
		}
		if (hlen > len || hlen > total)
			return -EINVAL;
		proto = nh;
	}
	p->t.family = family;
	p->t.proto = proto;
	p->l3 = l3;
	p->l4 = l3 + hlen;
	p->l4_len = RTE_MIN(total, len) - hlen;
	switch (proto) {
	case IPPROTO_TCP:
		if (inner ? p->l4_len < 8
			  : p->l4_len < 20 || (p->l4[12] >> 4) * 4u < 20 ||
					(p->l4[12] >> 4) * 4u > p->l4_len)
			return -EINVAL;
		/* fallthrough */
	case IPPROTO_UDP:
		if (p->l4_len < 8)
			return -EINVAL;
		p->t.sport = rd16(p->l4);
		p->t.dport = rd16(p->l4 + 2);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((proto == IPPROTO_ICMP) != (family == AF_INET) || p->l4_len < 8)
			return -EINVAL;
		p->t.dport = rd16(p->l4); /* type, code */
		p->t.sport = rd16(p->l4 + 4);
		break;
	}
	return 0;
}

int ct_parse(struct ct_pkt *p, uint8_t family, const void *l3, uint32_t len, uint16_t zone)
{
	struct ct_pkt inner;
	uint8_t type;

	memset(&p->t, 0, sizeof(p->t));
	p->t.zone = zone;
	p->icmp_error = false;
	p->ct = NULL;
	p->info = CT_INVALID;
	if (parse_l3(p, family, l3, len, false) < 0)
		return -EINVAL;
	p->info = CT_NEW;
	if (!is_icmp(p->t.proto))
		return 0;
	type = (uint8_t)(p->t.dport >> 8);
	if (family == AF_INET6 && icmp6_untracked(type)) {
		p->info = CT_UNTRACKED;
		return 0;
	}
	if (!icmp_is_error(family, type))
		return 0;
	/*
	 * icmp_error_message(): the tuple of the quoted packet, inverted, is the tuple of the
	 * connection's direction the error travels in; an error about an error is invalid.
	 */
	memset(&inner.t, 0, sizeof(inner.t));
	inner.t.zone = zone;
	if (parse_l3(&inner, family, p->l4 + 8, p->l4_len - 8, true) < 0 ||
		(is_icmp(inner.t.proto) && icmp_is_error(family, (uint8_t)(inner.t.dport >> 8))) ||
		!ct_tuple_invert(&p->t, &inner.t)) {
		p->info = CT_INVALID;
		return -EINVAL;
	}
	p->icmp_error = true;
	return 0;
}

/* UDP, ICMP, generic */

bool ct_proto_allow_clash(uint8_t proto)
{
	return proto == IPPROTO_UDP || is_icmp(proto);
}

bool ct_proto_new_ok(const struct ct_pkt *p)
{
	switch (p->t.proto) {
	case IPPROTO_TCP:
		return ct_tcp_new_ok(p);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* valid_new: only a query starts a connection */
		uint8_t type = (uint8_t)(p->t.dport >> 8);

		return p->t.family == AF_INET ? type == 8 || type == 13 || type == 15 || type == 17
					      : type == 128 || type == 139;
	}
	}
	return true;
}

void ct_proto_init(struct ct_entry *e, const struct ct_pkt *p, uint32_t now_s)
{
	if (p->t.proto == IPPROTO_TCP)
		ct_tcp_init(e, p);
	else if (p->t.proto == IPPROTO_UDP)
		e->udp_stream_ts = now_s + 2; /* udp_packet(): stream_ts = 2 * HZ + jiffies */
}

static void udp_packet(struct ct_entry *e, uint32_t now_s, bool *changed)
{
	/* seen both ways, and still active 2 s after it began: a stream, assured */
	if (ct_status(e) & CT_S_SEEN_REPLY) {
		if ((int32_t)(now_s - e->udp_stream_ts) > 0) {
			ct_refresh(e, now_s, sysctl_read(&ct_udp_timeout_stream));
			*changed |= ct_status_set(e, CT_S_ASSURED);
		} else {
			ct_refresh(e, now_s, sysctl_read(&ct_udp_timeout));
		}
	} else {
		ct_refresh(e, now_s, sysctl_read(&ct_udp_timeout));
	}
}

enum ct_verdict ct_proto_packet(
	struct ct_entry *e, const struct ct_pkt *p, enum ct_dir dir, uint32_t now_s, bool *changed)
{
	switch (p->t.proto) {
	case IPPROTO_TCP:
		return ct_tcp_packet(e, p, dir, now_s, changed);
	case IPPROTO_UDP:
		udp_packet(e, now_s, changed);
		break;
	case IPPROTO_ICMP:
		ct_refresh(e, now_s, sysctl_read(&ct_icmp_timeout));
		break;
	case IPPROTO_ICMPV6:
		ct_refresh(e, now_s, sysctl_read(&ct_icmpv6_timeout));
		break;
	default:
		ct_refresh(e, now_s, sysctl_read(&ct_generic_timeout));
		break;
	}
	return CT_V_ACCEPT;
}
