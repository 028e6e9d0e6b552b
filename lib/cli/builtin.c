/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"
#include "infra/fp_error.h"

#include <errno.h>

/* Any API command, for what has no command of its own yet and for scripts. */
static int call(struct cli_ctx *ctx, const json_t *args)
{
	const char *text = cli_str(args, "json");
	json_t *api_args = NULL;
	json_error_t err;

	if (*text) {
		api_args = json_loads(text, 0, &err);
		if (api_args == NULL)
			return fp_error(EINVAL, "%s: %s", text, err.text);
		if (!json_is_object(api_args)) {
			json_decref(api_args);
			return fp_error(EINVAL, "%s: the arguments must be a JSON object", text);
		}
	}
	return cli_show(ctx, cli_str(args, "cmd"), api_args, NULL, args);
}

CLI_COMMAND(call_cmd, "call CMD [JSON]",
	"Run an API command with arguments given as a JSON object and print its result "
	"(`call api.commands` lists them).",
	call)

static void print_version(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	(void)args;
	fprintf(ctx->out, "fastpathctl %s\nfastpathd %s (API protocol %lld)\n", FP_VERSION,
		cli_str(result, "version"),
		json_integer_value(json_object_get(result, "protocol")));
}

static int show_version(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "api.version", NULL, print_version, args);
}

CLI_COMMAND(show_version_cmd, "show version", "The versions of fastpathctl and fastpathd.",
	show_version)
