/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "fib4.h"
#include "infra/fp_error.h"
#include "infra/iface_names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * A route object, the same in the config file and the API:
 * {"prefix": "10.9.0.0/16", "vrf": 0, "type": "unicast",
 *  "nexthops": [{"via": "10.0.2.2", "dev": "p1", "weight": 1}, ...]}
 * with the shorthands "via": "10.0.2.2" or ["a", "b"], and "dev": "p1".
 * Interfaces are kept by name until applied: the ports may not exist yet.
 */
struct route_spec {
	struct route4 r;
	char dev[FIB4_ECMP_MAX][FP_IFACE_NAMESIZE];
};

static int nexthop_parse(struct cfg_ctx *ctx, const json_t *obj, struct route_spec *s)
{
	static const char *const keys[] = {"via", "dev", "weight", NULL};
	unsigned int i = s->r.n_nh;
	const char *dev = NULL;
	uint64_t weight = 1;
	int ret, has_via, has_dev;

	if ((ret = cfg_check_type(ctx, obj, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(has_via = ret = cfg_get_ip4(ctx, obj, "via", false, &s->r.nh[i].gw)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "weight", false, 1, 256, &weight)) < 0)
		return ret;
	has_dev = json_object_get(obj, "dev") != NULL;
	if (has_dev && (ret = cfg_get_iface_name(ctx, obj, "dev", &dev)) < 0)
		return ret;
	if (!has_via && !has_dev)
		return cfg_err(ctx, EINVAL, "a next hop needs 'via' or 'dev'");
	if (i == FIB4_ECMP_MAX)
		return cfg_err(ctx, EINVAL, "at most %d next hops", FIB4_ECMP_MAX);
	snprintf(s->dev[i], FP_IFACE_NAMESIZE, "%s", dev ? dev : "");
	s->r.nh[i].weight = weight;
	s->r.n_nh++;
	return 0;
}

static int route_spec_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct route_spec *s = elem;
	static const char *const keys[] = {"prefix", "vrf", "type", "via", "dev", "nexthops", NULL};
	char key[64], pfx[FP_IP4_PREFIXSTRLEN];
	json_t *via = json_object_get(obj, "via"), *nhs = NULL, *v;
	uint64_t vrf = 0;
	int type = ROUTE_UNICAST, ret;
	size_t i;

	memset(s, 0, sizeof(*s));
	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(ret = cfg_get_ip4_prefix(ctx, obj, "prefix", true, false, &s->r.prefix)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf)) < 0 ||
		(ret = cfg_get_enum(ctx, obj, "type", false, route_type_names, &type)) < 0 ||
		(ret = cfg_get_array(ctx, obj, "nexthops", false, &nhs)) < 0)
		return ret;
	s->r.vrf = vrf;
	s->r.type = type;
	s->r.origin = ORIGIN_STATIC;
	if (type == ROUTE_LOCAL || type == ROUTE_BROADCAST)
		return cfg_err(
			ctx, EINVAL, "%s routes come from addresses", route_type_names[type]);
	if (nhs != NULL && (via != NULL || json_object_get(obj, "dev") != NULL))
		return cfg_err(ctx, EINVAL, "give 'nexthops' or 'via'/'dev', not both");
	if (nhs != NULL) {
		cfg_push_key(ctx, "nexthops");
		json_array_foreach (nhs, i, v) {
			cfg_push_index(ctx, i);
			ret = nexthop_parse(ctx, v, s);
			cfg_pop(ctx);
			if (ret < 0)
				break;
		}
		cfg_pop(ctx);
	} else if (via != NULL || json_object_get(obj, "dev") != NULL) {
		/* shorthands: "via": "a" or ["a", "b"], with an optional common "dev" */
		json_t *vias = json_is_array(via) ? json_incref(via) : json_pack("[O?]", via);

		json_array_foreach (vias, i, v) {
			json_t *nh = json_object();

			if (v != NULL && !json_is_null(v))
				json_object_set(nh, "via", v);
			if (json_object_get(obj, "dev"))
				json_object_set(nh, "dev", json_object_get(obj, "dev"));
			cfg_push_key(ctx, "via");
			if (json_is_array(via))
				cfg_push_index(ctx, i);
			ret = json_is_null(v) || json_is_string(v)
				      ? nexthop_parse(ctx, nh, s)
				      : cfg_err(ctx, EINVAL,
						"'via' must be an address or a list of them");
			if (json_is_array(via))
				cfg_pop(ctx);
			cfg_pop(ctx);
			json_decref(nh);
			if (ret < 0)
				break;
		}
		json_decref(vias);
	}
	if (ret < 0)
		return ret;
	if (type == ROUTE_UNICAST && s->r.n_nh == 0)
		return cfg_err(ctx, EINVAL, "a unicast route needs 'via', 'dev' or 'nexthops'");
	if (type != ROUTE_UNICAST && s->r.n_nh > 0)
		return cfg_err(ctx, EINVAL, "a %s route has no next hop", route_type_names[type]);
	snprintf(key, sizeof(key), "vrf %u %s", s->r.vrf, fp_ip4_prefix_fmt(&s->r.prefix, pfx));
	cfg_push_key(ctx, "prefix");
	ret = cfg_declare(ctx, "route", key);
	cfg_pop(ctx);
	return ret;
}

static int route_spec_resolve(struct route_spec *s)
{
	for (unsigned int i = 0; i < s->r.n_nh; i++) {
		struct iface *iface = s->dev[i][0] ? iface_by_name(s->dev[i]) : NULL;

		if (s->dev[i][0] && iface == NULL)
			return fp_error(ENODEV, "no interface '%s'", s->dev[i]);
		s->r.nh[i].iface = iface ? iface->id : FP_IFACE_NONE;
	}
	return 0;
}

static int routes_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	return cfg_parse_array(
		ctx, value, sizeof(struct route_spec), route_spec_parse, NULL, parsed);
}

/* A static route the document no longer has. */
static bool stale(const struct route4 *r, void *arg)
{
	const struct cfg_array *keep = arg;

	if (r->origin != ORIGIN_STATIC)
		return false;
	for (size_t i = 0; i < keep->n; i++) {
		const struct route4 *k = &((const struct route_spec *)cfg_array_at(keep, i))->r;

		if (k->vrf == r->vrf && k->prefix.addr == r->prefix.addr &&
			k->prefix.len == r->prefix.len)
			return false;
	}
	return true;
}

/*
 * Static routes become those of the document: gone ones are deleted, the
 * others replaced in place, so that traffic to unchanged routes never sees a
 * gap during a reload.
 */
static int routes_apply(void *parsed)
{
	const struct cfg_array *p = parsed;
	int ret = fib4_routes_delete_if(stale, parsed);

	for (size_t i = 0; ret == 0 && i < p->n; i++) {
		struct route_spec *s = cfg_array_at(p, i);

		if ((ret = route_spec_resolve(s)) == 0)
			ret = fib4_route_add(&s->r, true);
	}
	return ret;
}

static int static_to_json(const struct route4 *r, void *arg)
{
	if (r->origin == ORIGIN_STATIC) {
		json_t *o = route4_to_json(r);

		json_object_del(o, "origin");
		json_array_append_new(arg, o);
	}
	return 0;
}

static json_t *routes_dump(void)
{
	json_t *list = json_array();

	fib4_routes_walk(UINT16_MAX, static_to_json, list);
	return list;
}

static struct cfg_section routes_section = {
	.key = "routes",
	.order = 30,
	.parse = routes_parse,
	.apply = routes_apply,
	.free = cfg_array_free,
	.dump = routes_dump,
};
CFG_SECTION_REGISTER(routes_section)

static int api_route_add(const json_t *args, json_t **result)
{
	struct route_spec s;
	int ret = cfg_parse_live(args, route_spec_parse, &s);

	(void)result;
	if (ret == 0)
		ret = route_spec_resolve(&s);
	return ret < 0 ? ret : fib4_route_add(&s.r, false);
}

static int api_route_del(const json_t *args, json_t **result)
{
	static const char *const keys[] = {"prefix", "vrf", NULL};
	struct fp_ip4_prefix p;
	struct cfg_ctx ctx;
	uint64_t vrf = 0;
	int ret;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_check_keys(&ctx, args, keys)) == 0 &&
		(ret = cfg_get_ip4_prefix(&ctx, args, "prefix", true, false, &p)) >= 0)
		ret = cfg_get_uint(&ctx, args, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf);
	cfg_ctx_fini(&ctx);
	return ret < 0 ? ret : fib4_route_del(vrf, &p);
}

static int route_append(const struct route4 *r, void *arg)
{
	json_array_append_new(arg, route4_to_json(r));
	return 0;
}

static int route_list_next(void *cursor, json_t *items, size_t max)
{
	return fib4_routes_walk_from(cursor, max, route_append, items);
}

static int api_route_list(const json_t *args, json_t **result)
{
	static const char *const keys[] = {"vrf", NULL};
	uint64_t vrf = UINT16_MAX;
	struct fib4_position *pos;
	struct cfg_ctx ctx;
	int ret;

	(void)result;

	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_check_keys(&ctx, args, keys)) == 0)
		ret = cfg_get_uint(&ctx, args, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	/* a million routes go out in chunks, each built when the client has read the last */
	pos = malloc(sizeof(*pos));
	if (pos == NULL)
		return fp_error(ENOMEM, "out of memory");
	*pos = (struct fib4_position){.only_vrf = vrf};
	return api_stream_begin("routes", route_list_next, free, pos);
}

API_COMMAND(route_add_cmd, "route.add", "add an IPv4 route", api_route_add)
API_COMMAND(route_del_cmd, "route.del", "delete an IPv4 route", api_route_del)
API_COMMAND(route_list_cmd, "route.list", "list the IPv4 routes", api_route_list)
