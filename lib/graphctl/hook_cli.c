/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

#include <string.h>

/*
 * As nft list hooks (Linux 6.1): per family and hook, its features in the order packets meet
 * them, the priority as nft prints it (%+011d), then the feature, its node and its interfaces.
 */
static void print_hooks(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const char *family = NULL, *hook = NULL;
	const json_t *f, *name;
	size_t i, j;

	(void)args;
	json_array_foreach (json_object_get(result, "hooks"), i, f) {
		if (family == NULL || strcmp(family, cli_str(f, "family")) != 0) {
			if (family != NULL)
				fprintf(ctx->out, "\t}\n}\n");
			family = cli_str(f, "family");
			hook = NULL;
			fprintf(ctx->out, "family %s {\n", family);
		}
		if (hook == NULL || strcmp(hook, cli_str(f, "hook")) != 0) {
			if (hook != NULL)
				fprintf(ctx->out, "\t}\n");
			hook = cli_str(f, "hook");
			fprintf(ctx->out, "\thook %s {\n", hook);
		}
		fprintf(ctx->out, "\t\t%+011d %s [%s]", (int)cli_int(f, "priority"),
			cli_str(f, "name"), cli_str(f, "node"));
		if (json_array_size(json_object_get(f, "ifaces")) == 0)
			fprintf(ctx->out, " off");
		else
			fprintf(ctx->out, " on");
		json_array_foreach (json_object_get(f, "ifaces"), j, name)
			fprintf(ctx->out, " %s", json_string_value(name));
		fprintf(ctx->out, "\n");
	}
	if (family != NULL)
		fprintf(ctx->out, "\t}\n}\n");
	else
		fprintf(ctx->out, "no hook features registered\n");
}

static int show_hooks(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "hook.list", NULL, print_hooks, args);
}

CLI_COMMAND(show_hooks_cmd, "show hooks",
	"List the features registered at the netfilter hook points (prerouting, input, forward, "
	"output, postrouting) per family, in the order packets meet them, as nft list hooks: "
	"priority, name, node, and the interfaces each is on.",
	show_hooks)
