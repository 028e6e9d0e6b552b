/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * NDP messages as bytes (RFC 4861 4): what Linux's ndisc_recv_ns(), ndisc_recv_na() and
 * ndisc_recv_rs() check and read of them, and the messages the router sends. Pure functions of
 * the bytes: the unit tests call them directly.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/fp_net.h"

#define NDP_MAX_PREFIXES 8 /* prefix information options in one router advertisement */

/* Why a message is dropped; each is a counter of its own on the control thread. */
enum ndp_error {
	NDP_OK,
	NDP_TOO_SHORT,		 /* shorter than its fixed part ("packet too short") */
	NDP_UNKNOWN_TYPE,	 /* not RS, NS or NA (RA and redirects are not for a router) */
	NDP_MULTICAST_TARGET,	 /* NS and NA target a unicast address */
	NDP_BAD_OPTIONS,	 /* an option of length 0 or running past the end */
	NDP_BAD_LLADDR,		 /* a link-layer address option not of Ethernet's length */
	NDP_DAD_NOT_SOLICITED,	 /* DAD probe not sent to a solicited-node group */
	NDP_DAD_WITH_LLADDR,	 /* DAD probe with a source link-layer address */
	NDP_SOLICITED_MULTICAST, /* NA with S set sent to a multicast group */
	NDP_ERRORS,
};

/* What a valid message says. */
struct ndp_msg {
	uint8_t type; /* ICMP6_ROUTER_SOLICIT, ICMP6_NEIGHBOUR_SOLICIT, ICMP6_NEIGHBOUR_ADVERT */
	struct fp_ip6_addr src, dst, target;
	bool dad;			  /* NS from :: */
	bool router, solicited, override; /* NA flags */
	bool has_lladdr;		  /* source (RS, NS) or target (NA) link-layer address */
	struct fp_mac lladdr;
};

/*
 * Parses an IPv6 packet of len bytes holding an NDP message right after the fixed header,
 * whose hop limit, code and checksum were checked (ndisc_rcv(), ip6_local). NDP_OK and msg,
 * or the reason to drop it.
 */
enum ndp_error ndp_parse(const uint8_t *pkt, uint32_t len, struct ndp_msg *msg);
const char *ndp_error_name(enum ndp_error e);

/*
 * The messages, IPv6 header included (hop limit 255, checksum set), into buf; they return
 * their length. buf holds NDP_MSG_MAX bytes.
 */
#define NDP_MSG_MAX 512

/* A solicitation from src (NULL: :: for DAD) with a source link-layer option if lladdr. */
uint32_t ndp_build_ns(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct fp_ip6_addr *target, const struct fp_mac *lladdr);
/* An advertisement of target, with a target link-layer option if lladdr. */
uint32_t ndp_build_na(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct fp_ip6_addr *target, bool router, bool solicited, bool override,
	const struct fp_mac *lladdr);

struct ndp_ra_prefix {
	struct fp_ip6_prefix prefix;
	bool on_link, autonomous;
	uint32_t valid_lifetime, preferred_lifetime; /* seconds */
};

struct ndp_ra {
	uint8_t cur_hop_limit;
	bool managed, other;
	uint16_t router_lifetime;		/* seconds; 0: not a default router */
	uint32_t reachable_time, retrans_timer; /* ms; 0: unspecified */
	uint32_t mtu;				/* 0: no MTU option */
	unsigned int n_prefixes;
	struct ndp_ra_prefix prefixes[NDP_MAX_PREFIXES];
};

/* A router advertisement from src (a link-local address) with the router's MAC. */
uint32_t ndp_build_ra(uint8_t *buf, const struct fp_ip6_addr *src, const struct fp_ip6_addr *dst,
	const struct ndp_ra *ra, const struct fp_mac *lladdr);

/*
 * A redirect (RFC 4861 4.5) from src (the router's link-local address) to dst (the source of
 * the packet redirected): a better first hop, target, for dest; a target link-layer option if
 * lladdr; the packet redirected (pkt, pkt_len bytes from its IPv6 header) quoted as far as
 * Linux quotes it. buf holds NDP_REDIRECT_MAX bytes.
 */
#define NDP_REDIRECT_MAX (40 + 40 + 8 + 1200)
uint32_t ndp_build_redirect(uint8_t *buf, const struct fp_ip6_addr *src,
	const struct fp_ip6_addr *dst, const struct fp_ip6_addr *target,
	const struct fp_ip6_addr *dest, const struct fp_mac *lladdr, const uint8_t *pkt,
	uint32_t pkt_len);
