/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The extension-header walk of ip6_exthdr.h. Each check names the Linux function it follows
 * (net/ipv6/ip6_input.c, exthdrs.c, reassembly.c, include/net/ipv6_frag.h).
 */
#include "ip6/ip6_exthdr.h"

#include <netinet/in.h>
#include <string.h>

#define IP6_HDR_LEN	       40
#define IP6_PAYLOAD_LEN_OFFSET 4
#define IP6_NEXTHDR_OFFSET     6
#define IP6_DST_OFFSET	       24
#define IP6_MAX_PAYLOAD	       65535

#define FRAG_HDR_LEN	 8
#define FRAG_OFFSET_MASK 0xfff8
#define FRAG_MORE	 0x0001

/* option types (IANA "Destination Options and Hop-by-Hop Options") */
#define OPT_PAD1	 0x00
#define OPT_PADN	 0x01
#define OPT_ROUTER_ALERT 0x05
#define OPT_CALIPSO	 0x07
#define OPT_IOAM	 0x31
#define OPT_JUMBO	 0xc2
#define OPT_HOME_ADDRESS 0xc9

/* routing header types */
#define RH_TYPE_MIP6 2
#define RH_TYPE_RPL  3
#define RH_TYPE_SRH  4

/* The part of a packet one walk works on. */
struct walk {
	const uint8_t *pkt;
	uint32_t end; /* headers lie in [0, end): min(len, payload_end) */
	uint16_t payload_len;
	struct ip6_exthdr_info *info;
};

static inline uint16_t load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool dst_is_multicast(const struct walk *w)
{
	return w->pkt[IP6_DST_OFFSET] == 0xff;
}

static enum ip6_exthdr_verdict param_problem(
	struct walk *w, enum ip6_exthdr_param_problem code, uint32_t pointer)
{
	w->info->icmp_code = code;
	w->info->icmp_pointer = pointer;
	return IP6_EXT_PARAM_PROBLEM;
}

/*
 * The length of the option-bearing or routing header at off, TRUNCATED unless all of it lies
 * before the end: its first 8 bytes, then all of them (the two pskb_may_pull() of
 * ipv6_parse_hopopts(), ipv6_destopt_rcv() and ipv6_rthdr_rcv()).
 */
static enum ip6_exthdr_verdict header_length(const struct walk *w, uint32_t off, uint32_t *hlen)
{
	if (w->end - off < 8)
		return IP6_EXT_TRUNCATED;
	*hlen = (w->pkt[off + 1] + 1u) * 8;
	if (*hlen > w->end - off)
		return IP6_EXT_TRUNCATED;
	return IP6_EXT_OK;
}

/* ip6_tlvopt_unknown(): the two high bits of the type say what to do. */
static enum ip6_exthdr_verdict unknown_option(struct walk *w, uint32_t optoff)
{
	switch (w->pkt[optoff] >> 6) {
	case 0:
		return IP6_EXT_OK;
	case 1:
		return IP6_EXT_DISCARD;
	case 3:
		/* no error to a multicast destination, lest one packet draw a flood of them */
		if (dst_is_multicast(w))
			return IP6_EXT_DISCARD;
		/* fall through */
	default:
		return param_problem(w, IP6_EXT_PP_UNKNOWN_OPTION, optoff);
	}
}

/* ipv6_hop_jumbo() */
static enum ip6_exthdr_verdict jumbo_option(struct walk *w, uint32_t optoff)
{
	const uint8_t *opt = w->pkt + optoff;
	uint32_t jumbo_len;

	/* 4n+2 alignment (RFC 2675) puts the 32-bit length on a 4-byte boundary */
	if (opt[1] != 4 || (optoff & 3) != 2)
		return IP6_EXT_BAD_HEADER;
	jumbo_len = load_be32(opt + 2);
	if (jumbo_len <= IP6_MAX_PAYLOAD)
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, optoff + 2);
	if (w->payload_len != 0)
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, optoff);
	/* w->end is still len here: the payload length said nothing */
	if (jumbo_len > w->end - IP6_HDR_LEN)
		return IP6_EXT_TRUNCATED;
	w->info->jumbo = true;
	w->info->jumbo_payload_len = jumbo_len;
	w->info->payload_end = IP6_HDR_LEN + jumbo_len;
	/* pskb_trim_rcsum(): what follows the jumbogram is no header of it */
	w->end = w->info->payload_end;
	return IP6_EXT_OK;
}

/* The options ip6_parse_tlv() knows in a hop-by-hop header, with Linux's default sysctls. */
static enum ip6_exthdr_verdict hop_by_hop_option(struct walk *w, uint32_t optoff)
{
	const uint8_t *opt = w->pkt + optoff;

	switch (opt[0]) {
	case OPT_ROUTER_ALERT: /* ipv6_hop_ra() */
		if (opt[1] != 2)
			return IP6_EXT_BAD_HEADER;
		w->info->router_alert = true;
		w->info->router_alert_value = load_be16(opt + 2);
		return IP6_EXT_OK;
	case OPT_IOAM:
		/* ipv6_hop_ioam(): misaligned is malformed; else ignored (ioam6_enabled = 0) */
		return (optoff & 3) ? IP6_EXT_BAD_HEADER : IP6_EXT_OK;
	case OPT_JUMBO:
		return jumbo_option(w, optoff);
	case OPT_CALIPSO:
		/*
		 * ipv6_hop_calipso(): calipso_validate() accepts only a configured domain of
		 * interpretation and this router has none, so every CALIPSO packet is dropped.
		 */
		return IP6_EXT_DISCARD;
	default:
		return unknown_option(w, optoff);
	}
}

/* The options ip6_parse_tlv() knows in a destination options header. */
static enum ip6_exthdr_verdict destination_option(struct walk *w, uint32_t optoff)
{
	/*
	 * ipv6_dest_hao() (CONFIG_IPV6_MIP6, as distributions build it): a Home Address needs a
	 * mobile-IPv6 binding (xfrm6_input_addr()), which this router never has.
	 */
	if (w->pkt[optoff] == OPT_HOME_ADDRESS)
		return IP6_EXT_DISCARD;
	return unknown_option(w, optoff);
}

/* ip6_parse_tlv(): the options of the hop-by-hop or destination options header at off. */
static enum ip6_exthdr_verdict parse_options(
	struct walk *w, uint32_t off, uint32_t hlen, bool hop_by_hop)
{
	const uint8_t *pkt = w->pkt;
	uint32_t optoff = off + 2, stop = off + hlen;
	unsigned int padding = 0, options = 0;

	while (optoff < stop) {
		enum ip6_exthdr_verdict v;
		uint32_t optlen;

		/* Padding exists to align what follows it to 8 bytes: more than 7 in a row is
		 * a covert channel or a way to make the parser work (RFC 4942 2.1.9.5). */
		if (pkt[optoff] == OPT_PAD1) {
			if (++padding > 7)
				return IP6_EXT_BAD_HEADER;
			optoff++;
			continue;
		}
		if (stop - optoff < 2)
			return IP6_EXT_BAD_HEADER;
		optlen = pkt[optoff + 1] + 2u;
		if (optlen > stop - optoff)
			return IP6_EXT_BAD_HEADER;
		if (pkt[optoff] == OPT_PADN) {
			padding += optlen;
			if (padding > 7)
				return IP6_EXT_BAD_HEADER;
			/* RFC 4942 2.1.9.5: PadN carries zeros, nothing else */
			for (uint32_t i = 2; i < optlen; i++)
				if (pkt[optoff + i] != 0)
					return IP6_EXT_BAD_HEADER;
		} else {
			if (++options > IP6_EXTHDR_MAX_OPTIONS)
				return IP6_EXT_TOO_MANY;
			v = hop_by_hop ? hop_by_hop_option(w, optoff)
				       : destination_option(w, optoff);
			if (v != IP6_EXT_OK)
				return v;
			padding = 0;
		}
		optoff += optlen;
	}
	return IP6_EXT_OK;
}

/*
 * The checks of ip6_rcv_core() on the payload length, then ipv6_parse_hopopts() if the
 * hop-by-hop header comes first. On IP6_EXT_OK, *next is the offset of the header after the
 * fixed header or the hop-by-hop header and *nh_field that of the byte naming it.
 */
static enum ip6_exthdr_verdict walk_start(struct walk *w, const uint8_t *pkt, uint32_t len,
	struct ip6_exthdr_info *info, uint32_t *next, uint32_t *nh_field)
{
	uint32_t hlen;
	enum ip6_exthdr_verdict v;

	memset(info, 0, sizeof(*info));
	w->pkt = pkt;
	w->info = info;
	w->payload_len = load_be16(pkt + IP6_PAYLOAD_LEN_OFFSET);
	info->payload_end = IP6_HDR_LEN + w->payload_len;
	*next = IP6_HDR_LEN;
	*nh_field = IP6_NEXTHDR_OFFSET;

	if (w->payload_len != 0)
		w->end = info->payload_end < len ? info->payload_end : len;
	else if (pkt[IP6_NEXTHDR_OFFSET] != IPPROTO_HOPOPTS)
		w->end = IP6_HDR_LEN; /* Linux trims to the payload length, 0 */
	else
		w->end = len; /* until the Jumbo Payload option says */

	if (pkt[IP6_NEXTHDR_OFFSET] != IPPROTO_HOPOPTS)
		return IP6_EXT_OK;

	v = header_length(w, IP6_HDR_LEN, &hlen);
	if (v != IP6_EXT_OK)
		return v;
	v = parse_options(w, IP6_HDR_LEN, hlen, true);
	if (v != IP6_EXT_OK)
		return v;
	/*
	 * RFC 2675 3: payload length 0 without a Jumbo Payload option is an error pointing at the
	 * payload length. Linux instead takes the whole frame as the packet; here that would take
	 * link-layer padding for payload.
	 */
	if (w->payload_len == 0 && !info->jumbo)
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, IP6_PAYLOAD_LEN_OFFSET);
	*next = IP6_HDR_LEN + hlen;
	*nh_field = IP6_HDR_LEN;
	return IP6_EXT_OK;
}

static enum ip6_exthdr_verdict walk_end(
	struct walk *w, enum ip6_exthdr_verdict v, uint32_t off, uint32_t nh_field, uint32_t count)
{
	w->info->proto = w->pkt[nh_field];
	w->info->l4_offset = (uint16_t)off;
	w->info->nexthdr_field_offset = (uint16_t)nh_field;
	w->info->ext_count = (uint8_t)count;
	return v;
}

/*
 * Most packets have no extension header: their whole answer, written at once, costs a third of
 * clearing the info and going through walk_start().
 */
static enum ip6_exthdr_verdict fixed_header_only(const uint8_t *pkt, struct ip6_exthdr_info *info)
{
	*info = (struct ip6_exthdr_info){
		.proto = pkt[IP6_NEXTHDR_OFFSET],
		.l4_offset = IP6_HDR_LEN,
		.nexthdr_field_offset = IP6_NEXTHDR_OFFSET,
		.payload_end = IP6_HDR_LEN + load_be16(pkt + IP6_PAYLOAD_LEN_OFFSET),
	};
	return IP6_EXT_OK;
}

enum ip6_exthdr_verdict ip6_exthdr_forward(
	const uint8_t *pkt, uint32_t len, struct ip6_exthdr_info *info)
{
	struct walk w;
	uint32_t off, nh_field;
	enum ip6_exthdr_verdict v;

	if (len >= IP6_HDR_LEN && pkt[IP6_NEXTHDR_OFFSET] != IPPROTO_HOPOPTS)
		return fixed_header_only(pkt, info);
	if (len < IP6_HDR_LEN) {
		memset(info, 0, sizeof(*info));
		return IP6_EXT_TRUNCATED;
	}
	v = walk_start(&w, pkt, len, info, &off, &nh_field);
	if (v != IP6_EXT_OK)
		return v;
	return walk_end(&w, IP6_EXT_OK, off, nh_field, off > IP6_HDR_LEN);
}

/* The bytes of an upper-layer header ipv6frag_thdr_truncated() wants in a first fragment. */
static uint32_t upper_header_min(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 1;
	}
}

/*
 * ipv6frag_thdr_truncated(), RFC 8200 4.5: a first fragment carries every header up to and
 * including the upper-layer one, else nobody past a reassembling host could filter on it. Unlike
 * Linux, which skips a header whose length runs past the fragment (ipv6_skip_exthdr() does
 * not check it) and lets the fragment through when it cannot read the next one, any header
 * cut short here makes the chain incomplete, as RFC 8200 says. count is the headers so far.
 */
static enum ip6_exthdr_verdict first_fragment_check(struct walk *w, uint32_t off, uint32_t count)
{
	const uint8_t *pkt = w->pkt;
	uint8_t nh = pkt[off];
	uint32_t hlen;

	off += FRAG_HDR_LEN;
	for (;;) {
		switch (nh) {
		case IPPROTO_NONE:
			return IP6_EXT_OK;
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_FRAGMENT:
		case IPPROTO_AH:
			if (++count > IP6_EXTHDR_MAX_CHAIN)
				return IP6_EXT_TOO_MANY;
			if (w->end - off < 2)
				goto incomplete;
			if (nh == IPPROTO_FRAGMENT)
				hlen = FRAG_HDR_LEN;
			else if (nh == IPPROTO_AH)
				hlen = (pkt[off + 1] + 2u) * 4; /* RFC 4302: in 4-byte units */
			else
				hlen = (pkt[off + 1] + 1u) * 8;
			if (hlen > w->end - off)
				goto incomplete;
			nh = pkt[off];
			off += hlen;
			break;
		default:
			if (upper_header_min(nh) > w->end - off)
				goto incomplete;
			return IP6_EXT_OK;
		}
	}
incomplete:
	return param_problem(w, IP6_EXT_PP_INCOMPLETE_CHAIN, 0);
}

/*
 * ipv6_frag_rcv() and the stateless checks of ip6_frag_queue(): IP6_EXT_OK for an atomic
 * fragment, which the walk goes past, IP6_EXT_FRAGMENT for one to reassemble.
 */
static enum ip6_exthdr_verdict fragment_header(
	struct walk *w, uint32_t off, uint32_t nh_field, bool *fragmented, uint32_t count)
{
	struct ip6_exthdr_info *info = w->info;
	uint32_t frag_end;
	uint16_t frag_off;
	enum ip6_exthdr_verdict v;

	/* Linux sends the parameter problem below for a cut fragment header too (fail_hdr);
	 * here it is truncated like any other cut header */
	if (w->end - off < FRAG_HDR_LEN)
		return IP6_EXT_TRUNCATED;
	/* one fragment header a packet; RFC 2675 3: none in a jumbogram */
	if (*fragmented || w->payload_len == 0)
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, off);

	frag_off = load_be16(w->pkt + off + 2);
	info->has_fragment = true;
	info->more_fragments = frag_off & FRAG_MORE;
	info->frag_offset_bytes = frag_off & FRAG_OFFSET_MASK;
	info->frag_id = load_be32(w->pkt + off + 4);
	info->frag_hdr_offset = (uint16_t)off;
	info->frag_prev_nexthdr_offset = (uint16_t)nh_field;
	*fragmented = true;

	/* RFC 6946: offset 0 and no more fragments is a whole packet, to be processed as one */
	if ((frag_off & (FRAG_OFFSET_MASK | FRAG_MORE)) == 0)
		return IP6_EXT_OK;

	if (info->frag_offset_bytes == 0) {
		v = first_fragment_check(w, off, count);
		if (v != IP6_EXT_OK)
			return v;
	}
	/* where this fragment ends in the reassembled payload */
	frag_end = info->frag_offset_bytes + (w->payload_len - (off + FRAG_HDR_LEN - IP6_HDR_LEN));
	if (frag_end > IP6_MAX_PAYLOAD)
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, off + 2);
	/* all fragments but the last are multiples of 8 long (RFC 8200 4.5) */
	if (info->more_fragments && (frag_end & 7))
		return param_problem(w, IP6_EXT_PP_HEADER_FIELD, IP6_PAYLOAD_LEN_OFFSET);
	if (frag_end == info->frag_offset_bytes)
		return IP6_EXT_DISCARD; /* empty: nothing to reassemble */
	return IP6_EXT_FRAGMENT;
}

/*
 * ipv6_rthdr_rcv() with Linux's default sysctls: IP6_EXT_OK when the walk goes past the header,
 * which is when no segments are left.
 */
static enum ip6_exthdr_verdict routing_header(struct walk *w, uint32_t off)
{
	const uint8_t *rh = w->pkt + off;

	/* RFC 4291 2.7: a multicast address appears in no routing header, nor is a source
	 * route followed for a packet sent to a group */
	if (dst_is_multicast(w))
		return IP6_EXT_DISCARD;
	switch (rh[2]) {
	case RH_TYPE_SRH: /* ipv6_srh_rcv(): seg6_enabled = 0 */
	case RH_TYPE_RPL: /* ipv6_rpl_srh_rcv(): rpl_seg_enabled = 0 */
		return IP6_EXT_DISCARD;
	case RH_TYPE_MIP6:
		/* CONFIG_IPV6_MIP6: with segments left, only for a home address of ours (we
		 * have none); without, only after processing one, never here */
		return IP6_EXT_DISCARD;
	default:
		break;
	}
	if (rh[3] == 0)
		return IP6_EXT_OK;
	/* type 0 is deprecated (RFC 5095) and no other type is implemented */
	return param_problem(w, IP6_EXT_PP_HEADER_FIELD, off + 2);
}

enum ip6_exthdr_verdict ip6_exthdr_local(const uint8_t *pkt, uint32_t len,
	const struct ip6_proto_set *upper, unsigned int flags, struct ip6_exthdr_info *info)
{
	bool fragmented = flags & IP6_EXTHDR_REASSEMBLED;
	uint32_t off, nh_field, hlen, count;
	struct walk w;
	enum ip6_exthdr_verdict v;
	uint8_t first;

	if (len < IP6_HDR_LEN) {
		memset(info, 0, sizeof(*info));
		return IP6_EXT_TRUNCATED;
	}
	first = pkt[IP6_NEXTHDR_OFFSET];
	if (first != IPPROTO_HOPOPTS && first != IPPROTO_DSTOPTS && first != IPPROTO_ROUTING &&
		first != IPPROTO_FRAGMENT &&
		(ip6_proto_set_has(upper, first) || first == IPPROTO_NONE))
		return fixed_header_only(pkt, info);
	v = walk_start(&w, pkt, len, info, &off, &nh_field);
	if (v != IP6_EXT_OK)
		return v;
	count = off > IP6_HDR_LEN; /* the hop-by-hop header */

	/* ip6_protocol_deliver_rcu(): one header handler after the other */
	for (;;) {
		uint8_t nh = pkt[nh_field];

		switch (nh) {
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_FRAGMENT:
			break;
		case IPPROTO_NONE:
			/* nodata_protocol: nothing to deliver, not an error */
			return walk_end(&w, IP6_EXT_OK, off, nh_field, count);
		case IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: first or nowhere; Linux has no handler for it further on */
			return param_problem(&w, IP6_EXT_PP_UNKNOWN_NEXT_HEADER, nh_field);
		default:
			if (!ip6_proto_set_has(upper, nh))
				return param_problem(&w, IP6_EXT_PP_UNKNOWN_NEXT_HEADER, nh_field);
			return walk_end(&w, IP6_EXT_OK, off, nh_field, count);
		}

		if (++count > IP6_EXTHDR_MAX_CHAIN)
			return IP6_EXT_TOO_MANY;

		if (nh == IPPROTO_FRAGMENT) {
			v = fragment_header(&w, off, nh_field, &fragmented, count);
			if (v == IP6_EXT_FRAGMENT)
				return walk_end(&w, v, off + FRAG_HDR_LEN, off, count);
			if (v != IP6_EXT_OK)
				return v;
			nh_field = off;
			off += FRAG_HDR_LEN;
			continue;
		}

		v = header_length(&w, off, &hlen);
		if (v == IP6_EXT_OK)
			v = nh == IPPROTO_DSTOPTS ? parse_options(&w, off, hlen, false)
						  : routing_header(&w, off);
		if (v != IP6_EXT_OK)
			return v;
		nh_field = off;
		off += hlen;
	}
}
