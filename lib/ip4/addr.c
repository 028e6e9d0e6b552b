/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"
#include "fib/fib4.h"
#include "infra/fp_error.h"
#include "infra/iface.h"
#include "infra/log.h"
#include "neigh/neigh.h"

#include <errno.h>
#include <string.h>

static struct {
	unsigned int n;
	struct fp_ip4_prefix a[IP4_ADDR_MAX];
} addrs[FP_MAX_IFACES];

static bool same_network(const struct fp_ip4_prefix *p, uint32_t ip)
{
	return ((p->addr ^ ip) & fp_ip4_mask(p->len)) == 0;
}

static int find(uint16_t iface, const struct fp_ip4_prefix *a)
{
	for (unsigned int i = 0; i < addrs[iface].n; i++)
		if (addrs[iface].a[i].addr == a->addr && addrs[iface].a[i].len == a->len)
			return i;
	return -1;
}

/* Another address of iface on the network of a keeps the network's routes. */
static bool network_shared(uint16_t iface, const struct fp_ip4_prefix *a)
{
	for (unsigned int i = 0; i < addrs[iface].n; i++) {
		const struct fp_ip4_prefix *o = &addrs[iface].a[i];

		if (o->addr != a->addr && o->len == a->len && same_network(o, a->addr))
			return true;
	}
	return false;
}

static struct route4 connected_route(
	const struct iface *iface, enum route_type type, uint32_t addr, uint8_t len)
{
	struct route4 r = {
		.vrf = iface->vrf,
		.prefix = {addr & fp_ip4_mask(len), len},
		.type = type,
		.origin = ORIGIN_CONNECTED,
		.n_nh = 1,
	};

	r.nh[0].iface = iface->id;
	return r;
}

static void del_network_routes(const struct iface *iface, const struct fp_ip4_prefix *a)
{
	struct fp_ip4_prefix net = {a->addr & fp_ip4_mask(a->len), a->len};
	struct fp_ip4_prefix bcast = {a->addr | ~fp_ip4_mask(a->len), 32};

	if (a->len < 32)
		fib4_route_del(iface->vrf, &net);
	if (a->len < 31)
		fib4_route_del(iface->vrf, &bcast);
}

int ip4_addr_add(uint16_t iface_id, const struct fp_ip4_prefix *a)
{
	struct iface *iface = iface_get(iface_id);
	char s[FP_IP4_PREFIXSTRLEN];
	struct route4 r;
	int ret;

	fp_ip4_prefix_fmt(a, s);
	if (iface == NULL)
		return fp_error(ENODEV, "no interface %u", iface_id);
	if (find(iface_id, a) >= 0)
		return fp_error(EEXIST, "%s already has address %s", iface->name, s);
	if (ip4_addr_is_local(iface->vrf, a->addr))
		return fp_error(EADDRINUSE, "address %s is in use on another interface", s);
	if (addrs[iface_id].n == IP4_ADDR_MAX)
		return fp_error(ENOSPC, "%s has %d addresses already", iface->name, IP4_ADDR_MAX);
	r = connected_route(iface, ROUTE_LOCAL, a->addr, 32);
	if ((ret = fib4_route_add(&r, false)) < 0)
		return ret;
	if (a->len < 32 && !network_shared(iface_id, a)) {
		r = connected_route(iface, ROUTE_UNICAST, a->addr, a->len);
		/* replace: a static route to the same network yields to the connected one */
		ret = fib4_route_add(&r, true);
		if (ret == 0 && a->len < 31) {
			r = connected_route(
				iface, ROUTE_BROADCAST, a->addr | ~fp_ip4_mask(a->len), 32);
			ret = fib4_route_add(&r, true);
		}
		if (ret < 0) {
			struct fp_ip4_prefix local = {a->addr, 32};

			del_network_routes(iface, a);
			fib4_route_del(iface->vrf, &local);
			return ret;
		}
	}
	addrs[iface_id].a[addrs[iface_id].n++] = *a;
	if (iface->ip4_primary == 0)
		__atomic_store_n(&iface->ip4_primary, a->addr, __ATOMIC_RELAXED);
	arp_gratuitous(iface_id, a->addr);
	return 0;
}

int ip4_addr_del(uint16_t iface_id, const struct fp_ip4_prefix *a)
{
	struct iface *iface = iface_get(iface_id);
	struct fp_ip4_prefix local = {a->addr, 32};
	char s[FP_IP4_PREFIXSTRLEN];
	int i;

	if (iface == NULL || (i = find(iface_id, a)) < 0)
		return fp_error(ENOENT, "%s has no address %s", iface ? iface->name : "?",
			fp_ip4_prefix_fmt(a, s));
	fib4_route_del(iface->vrf, &local);
	if (!network_shared(iface_id, a))
		del_network_routes(iface, a);
	memmove(&addrs[iface_id].a[i], &addrs[iface_id].a[i + 1],
		(addrs[iface_id].n - i - 1) * sizeof(*a));
	addrs[iface_id].n--;
	__atomic_store_n(&iface->ip4_primary, addrs[iface_id].n ? addrs[iface_id].a[0].addr : 0,
		__ATOMIC_RELAXED);
	return 0;
}

bool ip4_addr_is_local(uint16_t vrf, uint32_t ip)
{
	const struct nh_group *g = fib4_lookup(vrf, ip);

	return g != NULL && g->type == ROUTE_LOCAL;
}

uint32_t ip4_addr_source_for(uint16_t iface, uint32_t dst)
{
	if (iface >= FP_MAX_IFACES || addrs[iface].n == 0)
		return 0;
	for (unsigned int i = 0; i < addrs[iface].n; i++)
		if (same_network(&addrs[iface].a[i], dst))
			return addrs[iface].a[i].addr;
	return addrs[iface].a[0].addr;
}

int ip4_addr_walk(int (*cb)(uint16_t iface, const struct fp_ip4_prefix *a, void *arg), void *arg)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		for (unsigned int k = 0; k < addrs[i].n; k++) {
			int ret = cb(i, &addrs[i].a[k], arg);
			if (ret != 0)
				return ret;
		}
	return 0;
}

static void addr_iface_removing(struct iface *iface)
{
	while (addrs[iface->id].n > 0)
		ip4_addr_del(iface->id, &addrs[iface->id].a[addrs[iface->id].n - 1]);
}

static struct iface_listener addr_listener = {.order = 10, .removing = addr_iface_removing};

static void __attribute__((constructor)) addr_register(void)
{
	iface_listener_register(&addr_listener);
}
