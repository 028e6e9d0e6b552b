/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"
#include "api/api.h"
#include "infra/fp_error.h"
#include "infra/iface_names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* {"iface": "p0", "address": "10.0.1.1/24"}: config file and API alike. */
struct addr_spec {
	char iface[FP_IFACE_NAMESIZE];
	struct fp_ip4_prefix addr;
};

static int addr_spec_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct addr_spec *s = elem;
	static const char *const keys[] = {"iface", "address", NULL};
	char key[64], pfx[FP_IP4_PREFIXSTRLEN];
	const char *iface;
	int ret;

	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(ret = cfg_get_iface_name(ctx, obj, "iface", &iface)) < 0 ||
		(ret = cfg_get_ip4_prefix(ctx, obj, "address", true, true, &s->addr)) < 0)
		return ret;
	snprintf(s->iface, sizeof(s->iface), "%s", iface);
	snprintf(key, sizeof(key), "%s %s", iface, fp_ip4_prefix_fmt(&s->addr, pfx));
	cfg_push_key(ctx, "address");
	ret = cfg_declare(ctx, "address", key);
	cfg_pop(ctx);
	return ret;
}

static int addrs_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(ctx, value, sizeof(struct addr_spec), addr_spec_parse, NULL, parsed);
}

struct stale_addrs {
	const struct cfg_array *keep;
	size_t n;
	struct addr_spec victims[256];
};

static int collect_stale(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	struct stale_addrs *s = arg;
	const char *name = iface_get(iface)->name;

	for (size_t i = 0; i < s->keep->n; i++) {
		const struct addr_spec *k = cfg_array_at(s->keep, i);

		if (strcmp(k->iface, name) == 0 && k->addr.addr == a->addr && k->addr.len == a->len)
			return 0;
	}
	if (s->n == RTE_DIM(s->victims))
		return -ENOSPC;
	snprintf(s->victims[s->n].iface, FP_IFACE_NAMESIZE, "%s", name);
	s->victims[s->n++].addr = *a;
	return 0;
}

/* The addresses become those of the document; those that stay are not touched. */
static int addrs_apply(void *parsed)
{
	const struct cfg_array *p = parsed;
	struct stale_addrs stale = {.keep = p};
	int ret;

	do {
		stale.n = 0;
		ret = ip4_addr_walk(collect_stale, &stale);
		for (size_t i = 0; i < stale.n; i++)
			ip4_addr_del(
				iface_by_name(stale.victims[i].iface)->id, &stale.victims[i].addr);
	} while (ret == -ENOSPC);
	for (size_t i = 0; i < p->n; i++) {
		const struct addr_spec *a = cfg_array_at(p, i);
		struct iface *iface = iface_by_name(a->iface);

		if (iface == NULL)
			return fp_error(ENODEV, "no interface '%s'", a->iface);
		ret = ip4_addr_add(iface->id, &a->addr);
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

static int addr_to_json(uint16_t iface, const struct fp_ip4_prefix *a, void *arg)
{
	char pfx[FP_IP4_PREFIXSTRLEN];

	json_array_append_new(arg, json_pack("{s:s, s:s}", "iface", iface_get(iface)->name,
					   "address", fp_ip4_prefix_fmt(a, pfx)));
	return 0;
}

static json_t *addrs_dump(void)
{
	json_t *list = json_array();

	ip4_addr_walk(addr_to_json, list);
	return list;
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
	return ret < 0 ? ret : ip4_addr_add(iface_by_name(s.iface)->id, &s.addr);
}

static int api_addr_del(const json_t *args, json_t **result)
{
	struct addr_spec s;
	int ret = cfg_parse_live(args, addr_spec_parse, &s);

	(void)result;
	return ret < 0 ? ret : ip4_addr_del(iface_by_name(s.iface)->id, &s.addr);
}

static int api_addr_list(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:o}", "addresses", addrs_dump());
	return 0;
}

API_COMMAND(addr_add_cmd, "addr.add", "add an IPv4 address to an interface", api_addr_add)
API_COMMAND(addr_del_cmd, "addr.del", "remove an IPv4 address from an interface", api_addr_del)
API_COMMAND(addr_list_cmd, "addr.list", "list the IPv4 addresses", api_addr_list)
