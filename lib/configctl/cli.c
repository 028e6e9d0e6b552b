/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"
#include "base/fp_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The document as a config file: fastpathd -c and config load read it back. */
static int write_config(FILE *out, const json_t *result)
{
	if (json_dumpf(
		    json_object_get(result, "config"), out, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		return -EIO;
	return fputc('\n', out) == EOF ? -EIO : 0;
}

static void print_config(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	(void)args;
	write_config(ctx->out, result);
}

static int show_config(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "config.dump", NULL, print_config, args);
}

CLI_COMMAND(show_config_cmd, "show config",
	"The running configuration as a config document, in its sections' order: save it and "
	"config load it back.",
	show_config)

static int config_dump(struct cli_ctx *ctx, const json_t *args)
{
	const char *path = cli_str(args, "file");
	json_t *result;
	FILE *f;
	int ret;

	if (!*path)
		return show_config(ctx, args);
	if ((ret = cli_call(ctx, "config.dump", NULL, &result)) < 0)
		return ret;
	f = fopen(path, "w");
	if (f == NULL) {
		ret = fp_error(errno, "%s: %s", path, strerror(errno));
	} else {
		ret = write_config(f, result);
		if (fclose(f) != 0 && ret == 0)
			ret = -errno;
		if (ret < 0)
			ret = fp_error(-ret, "%s: %s", path, strerror(-ret));
	}
	json_decref(result);
	return ret;
}

CLI_COMMAND(config_dump_cmd, "config dump [FILE]",
	"Save the running configuration to FILE, as show config prints it (without FILE: print "
	"it).",
	config_dump)

/* What a config load changed, per section: + added, - removed, ~ changed. */
static void print_changes(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	static const char *const kinds[][2] = {{"added", "+"}, {"removed", "-"}, {"changed", "~"}};
	const json_t *changes = json_object_get(result, "changes"), *c, *item;
	size_t i, k;

	(void)args;
	if (json_array_size(changes) == 0)
		fputs("no change\n", ctx->out);
	json_array_foreach (changes, i, c) {
		fprintf(ctx->out, "%s:\n", cli_str(c, "section"));
		for (size_t kind = 0; kind < sizeof(kinds) / sizeof(kinds[0]); kind++) {
			json_array_foreach (json_object_get(c, kinds[kind][0]), k, item) {
				char *text = json_is_string(item)
						     ? strdup(json_string_value(item))
						     : json_dumps(item,
							       JSON_COMPACT | JSON_PRESERVE_ORDER |
								       JSON_ENCODE_ANY);

				fprintf(ctx->out, "  %s %s\n", kinds[kind][1], text ? text : "?");
				free(text);
			}
		}
	}
}

static int config_load(struct cli_ctx *ctx, const json_t *args)
{
	const char *path = cli_str(args, "file");
	/* opened here, with the user's rights: the daemon reads what it is given */
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return fp_error(errno, "%s: %s", path, strerror(errno));
	ret = cli_show_fd(ctx, "config.load", NULL, fd, print_changes, args);
	close(fd);
	return ret;
}

CLI_COMMAND(config_load_cmd, "config load FILE",
	"Apply a config file, all or nothing, and print what changed, section by section (+ added, "
	"- removed, ~ changed). fastpathctl opens FILE with your rights and fastpathd reads it.",
	config_load)
