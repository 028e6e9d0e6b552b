/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "base/fp_error.h"
#include "config/iface_names.h"
#include "fib.h"
#include "infra/control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * A route object of either family, the same in the config file and the API:
 * {"prefix": "10.9.0.0/16", "vrf": 0, "type": "unicast",
 *  "nexthops": [{"via": "10.0.2.2", "dev": "p1", "weight": 1}, ...]}
 * with the shorthands "via": "10.0.2.2" or ["a", "b"], and "dev": "p1". The prefix gives the
 * family ("2001:db8:1::/48"), and the gateways must be of it.
 * Interfaces are kept by name until applied: the ports may not exist yet.
 */
struct route_spec {
	struct route r;
	char dev[FIB4_ECMP_MAX][FP_IFACE_NAMESIZE];
};

/* Appends a next hop, reporting its errors at the value that gave it (the path of ctx). */
static int nexthop_add(struct cfg_ctx *ctx, struct route_spec *s, bool has_via,
	const struct fp_ip_addr *gw, const char *dev, unsigned int weight)
{
	unsigned int i = s->r.n_nh;
	char a[FP_IP_ADDRSTRLEN];

	if (!has_via && dev == NULL)
		return cfg_err(ctx, EINVAL, "a next hop needs 'via' or 'dev'");
	/* as `ip -6 route add ... via fe80::1` without "dev" */
	if (has_via && gw->family == AF_INET6 && fp_ip6_is_link_local(&gw->v6) && dev == NULL)
		return cfg_err(ctx, EINVAL, "a link-local gateway (%s) needs its interface ('dev')",
			fp_ip_fmt(gw, a));
	if (i == FIB4_ECMP_MAX)
		return cfg_err(ctx, EINVAL, "at most %d next hops", FIB4_ECMP_MAX);
	s->r.nh[i].gw = *gw;
	s->r.nh[i].weight = weight;
	if (dev != NULL) /* else left empty by route_spec_parse() */
		snprintf(s->dev[i], FP_IFACE_NAMESIZE, "%s", dev);
	s->r.n_nh++;
	return 0;
}

/* "dev" of obj if it has one, else NULL. */
static int optional_dev(struct cfg_ctx *ctx, const json_t *obj, const char **dev)
{
	*dev = NULL;
	return json_object_get(obj, "dev") != NULL ? cfg_get_iface_name(ctx, obj, "dev", dev) : 0;
}

static int nexthop_parse(struct cfg_ctx *ctx, const json_t *obj, struct route_spec *s)
{
	static const char *const keys[] = {"via", "dev", "weight", NULL};
	struct fp_ip_addr gw = {0};
	const char *dev;
	uint64_t weight = 1;
	int ret, has_via;

	if ((ret = cfg_check_keys(ctx, obj, keys)) < 0 ||
		(has_via = ret = cfg_get_ip_as(
			 ctx, obj, "via", false, s->r.prefix.addr.family, &gw)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "weight", false, 1, 256, &weight)) < 0 ||
		(ret = optional_dev(ctx, obj, &dev)) < 0)
		return ret;
	return nexthop_add(ctx, s, has_via, &gw, dev, weight);
}

/* An element of the "via" shorthand, or its absence (NULL: "dev" alone); ctx is at it. */
static int via_parse(struct cfg_ctx *ctx, const json_t *via, const char *dev, struct route_spec *s)
{
	bool has_via = via != NULL && !json_is_null(via);
	struct fp_ip_addr gw = {0};
	int ret;

	if (has_via && !json_is_string(via))
		return cfg_err(ctx, EINVAL, "'via' must be an address or a list of them");
	if (has_via &&
		(ret = fp_ip_parse_as(s->r.prefix.addr.family, json_string_value(via), &gw)) < 0)
		return cfg_err(ctx, ret, "%s", fp_errmsg());
	return nexthop_add(ctx, s, has_via, &gw, dev, 1);
}

/* "via": "a" or ["a", "b"], with an optional common "dev" */
static int shorthand_parse(struct cfg_ctx *ctx, const json_t *obj, struct route_spec *s)
{
	const json_t *via = json_object_get(obj, "via"), *v;
	const char *dev;
	size_t i;
	int ret;

	if ((ret = optional_dev(ctx, obj, &dev)) < 0)
		return ret;
	cfg_push_key(ctx, "via");
	if (json_is_array(via)) {
		json_array_foreach (via, i, v) {
			cfg_push_index(ctx, i);
			ret = via_parse(ctx, v, dev, s);
			cfg_pop(ctx);
			if (ret < 0)
				break;
		}
	} else {
		ret = via_parse(ctx, via, dev, s);
	}
	cfg_pop(ctx);
	return ret;
}

/* A route, in the config file and in route.add. */
/* route.add's keys: a route's (route_keys, those of the config file) after "replace" */
static const char *const route_add_keys[] = {
	"replace", "prefix", "vrf", "type", "via", "dev", "nexthops", NULL};
static const char *const *const route_keys = route_add_keys + 1;

/* Duplicates are left to the caller: an API request has one route, a document many. */
static int route_spec_parse(struct cfg_ctx *ctx, const json_t *obj, void *elem)
{
	struct route_spec *s = elem;
	bool shorthand = json_object_get(obj, "via") != NULL || json_object_get(obj, "dev") != NULL;
	json_t *nhs = NULL, *v;
	uint64_t vrf = 0;
	int type = ROUTE_UNICAST, ret = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if ((ret = cfg_check_keys(ctx, obj, route_keys)) < 0 ||
		(ret = cfg_get_ip_prefix(ctx, obj, "prefix", true, false, &s->r.prefix)) < 0 ||
		(ret = cfg_get_uint(ctx, obj, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf)) < 0 ||
		(ret = cfg_get_enum(ctx, obj, "type", false, route_type_names, &type)) < 0 ||
		(ret = cfg_get_array(ctx, obj, "nexthops", false, &nhs)) < 0)
		return ret;
	s->r.vrf = vrf;
	s->r.type = type;
	s->r.origin = ORIGIN_STATIC;
	if (type == ROUTE_BROADCAST && s->r.prefix.addr.family == AF_INET6)
		return cfg_err(ctx, EINVAL, "IPv6 has no broadcast routes");
	if (type == ROUTE_LOCAL || type == ROUTE_BROADCAST)
		return cfg_err(
			ctx, EINVAL, "%s routes come from addresses", route_type_names[type]);
	if (nhs != NULL && shorthand)
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
	} else if (shorthand) {
		ret = shorthand_parse(ctx, obj, s);
	}
	if (ret < 0)
		return ret;
	if (type == ROUTE_UNICAST && s->r.n_nh == 0)
		return cfg_err(ctx, EINVAL, "a unicast route needs 'via', 'dev' or 'nexthops'");
	if (type != ROUTE_UNICAST && s->r.n_nh > 0)
		return cfg_err(ctx, EINVAL, "a %s route has no next hop", route_type_names[type]);
	return 0;
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

/*
 * The routes of a document, small enough for a million of them (a route_spec is 700 bytes,
 * an entry 32): the next hops of all routes are in one pool. Addresses are kept without their
 * family, which is the entry's.
 */
union ip_bytes {
	uint32_t v4;
	struct fp_ip6_addr v6;
};

struct route_nh {
	union ip_bytes gw; /* zero: none */
	uint16_t weight;
	char dev[FP_IFACE_NAMESIZE];
};

struct route_entry {
	union ip_bytes addr;
	uint16_t vrf;
	uint8_t family;
	uint8_t len;
	uint8_t type;
	uint8_t n_nh;
	uint32_t nh;	/* its first next hop in the pool */
	uint32_t index; /* in the document's list */
};

static union ip_bytes bytes_of(const struct fp_ip_addr *a)
{
	union ip_bytes b;

	memset(&b, 0, sizeof(b));
	if (a->family == AF_INET)
		b.v4 = a->v4;
	else if (a->family == AF_INET6)
		b.v6 = a->v6;
	return b;
}

/* The address of bytes b in family, or none (family 0) if all zero. */
static struct fp_ip_addr addr_of(uint8_t family, const union ip_bytes *b)
{
	static const union ip_bytes zero;

	if (memcmp(b, &zero, sizeof(*b)) == 0)
		return (struct fp_ip_addr){0};
	return family == AF_INET ? fp_ip_addr4(b->v4) : fp_ip_addr6(&b->v6);
}

static struct fp_ip_prefix prefix_of(const struct route_entry *e)
{
	return (struct fp_ip_prefix){
		e->family == AF_INET ? fp_ip_addr4(e->addr.v4) : fp_ip_addr6(&e->addr.v6), e->len};
}

struct route_list {
	size_t n, n_nh, nh_cap;
	struct route_nh *nhs;
	/*
	 * Sorted by VRF, address and length once parsed: duplicates are neighbours, the
	 * routes of a reload are found by bsearch(), and the FIB is filled in address order,
	 * which keeps its trie walks in cache.
	 */
	struct route_entry routes[];
};

static int route_collect(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg)
{
	struct route_list *l = arg;
	struct route_spec s;
	int ret = route_spec_parse(ctx, obj, &s);

	if (ret < 0)
		return ret;
	if (l->n_nh + s.r.n_nh > l->nh_cap) {
		size_t cap = 2 * l->nh_cap + FIB4_ECMP_MAX;
		struct route_nh *nhs = reallocarray(l->nhs, cap, sizeof(*nhs));

		if (nhs == NULL)
			return fp_error(ENOMEM, "out of memory");
		l->nhs = nhs;
		l->nh_cap = cap;
	}
	l->routes[l->n++] = (struct route_entry){
		.addr = bytes_of(&s.r.prefix.addr),
		.vrf = s.r.vrf,
		.family = s.r.prefix.addr.family,
		.len = s.r.prefix.len,
		.type = s.r.type,
		.n_nh = s.r.n_nh,
		.nh = l->n_nh,
		.index = index,
	};
	for (unsigned int i = 0; i < s.r.n_nh; i++) {
		struct route_nh *nh = &l->nhs[l->n_nh++];

		nh->gw = bytes_of(&s.r.nh[i].gw);
		nh->weight = s.r.nh[i].weight;
		memcpy(nh->dev, s.dev[i], sizeof(nh->dev));
	}
	return 0;
}

static void route_spec_of(
	const struct route_list *l, const struct route_entry *e, struct route_spec *s)
{
	*s = (struct route_spec){.r = {.vrf = e->vrf,
					 .prefix = prefix_of(e),
					 .type = e->type,
					 .origin = ORIGIN_STATIC,
					 .n_nh = e->n_nh}};
	for (unsigned int i = 0; i < e->n_nh; i++) {
		const struct route_nh *nh = &l->nhs[e->nh + i];

		s->r.nh[i].gw = addr_of(e->family, &nh->gw);
		s->r.nh[i].weight = nh->weight;
		memcpy(s->dev[i], nh->dev, sizeof(s->dev[i]));
	}
}

/* By VRF, family, address and length: the same route compares equal. */
static int route_cmp(const void *x, const void *y)
{
	const struct route_entry *a = x, *b = y;

	if (a->vrf != b->vrf)
		return a->vrf < b->vrf ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET) {
		uint32_t ia = rte_be_to_cpu_32(a->addr.v4), ib = rte_be_to_cpu_32(b->addr.v4);

		if (ia != ib)
			return ia < ib ? -1 : 1;
	} else {
		int c = memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6));

		if (c != 0)
			return c;
	}
	return (a->len > b->len) - (a->len < b->len);
}

/* Then by position in the document: the first of equal routes comes first. */
static int route_cmp_index(const void *x, const void *y)
{
	const struct route_entry *a = x, *b = y;
	int c = route_cmp(a, b);

	return c != 0 ? c : (a->index > b->index) - (a->index < b->index);
}

/*
 * The route of l (sorted) that repeats an earlier one and comes first in the document, as a
 * check of each route against those before it would find it: reported at its prefix, with the
 * position of the first. 0 if there is none.
 */
static int duplicate_error(struct cfg_ctx *ctx, const struct route_list *l)
{
	const struct route_entry *dup = NULL, *first = NULL, *group = l->routes;
	char name[80], pfx[FP_IP_PREFIXSTRLEN], first_path[sizeof(ctx->path)];
	struct fp_ip_prefix p;
	int ret;

	for (size_t i = 1; i < l->n; i++) {
		const struct route_entry *e = &l->routes[i];

		if (route_cmp(e, group) != 0) {
			group = e;
		} else if (dup == NULL || e->index < dup->index) {
			dup = e;
			first = group;
		}
	}
	if (dup == NULL)
		return 0;
	p = prefix_of(dup);
	snprintf(name, sizeof(name), "vrf %u %s", dup->vrf, fp_ip_prefix_fmt(&p, pfx));
	cfg_push_index(ctx, first->index);
	cfg_push_key(ctx, "prefix");
	snprintf(first_path, sizeof(first_path), "%s", ctx->path);
	cfg_pop(ctx);
	cfg_pop(ctx);
	cfg_push_index(ctx, dup->index);
	cfg_push_key(ctx, "prefix");
	ret = cfg_err_duplicate(ctx, "route", name, first_path);
	cfg_pop(ctx);
	cfg_pop(ctx);
	return ret;
}

static void routes_free(void *parsed)
{
	struct route_list *l = parsed;

	if (l != NULL)
		free(l->nhs);
	free(l);
}

/* A network a gateway may be on: an address's, or a route's through an interface alone. */
struct connected {
	struct fp_ip_prefix net;
	uint16_t vrf;
	const char *dev;
};

/* Past this many networks, the check would slow the load of a large table: apply() checks. */
#define MAX_CHECKED_NETWORKS 256

static bool on_network(const struct connected *c, size_t n, uint16_t vrf,
	const struct fp_ip_addr *gw, const char *dev)
{
	for (size_t i = 0; i < n; i++) {
		struct fp_ip_addr m;

		if (c[i].net.addr.family != gw->family)
			continue;
		m = fp_ip_masked(gw, c[i].net.len);
		if (c[i].vrf == vrf && fp_ip_addr_equal(&m, &c[i].net.addr) &&
			(!*dev || strcmp(dev, c[i].dev) == 0))
			return true;
	}
	return false;
}

/* Whether the document's port name is set down ("up": false): its networks are not connected. */
static bool port_set_down(struct cfg_ctx *ctx, const char *name)
{
	const json_t *port;
	size_t i;

	json_array_foreach (json_object_get(cfg_doc_root(ctx->doc), "ports"), i, port)
		if (name != NULL && json_is_string(json_object_get(port, "name")) &&
			strcmp(json_string_value(json_object_get(port, "name")), name) == 0)
			return json_is_false(json_object_get(port, "up"));
	return false;
}

/*
 * What fib_route_add() refuses when the routes are applied, found from the document when it
 * has its addresses, so that --check-config finds it and says where: a gateway on no
 * connected network (of dev, when the next hop names one). The networks are those of the
 * document's addresses (the ports are in VRF 0; not those set down) and of its routes through an
 * interface without gateway; an IPv6 link-local gateway is on its dev's link. Routes loaded without
 * the addresses (config.load of a routes section) are checked when applied.
 */
static int gateways_check(struct cfg_ctx *ctx, const struct route_list *l)
{
	const json_t *addrs =
		ctx->doc ? json_object_get(cfg_doc_root(ctx->doc), "addresses") : NULL;
	struct fp_ip_addr last = {0};
	const char *last_dev = "";
	uint16_t last_vrf = 0;
	struct connected *c;
	size_t n = 0, i, k;
	const json_t *a;
	int ret = 0;

	if (!json_is_array(addrs))
		return 0;
	c = calloc(MAX_CHECKED_NETWORKS, sizeof(*c));
	if (c == NULL)
		return fp_error(ENOMEM, "out of memory");
	json_array_foreach (addrs, i, a) {
		const char *text = json_string_value(json_object_get(a, "address"));
		struct fp_ip_prefix p;

		if (n < MAX_CHECKED_NETWORKS && text != NULL &&
			!port_set_down(ctx, json_string_value(json_object_get(a, "iface"))) &&
			fp_ip_prefix_parse(text, &p, true) == 0)
			c[n++] = (struct connected){{fp_ip_masked(&p.addr, p.len), p.len}, 0,
				json_string_value(json_object_get(a, "iface"))};
	}
	for (i = 0; i < l->n && n <= MAX_CHECKED_NETWORKS; i++) {
		const struct route_entry *e = &l->routes[i];

		for (k = 0; e->type == ROUTE_UNICAST && k < e->n_nh; k++)
			if (addr_of(e->family, &l->nhs[e->nh + k].gw).family == 0 &&
				l->nhs[e->nh + k].dev[0] && n++ < MAX_CHECKED_NETWORKS)
				c[n - 1] = (struct connected){
					prefix_of(e), e->vrf, l->nhs[e->nh + k].dev};
	}
	for (i = 0; i < l->n && n <= MAX_CHECKED_NETWORKS && ret == 0; i++) {
		const struct route_entry *e = &l->routes[i];

		for (k = 0; k < e->n_nh && ret == 0; k++) {
			const struct route_nh *nh = &l->nhs[e->nh + k];
			struct fp_ip_addr gw = addr_of(e->family, &nh->gw);
			char buf[FP_IP_ADDRSTRLEN];

			/* a large table has few gateways: the last one found on a network is known
			 */
			if (gw.family == 0 ||
				(gw.family == AF_INET6 && fp_ip6_is_link_local(&gw.v6)) ||
				(fp_ip_addr_equal(&gw, &last) && last_vrf == e->vrf &&
					strcmp(last_dev, nh->dev) == 0))
				continue;
			if (on_network(c, n, e->vrf, &gw, nh->dev)) {
				last = gw;
				last_vrf = e->vrf;
				last_dev = nh->dev;
				continue;
			}
			cfg_push_index(ctx, e->index);
			ret = *nh->dev ? cfg_err(ctx, ENETUNREACH,
						 "gateway %s is not on a network of %s",
						 fp_ip_fmt(&gw, buf), nh->dev)
				       : cfg_err(ctx, ENETUNREACH,
						 "gateway %s is not on a connected network",
						 fp_ip_fmt(&gw, buf));
			cfg_pop(ctx);
		}
	}
	free(c);
	return ret;
}

static int routes_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	struct route_list *l;
	int ret, dup;

	if ((ret = cfg_check_type(ctx, value, JSON_ARRAY)) < 0)
		return ret;
	l = calloc(1, sizeof(*l) + json_array_size(value) * sizeof(l->routes[0]));
	if (l == NULL)
		return fp_error(ENOMEM, "out of memory");
	ret = cfg_array_foreach_object(ctx, value, route_collect, l);
	/* a duplicate among the routes before a failed one comes first in the document */
	qsort(l->routes, l->n, sizeof(l->routes[0]), route_cmp_index);
	if ((dup = duplicate_error(ctx, l)) < 0)
		ret = dup;
	if (ret == 0)
		ret = gateways_check(ctx, l);
	if (ret < 0) {
		routes_free(l);
		return ret;
	}
	*parsed = l;
	return 0;
}

/* A static route the document no longer has. */
static bool stale(const struct route *r, void *arg)
{
	const struct route_list *keep = arg;
	struct route_entry key = {.addr = bytes_of(&r->prefix.addr),
		.vrf = r->vrf,
		.family = r->prefix.addr.family,
		.len = r->prefix.len};

	return r->origin == ORIGIN_STATIC &&
	       bsearch(&key, keep->routes, keep->n, sizeof(key), route_cmp) == NULL;
}

/*
 * Static routes become those of the document: gone ones are deleted, the
 * others replaced in place, so that traffic to unchanged routes never sees a
 * gap during a reload.
 */
static int routes_apply(void *parsed)
{
	const struct route_list *l = parsed;
	int ret = fib_routes_delete_if(AF_UNSPEC, stale, parsed);

	for (size_t i = 0; ret == 0 && i < l->n; i++) {
		struct route_spec s;

		route_spec_of(l, &l->routes[i], &s);
		if ((ret = route_spec_resolve(&s)) == 0)
			ret = fib_route_add(&s.r, true);
	}
	return ret;
}

static int static_to_json(const struct route *r, void *arg)
{
	if (r->origin == ORIGIN_STATIC) {
		json_t *o = route_to_json(r);

		json_object_del(o, "origin");
		json_array_append_new(arg, o);
	}
	return 0;
}

static json_t *routes_dump(void)
{
	json_t *list = json_array();

	fib_routes_walk(AF_UNSPEC, UINT16_MAX, static_to_json, list);
	return list;
}

static struct cfg_section routes_section = {
	.key = "routes",
	.order = 30,
	.parse = routes_parse,
	.apply = routes_apply,
	.free = routes_free,
	.dump = routes_dump,
};
CFG_SECTION_REGISTER(routes_section)

/*
 * A route of an address (connected, local, broadcast) is the address's: replace would
 * leave the address without it, so only ip addr del takes it away.
 */
static int replaceable(const struct route *r)
{
	char pfx[FP_IP_PREFIXSTRLEN];
	struct route old;

	if (fib_route_get(r->vrf, &r->prefix, &old) == 0 && old.origin == ORIGIN_CONNECTED)
		return fp_error(EEXIST,
			"route %s in VRF %u is an address's (ip addr del removes it)",
			fp_ip_prefix_fmt(&r->prefix, pfx), r->vrf);
	return 0;
}

/* A route object, and "replace": true to replace the route of the same prefix, if any. */
static int api_route_add(const json_t *args, json_t **result)
{
	json_t *route = json_copy((json_t *)args);
	struct route_spec s;
	struct cfg_ctx ctx;
	bool replace = false;
	int ret;

	(void)result;
	if (route == NULL)
		return fp_error(ENOMEM, "out of memory");
	cfg_ctx_init(&ctx, NULL);
	ret = cfg_get_bool(&ctx, args, "replace", false, &replace);
	cfg_ctx_fini(&ctx);
	json_object_del(route, "replace");
	if (ret >= 0)
		ret = cfg_parse_live(route, route_spec_parse, &s);
	json_decref(route);
	if (ret >= 0)
		ret = route_spec_resolve(&s);
	if (ret >= 0 && replace)
		ret = replaceable(&s.r);
	return ret < 0 ? ret : fib_route_add(&s.r, replace);
}

static int api_route_del(const json_t *args, json_t **result)
{
	struct fp_ip_prefix p;
	struct cfg_ctx ctx;
	uint64_t vrf = 0;
	int ret;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_get_ip_prefix(&ctx, args, "prefix", true, false, &p)) >= 0)
		ret = cfg_get_uint(&ctx, args, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf);
	cfg_ctx_fini(&ctx);
	return ret < 0 ? ret : fib_route_del(vrf, &p);
}

/* 1 (the chunk ends here, more may follow) once the loop's slice is used: a slow control
 * thread sends smaller chunks rather than holding the twins' frames back for seconds */
static int route_append(const struct route *r, void *arg)
{
	json_array_append_new(arg, route_to_json(r));
	return control_slice_over() ? 1 : 0;
}

static int route_list_next(void *cursor, json_t *items, size_t max)
{
	return fib_routes_walk_from(cursor, max, route_append, items);
}

/* {"vrf": 0, "family": "ipv6"}, both optional: IPv4 routes, then IPv6 ones */
static int api_route_list(const json_t *args, json_t **result)
{
	static const char *const families[] = {"ipv4", "ipv6", NULL};
	uint64_t vrf = UINT16_MAX;
	struct fib_position *pos;
	struct cfg_ctx ctx;
	int family = -1, ret;

	(void)result;

	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_get_uint(&ctx, args, "vrf", false, 0, FP_MAX_VRFS - 1, &vrf)) >= 0)
		ret = cfg_get_enum(&ctx, args, "family", false, families, &family);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	/* a million routes go out in chunks, each built when the client has read the last */
	pos = malloc(sizeof(*pos));
	if (pos == NULL)
		return fp_error(ENOMEM, "out of memory");
	*pos = (struct fib_position){.family = family < 0    ? AF_UNSPEC
					       : family == 0 ? AF_INET
							     : AF_INET6,
		.only_vrf = vrf};
	return api_stream_begin("routes", route_list_next, free, pos);
}

API_COMMAND(route_add_cmd, "route.add", "add an IPv4 or IPv6 route (replace: or replace it)",
	api_route_add, route_add_keys)
API_COMMAND(route_del_cmd, "route.del", "delete an IPv4 or IPv6 route", api_route_del,
	API_ARGS("prefix", "vrf"))
API_COMMAND(route_list_cmd, "route.list", "list the routes, IPv4 then IPv6 (\"family\" for one)",
	api_route_list, API_ARGS("vrf", "family"))
