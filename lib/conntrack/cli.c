/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fastpathctl conntrack: conntrack-tools' command line and output (conntrack 1.4.7) over the
 * API's conntrack.* commands and the monitor's conntrack events (docs/conntrack.md).
 */
#include "cli/cli.h"
#include "api/client.h"
#include "base/fp_error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* What conntrack-tools starts its summaries with, on stderr. */
#define CT_TOOL "conntrack v1.4.7 (conntrack-tools)"

/* The filter options: conntrack's word and the API's argument. */
static const char *const filters[][2] = {
	{"-p", "proto"},
	{"-s", "src"},
	{"-d", "dst"},
	{"--sport", "sport"},
	{"--dport", "dport"},
	{"--state", "state"},
	{"-w", "zone"},
	{"-f", "family"},
};

static json_t *api_filters(const json_t *args)
{
	json_t *api = json_object();

	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		const json_t *v = json_object_get(args, filters[i][0]);

		if (v != NULL)
			json_object_set(api, filters[i][1], (json_t *)v);
	}
	return api;
}

struct printed {
	struct cli_ctx *ctx;
	size_t n;
};

/* A chunk of -L's or -D's entries, printed as it comes: lines, or with -j JSON objects. */
static int print_chunk(const json_t *result, void *arg)
{
	struct printed *p = arg;
	const json_t *e;
	size_t i;

	json_array_foreach (json_object_get(result, "entries"), i, e) {
		if (p->ctx->json)
			json_dumpf(e, p->ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		else
			fputs(json_string_value(e), p->ctx->out);
		fputc('\n', p->ctx->out);
		p->n++;
	}
	return 0;
}

/*
 * -L and -D: the lines (with -j an object a line, as -E's), then conntrack's summary on
 * stderr; a chunk at a time, for tables of millions.
 */
static int entries(struct cli_ctx *ctx, const json_t *args, const char *cmd, const char *done)
{
	json_t *api = api_filters(args);
	struct printed p = {.ctx = ctx};
	int ret;

	json_object_set_new(api, "json", json_boolean(ctx->json));
	ret = cli_call_each(ctx, cmd, api, print_chunk, &p);
	fflush(ctx->out);
	if (ret < 0)
		return ret;
	fprintf(ctx->err, CT_TOOL ": %zu flow entries have been %s.\n", p.n, done);
	return 0;
}

static int count(struct cli_ctx *ctx)
{
	json_t *result;
	int ret = cli_call(ctx, "conntrack.count", NULL, &result);

	if (ret < 0)
		return ret;
	if (ctx->json) {
		json_dumpf(result, ctx->out, JSON_INDENT(2));
		fputc('\n', ctx->out);
	} else {
		fprintf(ctx->out, "%" JSON_INTEGER_FORMAT "\n", cli_int(result, "count"));
	}
	json_decref(result);
	return 0;
}

static void print_stats(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *w;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "workers"), i, w)
		fprintf(ctx->out, "%s\n", cli_str(w, "line"));
}

/* -E's filters, on the event's object: conntrack's on the original direction. */
static bool same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;

	return fa == fb && inet_pton(fa, a, x) == 1 && inet_pton(fb, b, y) == 1 &&
	       memcmp(x, y, fa == AF_INET ? 4 : 16) == 0;
}

static bool event_matches(const json_t *o, const json_t *api)
{
	const json_t *orig = json_object_get(o, "original");
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)api, key, v) {
		/* the numbers (ports, zone) come as integers from the command line's N */
		const char *want = json_is_string(v) ? json_string_value(v) : "";
		long num =
			json_is_integer(v) ? (long)json_integer_value(v) : strtol(want, NULL, 10);
		bool ok;

		if (!strcmp(key, "proto"))
			ok = !strcmp(cli_str(o, "proto"), want) || num == cli_int(o, "protonum");
		else if (!strcmp(key, "src") || !strcmp(key, "dst"))
			ok = same_addr(cli_str(orig, key), want);
		else if (!strcmp(key, "sport") || !strcmp(key, "dport"))
			ok = cli_int(orig, key) == num;
		else if (!strcmp(key, "state"))
			ok = !strcasecmp(cli_str(o, "state"), want);
		else if (!strcmp(key, "zone"))
			ok = cli_int(o, "zone") == num;
		else
			ok = !strcmp(cli_str(o, "family"), want);
		if (!ok)
			return false;
	}
	return true;
}

static volatile sig_atomic_t stop_events;

static void on_stop(int sig)
{
	(void)sig;
	stop_events = 1;
}

/* -E: until interrupted (SIGINT, SIGTERM), then the count as conntrack prints it. */
static int events(struct cli_ctx *ctx, const json_t *args)
{
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	json_t *api = api_filters(args), *result = NULL, *ev;
	unsigned long shown = 0;
	int ret;

	/* the daemon checks the filters, as conntrack does before it listens */
	ret = cli_call(ctx, "conntrack.count", json_incref(api), NULL);
	if (ret >= 0)
		ret = cli_call(
			ctx, "monitor", json_pack("{s:[s]}", "events", "conntrack"), &result);
	json_decref(result);
	if (ret < 0)
		goto out;
	stop_events = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	while (!stop_events) {
		const json_t *o;

		ret = api_client_event(ctx->client, 200, &ev);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret < 0)
			break;
		o = json_object_get(ev, "object");
		if (!strcmp(cli_str(ev, "event"), "conntrack.lost"))
			fprintf(ctx->err, "WARNING: We have hit ENOBUFS! We are losing events.\n");
		else if (event_matches(o, api)) {
			if (ctx->json)
				json_dumpf(o, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
			else
				fputs(cli_str(o, "line"), ctx->out);
			fputc('\n', ctx->out);
			fflush(ctx->out);
			shown++;
		}
		json_decref(ev);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	fprintf(ctx->err, CT_TOOL ": %lu flow events have been shown.\n", shown);
	if (stop_events)
		ret = 0;
	else if (ret == -ENOTCONN)
		ret = fp_error(ENOTCONN, "fastpathd closed the connection");
out:
	json_decref(api);
	return ret;
}

static int conntrack(struct cli_ctx *ctx, const json_t *args)
{
	static const char *const ops[] = {"-L", "-C", "-S", "-D", "-F", "-E"};
	bool json = ctx->json, filtered = false;
	const char *op = NULL;
	int ret;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (json_object_get(args, ops[i]))
			op = ops[i];
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		filtered |= json_object_get(args, filters[i][0]) != NULL;
	if (op == NULL)
		return fp_error(EINVAL, "conntrack needs one of -L, -C, -S, -D, -F, -E");
	/* as conntrack: "Illegal option `--protonum' with this command" */
	if (filtered && strchr("CSF", op[1]))
		return fp_error(EINVAL, "conntrack %s takes no filter", op);
	ctx->json |= json_is_true(json_object_get(args, "-j"));
	switch (op[1]) {
	case 'L':
		ret = entries(ctx, args, "conntrack.list", "shown");
		break;
	case 'D':
		ret = entries(ctx, args, "conntrack.delete", "deleted");
		break;
	case 'E':
		ret = events(ctx, args);
		break;
	case 'C':
		ret = count(ctx);
		break;
	case 'S':
		ret = cli_show(ctx, "conntrack.stats", NULL, print_stats, args);
		break;
	default:
		ret = cli_call(ctx, "conntrack.flush", NULL, NULL);
		if (ret == 0)
			fprintf(ctx->err,
				CT_TOOL ": connection tracking table has been emptied.\n");
	}
	ctx->json = json;
	return ret;
}

CLI_COMMAND(conntrack_cmd,
	"conntrack [-L|-C|-S|-D|-F|-E] [-p PROTO] [-s ADDR] [-d ADDR] [--sport N] [--dport N] "
	"[--state STATE] [-w N] [-f ipv4|ipv6] [-j]",
	"The connection tracking table as conntrack(8) shows it: -L lists the connections, -C "
	"counts them, -S prints each worker's counters, -D deletes those the filters match, -F "
	"deletes all, -E prints the events ([NEW], [UPDATE], [DESTROY]) until interrupted. The "
	"filters are conntrack's, on the original direction: protocol, source and destination "
	"address, ports (with -p tcp or udp), TCP state (with -p tcp), zone, family. -j prints "
	"JSON.",
	conntrack)
