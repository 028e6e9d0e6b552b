/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/client.h"
#include "cli.h"
#include "base/fp_error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TABLE_MAX_COLUMNS 16

/*
 * The daemon names a bad argument by its JSON path ("/nexthops/1/via: not on a connected
 * network"), which the user of the CLI never wrote: the message names the word typed instead
 * ("10.9.9.9: not on a connected network"), or only drops the path when it quotes the word.
 * Left as it is when the path leads to no value.
 */
static void error_in_cli_words(const json_t *api_args, int ret)
{
	const char *msg = fp_errmsg(), *colon = strstr(msg, ": ");
	const json_t *v = api_args;
	char path[256], *seg, *save, word[128], text[512];

	if (msg[0] != '/' || colon == NULL || (size_t)(colon - msg) >= sizeof(path))
		return;
	snprintf(path, sizeof(path), "%.*s", (int)(colon - msg), msg);
	for (seg = strtok_r(path, "/", &save); seg != NULL && v != NULL;
		seg = strtok_r(NULL, "/", &save))
		v = json_is_array(v) ? json_array_get(v, strtoul(seg, NULL, 10))
				     : json_object_get(v, seg);
	if (json_is_string(v))
		snprintf(word, sizeof(word), "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(word, sizeof(word), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		return;
	/* the message is read before fp_error() writes over it; it may quote the word already */
	snprintf(text, sizeof(text), "%s%s%s", strstr(colon + 2, word) ? "" : word,
		strstr(colon + 2, word) ? "" : ": ", colon + 2);
	fp_error(-ret, "%s", text);
}

/* The connection, made on the first call: 0, or <0 with api_args dropped. */
static int cli_connect(struct cli_ctx *ctx, json_t *api_args)
{
	int ret = ctx->client == NULL ? api_client_connect(ctx->socket, &ctx->client) : 0;

	if (ret < 0)
		json_decref(api_args);
	return ret;
}

int cli_call_fd(struct cli_ctx *ctx, const char *cmd, json_t *api_args, int fd, json_t **result)
{
	int ret = cli_connect(ctx, api_args);

	if (ret < 0)
		return ret;
	json_incref(api_args); /* for the error message */
	ret = api_client_call_fd(ctx->client, cmd, api_args, fd, result);
	if (ret < 0)
		error_in_cli_words(api_args, ret);
	json_decref(api_args);
	return ret;
}

int cli_call_each(
	struct cli_ctx *ctx, const char *cmd, json_t *api_args, cli_chunk_fn each, void *arg)
{
	int ret = cli_connect(ctx, api_args);

	if (ret < 0)
		return ret;
	json_incref(api_args);
	ret = api_client_call_each(ctx->client, cmd, api_args, each, arg);
	if (ret < 0)
		error_in_cli_words(api_args, ret);
	json_decref(api_args);
	return ret;
}

int cli_call(struct cli_ctx *ctx, const char *cmd, json_t *api_args, json_t **result)
{
	return cli_call_fd(ctx, cmd, api_args, -1, result);
}

int cli_show_fd(struct cli_ctx *ctx, const char *cmd, json_t *api_args, int fd, cli_print_fn print,
	const json_t *args)
{
	json_t *result;
	int ret = cli_call_fd(ctx, cmd, api_args, fd, &result);

	if (ret < 0)
		return ret;
	if (ctx->json || print == NULL) {
		json_dumpf(result, ctx->out, JSON_INDENT(2));
		fputc('\n', ctx->out);
	} else {
		print(ctx, result, args);
	}
	json_decref(result);
	return 0;
}

int cli_show(struct cli_ctx *ctx, const char *cmd, json_t *api_args, cli_print_fn print,
	const json_t *args)
{
	return cli_show_fd(ctx, cmd, api_args, -1, print, args);
}

void cli_ctx_fini(struct cli_ctx *ctx)
{
	api_client_close(ctx->client);
	ctx->client = NULL;
}

json_t *cli_api_args(const json_t *args, const char *renames)
{
	json_t *api = json_object(), *v;
	const char *key;

	json_object_foreach ((json_t *)args, key, v) {
		size_t klen = strlen(key);
		char name[64];

		snprintf(name, sizeof(name), "%s", key);
		for (const char *r = renames; *r != '\0'; r += strspn(r, " ")) {
			size_t len = strcspn(r, " ");

			if (len > klen && strncmp(r, key, klen) == 0 && r[klen] == '=')
				snprintf(name, sizeof(name), "%.*s", (int)(len - klen - 1),
					r + klen + 1);
			r += len;
		}
		json_object_set(api, name, v);
	}
	return api;
}

const char *cli_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

json_int_t cli_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* Local file names starting with partial; directories end with '/'. */
static json_t *file_values(const char *partial)
{
	const char *slash = strrchr(partial, '/'), *base = slash ? slash + 1 : partial;
	int dirlen = slash ? (int)(slash - partial + 1) : 0;
	json_t *names = json_array();
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", dirlen, partial);
	d = opendir(dirlen ? dir : ".");
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[PATH_MAX * 2];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
			(e->d_name[0] == '.' && base[0] != '.') ||
			strncmp(e->d_name, base, strlen(base)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			strcat(path, "/");
		json_array_append_new(names, json_string(path));
	}
	if (d != NULL)
		closedir(d);
	return names;
}

json_t *cli_values(struct cli_ctx *ctx, const char *source, const char *partial)
{
	static const struct {
		const char *source, *cmd, *list, *member;
	} sources[] = {
		{"iface", "iface.list", "interfaces", "name"},
		{"addr", "addr.list", "addresses", "address"},
		{"route", "route.list", "routes", "prefix"},
		{"neigh", "neigh.list", "neighbours", "address"},
		{"command", "api.commands", "commands", "name"},
	};
	json_t *result, *values, *item;
	size_t k, i;

	if (strcmp(source, "file") == 0)
		return file_values(partial);
	for (k = 0; k < sizeof(sources) / sizeof(sources[0]); k++)
		if (strcmp(source, sources[k].source) == 0)
			break;
	/* no daemon, no values: completion stays quiet */
	if (k == sizeof(sources) / sizeof(sources[0]) ||
		cli_call(ctx, sources[k].cmd, NULL, &result) < 0)
		return NULL;
	values = json_array();
	json_array_foreach (json_object_get(result, sources[k].list), i, item) {
		/* the routes of the addresses go with them */
		if (strcmp(source, "route") == 0 &&
			strcmp(cli_str(item, "origin"), "connected") == 0)
			continue;
		if (json_is_string(json_object_get(item, sources[k].member)))
			json_array_append(values, json_object_get(item, sources[k].member));
	}
	json_decref(result);
	return values;
}

static const char *cell(const json_t *v, char buf[32])
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, 32, "%.2f", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "yes";
	case JSON_FALSE:
		return "no";
	default:
		return "-";
	}
}

struct column {
	const char *key;
	char header[32];
	int width;
	bool right; /* numbers */
};

static void print_row(FILE *out, const struct column *cols, int ncols, const char *text[])
{
	for (int i = 0; i < ncols; i++) {
		const char *sep = i + 1 < ncols ? "  " : "\n";

		if (cols[i].right)
			fprintf(out, "%*s%s", cols[i].width, text[i], sep);
		else if (i + 1 < ncols)
			fprintf(out, "%-*s%s", cols[i].width, text[i], sep);
		else
			fprintf(out, "%s%s", text[i], sep);
	}
}

void cli_table(FILE *out, bool *gap, const json_t *rows, const char *columns, const char *nonzero)
{
	char spec[512], bufs[TABLE_MAX_COLUMNS][32], *save;
	struct column cols[TABLE_MAX_COLUMNS];
	const char *text[TABLE_MAX_COLUMNS];
	bool any = false;
	int ncols = 0;
	json_t *row;
	size_t i;

	snprintf(spec, sizeof(spec), "%s", columns);
	for (char *c = strtok_r(spec, " ", &save); c != NULL && ncols < TABLE_MAX_COLUMNS;
		c = strtok_r(NULL, " ", &save)) {
		struct column *col = &cols[ncols++];
		char *header = strchr(c, ':');

		if (header != NULL)
			*header++ = '\0';
		*col = (struct column){.key = c};
		snprintf(col->header, sizeof(col->header), "%s", header ? header : c);
		for (char *h = col->header; *h; h++)
			*h = toupper((unsigned char)*h);
		col->width = strlen(col->header);
	}
	/* two passes: the widths and alignment (from the first row), then the text */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach (rows, i, row) {
			if (nonzero && json_number_value(json_object_get(row, nonzero)) == 0)
				continue;
			for (int c = 0; c < ncols; c++) {
				const json_t *v = json_object_get(row, cols[c].key);

				text[c] = cell(v, bufs[c]);
				if ((int)strlen(text[c]) > cols[c].width)
					cols[c].width = strlen(text[c]);
				if (!any)
					cols[c].right = json_is_number(v);
			}
			any = true;
			if (pass == 1)
				print_row(out, cols, ncols, text);
		}
		if (!any)
			return;
		if (pass == 0) {
			if (gap != NULL && *gap)
				fputc('\n', out);
			if (gap != NULL)
				*gap = true;
			for (int c = 0; c < ncols; c++)
				text[c] = cols[c].header;
			print_row(out, cols, ncols, text);
		}
	}
}
