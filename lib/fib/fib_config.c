/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "fib" config section: the size of the tables, IPv4 and IPv6,
 * {"ipv4_max_routes": 65536, "ipv4_tbl8_groups": 2048,
 *  "ipv6_max_routes": 65536, "ipv6_tbl8_groups": 69632}.
 * Each family's tbl8 groups follow its routes (FIB4_TBL8_FOR(), FIB6_TBL8_FOR()) unless given.
 * A table keeps its size: changing it takes a restart for a VRF that has routes of the family.
 */
#include "config/config.h"
#include "fib4.h"
#include "fib6.h"
#include "fib_priv.h"
#include "base/fp_error.h"

#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>

struct fib_sizes {
	uint32_t routes[2], tbl8[2]; /* [0] IPv4, [1] IPv6 */
};

/* One family's pair of keys, tbl8 groups from tbl8_for(routes) unless given. */
static int sizes_parse(struct cfg_ctx *ctx, const json_t *value, const char *routes_key,
	const char *tbl8_key, uint32_t dflt, uint32_t (*tbl8_for)(uint32_t), uint32_t *routes,
	uint32_t *tbl8)
{
	uint64_t r = dflt, t;
	int ret, has_tbl8;

	if ((ret = cfg_get_uint(ctx, value, routes_key, false, 1, FIB_SIZE_MAX, &r)) < 0 ||
		(has_tbl8 = ret = cfg_get_uint(
			 ctx, value, tbl8_key, false, FIB_TBL8_MIN, FIB_SIZE_MAX, &t)) < 0)
		return ret;
	*routes = r;
	*tbl8 = has_tbl8 ? t : RTE_MIN(RTE_MAX(tbl8_for(r), FIB_TBL8_MIN), FIB_SIZE_MAX);
	return 0;
}

static uint32_t tbl8_for4(uint32_t routes)
{
	return FIB4_TBL8_FOR(routes);
}

static uint32_t tbl8_for6(uint32_t routes)
{
	return FIB6_TBL8_FOR(routes);
}

static int fib_section_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {
		"ipv4_max_routes", "ipv4_tbl8_groups", "ipv6_max_routes", "ipv6_tbl8_groups", NULL};
	struct fib_sizes s;
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = sizes_parse(ctx, value, "ipv4_max_routes", "ipv4_tbl8_groups",
			 FIB4_DEFAULT_ROUTES, tbl8_for4, &s.routes[0], &s.tbl8[0])) < 0 ||
		(ret = sizes_parse(ctx, value, "ipv6_max_routes", "ipv6_tbl8_groups",
			 FIB6_DEFAULT_ROUTES, tbl8_for6, &s.routes[1], &s.tbl8[1])) < 0)
		return ret;
	if ((*parsed = malloc(sizeof(s))) == NULL)
		return fp_error(ENOMEM, "out of memory");
	*(struct fib_sizes *)*parsed = s;
	return 0;
}

static int fib_section_apply(void *parsed)
{
	const struct fib_sizes *s = parsed;
	int ret = fib4_set_size(s->routes[0], s->tbl8[0]);

	return ret < 0 ? ret : fib6_set_size(s->routes[1], s->tbl8[1]);
}

static json_t *fib_section_dump(void)
{
	struct fib_sizes s;

	fib4_get_size(&s.routes[0], &s.tbl8[0]);
	fib6_get_size(&s.routes[1], &s.tbl8[1]);
	return json_pack("{s:I, s:I, s:I, s:I}", "ipv4_max_routes", (json_int_t)s.routes[0],
		"ipv4_tbl8_groups", (json_int_t)s.tbl8[0], "ipv6_max_routes",
		(json_int_t)s.routes[1], "ipv6_tbl8_groups", (json_int_t)s.tbl8[1]);
}

static struct cfg_section fib_section = {
	.key = "fib",
	.order = 5, /* before the addresses, whose connected routes make tables */
	.parse = fib_section_parse,
	.apply = fib_section_apply,
	.free = free,
	.dump = fib_section_dump,
};
CFG_SECTION_REGISTER(fib_section)
