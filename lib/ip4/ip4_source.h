/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Source validation of received IPv4 packets, Linux's fib_validate_source(): a source that is
 * one of the router's addresses is a martian (net.ipv4.conf.*.accept_local 0), reverse-path
 * filtering per interface (rp_filter 0 off, 1 strict, 2 loose), and whether a forwarded
 * packet deserves an ICMP redirect (send_redirects, IPSKB_DOREDIRECT in __mkroute_input()).
 * Shared by ip4_input and ip4_fastpath; the common packet costs a multiplication, a bit test
 * and two loads of its interface's knobs.
 */

#include "infra/iface.h"
#include "infra/sysctl.h"
#include "ip4.h"

extern struct sysctl_iface_knob ip4_accept_local_knob, ip4_rp_filter_knob, ip4_send_redirects_knob;

/*
 * A Bloom filter of one hash over the router's IPv4 addresses (all VRFs): a clear bit proves a
 * source is none of them; a set bit sends the packet to the exact check, a FIB lookup of its
 * source. Rebuilt by the control thread when an address comes or goes.
 */
#define IP4_LOCAL_FILTER_BITS 4096

/*
 * The three knobs' effective values per interface in one byte, kept by the control thread
 * (their apply callbacks): what the check of a packet needs in one load.
 */
#define IP4_SRC_MODE_RPF	  0x03 /* rp_filter: 0, 1 or 2 */
#define IP4_SRC_MODE_REDIRECTS	  0x04 /* send_redirects */
#define IP4_SRC_MODE_ACCEPT_LOCAL 0x08 /* accept_local */

/* What the workers read, together: one address to load for both (the code is PIC) */
struct ip4_source_state {
	uint64_t local_filter[IP4_LOCAL_FILTER_BITS / 64];
	uint8_t modes[FP_MAX_IFACES];
};
extern struct ip4_source_state ip4_source_state;

static inline unsigned int ip4_local_filter_bit(uint32_t addr_be)
{
	/* Fibonacci hashing: the top 12 bits of the product mix every byte of the address */
	return (addr_be * UINT32_C(0x9e3779b1)) >> 20;
}

static inline bool ip4_local_filter_hit(uint32_t addr_be)
{
	unsigned int b = ip4_local_filter_bit(addr_be);

	return (__atomic_load_n(&ip4_source_state.local_filter[b / 64], __ATOMIC_RELAXED) >>
		       (b % 64)) &
	       1;
}

enum ip4_source_verdict {
	IP4_SOURCE_OK,
	IP4_SOURCE_REDIRECT, /* forward it, and tell the source of a better first hop */
	IP4_SOURCE_MARTIAN,  /* Linux's -EINVAL: counted as a martian source */
	IP4_SOURCE_RPF,	     /* Linux's -EXDEV: the reverse-path filter (IPReversePathFilter) */
};

/* __fib_validate_source(): the full check, with the FIB lookup of the source. */
enum ip4_source_verdict ip4_source_check_full(
	const struct fp_mbuf_priv *priv, uint32_t src, int rpf, bool forward);
/* Whether src (network order) is an address of the router in VRF vrf: the exact check. */
bool ip4_source_is_ours(uint16_t vrf, uint32_t src);

static inline uint8_t ip4_source_mode(uint16_t iface)
{
	return __atomic_load_n(&ip4_source_state.modes[iface], __ATOMIC_RELAXED);
}

/*
 * fib_validate_source() for a packet with priv's metadata and source src (network order),
 * received on an interface of mode ip4_source_mode(), routed to a next hop (forward:
 * priv->iface_out set; Linux's oif) or to the router itself. The full check runs only where it
 * decides something: rp_filter on, or a packet that leaves by the interface it came in on where
 * redirects are sent.
 */
static inline enum ip4_source_verdict ip4_source_validate_mode(
	uint8_t mode, const struct fp_mbuf_priv *priv, uint32_t src, bool forward)
{
	if (unlikely((mode & IP4_SRC_MODE_RPF) != 0 ||
		     (forward && priv->iface_out == priv->iface_in &&
			     (mode & IP4_SRC_MODE_REDIRECTS))))
		return ip4_source_check_full(priv, src, mode & IP4_SRC_MODE_RPF, forward);
	/* Linux looks the source up among the addresses; this filter spares most packets that */
	if (likely(!ip4_local_filter_hit(src)) || (mode & IP4_SRC_MODE_ACCEPT_LOCAL))
		return IP4_SOURCE_OK;
	return ip4_source_is_ours(priv->vrf, src) ? IP4_SOURCE_MARTIAN : IP4_SOURCE_OK;
}

static inline enum ip4_source_verdict ip4_source_validate(
	const struct fp_mbuf_priv *priv, uint32_t src, bool forward)
{
	return ip4_source_validate_mode(ip4_source_mode(priv->iface_in), priv, src, forward);
}
