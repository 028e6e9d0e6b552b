/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/client.h"
#include "cli.h"

#include <ctype.h>
#include <string.h>

#define TABLE_MAX_COLUMNS 16

int cli_call(struct cli_ctx *ctx, const char *cmd, json_t *api_args, json_t **result)
{
	if (ctx->client == NULL) {
		int ret = api_client_connect(ctx->socket, &ctx->client);

		if (ret < 0) {
			json_decref(api_args);
			return ret;
		}
	}
	return api_client_call(ctx->client, cmd, api_args, result);
}

int cli_show(struct cli_ctx *ctx, const char *cmd, json_t *api_args, cli_print_fn print,
	const json_t *args)
{
	json_t *result;
	int ret = cli_call(ctx, cmd, api_args, &result);

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
