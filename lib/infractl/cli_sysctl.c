/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "cli/cli.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/*
 * sysctl(8)'s grammar: `sysctl NAME...` prints "NAME = VALUE", `sysctl -w NAME=VALUE...` (or
 * any NAME=VALUE) sets, `sysctl -a` lists everything; -n prints values only, -N names only.
 * A NAME that is a prefix of names (net.ipv4.conf.p1) lists that subtree, as sysctl does for a
 * directory of /proc/sys; -r PATTERN keeps the names an extended regex matches (procps-ng's).
 */

struct sysctl_out {
	bool values_only, names_only;
	json_t *json; /* -j: the entries printed, as the API gives them */
	regex_t *pattern;
};

static void print_entry(struct cli_ctx *ctx, struct sysctl_out *o, const json_t *e)
{
	const json_t *v = json_object_get(e, "value");
	char num[32];
	const char *text = json_is_string(v) ? json_string_value(v) : num;

	if (o->json != NULL) {
		json_array_append(o->json, (json_t *)e);
		return;
	}
	snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (o->names_only)
		fprintf(ctx->out, "%s\n", cli_str(e, "name"));
	else if (o->values_only)
		fprintf(ctx->out, "%s\n", text);
	else
		fprintf(ctx->out, "%s = %s\n", cli_str(e, "name"), text);
}

/* The entries of list named name, or under it (name + "."): how many. */
static size_t print_matching(
	struct cli_ctx *ctx, struct sysctl_out *o, const json_t *list, const char *name)
{
	size_t len = strlen(name), i, n = 0;
	const json_t *e;

	json_array_foreach (list, i, e) {
		const char *en = cli_str(e, "name");

		if (o->pattern != NULL && regexec(o->pattern, en, 0, NULL, 0) != 0)
			continue;
		if (name[0] == '\0' || strcmp(en, name) == 0 ||
			(strncmp(en, name, len) == 0 && en[len] == '.')) {
			print_entry(ctx, o, e);
			n++;
		}
	}
	return n;
}

/* NAME=VALUE: sysctl.set, then the new value printed as sysctl -w prints it. */
static int write_one(struct cli_ctx *ctx, struct sysctl_out *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[256];
	json_t *result;
	int ret;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return fp_error(EINVAL, "sysctl: '%s' must be of the form NAME=VALUE", arg);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	/* sysctl -w "a = b" trims the blanks around the value too */
	while (name[0] && name[strlen(name) - 1] == ' ')
		name[strlen(name) - 1] = '\0';
	eq += 1 + strspn(eq + 1, " ");
	ret = cli_call(
		ctx, "sysctl.set", json_pack("{s:s, s:s}", "name", name, "value", eq), &result);
	if (ret < 0)
		return fp_error_prefix(ret, "sysctl: ");
	print_entry(ctx, o, result);
	json_decref(result);
	return 0;
}

static int sysctl_cmd(struct cli_ctx *ctx, const json_t *args)
{
	struct sysctl_out o = {
		.values_only = json_is_true(json_object_get(args, "-n")),
		.names_only = json_is_true(json_object_get(args, "-N")),
		.json = ctx->json ? json_array() : NULL,
	};
	bool write = json_is_true(json_object_get(args, "-w")),
	     all = json_is_true(json_object_get(args, "-a"));
	const json_t *names = json_object_get(args, "name"), *n;
	const char *pattern = cli_str(args, "-r");
	json_t *list = NULL;
	regex_t re;
	size_t i;
	int ret = 0;

	if (*pattern) {
		if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
			return fp_error(
				EINVAL, "sysctl: '%s' is not a regular expression", pattern);
		o.pattern = &re;
		all = all || json_array_size(names) == 0;
	}
	if (!all && json_array_size(names) == 0)
		ret = fp_error(EINVAL, "sysctl: a NAME, NAME=VALUE or -a");
	json_array_foreach (names, i, n) {
		const char *name = json_string_value(n);

		if (ret < 0)
			break;
		if (write || strchr(name, '=') != NULL) {
			ret = write_one(ctx, &o, name);
			continue;
		}
		if (list == NULL && (ret = cli_call(ctx, "sysctl.list", NULL, &list)) < 0)
			break;
		if (print_matching(ctx, &o, json_object_get(list, "sysctls"), name) == 0 &&
			o.pattern == NULL)
			ret = fp_error(ENOENT, "sysctl: unknown name '%s'", name);
	}
	if (ret == 0 && all && json_array_size(names) == 0 &&
		(ret = cli_call(ctx, "sysctl.list", NULL, &list)) == 0)
		print_matching(ctx, &o, json_object_get(list, "sysctls"), "");
	if (o.json != NULL) {
		json_dumpf(o.json, ctx->out, JSON_INDENT(2));
		fputc('\n', ctx->out);
		json_decref(o.json);
	}
	json_decref(list);
	if (o.pattern != NULL)
		regfree(&re);
	return ret;
}

CLI_COMMAND(sysctl_cmd_reg, "sysctl [-a] [-n] [-N] [-w] [-r PATTERN] [NAME]...",
	"Read and set the sysctl knobs as sysctl(8) does (docs/sysctl.md): NAME... prints "
	"\"NAME = VALUE\" (a NAME that is a prefix lists what is under it), NAME=VALUE or -w "
	"NAME=VALUE sets, -a lists all, -r PATTERN those an extended regex matches; -n prints "
	"values "
	"only, -N names only.",
	sysctl_cmd)
