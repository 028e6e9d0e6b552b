/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"
#include "api/api.h"
#include "fib/fib4.h"
#include "base/fp_error.h"
#include "infra/iface.h"
#include "base/log.h"
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

static struct addr_listener *addr_listeners;

void addr_listener_register(struct addr_listener *l)
{
	l->next = addr_listeners;
	addr_listeners = l;
}

void addr_listeners_notify(uint16_t iface, const struct fp_ip_prefix *a, bool added)
{
	for (struct addr_listener *l = addr_listeners; l != NULL; l = l->next)
		l->changed(iface, a, added);
}

static void addr_event(const char *type, const struct iface *iface, const struct fp_ip4_prefix *a)
{
	char s[FP_IP4_PREFIXSTRLEN];

	if (api_event_wanted("addr"))
		api_event_publish(type, json_pack("{s:s, s:s}", "iface", iface->name, "address",
						fp_ip4_prefix_fmt(a, s)));
	addr_listeners_notify(iface->id, &(struct fp_ip_prefix){fp_ip_addr4(a->addr), a->len},
		strcmp(type, "addr.add") == 0);
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

/* The network route and the broadcast route an address brings, if any. */
static bool derived(const struct fp_ip4_prefix *a, enum route_type type, struct fp_ip4_prefix *p)
{
	if (type == ROUTE_UNICAST && a->len < 32) {
		*p = (struct fp_ip4_prefix){a->addr & fp_ip4_mask(a->len), a->len};
		return true;
	}
	if (type == ROUTE_BROADCAST && a->len < 31) {
		*p = (struct fp_ip4_prefix){a->addr | ~fp_ip4_mask(a->len), 32};
		return true;
	}
	return false;
}

/* An interface set down needs none, as in Linux: its network and broadcast routes go. */
static bool iface_needs(uint16_t iface, enum route_type type, const struct fp_ip4_prefix *p)
{
	struct fp_ip4_prefix d;

	if (iface_get(iface) == NULL || !iface_get(iface)->admin_up)
		return false;
	for (unsigned int i = 0; i < addrs[iface].n; i++)
		if (derived(&addrs[iface].a[i], type, &d) && d.addr == p->addr && d.len == p->len)
			return true;
	return false;
}

/*
 * Makes the connected route of this type for p follow the addresses: it exists
 * while an address of the VRF needs it, and stays on its interface while that
 * interface needs it (the first address wins, as in Linux); otherwise it moves
 * to another interface that needs it, or goes.
 */
static int sync_derived(uint16_t vrf, enum route_type type, const struct fp_ip4_prefix *p)
{
	uint16_t owner = FP_IFACE_NONE;
	struct route4 cur, r;
	bool have = fib4_route_get(vrf, p, &cur) == 0 && cur.origin == ORIGIN_CONNECTED &&
		    cur.type == type;

	if (have && iface_needs(cur.nh[0].iface, type, p))
		return 0;
	for (uint16_t i = 0; i < FP_MAX_IFACES && owner == FP_IFACE_NONE; i++)
		if (iface_get(i) != NULL && iface_get(i)->vrf == vrf && iface_needs(i, type, p))
			owner = i;
	if (owner == FP_IFACE_NONE)
		return have ? fib4_route_del(vrf, p) : 0;
	/* replace: a static route to the same network yields to the connected one */
	r = connected_route(iface_get(owner), type, p->addr, p->len);
	return fib4_route_add(&r, true);
}

static int sync_derived_of(uint16_t vrf, const struct fp_ip4_prefix *a)
{
	static const enum route_type types[] = {ROUTE_UNICAST, ROUTE_BROADCAST};
	struct fp_ip4_prefix p;
	int ret = 0;

	for (unsigned int t = 0; t < RTE_DIM(types); t++)
		if (derived(a, types[t], &p) && ret == 0)
			ret = sync_derived(vrf, types[t], &p);
	return ret;
}

static void forget(uint16_t iface, unsigned int i)
{
	memmove(&addrs[iface].a[i], &addrs[iface].a[i + 1],
		(addrs[iface].n - i - 1) * sizeof(addrs[iface].a[0]));
	addrs[iface].n--;
}

int ip4_addr_add(uint16_t iface_id, const struct fp_ip4_prefix *a)
{
	struct iface *iface = iface_get(iface_id);
	struct fp_ip4_prefix local = {a->addr, 32};
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
	addrs[iface_id].a[addrs[iface_id].n++] = *a;
	if ((ret = sync_derived_of(iface->vrf, a)) < 0) {
		forget(iface_id, addrs[iface_id].n - 1);
		sync_derived_of(iface->vrf, a);
		fib4_route_del(iface->vrf, &local);
		return ret;
	}
	if (iface->ip4_primary == 0)
		__atomic_store_n(&iface->ip4_primary, a->addr, __ATOMIC_RELAXED);
	arp_gratuitous(iface_id, a->addr);
	addr_event("addr.add", iface, a);
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
	forget(iface_id, i);
	fib4_route_del(iface->vrf, &local);
	sync_derived_of(iface->vrf, a);
	__atomic_store_n(&iface->ip4_primary, addrs[iface_id].n ? addrs[iface_id].a[0].addr : 0,
		__ATOMIC_RELAXED);
	addr_event("addr.del", iface, a);
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

/* ip link set up|down: the connected and broadcast routes of its addresses come and go. */
static void addr_iface_admin_changed(struct iface *iface)
{
	for (unsigned int i = 0; i < addrs[iface->id].n; i++)
		if (sync_derived_of(iface->vrf, &addrs[iface->id].a[i]) < 0)
			LOG(ERR, "%s: connected routes: %s", iface->name, fp_errmsg());
}

static struct iface_listener addr_listener = {
	.order = 10, .removing = addr_iface_removing, .admin_changed = addr_iface_admin_changed};

static void __attribute__((constructor)) addr_register(void)
{
	iface_listener_register(&addr_listener);
}
