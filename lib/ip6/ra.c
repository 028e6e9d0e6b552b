/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Router advertisements (RFC 4861 6.2), as radvd sends them with its defaults: unsolicited ones
 * every random interval between a third of the configured interval and the interval (the first
 * three at most 16 s apart), and a multicast one in answer to a router solicitation, at most
 * one every 3 s. Config file and API:
 *
 *   "router_advertisements": [{"iface": "p1", "interval": 600, "lifetime": 1800,
 *       "hop_limit": 64, "mtu": 0, "managed": false, "other": false,
 *       "prefixes": [{"prefix": "2001:db8:1::/64", "on_link": true, "autonomous": true,
 *                     "valid_lifetime": 86400, "preferred_lifetime": 14400}]}]
 *
 * Only "iface" is required. Without "prefixes" an advertisement carries the prefixes of the
 * interface's global addresses (autonomous when they are /64).
 */
#include "addr6.h"
#include "api/api.h"
#include "infra/control.h"
#include "base/counter.h"
#include "base/fp_error.h"
#include "config/iface_names.h"
#include "base/module.h"
#include "infra/port.h"
#include "ndp.h"
#include "ndp_msg.h"
#include "neigh/neigh.h"

#include <errno.h>
#include <string.h>

#include <rte_random.h>

/* RFC 4861 10 */
#define MAX_INITIAL_RTR_ADVERT_INTERVAL_MS 16000
#define MAX_INITIAL_RTR_ADVERTISEMENTS	   3
#define MIN_DELAY_BETWEEN_RAS_MS	   3000
#define MAX_RA_DELAY_TIME_MS		   500
/* radvd's defaults */
#define DEFAULT_INTERVAL	   600
#define DEFAULT_VALID_LIFETIME	   86400
#define DEFAULT_PREFERRED_LIFETIME 14400

struct ra_conf {
	char iface[FP_IFACE_NAMESIZE];
	uint32_t interval; /* MaxRtrAdvInterval, s */
	uint32_t lifetime; /* AdvDefaultLifetime, s */
	uint32_t hop_limit, mtu;
	bool managed, other;
	bool own_prefixes; /* "prefixes" given */
	unsigned int n_prefixes;
	struct ndp_ra_prefix prefixes[NDP_MAX_PREFIXES];
};

static struct {
	bool on;
	struct ra_conf c;
	int64_t next_ms; /* the next advertisement */
	int64_t last_mcast_ms;
	unsigned int sent;
} ras[FP_MAX_IFACES];

FP_COUNTER(ra_sent)
FP_COUNTER(
	ra_no_link_local) /* an advertisement due on an interface whose link-local is not ready */

static int prefix_parse(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg)
{
	static const char *const keys[] = {
		"prefix", "on_link", "autonomous", "valid_lifetime", "preferred_lifetime", NULL};
	struct ra_conf *c = arg;
	struct ndp_ra_prefix *p = &c->prefixes[index];
	uint64_t valid = DEFAULT_VALID_LIFETIME, preferred = DEFAULT_PREFERRED_LIFETIME;
	int ret;

	if (index >= NDP_MAX_PREFIXES)
		return cfg_err(ctx, EINVAL, "at most %d prefixes", NDP_MAX_PREFIXES);
	p->on_link = p->autonomous = true;
	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(ret = cfg_get_ip6_prefix(ctx, obj, "prefix", true, false, &p->prefix)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "on_link", false, &p->on_link)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "autonomous", false, &p->autonomous)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "valid_lifetime", false, 0, UINT32_MAX, &valid)) <
			0 ||
		(ret = cfg_get_uint(
			 ctx, obj, "preferred_lifetime", false, 0, UINT32_MAX, &preferred)) < 0)
		return ret;
	if (preferred > valid)
		return cfg_err(ctx, EINVAL, "preferred_lifetime %lu exceeds valid_lifetime %lu",
			(unsigned long)preferred, (unsigned long)valid);
	p->valid_lifetime = valid;
	p->preferred_lifetime = preferred;
	c->n_prefixes = index + 1;
	return 0;
}

/* An interface's advertisements, in the config file and in ra.set. */
static const char *const ra_keys[] = {
	"iface", "interval", "lifetime", "hop_limit", "mtu", "managed", "other", "prefixes", NULL};

static int ra_conf_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct ra_conf *c = elem;
	uint64_t interval = DEFAULT_INTERVAL, lifetime, hop_limit = 64, mtu = 0;
	const char *iface;
	json_t *prefixes = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = cfg_check_keys(ctx, obj, ra_keys)) < 0 ||
		(ret = cfg_get_iface_name(ctx, obj, "iface", &iface)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "interval", false, 4, 1800, &interval)) < 0)
		return ret;
	lifetime = 3 * interval;
	if ((ret = cfg_get_uint(ctx, obj, "lifetime", false, 0, 9000, &lifetime)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "hop_limit", false, 0, 255, &hop_limit)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "mtu", false, 0, 65535, &mtu)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "managed", false, &c->managed)) < 0 ||
		(ret = cfg_get_bool(ctx, obj, "other", false, &c->other)) < 0 ||
		(ret = cfg_get_array(ctx, obj, "prefixes", false, &prefixes)) < 0)
		return ret;
	if (mtu != 0 && mtu < IP6_MIN_MTU) {
		cfg_push_key(ctx, "mtu");
		ret = cfg_err(ctx, EINVAL, "an IPv6 MTU is at least %d", IP6_MIN_MTU);
		cfg_pop(ctx);
		return ret;
	}
	if (prefixes != NULL) {
		c->own_prefixes = true;
		cfg_push_key(ctx, "prefixes");
		ret = cfg_array_foreach_object(ctx, prefixes, prefix_parse, c);
		cfg_pop(ctx);
		if (ret < 0)
			return ret;
	}
	snprintf(c->iface, sizeof(c->iface), "%s", iface);
	c->interval = interval;
	c->lifetime = lifetime;
	c->hop_limit = hop_limit;
	c->mtu = mtu;
	cfg_push_key(ctx, "iface");
	ret = cfg_declare(ctx, "router_advertisements", iface);
	cfg_pop(ctx);
	return ret;
}

/* The advertisement's content now: the configured prefixes, or those of the addresses. */
static void ra_content(uint16_t iface, const struct ra_conf *c, struct ndp_ra *ra)
{
	const struct ip6_iface_addrs *as = ip6_iface_addrs(iface);

	*ra = (struct ndp_ra){
		.cur_hop_limit = c->hop_limit,
		.managed = c->managed,
		.other = c->other,
		.router_lifetime = c->lifetime,
		.mtu = c->mtu,
	};
	if (c->own_prefixes) {
		ra->n_prefixes = c->n_prefixes;
		memcpy(ra->prefixes, c->prefixes, sizeof(c->prefixes));
		return;
	}
	for (unsigned int i = 0; as != NULL && i < as->n && ra->n_prefixes < NDP_MAX_PREFIXES;
		i++) {
		const struct ip6_ifaddr *a = &as->a[i];
		struct ndp_ra_prefix *p = &ra->prefixes[ra->n_prefixes];

		if (fp_ip6_is_link_local(&a->p.addr) || a->state != IP6_ADDR_PREFERRED ||
			a->p.len >= 128)
			continue;
		*p = (struct ndp_ra_prefix){
			.prefix = {fp_ip6_masked(&a->p.addr, a->p.len), a->p.len},
			.on_link = true,
			.autonomous = a->p.len == 64,
			.valid_lifetime = DEFAULT_VALID_LIFETIME,
			.preferred_lifetime = DEFAULT_PREFERRED_LIFETIME,
		};
		ra->n_prefixes++;
	}
}

static int send_ra(uint16_t iface)
{
	uint8_t buf[NDP_MSG_MAX];
	struct fp_ip6_addr src;
	struct ndp_ra ra;
	uint32_t len;
	int ret;

	/* from the link-local address (RFC 4861 6.1.2), once DAD passed */
	if (!ip6_addr_source(iface, &ip6_all_nodes, &src) || !fp_ip6_is_link_local(&src)) {
		ra_no_link_local.value++;
		return -EADDRNOTAVAIL;
	}
	ra_content(iface, &ras[iface].c, &ra);
	len = ndp_build_ra(
		buf, &src, &ip6_all_nodes, &ra, (const struct fp_mac *)&iface_get(iface)->mac);
	ret = ndp_send(iface, buf, len);
	if (ret == 0)
		ra_sent.value++;
	return ret;
}

/* The next unsolicited advertisement (RFC 4861 6.2.4), from now. */
static int64_t next_interval_ms(uint16_t iface)
{
	uint32_t max = ras[iface].c.interval * 1000, min = max / 3;
	uint32_t t = min + rte_rand_max(max - min + 1);

	if (ras[iface].sent < MAX_INITIAL_RTR_ADVERTISEMENTS)
		t = RTE_MIN(t, (uint32_t)MAX_INITIAL_RTR_ADVERT_INTERVAL_MS);
	return t;
}

static void ra_tick(void *arg)
{
	int64_t now = control_now_ms();

	(void)arg;
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++) {
		if (!ras[i].on || now < ras[i].next_ms)
			continue;
		if (iface_get(i) == NULL) {
			ras[i].on = false;
			continue;
		}
		if (send_ra(i) < 0) {
			ras[i].next_ms = now + 1000; /* the link-local address may be tentative */
			continue;
		}
		ras[i].sent++;
		ras[i].last_mcast_ms = now;
		ras[i].next_ms = now + next_interval_ms(i);
	}
}

void ra_solicited(uint16_t iface, const struct ndp_msg *msg)
{
	int64_t now = control_now_ms(), at;

	/* ndisc_recv_rs(): the sender is a host; nothing to learn from :: */
	if (!fp_ip6_is_unspecified(&msg->src) && msg->has_lladdr) {
		struct neigh_key key = neigh_key6(iface, &msg->src);

		neigh_nd_update(&key, (const struct rte_ether_addr *)&msg->lladdr, NEIGH_STALE,
			NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE, true, 0);
	}
	if (!ras[iface].on)
		return;
	/* RFC 4861 6.2.6: multicast after a random delay, at most one every 3 s */
	at = now + rte_rand_max(MAX_RA_DELAY_TIME_MS);
	at = RTE_MAX(at, ras[iface].last_mcast_ms + MIN_DELAY_BETWEEN_RAS_MS);
	ras[iface].next_ms = RTE_MIN(ras[iface].next_ms, at);
}

static int ra_set(const struct ra_conf *c)
{
	struct iface *iface = iface_by_name(c->iface);

	if (iface == NULL)
		return fp_error(ENODEV, "no interface '%s'", c->iface);
	if (!ras[iface->id].on) {
		ras[iface->id].sent = 0;
		ras[iface->id].last_mcast_ms = 0;
		ras[iface->id].next_ms = control_now_ms();
	}
	ras[iface->id].c = *c;
	ras[iface->id].on = true;
	return 0;
}

/* A final advertisement with a router lifetime of 0 (RFC 4861 6.2.5) and no more. */
static int ra_stop(uint16_t iface)
{
	if (!ras[iface].on)
		return fp_error(
			ENOENT, "%s sends no router advertisements", iface_get(iface)->name);
	ras[iface].c.lifetime = 0;
	send_ra(iface);
	ras[iface].on = false;
	return 0;
}

static json_t *ra_to_json(const struct ra_conf *c)
{
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:b, s:b}", "iface", c->iface, "interval",
		(json_int_t)c->interval, "lifetime", (json_int_t)c->lifetime, "hop_limit",
		(json_int_t)c->hop_limit, "mtu", (json_int_t)c->mtu, "managed", c->managed, "other",
		c->other);

	if (c->own_prefixes) {
		json_t *list = json_array();

		for (unsigned int i = 0; i < c->n_prefixes; i++) {
			char pfx[FP_IP6_PREFIXSTRLEN];
			const struct ndp_ra_prefix *p = &c->prefixes[i];

			json_array_append_new(list,
				json_pack("{s:s, s:b, s:b, s:i, s:i}", "prefix",
					fp_ip6_prefix_fmt(&p->prefix, pfx), "on_link", p->on_link,
					"autonomous", p->autonomous, "valid_lifetime",
					(json_int_t)p->valid_lifetime, "preferred_lifetime",
					(json_int_t)p->preferred_lifetime));
		}
		json_object_set_new(o, "prefixes", list);
	}
	return o;
}

static json_t *ras_dump(void)
{
	json_t *list = json_array();

	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (ras[i].on && iface_get(i) != NULL)
			json_array_append_new(list, ra_to_json(&ras[i].c));
	return list;
}

static int ras_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(ctx, value, sizeof(struct ra_conf), ra_conf_parse, NULL, parsed);
}

/* The advertising interfaces become those of the document. */
static int ras_apply(void *parsed)
{
	const struct cfg_array *p = parsed;
	bool keep[FP_MAX_IFACES] = {false};
	int ret;

	for (size_t i = 0; i < p->n; i++) {
		const struct ra_conf *c = cfg_array_at(p, i);

		if ((ret = ra_set(c)) < 0)
			return ret;
		keep[iface_by_name(c->iface)->id] = true;
	}
	for (uint16_t i = 0; i < FP_MAX_IFACES; i++)
		if (ras[i].on && !keep[i])
			ra_stop(i);
	return 0;
}

static struct cfg_section ras_section = {
	.key = "router_advertisements",
	.order = 25,
	.parse = ras_parse,
	.apply = ras_apply,
	.free = cfg_array_free,
	.dump = ras_dump,
};
CFG_SECTION_REGISTER(ras_section)

static int api_ra_set(const json_t *args, json_t **result)
{
	struct ra_conf c;
	int ret = cfg_parse_live(args, ra_conf_parse, &c);

	(void)result;
	return ret < 0 ? ret : ra_set(&c);
}

static int api_ra_del(const json_t *args, json_t **result)
{
	struct cfg_ctx ctx;
	const char *name;
	int ret;

	(void)result;
	cfg_ctx_init_live(&ctx);
	ret = cfg_get_iface_name(&ctx, args, "iface", &name);
	if (ret >= 0)
		ret = ra_stop(iface_by_name(name)->id);
	cfg_ctx_fini(&ctx);
	return ret;
}

static int api_ra_list(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:o}", "router_advertisements", ras_dump());
	return 0;
}

API_COMMAND(ra_set_cmd, "ra.set", "send router advertisements on an interface (or change them)",
	api_ra_set, ra_keys)
API_COMMAND(ra_del_cmd, "ra.del", "stop the router advertisements of an interface", api_ra_del,
	API_ARGS("iface"))
API_COMMAND(ra_list_cmd, "ra.list", "list the interfaces that send router advertisements",
	api_ra_list, API_NO_ARGS)

static void ra_iface_removing(struct iface *iface)
{
	ras[iface->id].on = false;
}

static struct iface_listener ra_listener = {.order = 5, .removing = ra_iface_removing};

static int ra_init(void)
{
	iface_listener_register(&ra_listener);
	return control_timer_add("ra", 10, ra_tick, NULL);
}

static struct fp_module ra_module = {
	.name = "ra",
	.order = 18,
	.init = ra_init,
};
FP_MODULE_REGISTER(ra_module)
