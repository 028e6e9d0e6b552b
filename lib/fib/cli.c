/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

#include <string.h>

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
static void print_route(FILE *out, const json_t *r)
{
	const char *type = cli_str(r, "type"), *prefix = cli_str(r, "prefix");
	const char *origin = cli_str(r, "origin");
	const json_t *nhs = json_object_get(r, "nexthops"), *nh;
	json_int_t vrf = json_integer_value(json_object_get(r, "vrf"));
	size_t n = json_array_size(nhs), len = strlen(prefix), i;

	if (strcmp(type, "unicast") != 0)
		fprintf(out, "%s ", type);
	if (strcmp(prefix, "0.0.0.0/0") == 0)
		fputs("default", out);
	else if (len > 3 && strcmp(prefix + len - 3, "/32") == 0)
		fprintf(out, "%.*s", (int)len - 3, prefix);
	else
		fputs(prefix, out);
	if (n == 1)
		print_nexthop(out, json_array_get(nhs, 0), false);
	fprintf(out, " proto %s", strcmp(origin, "connected") == 0 ? "kernel" : origin);
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

static void print_routes(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *route;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "routes"), i, route)
		print_route(ctx->out, route);
}

/* The arguments are named as the API's; "default" is ip route's name for 0.0.0.0/0. */
static json_t *route_args(const json_t *args)
{
	json_t *api = cli_api_args(args, "");

	if (strcmp(cli_str(api, "prefix"), "default") == 0)
		json_object_set_new(api, "prefix", json_string("0.0.0.0/0"));
	return api;
}

static int show_routes(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "route.list", route_args(args), print_routes, args);
}

CLI_COMMAND(show_routes_cmd, "show routes [vrf ID]", "List the routes, of every VRF or of one.",
	show_routes, "ip route", "ip route show")

static int route_add(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "route.add", route_args(args), NULL);
}

CLI_COMMAND(route_add_cmd,
	"ip route add PREFIX [via ADDR]... [dev IFACE] "
	"[type unicast|blackhole|unreachable|prohibit] [vrf ID]",
	"Add a static route; several via give ECMP nexthops. PREFIX may be \"default\".", route_add,
	"route add")

static int route_del(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "route.del", route_args(args), NULL);
}

CLI_COMMAND_VALUES(route_del_cmd, "ip route del PREFIX [vrf ID]",
	"Delete a route (PREFIX may be \"default\").", "PREFIX=route", route_del, "route del")
