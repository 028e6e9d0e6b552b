/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"
#include "api/api.h"
#include "base/fp_error.h"
#include "config/iface_names.h"
#include "ip4.h"
#include "ip6/addr6.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * {"iface": "p0", "address": "10.0.1.1/24"} or {"iface": "p0", "address": "2001:db8::1/64"}:
 * config file and API alike, the family from the address.
 */
struct addr_spec {
	char iface[FP_IFACE_NAMESIZE];
	struct fp_ip_prefix p;
};

static struct fp_ip4_prefix addr_spec_v4(const struct addr_spec *s)
{
	return (struct fp_ip4_prefix){s->p.addr.v4, s->p.len};
}

static struct fp_ip6_prefix addr_spec_v6(const struct addr_spec *s)
{
	return (struct fp_ip6_prefix){s->p.addr.v6, s->p.len};
}

/*
 * At the address's value: what no interface may have is refused, saying why. Linux ignores
 * 0.0.0.0 without a word and takes a /0, which makes every destination on-link (IPv6: a
 * default route through the interface); a router refuses both.
 */
static int check_address(struct cfg_ctx *ctx, const struct fp_ip_prefix *p)
{
	const char *what = ip_addr_not_unicast(&p->addr);
	char text[FP_IP_PREFIXSTRLEN];

	fp_ip_prefix_fmt(p, text);
	if (what == NULL && p->addr.family == AF_INET6 && fp_ip6_is_v4_mapped(&p->addr.v6))
		what = "an IPv4 address written as IPv6";
	if (what != NULL)
		return cfg_err(ctx, EINVAL, "'%s' is %s, not an interface's", text, what);
	if (p->len == 0)
		return cfg_err(ctx, EINVAL,
			"'%s': a prefix length of 0 would put every destination on this link",
			text);
	return 0;
}

/* An address, in the config file and in addr.add and addr.del. */
static const char *const addr_keys[] = {"iface", "address", NULL};

static int addr_spec_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct addr_spec *s = elem;
	char key[64], pfx[FP_IP_PREFIXSTRLEN];
	const char *iface;
	int ret;

	memset(s, 0, sizeof(*s));
	if ((ret = cfg_check_keys(ctx, obj, addr_keys)) < 0 ||
		(ret = cfg_get_iface_name(ctx, obj, "iface", &iface)) < 0 ||
		(ret = cfg_get_ip_prefix(ctx, obj, "address", true, true, &s->p)) < 0)
		return ret;
	snprintf(s->iface, sizeof(s->iface), "%s", iface);
	snprintf(key, sizeof(key), "%s %s", iface, fp_ip_prefix_fmt(&s->p, pfx));
	cfg_push_key(ctx, "address");
	if ((ret = check_address(ctx, &s->p)) == 0)
		ret = cfg_declare(ctx, "address", key);
	/*
	 * What applying refuses (EADDRINUSE): an address on two interfaces, or twice with two
	 * lengths; an IPv6 link-local one is per link.
	 */
	if (ret == 0) {
		char a[FP_IP_ADDRSTRLEN];
		bool per_link = s->p.addr.family == AF_INET6 && fp_ip6_is_link_local(&s->p.addr.v6);

		snprintf(key, sizeof(key), "%s%s%s", fp_ip_fmt(&s->p.addr, a),
			per_link ? " on " : "", per_link ? iface : "");
		ret = cfg_declare(ctx, "interface address", key);
	}
	cfg_pop(ctx);
	return ret;
}

static int addrs_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(ctx, value, sizeof(struct addr_spec), addr_spec_parse, NULL, parsed);
}

static int addr_spec_add(const struct addr_spec *s)
{
	struct iface *iface = iface_by_name(s->iface);

	if (iface == NULL)
		return fp_error(ENODEV, "no interface '%s'", s->iface);
	if (s->p.addr.family == AF_INET) {
		struct fp_ip4_prefix p = addr_spec_v4(s);

		return ip4_addr_add(iface->id, &p);
	} else {
		struct fp_ip6_prefix p = addr_spec_v6(s);

		return ip6_addr_add(iface->id, &p);
	}
}

static int addr_spec_del(const struct addr_spec *s)
{
	struct iface *iface = iface_by_name(s->iface);

	if (iface == NULL)
		return fp_error(ENODEV, "no interface '%s'", s->iface);
	if (s->p.addr.family == AF_INET) {
		struct fp_ip4_prefix p = addr_spec_v4(s);

		return ip4_addr_del(iface->id, &p);
	} else {
		struct fp_ip6_prefix p = addr_spec_v6(s);

		return ip6_addr_del(iface->id, &p);
	}
}

struct stale_addrs {
	const struct cfg_array *keep;
	size_t n;
	struct addr_spec victims[256];
};

static bool same_spec(const struct addr_spec *a, const struct addr_spec *b)
{
	return strcmp(a->iface, b->iface) == 0 && fp_ip_addr_equal(&a->p.addr, &b->p.addr) &&
	       a->p.len == b->p.len;
}

static int collect_stale(struct stale_addrs *s, const struct addr_spec *a)
{
	for (size_t i = 0; i < s->keep->n; i++)
		if (same_spec(cfg_array_at(s->keep, i), a))
			return 0;
	if (s->n == RTE_DIM(s->victims))
		return -ENOSPC;
	s->victims[s->n++] = *a;
	return 0;
}

static int collect_stale4(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	struct addr_spec s = {.p = {fp_ip_addr4(a->addr), a->len}};

	snprintf(s.iface, sizeof(s.iface), "%s", iface_get(iface)->name);
	return collect_stale(arg, &s);
}

static int collect_stale6(uint16_t iface, const struct ip6_ifaddr *a, void *arg)
{
	struct addr_spec s = {.p = {fp_ip_addr6(&a->p.addr), a->p.len}};

	if (a->automatic) /* the link-local address is the port's, not the document's */
		return 0;
	snprintf(s.iface, sizeof(s.iface), "%s", iface_get(iface)->name);
	return collect_stale(arg, &s);
}

/* The addresses become those of the document; those that stay are not touched. */
static int addrs_apply(void *parsed)
{
	const struct cfg_array *p = parsed;
	struct stale_addrs stale = {.keep = p};
	int ret;

	do {
		stale.n = 0;
		ret = ip4_addr_walk(collect_stale4, &stale);
		if (ret == 0)
			ret = ip6_addr_walk(collect_stale6, &stale);
		for (size_t i = 0; i < stale.n; i++)
			addr_spec_del(&stale.victims[i]);
	} while (ret == -ENOSPC);
	for (size_t i = 0; i < p->n; i++) {
		ret = addr_spec_add(cfg_array_at(p, i));
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

struct addr_list {
	json_t *list;
	bool config;	/* only what the config file holds */
	uint8_t family; /* AF_INET, AF_INET6, or 0 for both */
};

static int addr_to_json(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	struct addr_list *l = arg;
	char pfx[FP_IP4_PREFIXSTRLEN];

	json_array_append_new(l->list, json_pack("{s:s, s:s}", "iface", iface_get(iface)->name,
					       "address", fp_ip4_prefix_fmt(a, pfx)));
	return 0;
}

static int addr6_to_json(uint16_t iface, const struct ip6_ifaddr *a, void *arg)
{
	struct addr_list *l = arg;
	char pfx[FP_IP6_PREFIXSTRLEN];
	json_t *o;

	if (l->config && a->automatic)
		return 0;
	o = json_pack("{s:s, s:s}", "iface", iface_get(iface)->name, "address",
		fp_ip6_prefix_fmt(&a->p, pfx));
	if (!l->config) {
		json_object_set_new(o, "scope",
			json_string(fp_ip6_is_link_local(&a->p.addr) ? "link" : "global"));
		json_object_set_new(o, "state", json_string(ip6_addr_state_name(a->state)));
		json_object_set_new(o, "automatic", json_boolean(a->automatic));
	}
	json_array_append_new(l->list, o);
	return 0;
}

/* IPv4 addresses, then IPv6 ones. */
static json_t *addrs_list(bool config, uint8_t family)
{
	struct addr_list l = {json_array(), config, family};

	if (family != AF_INET6)
		ip4_addr_walk(addr_to_json, &l);
	if (family != AF_INET)
		ip6_addr_walk(addr6_to_json, &l);
	return l.list;
}

static json_t *addrs_dump(void)
{
	return addrs_list(true, 0);
}

static struct cfg_section addrs_section = {
	.key = "addresses",
	.order = 20,
	.parse = addrs_parse,
	.apply = addrs_apply,
	.free = cfg_array_free,
	.dump = addrs_dump,
};
CFG_SECTION_REGISTER(addrs_section)

static int api_addr_add(const json_t *args, json_t **result)
{
	struct addr_spec s;
	int ret = cfg_parse_live(args, addr_spec_parse, &s);

	(void)result;
	return ret < 0 ? ret : addr_spec_add(&s);
}

static int api_addr_del(const json_t *args, json_t **result)
{
	struct addr_spec s;
	int ret = cfg_parse_live(args, addr_spec_parse, &s);

	(void)result;
	return ret < 0 ? ret : addr_spec_del(&s);
}

/* {"family": "inet" or "inet6"} lists one family's, as ip -4 and ip -6 addr. */
static int api_addr_list(const json_t *args, json_t **result)
{
	static const char *const families[] = {"inet", "inet6", NULL};
	struct cfg_ctx ctx;
	int family = -1, ret;

	cfg_ctx_init_live(&ctx);
	ret = cfg_get_enum(&ctx, args, "family", false, families, &family);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	*result = json_pack("{s:o}", "addresses",
		addrs_list(false, family < 0	? 0
				  : family == 0 ? AF_INET
						: AF_INET6));
	return 0;
}

API_COMMAND(addr_add_cmd, "addr.add", "add an IPv4 or IPv6 address to an interface", api_addr_add,
	addr_keys)
API_COMMAND(addr_del_cmd, "addr.del", "remove an IPv4 or IPv6 address from an interface",
	api_addr_del, addr_keys)
API_COMMAND(addr_list_cmd, "addr.list", "list the IPv4 and IPv6 addresses", api_addr_list,
	API_ARGS("family"))
