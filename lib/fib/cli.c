/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"
#include "base/fp_error.h"
#include "base/fp_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The route types, as ip route add takes them: before the prefix, the flag of one (blackhole). */
#define ROUTE_TYPES "unicast|blackhole|unreachable|prohibit"

static void print_nexthop(FILE *out, const json_t *nh, bool ecmp)
{
	if (*cli_str(nh, "via"))
		fprintf(out, " via %s", cli_str(nh, "via"));
	if (*cli_str(nh, "dev"))
		fprintf(out, " dev %s", cli_str(nh, "dev"));
	if (ecmp && json_is_integer(json_object_get(nh, "weight")))
		fprintf(out, " weight %lld", json_integer_value(json_object_get(nh, "weight")));
}

/* As ip route prints it: one nexthop on the route's line, ECMP nexthops on lines of their own. */
static void print_route(FILE *out, const json_t *r, bool table_local)
{
	const char *type = cli_str(r, "type"), *prefix = cli_str(r, "prefix");
	const char *origin = cli_str(r, "origin");
	const char *host = strchr(prefix, ':') != NULL ? "/128" : "/32";
	const json_t *nhs = json_object_get(r, "nexthops"), *nh;
	json_int_t vrf = json_integer_value(json_object_get(r, "vrf"));
	size_t n = json_array_size(nhs), len = strlen(prefix), i;

	if (strcmp(type, "unicast") != 0)
		fprintf(out, "%s ", type);
	if (strcmp(prefix, "0.0.0.0/0") == 0 || strcmp(prefix, "::/0") == 0)
		fputs("default", out);
	else if (len > strlen(host) && strcmp(prefix + len - strlen(host), host) == 0)
		fprintf(out, "%.*s", (int)(len - strlen(host)), prefix);
	else
		fputs(prefix, out);
	if (n == 1)
		print_nexthop(out, json_array_get(nhs, 0), false);
	if (table_local)
		fputs(" table local", out);
	/* as ip route shows them: connected routes are the kernel's, mirrored ones their daemon's
	 */
	if (strcmp(origin, "connected") == 0)
		origin = "kernel";
	else if (strcmp(origin, "kernel") == 0)
		origin = cli_str(r, "protocol");
	fprintf(out, " proto %s", origin);
	if (strcmp(type, "local") == 0)
		fputs(" scope host", out);
	else if (n == 1 && !*cli_str(json_array_get(nhs, 0), "via"))
		fputs(" scope link", out);
	if (vrf != 0)
		fprintf(out, " vrf %lld", vrf);
	fputc('\n', out);
	if (n > 1) {
		json_array_foreach (nhs, i, nh) {
			fputs("\tnexthop", out);
			print_nexthop(out, nh, true);
			fputc('\n', out);
		}
	}
}

struct sorted_route {
	const json_t *route;
	struct fp_ip_prefix prefix;
	json_int_t vrf;
	size_t index;
};

/*
 * The order of ip route: IPv4 by network address, a longer prefix first (0.0.0.0/8, then
 * default, then 9.0.0.0/8); IPv6 as listed, the more specific routes before the route that
 * covers them and the default last, which is the order of ip -6 route.
 */
static int route_order(const void *a, const void *b)
{
	const struct sorted_route *x = a, *y = b;
	int c;

	if (x->prefix.addr.family != y->prefix.addr.family)
		return x->prefix.addr.family == AF_INET ? -1 : 1;
	if (x->vrf != y->vrf)
		return x->vrf < y->vrf ? -1 : 1;
	if (x->prefix.addr.family == AF_INET) {
		uint32_t ax = ntohl(x->prefix.addr.v4), ay = ntohl(y->prefix.addr.v4);

		if (ax != ay)
			return ax < ay ? -1 : 1;
		if ((c = y->prefix.len - x->prefix.len) != 0)
			return c;
	}
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Local and broadcast routes: those of Linux's table local. */
static bool in_table_local(const json_t *route)
{
	const char *type = cli_str(route, "type");

	return strcmp(type, "local") == 0 || strcmp(type, "broadcast") == 0;
}

/*
 * In ip's order; args' "table" as ip route show table takes it: "main" (the routes but the
 * local and broadcast ones, as ip route lists Linux's table main), "local" (those only) or
 * "all" (both, the local ones marked "table local" as ip marks them). Without it: all, unmarked.
 */
static void print_routes(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *routes = json_object_get(result, "routes"), *route;
	const char *table = cli_str(args, "table");
	size_t n = json_array_size(routes), i;
	struct sorted_route *sorted = calloc(n ? n : 1, sizeof(*sorted));

	if (sorted == NULL) { /* unsorted rather than nothing */
		json_array_foreach (routes, i, route)
			print_route(ctx->out, route, false);
		return;
	}
	json_array_foreach (routes, i, route) {
		sorted[i] = (struct sorted_route){route, .vrf = cli_int(route, "vrf"), .index = i};
		/* an unparsable prefix (none from the daemon) sorts first, as IPv4 0/0 */
		if (fp_ip_prefix_parse(cli_str(route, "prefix"), &sorted[i].prefix, true) < 0)
			sorted[i].prefix = (struct fp_ip_prefix){.addr.family = AF_INET};
	}
	qsort(sorted, n, sizeof(*sorted), route_order);
	for (i = 0; i < n; i++) {
		bool local = in_table_local(sorted[i].route);

		if ((strcmp(table, "main") == 0 && local) ||
			(strcmp(table, "local") == 0 && !local))
			continue;
		print_route(ctx->out, sorted[i].route, local && strcmp(table, "all") == 0);
	}
	free(sorted);
}

/*
 * The arguments are named as the API's. "default" is ip route's name for 0.0.0.0/0, and for
 * ::/0 with ip -6 route or an IPv6 gateway; family: AF_INET6 for ip -6 route, whose prefix
 * must be IPv6, else AF_UNSPEC. NULL with fp_error set if the prefix is of the wrong family.
 */
static json_t *route_args(const json_t *args, int family)
{
	json_t *api = cli_api_args(args, ""), *via = json_object_get(api, "via"), *v;
	const char *prefix = cli_str(api, "prefix");
	struct fp_ip6_prefix p6;
	size_t i;

	/* taken as ip writes it, and ranks nothing: a prefix has one route (see ip route add) */
	json_object_del(api, "metric");
	/* ip route add blackhole PREFIX: the type is the flag given */
	for (const char *t = ROUTE_TYPES; *t; t += strcspn(t, "|"), t += *t == '|') {
		char type[16];

		snprintf(type, sizeof(type), "%.*s", (int)strcspn(t, "|"), t);
		if (json_object_get(api, type) != NULL) {
			json_object_del(api, type);
			json_object_set_new(api, "type", json_string(type));
		}
	}

	if (strcmp(prefix, "default") == 0) {
		bool v6 = family == AF_INET6;

		json_array_foreach (via, i, v)
			v6 |= strchr(json_string_value(v), ':') != NULL;
		json_object_set_new(api, "prefix", json_string(v6 ? "::/0" : "0.0.0.0/0"));
	} else if (family == AF_INET6 && *prefix && strchr(prefix, ':') == NULL &&
		   fp_ip6_prefix_parse(prefix, &p6, true) < 0) {
		/* the API would take an IPv4 prefix: refused here, as ip -6 route does */
		json_decref(api);
		return NULL;
	}
	return api;
}

static int call_with(struct cli_ctx *ctx, const char *cmd, const json_t *args, int family)
{
	json_t *api = route_args(args, family);

	return api == NULL ? -EINVAL : cli_call(ctx, cmd, api, NULL);
}

/* table: what ip route show lists without table (main), NULL for every route */
static int show_family(
	struct cli_ctx *ctx, const json_t *args, const char *family, const char *table)
{
	json_t *api = cli_api_args(args, ""), *print_args = json_deep_copy(args);
	int ret;

	json_object_del(api, "ipv4");
	json_object_del(api, "ipv6");
	json_object_del(api, "table");
	if (family != NULL)
		json_object_set_new(api, "family", json_string(family));
	if (table != NULL && json_object_get(print_args, "table") == NULL)
		json_object_set_new(print_args, "table", json_string(table));
	ret = cli_show(ctx, "route.list", api, print_routes, print_args);
	json_decref(print_args);
	return ret;
}

static int show_routes(struct cli_ctx *ctx, const json_t *args)
{
	const char *family = json_is_true(json_object_get(args, "ipv4"))   ? "ipv4"
			     : json_is_true(json_object_get(args, "ipv6")) ? "ipv6"
									   : NULL;

	return show_family(ctx, args, family, NULL);
}

CLI_COMMAND(show_routes_cmd, "show routes [ipv4|ipv6] [vrf ID]",
	"List the routes, IPv4 then IPv6 (or one family), of every VRF or of one, local and "
	"broadcast ones included.",
	show_routes)

static int show_routes4(struct cli_ctx *ctx, const json_t *args)
{
	return show_family(ctx, args, "ipv4", "main");
}

CLI_COMMAND(show_routes4_cmd, "ip route show [table main|local|all] [vrf ID]",
	"List the IPv4 routes, as ip route does: those of Linux's table main, without the local "
	"and broadcast routes of the addresses, which table local lists (table all: both); ip -6 "
	"route lists the IPv6 ones. In ip's order: IPv4 routes by address, the longer prefix "
	"first; IPv6 ones the more specific first, the default last.",
	show_routes4, "ip route", "ip -4 route", "ip -4 route show")

static int show_routes6(struct cli_ctx *ctx, const json_t *args)
{
	return show_family(ctx, args, "ipv6", "main");
}

CLI_COMMAND(show_routes6_cmd, "ip -6 route show [table main|local|all] [vrf ID]",
	"List the IPv6 routes, the local ones of the addresses in table local, as ip -6 route "
	"does.",
	show_routes6, "ip -6 route")

/* What ip route add and ip -6 route add take after their name. */
#define ROUTE_ADD_ARGS "[" ROUTE_TYPES "] PREFIX [via ADDR]... [dev IFACE] [vrf ID] [metric N]"

/* route.add, replacing the route of the same prefix if replace */
static int add_with(struct cli_ctx *ctx, const json_t *args, int family, bool replace)
{
	json_t *api = route_args(args, family);

	if (api == NULL)
		return -EINVAL;
	if (replace)
		json_object_set_new(api, "replace", json_true());
	return cli_call(ctx, "route.add", api, NULL);
}

static int route_add(struct cli_ctx *ctx, const json_t *args)
{
	return add_with(ctx, args, AF_UNSPEC, false);
}

CLI_COMMAND(route_add_cmd, "ip route add " ROUTE_ADD_ARGS,
	"Add a static route; IPv4 or IPv6 (2001:db8::/32 via 2001:db8::2), several via give ECMP "
	"nexthops. PREFIX may be \"default\". A prefix has one route in a VRF: metric is taken "
	"as ip writes it and ranks nothing, a second route to the prefix is refused (replace "
	"changes it).",
	route_add, "route add")

static int route6_add(struct cli_ctx *ctx, const json_t *args)
{
	return add_with(ctx, args, AF_INET6, false);
}

CLI_COMMAND(route6_add_cmd, "ip -6 route add " ROUTE_ADD_ARGS,
	"Add a static IPv6 route; a link-local gateway needs its dev (via fe80::1 dev p1). PREFIX "
	"may be \"default\" (::/0).",
	route6_add)

static int route_replace(struct cli_ctx *ctx, const json_t *args)
{
	return add_with(ctx, args, AF_UNSPEC, true);
}

CLI_COMMAND(route_replace_cmd, "ip route replace " ROUTE_ADD_ARGS,
	"Add a static route, or replace the route to PREFIX in its VRF in one step (traffic to it "
	"sees no gap); the routes of addresses are not replaced.",
	route_replace, "route replace")

static int route6_replace(struct cli_ctx *ctx, const json_t *args)
{
	return add_with(ctx, args, AF_INET6, true);
}

CLI_COMMAND(route6_replace_cmd, "ip -6 route replace " ROUTE_ADD_ARGS,
	"Add or replace a static IPv6 route.", route6_replace)

static int route_del(struct cli_ctx *ctx, const json_t *args)
{
	return call_with(ctx, "route.del", args, AF_UNSPEC);
}

CLI_COMMAND_VALUES(route_del_cmd, "ip route del PREFIX [vrf ID]",
	"Delete a route, IPv4 or IPv6 (PREFIX may be \"default\": 0.0.0.0/0).", "PREFIX=route",
	route_del, "route del")

static int route6_del(struct cli_ctx *ctx, const json_t *args)
{
	return call_with(ctx, "route.del", args, AF_INET6);
}

CLI_COMMAND_VALUES(route6_del_cmd, "ip -6 route del PREFIX [vrf ID]",
	"Delete an IPv6 route (PREFIX may be \"default\": ::/0).", "PREFIX=route", route6_del)

/*
 * As ip route get prints it: the destination, the path the flow takes and the matching route
 * under it, with the path's rank among the route's when it has several (ECMP).
 */
static void print_route_get(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const char *type = cli_str(result, "type");
	json_int_t vrf = cli_int(result, "vrf");
	FILE *out = ctx->out;

	(void)args;
	if (strcmp(type, "unicast") != 0)
		fprintf(out, "%s ", type);
	fputs(cli_str(result, "addr"), out);
	if (*cli_str(result, "from"))
		fprintf(out, " from %s", cli_str(result, "from"));
	if (*cli_str(result, "via"))
		fprintf(out, " via %s", cli_str(result, "via"));
	if (*cli_str(result, "dev"))
		fprintf(out, " dev %s", cli_str(result, "dev"));
	if (*cli_str(result, "src"))
		fprintf(out, " src %s", cli_str(result, "src"));
	if (*cli_str(result, "iif"))
		fprintf(out, " iif %s", cli_str(result, "iif"));
	if (vrf != 0)
		fprintf(out, " vrf %lld", vrf);
	fputs("\n    route ", out);
	print_route(out, json_object_get(result, "route"), false);
	if (cli_int(result, "paths") > 1)
		fprintf(out, "    path %lld of %lld (the flow's ECMP member)\n",
			cli_int(result, "path") + 1, cli_int(result, "paths"));
}

static int route_get(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "route.get", cli_api_args(args, ""), print_route_get, args);
}

CLI_COMMAND(route_get_cmd,
	"ip route get ADDR [from ADDR] [iif IFACE] [vrf ID] [ipproto tcp|udp|icmp] [sport N] "
	"[dport N]",
	"The route to ADDR, IPv4 or IPv6, and the path a flow to it takes: from, ipproto, sport "
	"and dport pick its ECMP member with the datapath's flow hash (missing ones count as 0); "
	"iif looks ADDR up in that interface's VRF. Without from and iif, src is the source "
	"address "
	"Linux would choose: the outgoing interface's address on the gateway's network, or ADDR's.",
	route_get, "ip -6 route get")
