/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

static json_int_t num(const json_t *o, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(o, path1);

	return json_integer_value(path2 != NULL ? json_object_get(v, path2) : v);
}

static void print_netlink(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *c = json_object_get(result, "config"), *m = json_object_get(result, "mirror");
	const json_t *p = json_object_get(result, "push"), *t, *v;
	const char *reason;
	size_t i;

	(void)args;
	fprintf(ctx->out, "mirror: %s%s, receive buffer %lld bytes, tables",
		json_is_true(json_object_get(m, "running")) ? "running" : "stopped",
		json_is_true(json_object_get(m, "dumping")) ? " (dumping)" : "",
		num(c, "rcvbuf", NULL));
	json_array_foreach (json_object_get(c, "tables"), i, t)
		fprintf(ctx->out, " %lld->vrf %lld", num(t, "table", NULL), num(t, "vrf", NULL));
	fprintf(ctx->out, "\nmessages %lld, dumps %lld, overruns %lld, swept %lld\n",
		num(m, "messages", NULL), num(m, "dumps", NULL), num(m, "overruns", NULL),
		num(m, "swept", NULL));
	fprintf(ctx->out,
		"kernel routes %lld (%lld prefixes): added %lld, deleted %lld, rejected %lld, "
		"shadowed %lld, duplicates %lld\n",
		num(m, "kernel_routes", NULL), num(m, "kernel_prefixes", NULL),
		num(m, "routes", "added"), num(m, "routes", "deleted"),
		num(m, "routes", "rejected"), num(m, "routes", "shadowed"),
		num(m, "routes", "duplicates"));
	fprintf(ctx->out,
		"addresses: added %lld, deleted %lld; neighbours: added %lld, deleted %lld\n",
		num(m, "addresses", "added"), num(m, "addresses", "deleted"),
		num(m, "neighbours", "added"), num(m, "neighbours", "deleted"));
	fprintf(ctx->out,
		"nexthop objects %lld: added %lld, deleted %lld; routes resolved again %lld\n",
		num(m, "nexthops", "objects"), num(m, "nexthops", "added"),
		num(m, "nexthops", "deleted"), num(m, "nexthops", "routes_resolved"));
	fputs("ignored:", ctx->out);
	json_object_foreach ((json_t *)json_object_get(m, "ignored"), reason, v)
		fprintf(ctx->out, " %s %lld", reason, json_integer_value(v));
	fprintf(ctx->out,
		"\ncopies on the twins: routes %lld, addresses %lld, skipped %lld, "
		"conflicts %lld (the kernel's own kept), removed %lld, leftovers %lld, "
		"errors %lld\n",
		num(p, "routes", NULL), num(p, "addresses", NULL), num(p, "skipped", NULL),
		num(p, "conflicts", NULL), num(p, "removed", NULL), num(p, "leftovers", NULL),
		num(p, "errors", NULL));
}

static int show_netlink(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "netlink.show", NULL, print_netlink, args);
}

CLI_COMMAND(show_netlink_cmd, "show netlink",
	"The kernel mirror: its settings, state and counters (messages, routes, addresses, "
	"neighbours and nexthop objects mirrored, ignored by reason, overruns, dumps, swept), and "
	"fastpath's copies on "
	"the twins (made, conflicts with the kernel's own, removed, leftovers of a previous run).",
	show_netlink)
