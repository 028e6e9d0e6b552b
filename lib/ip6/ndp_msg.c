/* SPDX-License-Identifier: BSD-3-Clause */
#include "ndp_msg.h"
#include "ip6.h"

#include <string.h>

/* option types (RFC 4861 4.6) */
#define OPT_SRC_LLADDR 1
#define OPT_TGT_LLADDR 2
#define OPT_PREFIX     3
#define OPT_REDIRECTED 4
#define OPT_MTU	       5

#define RS_LEN	     8	/* type, code, checksum, reserved */
#define NS_NA_LEN    24 /* and the target */
#define RA_LEN	     16
#define REDIRECT_LEN 40 /* and the target and the destination */
#define NA_ROUTER    0x80
#define NA_SOLICIT   0x40
#define NA_OVERRIDE  0x20

static const char *const error_names[NDP_ERRORS] = {
	[NDP_OK] = "ok",
	[NDP_TOO_SHORT] = "ndp_too_short",
	[NDP_UNKNOWN_TYPE] = "ndp_ignored_type",
	[NDP_MULTICAST_TARGET] = "ndp_multicast_target",
	[NDP_BAD_OPTIONS] = "ndp_bad_options",
	[NDP_BAD_LLADDR] = "ndp_bad_lladdr",
	[NDP_DAD_NOT_SOLICITED] = "ndp_dad_not_solicited_node",
	[NDP_DAD_WITH_LLADDR] = "ndp_dad_with_lladdr",
	[NDP_SOLICITED_MULTICAST] = "ndp_solicited_na_multicast",
};

const char *ndp_error_name(enum ndp_error e)
{
	return e < NDP_ERRORS ? error_names[e] : "?";
}

/*
 * ndisc_parse_options(): every option at least 8 bytes and within the message; of the
 * link-layer options the first counts (Linux ignores duplicates), and it must hold exactly an
 * Ethernet address (ndisc_opt_addr_data(): 8 bytes for a 6-byte address).
 */
static enum ndp_error parse_options(
	const uint8_t *opt, uint32_t len, uint8_t lladdr_type, struct ndp_msg *msg)
{
	while (len > 0) {
		uint32_t olen;

		if (len < 2 || opt[1] == 0 || (olen = opt[1] * 8u) > len)
			return NDP_BAD_OPTIONS;
		if (opt[0] == lladdr_type && !msg->has_lladdr) {
			if (olen != 8)
				return NDP_BAD_LLADDR;
			memcpy(msg->lladdr.bytes, opt + 2, 6);
			msg->has_lladdr = true;
		}
		opt += olen;
		len -= olen;
	}
	return NDP_OK;
}

enum ndp_error ndp_parse(const uint8_t *pkt, uint32_t len, struct ndp_msg *msg)
{
	const uint8_t *icmp = pkt + IP6_HDR_LEN;
	uint32_t ilen;
	enum ndp_error e;

	if (len < IP6_HDR_LEN + RS_LEN)
		return NDP_TOO_SHORT;
	ilen = len - IP6_HDR_LEN;
	memset(msg, 0, sizeof(*msg));
	msg->type = icmp[0];
	memcpy(&msg->src, pkt + 8, 16);
	memcpy(&msg->dst, pkt + 24, 16);
	switch (msg->type) {
	case ICMP6_ROUTER_SOLICIT:
		return parse_options(icmp + RS_LEN, ilen - RS_LEN, OPT_SRC_LLADDR, msg);
	case ICMP6_NEIGHBOUR_SOLICIT:
	case ICMP6_NEIGHBOUR_ADVERT:
		break;
	default:
		return NDP_UNKNOWN_TYPE;
	}
	if (ilen < NS_NA_LEN)
		return NDP_TOO_SHORT;
	memcpy(&msg->target, icmp + 8, 16);
	if (fp_ip6_is_multicast(&msg->target))
		return NDP_MULTICAST_TARGET;
	if (msg->type == ICMP6_NEIGHBOUR_SOLICIT) {
		/* ndisc_recv_ns() */
		msg->dad = fp_ip6_is_unspecified(&msg->src);
		if (msg->dad && !ip6_is_solicited_node(&msg->dst))
			return NDP_DAD_NOT_SOLICITED;
		if ((e = parse_options(icmp + NS_NA_LEN, ilen - NS_NA_LEN, OPT_SRC_LLADDR, msg)))
			return e;
		if (msg->dad && msg->has_lladdr)
			return NDP_DAD_WITH_LLADDR;
		return NDP_OK;
	}
	/* ndisc_recv_na() */
	msg->router = icmp[4] & NA_ROUTER;
	msg->solicited = icmp[4] & NA_SOLICIT;
	msg->override = icmp[4] & NA_OVERRIDE;
	if (fp_ip6_is_multicast(&msg->dst) && msg->solicited)
		return NDP_SOLICITED_MULTICAST;
	return parse_options(icmp + NS_NA_LEN, ilen - NS_NA_LEN, OPT_TGT_LLADDR, msg);
}

/* The IPv6 header of an NDP message of len bytes, then its checksum once the body is there. */
static void put_ip6(
	uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst, uint32_t len)
{
	static const struct fp_ip6_addr unspecified;

	memset(buf, 0, IP6_HDR_LEN);
	buf[0] = 0x60;
	buf[4] = len >> 8;
	buf[5] = len & 0xff;
	buf[6] = IPPROTO_ICMPV6;
	buf[7] = IP6_ND_HOP_LIMIT;
	memcpy(buf + 8, src != NULL ? src : &unspecified, 16);
	memcpy(buf + 24, dst, 16);
}

static uint32_t finish(uint8_t *buf, uint32_t len)
{
	uint16_t c = icmp6_cksum((const struct fp_ip6_addr *)(buf + 8),
		(const struct fp_ip6_addr *)(buf + 24), buf + IP6_HDR_LEN, len);

	memcpy(buf + IP6_HDR_LEN + 2, &c, 2);
	return IP6_HDR_LEN + len;
}

static uint32_t put_lladdr(uint8_t *opt, uint8_t type, const struct fp_mac *lladdr)
{
	if (lladdr == NULL)
		return 0;
	opt[0] = type;
	opt[1] = 1;
	memcpy(opt + 2, lladdr->bytes, 6);
	return 8;
}

static uint32_t ns_na(uint8_t *buf, uint8_t type, uint8_t flags, const struct fp_ip6_addr *src,
	const struct fp_ip6_addr *dst, const struct fp_ip6_addr *target, uint8_t opt_type,
	const struct fp_mac *lladdr)
{
	uint8_t *icmp = buf + IP6_HDR_LEN;
	uint32_t len;

	memset(icmp, 0, NS_NA_LEN);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	len = NS_NA_LEN + put_lladdr(icmp + NS_NA_LEN, opt_type, lladdr);
	put_ip6(buf, src, dst, len);
	return finish(buf, len);
}

uint32_t ndp_build_ns(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct fp_ip6_addr *target, const struct fp_mac *lladdr)
{
	return ns_na(buf, ICMP6_NEIGHBOUR_SOLICIT, 0, src, dst, target, OPT_SRC_LLADDR, lladdr);
}

uint32_t ndp_build_na(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct fp_ip6_addr *target, bool router, bool solicited, bool override,
	const struct fp_mac *lladdr)
{
	uint8_t flags = (router ? NA_ROUTER : 0) | (solicited ? NA_SOLICIT : 0) |
			(override ? NA_OVERRIDE : 0);

	return ns_na(buf, ICMP6_NEIGHBOUR_ADVERT, flags, src, dst, target, OPT_TGT_LLADDR, lladdr);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint32_t ndp_build_ra(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct ndp_ra *ra, const struct fp_mac *lladdr)
{
	uint8_t *icmp = buf + IP6_HDR_LEN, *opt;
	uint32_t len;

	memset(icmp, 0, RA_LEN);
	icmp[0] = ICMP6_ROUTER_ADVERT;
	icmp[4] = ra->cur_hop_limit;
	icmp[5] = (ra->managed ? 0x80 : 0) | (ra->other ? 0x40 : 0);
	icmp[6] = ra->router_lifetime >> 8;
	icmp[7] = ra->router_lifetime & 0xff;
	put_be32(icmp + 8, ra->reachable_time);
	put_be32(icmp + 12, ra->retrans_timer);
	len = RA_LEN + put_lladdr(icmp + RA_LEN, OPT_SRC_LLADDR, lladdr);
	if (ra->mtu != 0) {
		opt = icmp + len;
		memset(opt, 0, 8);
		opt[0] = OPT_MTU;
		opt[1] = 1;
		put_be32(opt + 4, ra->mtu);
		len += 8;
	}
	for (unsigned int i = 0; i < ra->n_prefixes && i < NDP_MAX_PREFIXES; i++) {
		const struct ndp_ra_prefix *p = &ra->prefixes[i];
		struct fp_ip6_addr a = fp_ip6_masked(&p->prefix.addr, p->prefix.len);

		opt = icmp + len;
		memset(opt, 0, 32);
		opt[0] = OPT_PREFIX;
		opt[1] = 4;
		opt[2] = p->prefix.len;
		opt[3] = (p->on_link ? 0x80 : 0) | (p->autonomous ? 0x40 : 0);
		put_be32(opt + 4, p->valid_lifetime);
		put_be32(opt + 8, p->preferred_lifetime);
		memcpy(opt + 16, &a, 16);
		len += 32;
	}
	put_ip6(buf, src, dst, len);
	return finish(buf, len);
}

uint32_t ndp_build_redirect(uint8_t *buf, const struct fp_ip6_addr *src,
	const struct fp_ip6_addr *dst, const struct fp_ip6_addr *target,
	const struct fp_ip6_addr *dest, const struct fp_mac *lladdr, const uint8_t *pkt,
	uint32_t pkt_len)
{
	uint8_t *icmp = buf + IP6_HDR_LEN, *opt;
	/* ndisc_send_redirect(): what fits in the minimum MTU beside the fixed part (the link-layer
	 * option not counted, as Linux counts it), in whole units of 8 bytes */
	uint32_t rd_len = RTE_MIN(IP6_MIN_MTU - IP6_HDR_LEN - REDIRECT_LEN, pkt_len + 8) & ~7u;
	uint32_t len;

	memset(icmp, 0, REDIRECT_LEN);
	icmp[0] = ICMP6_REDIRECT;
	memcpy(icmp + 8, target, 16);
	memcpy(icmp + 24, dest, 16);
	len = REDIRECT_LEN + put_lladdr(icmp + REDIRECT_LEN, OPT_TGT_LLADDR, lladdr);
	opt = icmp + len;
	memset(opt, 0, 8);
	opt[0] = OPT_REDIRECTED;
	opt[1] = rd_len / 8;
	memcpy(opt + 8, pkt, rd_len - 8);
	len += rd_len;
	put_ip6(buf, src, dst, len);
	return finish(buf, len);
}
