/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * The IPv6 extension-header walk: what Linux's receive path checks and learns in the headers
 * between the fixed header and the upper-layer protocol, as a pure function of the packet's
 * bytes. No state, no allocation, no logging: the datapath calls it per packet and turns the
 * verdict into a counter, an ICMPv6 error or a delivery.
 *
 * Offsets are from the first byte of the IPv6 fixed header, as are the ICMPv6 parameter-problem
 * pointers (RFC 4443 3.4). Nothing outside [pkt, pkt + len) is read; pkt needs no alignment.
 *
 * The caller has done Linux's ip6_rcv_core() checks first: len >= 40, version 6, and
 * 40 + payload length <= len unless the payload length is 0. As that function trims the packet
 * to its payload length, bytes past 40 + payload length (link-layer padding) are never taken
 * for headers; a payload length of 0 is allowed only with a hop-by-hop Jumbo Payload option,
 * whose length then ends the packet.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * Most extension headers (hop-by-hop, destination options, routing, fragment) one walk goes
 * through. Linux has no such bound: a chain ends where the packet does, each header at least
 * 8 bytes, so up to 8k headers for one 64k packet, each costing a protocol-handler call. RFC
 * 8200's recommended order has at most 5 of them (hop-by-hop, destination options, routing,
 * fragment, destination options); 8 leaves room and bounds the work on a crafted packet to a
 * few cache lines. A longer chain is IP6_EXT_TOO_MANY.
 */
#define IP6_EXTHDR_MAX_CHAIN 8

/*
 * Most options other than Pad1 and PadN in one hop-by-hop or destination options header: the
 * defaults of Linux's net.ipv6.max_hbh_opts_number and max_dst_opts_number
 * (IP6_DEFAULT_MAX_HBH_OPTS_CNT, IP6_DEFAULT_MAX_DST_OPTS_CNT). Linux drops a packet with more.
 */
#define IP6_EXTHDR_MAX_OPTIONS 8

enum ip6_exthdr_verdict {
	/* The walk ended at an upper-layer protocol or at No Next Header (59): info->proto */
	IP6_EXT_OK,
	/*
	 * Local delivery, a fragment that is not atomic: reassemble it before delivery, then walk
	 * the reassembled packet again with IP6_EXTHDR_REASSEMBLED. info->proto is the fragment
	 * header's next header and info->l4_offset the start of the fragmentable part.
	 */
	IP6_EXT_FRAGMENT,
	/* A header runs past the packet's end: drop, counted (Linux: pskb_may_pull() fails) */
	IP6_EXT_TRUNCATED,
	/* Malformed options (padding, lengths, alignment): drop, counted as a header error */
	IP6_EXT_BAD_HEADER,
	/* Over IP6_EXTHDR_MAX_CHAIN headers or IP6_EXTHDR_MAX_OPTIONS options: drop, counted */
	IP6_EXT_TOO_MANY,
	/* An option's action, or a header Linux does not process by default: drop silently */
	IP6_EXT_DISCARD,
	/* Drop and send ICMPv6 parameter problem (info->icmp_code, info->icmp_pointer) */
	IP6_EXT_PARAM_PROBLEM,
	IP6_EXT_VERDICTS,
};

/*
 * ICMPv6 parameter-problem codes (RFC 4443 3.4, RFC 8200 4.5). Whoever sends the error still
 * applies RFC 4443 2.4 (e.3) as Linux's icmp6_send() does: to a multicast destination only
 * IP6_EXT_PP_UNKNOWN_OPTION for an option whose type begins with the bits 10, the byte at
 * icmp_pointer.
 */
enum ip6_exthdr_param_problem {
	IP6_EXT_PP_HEADER_FIELD = 0,	    /* erroneous header field */
	IP6_EXT_PP_UNKNOWN_NEXT_HEADER = 1, /* unrecognized next header type */
	IP6_EXT_PP_UNKNOWN_OPTION = 2,	    /* unrecognized IPv6 option */
	IP6_EXT_PP_INCOMPLETE_CHAIN = 3,    /* first fragment has an incomplete header chain */
};

/* The upper-layer protocols that have a handler, one bit per next-header value. */
struct ip6_proto_set {
	uint64_t bits[4];
};

static inline void ip6_proto_set_add(struct ip6_proto_set *set, uint8_t proto)
{
	set->bits[proto >> 6] |= UINT64_C(1) << (proto & 63);
}

static inline bool ip6_proto_set_has(const struct ip6_proto_set *set, uint8_t proto)
{
	return (set->bits[proto >> 6] >> (proto & 63)) & 1;
}

/* ip6_exthdr_local() flags */
enum {
	/*
	 * The packet is the product of reassembly: a fragment header in it is a parameter
	 * problem, as it is in Linux after an atomic fragment or reassembly (IP6SKB_FRAGMENTED).
	 */
	IP6_EXTHDR_REASSEMBLED = 1 << 0,
};

/*
 * What the walk learnt. proto, l4_offset, nexthdr_field_offset and ext_count are meaningful
 * for IP6_EXT_OK and IP6_EXT_FRAGMENT, icmp_* for IP6_EXT_PARAM_PROBLEM; the rest is filled as
 * the walk goes and is zero for what it did not see.
 */
struct ip6_exthdr_info {
	/*
	 * Local delivery: the upper-layer protocol (IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6,
	 * IPPROTO_ESP, IPPROTO_AH, IPPROTO_NONE...). Forwarding: the header after the hop-by-hop
	 * options, which may be another extension header, as forwarding walks no further.
	 */
	uint8_t proto;
	uint16_t l4_offset;	       /* where the header proto names begins */
	uint16_t nexthdr_field_offset; /* the byte holding proto (Linux's IP6CB(skb)->nhoff) */
	uint8_t ext_count;	       /* extension headers gone through */
	uint32_t payload_end;	       /* 40 + payload length, or + jumbo length: trim to it */

	bool router_alert;	     /* hop-by-hop Router Alert (RFC 2711): MLD, RSVP */
	uint16_t router_alert_value; /* 0 for MLD, host order */
	bool jumbo;		     /* hop-by-hop Jumbo Payload (RFC 2675) */
	uint32_t jumbo_payload_len;

	bool has_fragment;		   /* a fragment header, atomic or not */
	bool more_fragments;		   /* M flag */
	uint16_t frag_offset_bytes;	   /* fragment offset, in bytes */
	uint32_t frag_id;		   /* identification, host order */
	uint16_t frag_hdr_offset;	   /* the fragment header */
	uint16_t frag_prev_nexthdr_offset; /* the byte naming it: reassembly rewrites it */

	uint8_t icmp_code; /* enum ip6_exthdr_param_problem */
	uint32_t icmp_pointer;
};

/*
 * What ipv6_rcv() checks of every packet before the route lookup, so all a forwarded packet
 * gets: the hop-by-hop options if they come first (ipv6_parse_hopopts()). Other headers are
 * left alone; a packet for this host then goes through ip6_exthdr_local() instead.
 */
enum ip6_exthdr_verdict ip6_exthdr_forward(
	const uint8_t *pkt, uint32_t len, struct ip6_exthdr_info *info);

/*
 * The whole chain of a packet for this host, as ipv6_rcv() then ip6_input_finish() and the
 * header handlers go through it: hop-by-hop options (first only), destination options, routing
 * header, fragment header, up to No Next Header or an upper-layer protocol, which must be in
 * upper (else a parameter problem, as Linux when no protocol handler exists).
 */
enum ip6_exthdr_verdict ip6_exthdr_local(const uint8_t *pkt, uint32_t len,
	const struct ip6_proto_set *upper, unsigned int flags, struct ip6_exthdr_info *info);
