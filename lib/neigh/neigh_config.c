/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "infra/fp_error.h"
#include "infra/iface_names.h"
#include "neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Static neighbours: {"iface": "p0", "address": "10.0.1.9", "mac": "02:00:00:00:00:09"} */
struct neigh_spec {
	char iface[FP_IFACE_NAMESIZE];
	uint32_t ip;
	struct rte_ether_addr mac;
};

static int neigh_spec_parse(
	struct cfg_ctx *ctx, const json_t *obj, struct neigh_spec *s, bool need_mac)
{
	static const char *const keys[] = {"iface", "address", "mac", NULL};
	char key[64], a[FP_IP4_ADDRSTRLEN];
	const char *iface;
	struct fp_mac mac;
	int ret;

	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(ret = cfg_get_iface_name(ctx, obj, "iface", &iface)) < 0 ||
		(ret = cfg_get_ip4(ctx, obj, "address", true, &s->ip)) < 0 ||
		(ret = cfg_get_mac(ctx, obj, "mac", need_mac, &mac)) < 0)
		return ret;
	snprintf(s->iface, sizeof(s->iface), "%s", iface);
	memcpy(s->mac.addr_bytes, mac.bytes, RTE_ETHER_ADDR_LEN);
	snprintf(key, sizeof(key), "%s %s", iface, fp_ip4_fmt(s->ip, a));
	cfg_push_key(ctx, "address");
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

struct stale_static {
	const struct cfg_array *keep;
	const struct neigh *found;
};

/* A static entry the document no longer has: stops the walk at it. */
static int find_stale_static(const struct neigh *n, void *arg)
{
	struct stale_static *s = arg;
	const char *name = iface_get(n->iface)->name;

	if (n->sm.state != NEIGH_PERMANENT)
		return 0;
	for (size_t i = 0; i < s->keep->n; i++) {
		const struct neigh_spec *k = cfg_array_at(s->keep, i);

		if (k->ip == n->ip && strcmp(k->iface, name) == 0)
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
		neigh_del(stale.found->iface, stale.found->ip);
	for (size_t i = 0; i < p->n; i++) {
		const struct neigh_spec *s = cfg_array_at(p, i);
		struct iface *iface = iface_by_name(s->iface);

		if (iface == NULL)
			return fp_error(ENODEV, "no interface '%s'", s->iface);
		if ((ret = neigh_static_add(iface->id, s->ip, &s->mac)) < 0)
			return ret;
	}
	return 0;
}


static int append_static(const struct neigh *n, void *arg)
{
	if (n->sm.state == NEIGH_PERMANENT)
		json_array_append_new(arg, neigh_to_json(n, true));
	return 0;
}

static int append_any(const struct neigh *n, void *arg)
{
	json_array_append_new(arg, neigh_to_json(n, false));
	return 0;
}

static json_t *neighs_dump(void)
{
	json_t *list = json_array();

	neigh_walk(append_static, list);
	return list;
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
	int ret = cfg_parse_live(args, static_neigh_parse, &s);

	(void)result;
	return ret < 0 ? ret : neigh_static_add(iface_by_name(s.iface)->id, s.ip, &s.mac);
}

static int api_neigh_del(const json_t *args, json_t **result)
{
	struct neigh_spec s;
	int ret = cfg_parse_live(args, neigh_key_parse, &s);

	(void)result;
	return ret < 0 ? ret : neigh_del(iface_by_name(s.iface)->id, s.ip);
}

static int api_neigh_list(const json_t *args, json_t **result)
{
	json_t *list = json_array();

	(void)args;
	neigh_walk(append_any, list);
	*result = json_pack("{s:o}", "neighbours", list);
	return 0;
}

API_COMMAND(neigh_add_cmd, "neigh.add", "add a static (permanent) neighbour", api_neigh_add)
API_COMMAND(neigh_del_cmd, "neigh.del", "delete a neighbour", api_neigh_del)
API_COMMAND(neigh_list_cmd, "neigh.list", "list the neighbours and their states", api_neigh_list)
