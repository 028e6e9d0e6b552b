/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker graph: its nodes and edges, their run-time counters, packet traces. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* A DOT string: quoted, with its quotes and backslashes escaped. */
static void dot_id(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static bool is_drop(const json_t *nodes, const char *name)
{
	const json_t *n;
	size_t i;

	json_array_foreach (nodes, i, n)
		if (strcmp(cli_str(n, "name"), name) == 0)
			return json_is_true(json_object_get(n, "drop"));
	return false;
}

/* Graphviz: `fastpathctl show graph dot | dot -Tsvg > graph.svg`. */
static void print_dot(FILE *out, const json_t *nodes)
{
	const json_t *n, *e;
	size_t i, k;

	fputs("digraph fastpath {\n\trankdir=LR;\n\tnode [shape=box];\n", out);
	json_array_foreach (nodes, i, n) {
		bool drop = json_is_true(json_object_get(n, "drop"));
		bool source = json_is_true(json_object_get(n, "source"));

		if (!drop && !source)
			continue;
		fputc('\t', out);
		dot_id(out, cli_str(n, "name"));
		fputs(drop ? " [color=red, fontcolor=red];\n" : " [style=bold, shape=ellipse];\n",
			out);
	}
	json_array_foreach (nodes, i, n) {
		json_array_foreach (json_object_get(n, "edges"), k, e) {
			fputc('\t', out);
			dot_id(out, cli_str(n, "name"));
			fputs(" -> ", out);
			dot_id(out, json_string_value(e) ? json_string_value(e) : "");
			fputs(is_drop(nodes, json_string_value(e) ? json_string_value(e) : "")
					? " [color=red];\n"
					: ";\n",
				out);
		}
	}
	fputs("}\n", out);
}

/* One node a line: "ip4_input           -> ip4_route, ip4_bad_checksum". */
static void print_graph(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *nodes = json_object_get(result, "nodes"), *n, *e;
	int width = 0;
	size_t i, k;

	if (json_is_true(json_object_get(args, "dot"))) {
		print_dot(ctx->out, nodes);
		return;
	}
	json_array_foreach (nodes, i, n) {
		int len = strlen(cli_str(n, "name")) +
			  (json_is_true(json_object_get(n, "source")) ? 9 : 0) +
			  (json_is_true(json_object_get(n, "drop")) ? 7 : 0);

		if (len > width)
			width = len;
	}
	json_array_foreach (nodes, i, n) {
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", cli_str(n, "name"),
			json_is_true(json_object_get(n, "source")) ? " (source)" : "",
			json_is_true(json_object_get(n, "drop")) ? " (drop)" : "");
		if (json_array_size(json_object_get(n, "edges")) == 0) {
			fprintf(ctx->out, "%s\n", name);
			continue;
		}
		fprintf(ctx->out, "%-*s  ->", width, name);
		json_array_foreach (json_object_get(n, "edges"), k, e)
			fprintf(ctx->out, "%s %s", k ? "," : "", json_string_value(e));
		fputc('\n', ctx->out);
	}
}

static int show_graph(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "graph.show", NULL, print_graph, args);
}

CLI_COMMAND(show_graph_cmd, "show graph [dot]",
	"The worker graph: each node with the nodes it passes packets to, drop and source nodes "
	"marked; dot prints it for Graphviz (show graph dot | dot -Tsvg > graph.svg).",
	show_graph)

static int by_name(const void *a, const void *b)
{
	return strcmp(cli_str(*(json_t *const *)a, "name"), cli_str(*(json_t *const *)b, "name"));
}

/* Rows for cli_table(): nodes that ran, sorted by name, with the ratios. */
static json_t *runtime_rows(const json_t *nodes)
{
	size_t n = json_array_size(nodes), i;
	json_t **sorted = malloc((n + 1) * sizeof(*sorted)), *rows = json_array(), *node;

	if (sorted == NULL)
		return rows;
	json_array_foreach (nodes, i, node)
		sorted[i] = node;
	qsort(sorted, n, sizeof(*sorted), by_name);
	for (i = 0; i < n; i++) {
		json_int_t calls = cli_int(sorted[i], "calls"),
			   pkts = cli_int(sorted[i], "packets");
		json_int_t cycles = cli_int(sorted[i], "cycles");

		if (calls <= 0)
			continue;
		json_array_append_new(rows,
			json_pack("{s:s, s:I, s:I, s:f, s:f}", "name", cli_str(sorted[i], "name"),
				"calls", calls, "vectors", pkts, "per_call", (double)pkts / calls,
				"per_packet", pkts ? (double)cycles / pkts : 0.0));
	}
	free(sorted);
	return rows;
}

/* As VPP's show runtime: a table per worker. */
static void print_runtime(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *w;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "workers"), i, w) {
		json_t *rows = runtime_rows(json_object_get(w, "nodes"));

		fprintf(ctx->out, "%sworker %lld (lcore %lld)\n", i ? "\n" : "",
			cli_int(w, "worker"), cli_int(w, "lcore"));
		if (json_array_size(rows) == 0)
			fputs("no node ran\n", ctx->out);
		cli_table(ctx->out, NULL, rows,
			"name calls vectors per_call:vectors/call per_packet:cycles/packet", NULL);
		json_decref(rows);
	}
}

static int show_runtime(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "runtime.show", NULL, print_runtime, args);
}

CLI_COMMAND(show_runtime_cmd, "show runtime",
	"Per worker, the graph nodes that ran since the last clear stats: calls, packets "
	"(vectors), packets per call and CPU cycles per packet.",
	show_runtime)

/* As VPP's trace: per packet, the nodes it went through, each with what it saw. */
static void print_trace(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *packets = json_object_get(result, "packets"), *p, *n;
	size_t i, k;

	(void)args;
	if (json_array_size(packets) == 0)
		fputs("no packet traced (trace add N traces the next N packets)\n", ctx->out);
	json_array_foreach (packets, i, p) {
		fprintf(ctx->out, "%sPacket %lld (worker %lld)\n", i ? "\n" : "", cli_int(p, "id"),
			cli_int(p, "worker"));
		json_array_foreach (json_object_get(p, "nodes"), k, n) {
			const char *info = cli_str(n, "info");

			fprintf(ctx->out, "  %s\n", cli_str(n, "node"));
			/* every line of the node's text, indented under it */
			while (*info) {
				int len = strcspn(info, "\n");

				fprintf(ctx->out, "    %.*s\n", len, info);
				info += len + (info[len] == '\n');
			}
		}
	}
}

static int show_trace(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "trace.show", NULL, print_trace, args);
}

CLI_COMMAND(show_trace_cmd, "show trace",
	"The packets traced since trace add: per packet, each node it went through with what the "
	"node saw of it.",
	show_trace)

static int trace_add(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "trace.add", json_pack("{s:I}", "count", cli_int(args, "n")), NULL);
}

CLI_COMMAND(trace_add_cmd, "trace add N",
	"Trace the next N packets the workers receive, node by node (show trace prints them).",
	trace_add)

static int trace_clear(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return cli_call(ctx, "trace.clear", NULL, NULL);
}

CLI_COMMAND(trace_clear_cmd, "trace clear", "Forget the packets traced so far.", trace_clear)
