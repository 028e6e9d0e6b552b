/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr6.h"
#include "api/api.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "infra/iface.h"
#include "base/log.h"
#include "base/module.h"
#include "graph/worker.h"
#include "ip4/addr.h"
#include "ndp.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>

#include "fib/fib6.h"

/* Linux's defaults: net.ipv6.conf.*.dad_transmits, retrans_time, rtr_solicit_delay */
#define DAD_TRANSMITS	       1
#define DAD_RETRANS_MS	       1000
#define DAD_MAX_FIRST_DELAY_MS 1000

struct addr_ctl {
	struct ip6_ifaddr a;
	int64_t dad_at; /* next DAD step (a probe, or the verdict) */
	unsigned int dad_sent;
};

struct ip6_iface_addrs *fp_ip6_addrs[FP_MAX_IFACES];

static struct {
	unsigned int n;
	struct addr_ctl a[IP6_ADDR_MAX];
} addrs[FP_MAX_IFACES];

static const char *const state_names[] = {
	[IP6_ADDR_TENTATIVE] = "tentative",
	[IP6_ADDR_PREFERRED] = "preferred",
	[IP6_ADDR_DADFAILED] = "dadfailed",
};

const char *ip6_addr_state_name(enum ip6_addr_state s)
{
	return s < RTE_DIM(state_names) ? state_names[s] : "?";
}

/* The workers' copy of iface's addresses, replaced whole. */
static void publish(uint16_t iface)
{
	struct ip6_iface_addrs *old = fp_ip6_addrs[iface], *new = NULL;

	if (addrs[iface].n > 0) {
		new = rte_zmalloc("ip6_addrs", sizeof(*new), RTE_CACHE_LINE_SIZE);
		if (new == NULL) {
			LOG(ERR, "ip6 addresses: out of memory");
			return;
		}
		new->n = addrs[iface].n;
		for (unsigned int i = 0; i < new->n; i++)
			new->a[i] = addrs[iface].a[i].a;
	}
	__atomic_store_n(&fp_ip6_addrs[iface], new, __ATOMIC_RELEASE);
	if (old != NULL) {
		fp_rcu_synchronize();
		rte_free(old);
	}
}

static int find(uint16_t iface, const struct fp_ip6_addr *a)
{
	for (unsigned int i = 0; i < addrs[iface].n; i++)
		if (fp_ip6_equal(&addrs[iface].a[i].a.p.addr, a))
			return i;
	return -1;
}

const struct ip6_ifaddr *ip6_addr_find(uint16_t iface, const struct fp_ip6_addr *a)
{
	int i = iface < FP_MAX_IFACES ? find(iface, a) : -1;

	return i < 0 ? NULL : &addrs[iface].a[i].a;
}

static void addr_event(const char *type, uint16_t iface, const struct ip6_ifaddr *a)
{
	char s[FP_IP6_PREFIXSTRLEN];

	if (api_event_wanted("addr"))
		api_event_publish(
			type, json_pack("{s:s, s:s, s:s}", "iface", iface_get(iface)->name,
				      "address", fp_ip6_prefix_fmt(&a->p, s), "state",
				      ip6_addr_state_name(a->state)));
}

/* The connected prefix an address brings to the FIB: none for link-local ones and /128. */
static bool has_prefix_route(const struct fp_ip6_prefix *p)
{
	return !fp_ip6_is_link_local(&p->addr) && p->len < 128;
}

static bool same_prefix(const struct fp_ip6_prefix *a, const struct fp_ip6_prefix *b)
{
	struct fp_ip6_addr x = fp_ip6_masked(&a->addr, a->len), y = fp_ip6_masked(&b->addr, b->len);

	return a->len == b->len && fp_ip6_equal(&x, &y);
}

/* Whether an address of iface brings the connected route of p: none while it is set down. */
static bool iface_needs(uint16_t iface, const struct fp_ip6_prefix *p)
{
	if (iface_get(iface) == NULL || !iface_get(iface)->admin_up)
		return false;
	for (unsigned int i = 0; i < addrs[iface].n; i++)
		if (has_prefix_route(&addrs[iface].a[i].a.p) &&
			same_prefix(&addrs[iface].a[i].a.p, p))
			return true;
	return false;
}

static struct route6 connected_route(
	uint16_t iface, const struct fp_ip6_prefix *p, enum route_type type)
{
	struct route6 r = {
		.vrf = iface_get(iface)->vrf,
		.prefix = {fp_ip6_masked(&p->addr, p->len), p->len},
		.type = type,
		.origin = ORIGIN_CONNECTED,
		.n_nh = 1,
	};

	r.nh[0].iface = iface;
	return r;
}

static int local_route(uint16_t iface, const struct fp_ip6_addr *a, bool add)
{
	struct fp_ip6_prefix p = {*a, 128};
	struct route6 r = connected_route(iface, &p, ROUTE_LOCAL);

	if (fp_ip6_is_link_local(a))
		return 0;
	return add ? fib6_route_add(&r, true) : fib6_route_del(r.vrf, &r.prefix);
}

/*
 * The connected route of p follows the addresses: it stays on its interface while that one
 * needs it (the first address wins, as in Linux), else moves to another interface of the VRF
 * that needs it, or goes. was is the interface that had it, if any.
 */
static int sync_prefix_route(uint16_t vrf, const struct fp_ip6_prefix *p, uint16_t was)
{
	struct route6 r;

	if (was != FP_IFACE_NONE && iface_needs(was, p))
		return 0;
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (i != was && iface_get(i) != NULL && iface_get(i)->vrf == vrf &&
			iface_needs(i, p)) {
			r = connected_route(i, p, ROUTE_UNICAST);
			/* replace: a static route to the same prefix yields to the connected one */
			return fib6_route_add(&r, true);
		}
	if (was == FP_IFACE_NONE) /* an address of an interface set down */
		return 0;
	r = connected_route(was, p, ROUTE_UNICAST);
	return fib6_route_del(vrf, &r.prefix);
}

/* The interface of vrf that owns p's connected route now, before a change. */
static uint16_t prefix_owner(uint16_t vrf, const struct fp_ip6_prefix *p)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (iface_get(i) != NULL && iface_get(i)->vrf == vrf && iface_needs(i, p))
			return i;
	return FP_IFACE_NONE;
}

static bool in_use_elsewhere(uint16_t iface, const struct fp_ip6_addr *a)
{
	uint16_t vrf = iface_get(iface)->vrf;

	/* link-local addresses are per link: the same one may be on every port */
	if (fp_ip6_is_link_local(a))
		return false;
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (i != iface && iface_get(i) != NULL && iface_get(i)->vrf == vrf &&
			find(i, a) >= 0)
			return true;
	return false;
}

static int addr_add(uint16_t iface_id, const struct fp_ip6_prefix *p, bool automatic)
{
	struct iface *iface = iface_get(iface_id);
	char s[FP_IP6_PREFIXSTRLEN];
	uint16_t owner;
	struct addr_ctl *c;
	int ret;

	fp_ip6_prefix_fmt(p, s);
	if (iface == NULL)
		return fp_error(ENODEV, "no interface %u", iface_id);
	if (fp_ip6_is_multicast(&p->addr) || fp_ip6_is_unspecified(&p->addr) ||
		fp_ip6_is_loopback(&p->addr) || fp_ip6_is_v4_mapped(&p->addr) || p->len == 0)
		return fp_error(EINVAL, "%s cannot be an interface address", s);
	if (find(iface_id, &p->addr) >= 0)
		return fp_error(EEXIST, "%s already has address %s", iface->name, s);
	if (in_use_elsewhere(iface_id, &p->addr))
		return fp_error(EADDRINUSE, "address %s is in use on another interface", s);
	if (addrs[iface_id].n == IP6_ADDR_MAX)
		return fp_error(
			ENOSPC, "%s has %d IPv6 addresses already", iface->name, IP6_ADDR_MAX);
	owner = has_prefix_route(p) ? prefix_owner(iface->vrf, p) : FP_IFACE_NONE;
	c = &addrs[iface_id].a[addrs[iface_id].n++];
	*c = (struct addr_ctl){
		.a = {.p = *p, .state = IP6_ADDR_TENTATIVE, .automatic = automatic},
		/* addrconf_dad_kick(): a random delay before the first probe */
		.dad_at = control_now_ms() + 1 + rte_rand_max(DAD_MAX_FIRST_DELAY_MS),
	};
	if (has_prefix_route(p) && owner == FP_IFACE_NONE &&
		(ret = sync_prefix_route(iface->vrf, p, FP_IFACE_NONE)) < 0) {
		addrs[iface_id].n--;
		return ret;
	}
	publish(iface_id);
	addr_event("addr.add", iface_id, &c->a);
	addr_listeners_notify(
		iface_id, &(struct fp_ip_prefix){fp_ip_addr6(&p->addr), p->len}, true);
	return 0;
}

int ip6_addr_add(uint16_t iface, const struct fp_ip6_prefix *p)
{
	return addr_add(iface, p, false);
}

static void forget(uint16_t iface, unsigned int i)
{
	memmove(&addrs[iface].a[i], &addrs[iface].a[i + 1],
		(addrs[iface].n - i - 1) * sizeof(addrs[iface].a[0]));
	addrs[iface].n--;
}

int ip6_addr_del(uint16_t iface_id, const struct fp_ip6_prefix *p)
{
	struct iface *iface = iface_get(iface_id);
	char s[FP_IP6_PREFIXSTRLEN];
	struct ip6_ifaddr a;
	uint16_t owner;
	int i;

	if (iface == NULL || (i = find(iface_id, &p->addr)) < 0 ||
		addrs[iface_id].a[i].a.p.len != p->len)
		return fp_error(ENOENT, "%s has no address %s", iface ? iface->name : "?",
			fp_ip6_prefix_fmt(p, s));
	a = addrs[iface_id].a[i].a;
	owner = has_prefix_route(p) ? prefix_owner(iface->vrf, p) : FP_IFACE_NONE;
	forget(iface_id, i);
	if (a.state == IP6_ADDR_PREFERRED)
		local_route(iface_id, &a.p.addr, false);
	if (owner != FP_IFACE_NONE)
		sync_prefix_route(iface->vrf, p, owner);
	publish(iface_id);
	addr_event("addr.del", iface_id, &a);
	addr_listeners_notify(
		iface_id, &(struct fp_ip_prefix){fp_ip_addr6(&p->addr), p->len}, false);
	return 0;
}

void ip6_addr_dad_failed(uint16_t iface, const struct fp_ip6_addr *a)
{
	int i = iface < FP_MAX_IFACES ? find(iface, a) : -1;
	char s[FP_IP6_ADDRSTRLEN];
	struct addr_ctl *c;

	if (i < 0 || (c = &addrs[iface].a[i])->a.state != IP6_ADDR_TENTATIVE)
		return;
	/* addrconf_dad_failure(): the address stays, marked, unused */
	c->a.state = IP6_ADDR_DADFAILED;
	c->dad_at = 0;
	LOG(WARNING, "%s: IPv6 duplicate address %s detected!", iface_get(iface)->name,
		fp_ip6_fmt(a, s));
	publish(iface);
	addr_event("addr.update", iface, &c->a);
}

void ip6_addr_periodic(int64_t now)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++) {
		bool changed = false;

		for (unsigned int k = 0; k < addrs[i].n; k++) {
			struct addr_ctl *c = &addrs[i].a[k];

			if (c->a.state != IP6_ADDR_TENTATIVE || now < c->dad_at)
				continue;
			if (c->dad_sent < DAD_TRANSMITS) {
				ndp_send_ns(i, NULL, &c->a.p.addr, NULL);
				c->dad_sent++;
				c->dad_at = now + DAD_RETRANS_MS;
				continue;
			}
			/* addrconf_dad_completed(): nobody objected */
			c->a.state = IP6_ADDR_PREFERRED;
			c->dad_at = 0;
			if (local_route(i, &c->a.p.addr, true) < 0)
				LOG(ERR, "%s: local route of an IPv6 address: %s",
					iface_get(i)->name, fp_errmsg());
			changed = true;
			addr_event("addr.update", i, &c->a);
		}
		if (changed)
			publish(i);
	}
}

static void addr6_tick(void *arg)
{
	(void)arg;
	ip6_addr_periodic(control_now_ms());
}

int ip6_addr_walk(int (*cb)(uint16_t iface, const struct ip6_ifaddr *a, void *arg), void *arg)
{
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		for (unsigned int k = 0; k < addrs[i].n; k++) {
			int ret = cb(i, &addrs[i].a[k].a, arg);

			if (ret != 0)
				return ret;
		}
	return 0;
}

/* How many bits a and b share from the first. */
static unsigned int common_prefix_len(const struct fp_ip6_addr *a, const struct fp_ip6_addr *b)
{
	for (unsigned int i = 0; i < 16; i++)
		if (a->bytes[i] != b->bytes[i])
			return i * 8 +
			       __builtin_clz((unsigned int)(a->bytes[i] ^ b->bytes[i]) << 24);
	return 128;
}

/* The usable address of iface best for dst: link-local ones only if link_local. */
static bool best_of(
	uint16_t iface, const struct fp_ip6_addr *dst, bool link_local, struct fp_ip6_addr *out)
{
	const struct ip6_iface_addrs *as = ip6_iface_addrs(iface);
	int best = -1;

	for (unsigned int i = 0; as != NULL && i < as->n; i++) {
		const struct ip6_ifaddr *a = &as->a[i];

		if (a->state != IP6_ADDR_PREFERRED ||
			fp_ip6_is_link_local(&a->p.addr) != link_local)
			continue;
		if ((int)common_prefix_len(&a->p.addr, dst) > best) {
			best = common_prefix_len(&a->p.addr, dst);
			*out = a->p.addr;
		}
	}
	return best >= 0;
}

bool ip6_addr_source(uint16_t iface, const struct fp_ip6_addr *dst, struct fp_ip6_addr *out)
{
	const struct iface *in = iface_get(iface);

	if (in == NULL)
		return false;
	if (fp_ip6_is_link_local(dst) || (fp_ip6_is_multicast(dst) && ip6_mc_scope(dst) <= 2))
		return best_of(iface, dst, true, out);
	if (best_of(iface, dst, false, out))
		return true;
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (i != iface && iface_get(i) != NULL && iface_get(i)->vrf == in->vrf &&
			best_of(i, dst, false, out))
			return true;
	return best_of(iface, dst, true, out);
}

/* Linux's addrconf_addr_gen(): every port gets its EUI-64 link-local address. */
static void addr6_iface_added(struct iface *iface)
{
	struct fp_ip6_prefix ll = {fp_ip6_link_local_eui64((const struct fp_mac *)&iface->mac), 64};

	if (addr_add(iface->id, &ll, true) < 0)
		LOG(ERR, "%s: link-local address: %s", iface->name, fp_errmsg());
}

static void addr6_iface_removing(struct iface *iface)
{
	while (addrs[iface->id].n > 0)
		ip6_addr_del(iface->id, &addrs[iface->id].a[addrs[iface->id].n - 1].a.p);
}

/*
 * ip link set up|down: the connected routes of its addresses go, to another interface of the
 * VRF with the prefix if there is one, and come back (the addresses stay, as with Linux's
 * keep_addr_on_down).
 */
static void addr6_iface_admin_changed(struct iface *iface)
{
	struct route6 cur;

	for (unsigned int i = 0; i < addrs[iface->id].n; i++) {
		const struct fp_ip6_prefix *p = &addrs[iface->id].a[i].a.p;
		struct fp_ip6_prefix net = {fp_ip6_masked(&p->addr, p->len), p->len};
		int ret = 0;

		if (!has_prefix_route(p))
			continue;
		if (!iface->admin_up)
			ret = sync_prefix_route(iface->vrf, p, iface->id);
		else if (fib6_route_get(iface->vrf, &net, &cur) < 0 ||
			 cur.origin != ORIGIN_CONNECTED)
			ret = sync_prefix_route(iface->vrf, p, FP_IFACE_NONE);
		if (ret < 0)
			LOG(ERR, "%s: connected routes: %s", iface->name, fp_errmsg());
	}
}

static struct iface_listener addr6_listener = {
	.order = 10,
	.admin_changed = addr6_iface_admin_changed,
	.removing = addr6_iface_removing,
	.added = addr6_iface_added,
};

static void __attribute__((constructor)) addr6_register(void)
{
	iface_listener_register(&addr6_listener);
}

static int addr6_init(void)
{
	return control_timer_add("addr6", 10, addr6_tick, NULL);
}

static struct fp_module addr6_module = {
	.name = "addr6",
	.order = 17,
	.init = addr6_init,
};
FP_MODULE_REGISTER(addr6_module)
