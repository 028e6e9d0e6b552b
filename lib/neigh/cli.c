/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"
#include "base/fp_error.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The API's names for the arguments of ip neigh. */
#define NEIGH_RENAMES "addr=address lladdr=mac dev=iface"

/* Whether neighbour n is of family: "inet", "inet6", or NULL for both. */
static bool of_family(const json_t *n, const char *family)
{
	return family == NULL ||
	       (strchr(cli_str(n, "address"), ':') != NULL) == (strcmp(family, "inet6") == 0);
}

/* As ip neigh prints them; args' "family" ("inet", "inet6") picks one family's. */
static void print_neighbours(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const char *family = *cli_str(args, "family") ? cli_str(args, "family") : NULL;
	const json_t *n;
	size_t i;

	json_array_foreach (json_object_get(result, "neighbours"), i, n) {
		if (!of_family(n, family))
			continue;
		fprintf(ctx->out, "%s dev %s", cli_str(n, "address"), cli_str(n, "iface"));
		if (*cli_str(n, "mac"))
			fprintf(ctx->out, " lladdr %s", cli_str(n, "mac"));
		if (json_is_true(json_object_get(n, "router")))
			fprintf(ctx->out, " router");
		fprintf(ctx->out, " %s\n", cli_str(n, "state"));
	}
}

/* -j prints the daemon's list, both families */
static int show_family(struct cli_ctx *ctx, const char *family)
{
	json_t *args = json_pack("{s:s}", "family", family ? family : "");
	int ret = cli_show(ctx, "neigh.list", NULL, print_neighbours, args);

	json_decref(args);
	return ret;
}

static int show_neighbours(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return show_family(ctx, NULL);
}

CLI_COMMAND(show_neighbours_cmd, "show neighbours",
	"List the neighbours, IPv4 then IPv6, with their states.", show_neighbours,
	"show neighbors", "ip neigh", "ip neigh show")

static int show_neighbours4(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return show_family(ctx, "inet");
}

CLI_COMMAND(show_neighbours4_cmd, "ip -4 neigh", "List the IPv4 neighbours (ARP's).",
	show_neighbours4, "ip -4 neigh show")

static int show_neighbours6(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return show_family(ctx, "inet6");
}

CLI_COMMAND(show_neighbours6_cmd, "ip -6 neigh",
	"List the IPv6 neighbours (neighbour discovery's), link-local ones included.",
	show_neighbours6, "ip -6 neigh show")

static int neigh_add(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "neigh.add", cli_api_args(args, NEIGH_RENAMES), NULL);
}

CLI_COMMAND(neigh_add_cmd, "ip neigh add ADDR lladdr MAC dev IFACE",
	"Add a static (PERMANENT) neighbour, IPv4 or IPv6 (2001:db8::2).", neigh_add)

static int neigh_del(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "neigh.del", cli_api_args(args, NEIGH_RENAMES), NULL);
}

CLI_COMMAND_VALUES(neigh_del_cmd, "ip neigh del ADDR dev IFACE",
	"Delete a neighbour, IPv4 or IPv6.", "ADDR=neigh", neigh_del)

/*
 * As ip neigh flush: every neighbour of dev (or of all interfaces) but the static ones
 * (PERMANENT), of one family or both, one neigh.del each; one gone meanwhile is no error. A
 * neighbour a route still uses is resolved again by the next packet to it.
 */
static int flush_family(struct cli_ctx *ctx, const json_t *args, const char *family)
{
	const char *dev = cli_str(args, "dev");
	json_t *list = NULL, *n;
	size_t i;
	int ret;

	if (!*dev && !json_is_true(json_object_get(args, "all")))
		return fp_error(EINVAL, "flush what: dev IFACE or all");
	if ((ret = cli_call(ctx, "neigh.list", NULL, &list)) < 0)
		return ret;
	json_array_foreach (json_object_get(list, "neighbours"), i, n) {
		if (strcmp(cli_str(n, "state"), "PERMANENT") == 0 || !of_family(n, family) ||
			(*dev && strcmp(cli_str(n, "iface"), dev) != 0))
			continue;
		ret = cli_call(ctx, "neigh.del",
			json_pack("{s:s, s:s}", "iface", cli_str(n, "iface"), "address",
				cli_str(n, "address")),
			NULL);
		if (ret < 0 && ret != -ENOENT)
			break;
		ret = 0;
	}
	json_decref(list);
	return ret;
}

static int neigh_flush(struct cli_ctx *ctx, const json_t *args)
{
	return flush_family(ctx, args, NULL);
}

CLI_COMMAND(neigh_flush_cmd, "ip neigh flush [dev IFACE] [all]",
	"Delete the neighbours of an interface, or of all (all), but the static (PERMANENT) ones, "
	"as ip neigh flush does; those a route uses are resolved again when next needed.",
	neigh_flush)

static int neigh_flush4(struct cli_ctx *ctx, const json_t *args)
{
	return flush_family(ctx, args, "inet");
}

CLI_COMMAND(neigh_flush4_cmd, "ip -4 neigh flush [dev IFACE] [all]",
	"Delete the IPv4 neighbours of an interface, or of all (all), but the static "
	"(PERMANENT) ones, as ip -4 neigh flush does.",
	neigh_flush4)

static int neigh_flush6(struct cli_ctx *ctx, const json_t *args)
{
	return flush_family(ctx, args, "inet6");
}

CLI_COMMAND(neigh_flush6_cmd, "ip -6 neigh flush [dev IFACE] [all]",
	"Delete the IPv6 neighbours of an interface, or of all (all), link-local ones included, "
	"but the static (PERMANENT) ones, as ip -6 neigh flush does.",
	neigh_flush6)
