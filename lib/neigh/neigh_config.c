/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "base/fp_error.h"
#include "base/token_bucket.h"
#include "config/iface_names.h"
#include "graph/punt.h"
#include "ip4/ip4.h"
#include "neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Static neighbours of either family, in the config file and the API alike:
 * {"iface": "p0", "address": "10.0.1.9", "mac": "02:00:00:00:00:09"}
 * {"iface": "p0", "address": "2001:db8::9", "mac": "02:00:00:00:00:09"}
 */
struct neigh_spec {
	char iface[FP_IFACE_NAMESIZE];
	struct fp_ip_addr addr;
	struct rte_ether_addr mac;
};

/* At the address's value: an address no neighbour can have is refused, saying why. */
static int check_address(struct cfg_ctx *ctx, const struct fp_ip_addr *a)
{
	char text[FP_IP_ADDRSTRLEN], v4[FP_IP4_ADDRSTRLEN];
	const char *what = ip_addr_not_unicast(a);
	uint32_t mapped;

	fp_ip_fmt(a, text);
	if (what != NULL)
		return cfg_err(ctx, EINVAL, "'%s' is %s, not a neighbour's", text, what);
	if (a->family == AF_INET6 && fp_ip6_is_v4_mapped(&a->v6)) {
		memcpy(&mapped, &a->v6.bytes[12], sizeof(mapped));
		return cfg_err(ctx, EINVAL,
			"'%s' is an IPv4 address written as IPv6: write %s for an IPv4 neighbour",
			text, fp_ip4_fmt(mapped, v4));
	}
	return 0;
}

/* A static neighbour, in the config file and in neigh.add and neigh.del (mac optional). */
static const char *const neigh_keys[] = {"iface", "address", "mac", NULL};

static int neigh_spec_parse(
	struct cfg_ctx *ctx, const json_t *obj, struct neigh_spec *s, bool need_mac)
{
	char key[FP_IFACE_NAMESIZE + FP_IP_ADDRSTRLEN + 1], a[FP_IP_ADDRSTRLEN];
	const char *iface;
	struct fp_mac mac;
	int ret;

	if ((ret = cfg_check_keys(ctx, obj, neigh_keys)) < 0 ||
		(ret = cfg_get_iface_name(ctx, obj, "iface", &iface)) < 0 ||
		(ret = cfg_get_ip(ctx, obj, "address", true, &s->addr)) < 0 ||
		(ret = cfg_get_mac(ctx, obj, "mac", need_mac, &mac)) < 0)
		return ret;
	snprintf(s->iface, sizeof(s->iface), "%s", iface);
	memcpy(s->mac.addr_bytes, mac.bytes, RTE_ETHER_ADDR_LEN);
	/* canonical text: 2001:DB8::9 and 2001:db8:0::9 are one neighbour */
	snprintf(key, sizeof(key), "%s %s", iface, fp_ip_fmt(&s->addr, a));
	cfg_push_key(ctx, "address");
	if ((ret = check_address(ctx, &s->addr)) == 0)
		ret = cfg_declare(ctx, "neighbour", key);
	cfg_pop(ctx);
	return ret;
}

static int static_neigh_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	return neigh_spec_parse(ctx, obj, elem, true);
}

static int neighs_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(
		ctx, value, sizeof(struct neigh_spec), static_neigh_parse, NULL, parsed);
}

static int neigh_key_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	return neigh_spec_parse(ctx, obj, elem, false);
}

/* The table's key of a validated spec (its interface exists). */
static struct neigh_key spec_key(const struct neigh_spec *s)
{
	return neigh_key_of(iface_by_name(s->iface)->id, &s->addr);
}

struct stale_static {
	const struct cfg_array *keep;
	const struct neigh *found;
};

/* A static entry the document no longer has: stops the walk at it. */
static int find_stale_static(const struct neigh *n, void *arg)
{
	struct stale_static *s = arg;
	const char *name = iface_get(n->key.iface)->name;
	struct fp_ip_addr addr = neigh_key_addr(&n->key);

	if (n->sm.state != NEIGH_PERMANENT)
		return 0;
	for (size_t i = 0; i < s->keep->n; i++) {
		const struct neigh_spec *k = cfg_array_at(s->keep, i);

		if (fp_ip_addr_equal(&k->addr, &addr) && strcmp(k->iface, name) == 0)
			return 0;
	}
	s->found = n;
	return 1;
}

static int neighs_apply(void *parsed)
{
	const struct cfg_array *p = parsed;
	struct stale_static stale = {.keep = p};
	int ret;

	/* static entries become those of the document; those that stay are only re-set */
	while (neigh_walk(find_stale_static, &stale) == 1)
		neigh_del_key(&stale.found->key);
	for (size_t i = 0; i < p->n; i++) {
		const struct neigh_spec *s = cfg_array_at(p, i);
		struct neigh_key key;

		if (iface_by_name(s->iface) == NULL)
			return fp_error(ENODEV, "no interface '%s'", s->iface);
		key = spec_key(s);
		if ((ret = neigh_static_add_key(&key, &s->mac)) < 0)
			return ret;
	}
	return 0;
}

/* The entries to list, sorted. */
struct neigh_vec {
	const struct neigh **v;
	size_t n, cap;
	bool statics_only;
};

static int collect(const struct neigh *n, void *arg)
{
	struct neigh_vec *vec = arg;

	if (vec->statics_only && n->sm.state != NEIGH_PERMANENT)
		return 0;
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? 2 * vec->cap : 64;
		const struct neigh **v = reallocarray(vec->v, cap, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = n;
	return 0;
}

/* IPv4 before IPv6 (as ip neigh lists arp_tbl, then nd_tbl), then by interface and address. */
static int neigh_cmp(const void *pa, const void *pb)
{
	const struct neigh_key *a = &(*(const struct neigh *const *)pa)->key;
	const struct neigh_key *b = &(*(const struct neigh *const *)pb)->key;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	if (a->iface != b->iface)
		return a->iface < b->iface ? -1 : 1;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/*
 * The neighbours as a JSON array, in a stable order: every one as neigh.list shows it, or
 * (statics_only) the static ones as the config file holds them.
 */
static json_t *neighs_json(bool statics_only)
{
	struct neigh_vec vec = {.statics_only = statics_only};
	json_t *list = json_array();

	if (neigh_walk(collect, &vec) < 0 || list == NULL) {
		free(vec.v);
		json_decref(list);
		return NULL;
	}
	if (vec.n > 0)
		qsort(vec.v, vec.n, sizeof(*vec.v), neigh_cmp);
	for (size_t i = 0; i < vec.n; i++)
		json_array_append_new(list, neigh_to_json(vec.v[i], statics_only));
	free(vec.v);
	return list;
}

static json_t *neighs_dump(void)
{
	return neighs_json(true);
}

static struct cfg_section neighs_section = {
	.key = "neighbours",
	.order = 40,
	.parse = neighs_parse,
	.apply = neighs_apply,
	.free = cfg_array_free,
	.dump = neighs_dump,
};
CFG_SECTION_REGISTER(neighs_section)

static int api_neigh_add(const json_t *args, json_t **result)
{
	struct neigh_spec s;
	struct neigh_key key;
	int ret = cfg_parse_live(args, static_neigh_parse, &s);

	(void)result;
	if (ret < 0)
		return ret;
	key = spec_key(&s);
	return neigh_static_add_key(&key, &s.mac);
}

static int api_neigh_del(const json_t *args, json_t **result)
{
	struct neigh_spec s;
	struct neigh_key key;
	int ret = cfg_parse_live(args, neigh_key_parse, &s);

	(void)result;
	if (ret < 0)
		return ret;
	key = spec_key(&s);
	return neigh_del_key(&key);
}

static int api_neigh_list(const json_t *args, json_t **result)
{
	json_t *list;

	(void)args;
	if ((list = neighs_json(false)) == NULL)
		return fp_error(ENOMEM, "out of memory for the neighbours");
	*result = json_pack("{s:o}", "neighbours", list);
	return 0;
}

/*
 * The "neigh" section: {"unres_qlen_bytes": 212992, "unres_qlen_total": 8191,
 * "unres_punt_pps": 10000}, for both families; an absent key takes its default.
 */
struct neigh_conf_parsed {
	struct neigh_conf c;
	bool has_total; /* else a quarter of eal.mbufs, known when applied */
};

static int neigh_conf_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {
		"unres_qlen_bytes", "unres_qlen_total", "unres_punt_pps", NULL};
	uint64_t bytes = NEIGH_UNRES_QLEN_BYTES, total = 0, pps = PUNT_PPS_DEFAULT;
	struct neigh_conf_parsed *p;
	int ret, has_total;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_uint(ctx, value, "unres_qlen_bytes", false, 0, INT32_MAX, &bytes)) <
			0 ||
		(has_total = ret = cfg_get_uint(
			 ctx, value, "unres_qlen_total", false, 0, 1 << 24, &total)) < 0 ||
		(ret = cfg_get_uint(
			 ctx, value, "unres_punt_pps", false, 0, FP_BUCKET_PPS_MAX, &pps)) < 0)
		return ret;
	if ((p = malloc(sizeof(*p))) == NULL)
		return fp_error(ENOMEM, "out of memory");
	*p = (struct neigh_conf_parsed){{bytes, total, pps}, has_total};
	*parsed = p;
	return 0;
}

static int neigh_conf_apply(void *parsed)
{
	struct neigh_conf_parsed *p = parsed;
	struct neigh_conf c = p->c;

	if (!p->has_total)
		c.unres_qlen_total = neigh_unres_qlen_total_default();
	return neigh_conf_set(&c);
}

static json_t *neigh_conf_dump(void)
{
	struct neigh_conf c;

	neigh_conf_get(&c);
	return json_pack("{s:I, s:I, s:I}", "unres_qlen_bytes", (json_int_t)c.unres_qlen_bytes,
		"unres_qlen_total", (json_int_t)c.unres_qlen_total, "unres_punt_pps",
		(json_int_t)c.unres_punt_pps);
}

static struct cfg_section neigh_conf_section = {
	.key = "neigh",
	.order = 40,
	.parse = neigh_conf_parse,
	.apply = neigh_conf_apply,
	.free = free,
	.dump = neigh_conf_dump,
};
CFG_SECTION_REGISTER(neigh_conf_section)

API_COMMAND(neigh_add_cmd, "neigh.add", "add a static (permanent) neighbour, IPv4 or IPv6",
	api_neigh_add, neigh_keys)
API_COMMAND(neigh_del_cmd, "neigh.del", "delete a neighbour", api_neigh_del, neigh_keys)
API_COMMAND(neigh_list_cmd, "neigh.list", "list the neighbours and their states", api_neigh_list,
	API_NO_ARGS)
