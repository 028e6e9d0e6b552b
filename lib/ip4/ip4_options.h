/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * IPv4 options as Linux handles them (net/ipv4/ip_options.c), in four steps:
 * - ip4_options_compile(): on input, after the route lookup (ip_rcv_options ->
 *   __ip_options_compile): checks them, returns the parameter problem pointer of the first bad
 *   byte, and already fills the record route and timestamp slots with the address Linux's
 *   fib_compute_spec_dst() gives, without the header checksum: an ICMP error sent before
 *   forwarding quotes the packet so, as Linux's does;
 * - ip4_options_forward(): when forwarded (ip_forward_options): the record route slot gets the
 *   outgoing interface's address, a source route its next hop; checksum recomputed;
 * - ip4_options_echo() and ip4_options_build(): the options of the router's answer, an ICMP
 *   error or an echo reply (__ip_options_echo, ip_options_build): record route and timestamp
 *   copied with the router's entry, a source route reversed, the rest left out;
 * - ip4_options_fragment(): fragments after the first keep only the copied options.
 * Offsets count from the first byte of the IPv4 header, as Linux's.
 */

#include <stdbool.h>
#include <stdint.h>

#include "fib/fib.h"
#include "graph/mbuf.h"

struct rte_ipv4_hdr;

#define IP4_OPT_END	  0
#define IP4_OPT_NOOP	  1
#define IP4_OPT_RR	  7
#define IP4_OPT_TIMESTAMP 68
#define IP4_OPT_LSRR	  131
#define IP4_OPT_SSRR	  137
#define IP4_OPT_MAX_LEN	  40
#define IP4_OPT_COPIED	  0x80 /* the option goes in every fragment */

/* timestamp flags (RFC 791), the low nibble of the option's fourth byte */
#define IP4_OPT_TS_TSONLY    0
#define IP4_OPT_TS_TSANDADDR 1
#define IP4_OPT_TS_PRESPEC   3

/* struct fp_ip4_opt flags */
#define IP4_OPT_RR_NEEDADDR 0x01 /* the record route had room: an address was recorded */
#define IP4_OPT_TS_NEEDADDR 0x02 /* likewise for the timestamp's address... */
#define IP4_OPT_TS_NEEDTIME 0x04 /* ... and time */
#define IP4_OPT_STRICT	    0x08 /* the source route is strict (SSRR) */
#define IP4_OPT_SRR_HIT	    0x10 /* the packet was source-routed through us: srr_slot is set */
#define IP4_OPT_CHANGED	    0x20 /* the header changed: its checksum must be recomputed */
#define IP4_OPT_TS_OVERFLOW 0x40 /* the full timestamp's overflow count went up */

/* ICMP parameter problem (RFC 792) */
#define ICMP4_PARAM_PROBLEM 12

/* What ip4_options_compile() and ip4_options_echo() ask of the router. */
struct ip4_opt_env {
	/* the address a slot records for a received packet (fib_compute_spec_dst()), asked once */
	uint32_t (*spec_dst)(const struct ip4_opt_env *env);
	/* whether addr is another host's (inet_addr_type() == RTN_UNICAST): no prespecified stamp
	 */
	bool (*other_host)(const struct ip4_opt_env *env, uint32_t addr);
	uint32_t timestamp; /* network order: ms since midnight UT (inet_current_timestamp()) */
	const void *arg;
};

/*
 * Checks the options of the header iph (IHL > 5, all of it readable) and fills opt; returns 0,
 * or the offset of the bad byte for a parameter problem (opt then holds what came before).
 */
unsigned int ip4_options_compile(uint8_t *iph, struct fp_ip4_opt *opt, struct ip4_opt_env *env);

/* The forwarding step, once the TTL is decremented; out_addr: the outgoing interface's. */
void ip4_options_forward(uint8_t *iph, const struct fp_ip4_opt *opt, uint32_t out_addr);

/*
 * Undoes what ip4_options_compile() filled in (Linux's ip_options_undo(), and the overflow
 * count): a packet for the router that goes up its kernel twin, whose stack compiles them
 * again. Checksum recomputed.
 */
void ip4_options_undo(uint8_t *iph, const struct fp_ip4_opt *opt);

/* The options of an answer to iph (compiled into sopt); what they need filled in. */
struct ip4_opt_echo {
	uint8_t data[IP4_OPT_MAX_LEN];
	uint8_t len;	       /* a multiple of 4, 0 if none */
	struct fp_ip4_opt opt; /* offsets in the answer's header */
	uint32_t first_hop;    /* a reversed source route's first hop: where the answer goes */
};

/* Fills echo; -1 where Linux sends no answer (no room left for the router's entry). */
int ip4_options_echo(const uint8_t *iph, const struct fp_ip4_opt *sopt, struct ip4_opt_echo *echo,
	const struct ip4_opt_env *env);

/*
 * Writes echo's options after the answer's 20-byte header iph and fills them in: the router's
 * address src, the time, the final destination daddr of a source route.
 */
void ip4_options_build(
	uint8_t *iph, const struct ip4_opt_echo *echo, uint32_t src, uint32_t daddr, uint32_t now);

/* The options opt (len bytes) of a fragment after the first: only the copied ones stay. */
void ip4_options_fragment(uint8_t *opt, unsigned int len);

/* ms since midnight UT, network order: the time a timestamp option records */
uint32_t ip4_options_now(void);

/* What ip4_options_input() makes of a received packet with options. */
enum ip4_opt_verdict {
	IP4_OPT_ROUTE,	       /* on with the route's verdict (a source route may change it) */
	IP4_OPT_PARAM_PROBLEM, /* bad: a parameter problem (ip4_bad_option) */
	IP4_OPT_SOURCE_ROUTED, /* source-routed, accept_source_route 0: dropped */
	IP4_OPT_SOURCE_ROUTE_FAILED, /* its source route cannot be followed: dropped */
};

/* ip4_input's step for a packet with options, once routed (ip_rcv_options()). */
enum ip4_opt_verdict ip4_options_input(struct rte_mbuf *m, enum route_verdict *v);

/* The options of the router's answer to m (an ICMP error, an echo reply); -1: no answer. */
int ip4_options_answer(struct rte_mbuf *m, struct ip4_opt_echo *echo);
/* Fills the answer's header ip (20 bytes written, echo->len free after) with them. */
void ip4_options_answer_build(struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
	const struct ip4_opt_echo *echo, uint32_t final_dst);
