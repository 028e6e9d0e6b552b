/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

static void print_twins(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *t;
	size_t i;

	(void)args;
	if (!json_is_true(json_object_get(result, "enabled"))) {
		fprintf(ctx->out, "twins disabled\n");
		return;
	}
	cli_table(ctx->out, NULL, json_object_get(result, "twins"),
		"iface name:twin ifindex state mtu to_kernel_packets:to_kernel "
		"from_kernel_packets:from_kernel dropped",
		NULL);
	json_array_foreach (json_object_get(result, "twins"), i, t)
		if (*cli_str(t, "error"))
			fprintf(ctx->out, "%s: %s\n", cli_str(t, "iface"), cli_str(t, "error"));
}

static int show_twins(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "twin.list", NULL, print_twins, args);
}

CLI_COMMAND(show_twins_cmd, "show twins",
	"List the kernel twins (TAP devices) of the interfaces: name, ifindex, carrier state, MTU, "
	"packets to and from the kernel, drops (show stats names their reasons).",
	show_twins)
