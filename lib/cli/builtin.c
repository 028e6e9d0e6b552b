/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"
#include "base/fp_error.h"

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

CLI_COMMAND_VALUES(call_cmd, "call CMD [JSON]",
	"Run an API command with arguments given as a JSON object and print its result "
	"(`call api.commands` lists them).",
	"CMD=command", call)

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

/* For shells' completion scripts (contrib/fastpathctl.bash): the last word is the one typed. */
static int complete(struct cli_ctx *ctx, const json_t *args)
{
	const json_t *words = json_object_get(args, "word"), *w;
	size_t n = json_array_size(words), i;
	char *argv[n + 1];
	json_t *next;

	json_array_foreach (words, i, w)
		argv[i] = (char *)json_string_value(w);
	next = cli_complete(ctx, n ? n - 1 : 0, argv, n ? argv[n - 1] : "");
	json_array_foreach (next, i, w)
		fprintf(ctx->out, "%s\n", json_string_value(w));
	json_decref(next);
	return 0;
}

CLI_COMMAND(complete_cmd, "complete [WORD]...",
	"Print the words that may come next, one a line, for a command line whose last WORD is "
	"being typed (\"\" for a new word): command words from the syntax, interfaces, routes and "
	"neighbours from the daemon.",
	complete)
