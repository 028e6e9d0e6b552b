/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_source.h"
#include "addr.h"
#include "fib/fib4.h"
#include "infra/iface.h"

struct ip4_source_state ip4_source_state = {
	.modes = {[0 ... FP_MAX_IFACES - 1] = IP4_SRC_MODE_REDIRECTS}, /* Linux's defaults */
};

static void mode_update(uint16_t iface)
{
	uint8_t mode =
		sysctl_iface(iface, &ip4_rp_filter_knob) |
		(sysctl_iface(iface, &ip4_send_redirects_knob) ? IP4_SRC_MODE_REDIRECTS : 0) |
		(sysctl_iface(iface, &ip4_accept_local_knob) ? IP4_SRC_MODE_ACCEPT_LOCAL : 0);

	__atomic_store_n(&ip4_source_state.modes[iface], mode, __ATOMIC_RELAXED);
}

static void knob_applied(const struct sysctl_iface_knob *k, uint16_t iface)
{
	(void)k;
	mode_update(iface);
}

/*
 * An interface's values may have changed while it did not exist ("all" set before it came);
 * one that goes has its id's defaults back.
 */
static void mode_refresh(struct iface *iface)
{
	mode_update(iface->id);
}

/* Linux's names and defaults (devinet.c), combined with "all" as IN_DEV_ACCEPT_LOCAL,
 * IN_DEV_RPFILTER and IN_DEV_TX_REDIRECTS do */
struct sysctl_iface_knob ip4_accept_local_knob = {
	.family = "ipv4",
	.name = "accept_local",
	.help = "1: accept packets whose source is one of the router's addresses (0: martians)",
	.min = 0,
	.max = 1,
	.def = 0,
	.combine = SYSCTL_OR,
	.apply = knob_applied,
};
SYSCTL_IFACE_REGISTER(ip4_accept_local_knob)

struct sysctl_iface_knob ip4_rp_filter_knob = {
	.family = "ipv4",
	.name = "rp_filter",
	.help = "reverse-path filter: 0 off, 1 strict (the route back goes out this interface), "
		"2 loose (there is a route back)",
	.min = 0,
	.max = 2,
	.def = 0,
	.combine = SYSCTL_MAX,
	.apply = knob_applied,
};
SYSCTL_IFACE_REGISTER(ip4_rp_filter_knob)

struct sysctl_iface_knob ip4_send_redirects_knob = {
	.family = "ipv4",
	.name = "send_redirects",
	.help = "1: send ICMP redirects to on-link hosts whose packets leave by the interface "
		"they came in on",
	.min = 0,
	.max = 1,
	.def = 1,
	.combine = SYSCTL_OR,
	.apply = knob_applied,
};
SYSCTL_IFACE_REGISTER(ip4_send_redirects_knob)

static const struct nh_group *source_route(uint16_t vrf, uint32_t src)
{
	struct rte_fib *fib = fp_fib4[vrf];
	uint32_t key = ip4_host(src);
	uint64_t nh = FIB4_NO_ROUTE;

	if (fib != NULL)
		rte_fib_lookup_bulk(fib, &key, &nh, 1);
	/* group 0 is never allocated: a miss finds NULL */
	return fp_nh_groups[nh];
}

bool ip4_source_is_ours(uint16_t vrf, uint32_t src)
{
	const struct nh_group *g = source_route(vrf, src);

	return g != NULL && g->type == ROUTE_LOCAL;
}

/*
 * Linux's __fib_validate_source() with the route to the source as the FIB has it. One
 * departure: a source routed through another interface passes the loose filter (2) as in
 * Linux, but Linux then looks it up again restricted to the incoming interface to learn
 * whether it is on that link (for a redirect); fastpath has one route per prefix and sends no
 * redirect then.
 */
enum ip4_source_verdict ip4_source_check_full(
	const struct fp_mbuf_priv *priv, uint32_t src, int rpf, bool forward)
{
	const struct nh_group *g;
	const struct iface *in = iface_get(priv->iface_in);
	bool dev_match = false;

	/* the only such source that gets this far is a broadcast's (DHCP): brd_input skips it */
	if (ip4_is_zeronet(src))
		return IP4_SOURCE_OK;
	g = source_route(priv->vrf, src);
	/* no route back, or one that fails the lookup (blackhole, unreachable, prohibit: Linux's
	 * fib_lookup() returns their error): last_resort */
	if (g == NULL || g->type == ROUTE_BLACKHOLE || g->type == ROUTE_UNREACHABLE ||
		g->type == ROUTE_PROHIBIT)
		return rpf != 0 ? IP4_SOURCE_RPF : IP4_SOURCE_OK;
	if (g->type != ROUTE_UNICAST &&
		(g->type != ROUTE_LOCAL || !sysctl_iface(priv->iface_in, &ip4_accept_local_knob)))
		return IP4_SOURCE_MARTIAN;
	for (unsigned int k = 0; k < g->n_members && !dev_match; k++)
		dev_match = g->members[k].iface == priv->iface_in;
	if (dev_match) {
		/*
		 * The source is on this link when its route has no gateway (nhc_scope >=
		 * RT_SCOPE_HOST); a packet of it that leaves by the same link deserves a
		 * redirect (__mkroute_input(), shared_media 1: Linux's default).
		 */
		if (forward && g->members[0].gw.family == 0 && priv->iface_out == priv->iface_in &&
			sysctl_iface(priv->iface_in, &ip4_send_redirects_knob))
			return IP4_SOURCE_REDIRECT;
		return IP4_SOURCE_OK;
	}
	if (in == NULL || __atomic_load_n(&in->ip4_primary, __ATOMIC_RELAXED) == 0)
		return rpf != 0 ? IP4_SOURCE_RPF : IP4_SOURCE_OK; /* no address: last_resort */
	return rpf == 1 ? IP4_SOURCE_RPF : IP4_SOURCE_OK;
}

static int filter_add(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	uint64_t *words = arg;
	unsigned int b = ip4_local_filter_bit(a->addr);

	(void)iface;
	words[b / 64] |= UINT64_C(1) << (b % 64);
	return 0;
}

/*
 * Rebuilt whole on every change of the IPv4 addresses: each word is stored at once, so a
 * worker never misses an address that stays (an address just added may pass for a packet or
 * two, as in Linux between the address and its local route).
 */
static void filter_rebuild(uint16_t iface, const struct fp_ip_prefix *a, bool added)
{
	uint64_t words[IP4_LOCAL_FILTER_BITS / 64] = {0};

	(void)iface;
	(void)added;
	if (a->addr.family != AF_INET)
		return;
	ip4_addr_walk(filter_add, words);
	for (unsigned int i = 0; i < RTE_DIM(words); i++)
		__atomic_store_n(&ip4_source_state.local_filter[i], words[i], __ATOMIC_RELAXED);
}

static struct addr_listener filter_listener = {.changed = filter_rebuild};
static struct iface_listener mode_listener = {
	.order = 95, /* after the knobs' own (90) */
	.removing = mode_refresh,
	.added = mode_refresh,
};

static void __attribute__((constructor)) ip4_source_register(void)
{
	addr_listener_register(&filter_listener);
	iface_listener_register(&mode_listener);
}
