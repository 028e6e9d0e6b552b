/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

#include <string.h>

#define ADDR_RENAMES "prefix=address dev=iface"

/* Grouped by interface, in the daemon's order, as ip addr does. */
static void print_addresses(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const char *last = NULL;
	const json_t *a;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "addresses"), i, a) {
		if (last == NULL || strcmp(last, cli_str(a, "iface")) != 0)
			fprintf(ctx->out, "%s:\n", cli_str(a, "iface"));
		last = cli_str(a, "iface");
		fprintf(ctx->out, "    inet %s\n", cli_str(a, "address"));
	}
}

static int show_addresses(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "addr.list", NULL, print_addresses, args);
}

CLI_COMMAND(show_addresses_cmd, "show addresses", "List the interfaces' IPv4 addresses.",
	show_addresses, "ip addr", "ip addr show")

static int addr_add(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "addr.add", cli_api_args(args, ADDR_RENAMES), NULL);
}

CLI_COMMAND(addr_add_cmd, "ip addr add PREFIX dev IFACE",
	"Add an address (10.0.1.1/24) to an interface, with its connected and local routes.",
	addr_add)

static int addr_del(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "addr.del", cli_api_args(args, ADDR_RENAMES), NULL);
}

CLI_COMMAND_VALUES(addr_del_cmd, "ip addr del PREFIX dev IFACE",
	"Remove an address from an interface, with its connected and local routes.", "PREFIX=addr",
	addr_del)
