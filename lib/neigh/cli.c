/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

/* The API's names for the arguments of ip neigh. */
#define NEIGH_RENAMES "addr=address lladdr=mac dev=iface"

static void print_neighbours(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *n;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "neighbours"), i, n) {
		fprintf(ctx->out, "%s dev %s", cli_str(n, "address"), cli_str(n, "iface"));
		if (*cli_str(n, "mac"))
			fprintf(ctx->out, " lladdr %s", cli_str(n, "mac"));
		if (json_is_true(json_object_get(n, "router")))
			fprintf(ctx->out, " router");
		fprintf(ctx->out, " %s\n", cli_str(n, "state"));
	}
}

static int show_neighbours(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "neigh.list", NULL, print_neighbours, args);
}

CLI_COMMAND(show_neighbours_cmd, "show neighbours",
	"List the neighbours, IPv4 then IPv6, with their states.", show_neighbours,
	"show neighbors", "ip neigh", "ip neigh show")

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
