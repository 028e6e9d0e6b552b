/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

#include <string.h>

#define ADDR_RENAMES "prefix=address dev=iface"

static void print_address(FILE *out, const json_t *a)
{
	if (strchr(cli_str(a, "address"), ':') == NULL) {
		fprintf(out, "    inet %s\n", cli_str(a, "address"));
		return;
	}
	fprintf(out, "    inet6 %s scope %s", cli_str(a, "address"), cli_str(a, "scope"));
	if (strcmp(cli_str(a, "state"), "preferred") != 0)
		fprintf(out, " %s", cli_str(a, "state"));
	fputc('\n', out);
}

/*
 * Grouped by interface as ip addr does, each interface once with its addresses of both
 * families (the daemon lists IPv4, then IPv6): interfaces in the order they first come,
 * addresses in the daemon's order. IPv6 with scope and state.
 */
static void print_addresses(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *addrs = json_object_get(result, "addresses"), *a, *b;
	size_t i, j;

	(void)args;
	json_array_foreach (addrs, i, a) {
		const char *iface = cli_str(a, "iface");
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(cli_str(json_array_get(addrs, j), "iface"), iface) == 0;
		if (seen)
			continue;
		fprintf(ctx->out, "%s:\n", iface);
		json_array_foreach (addrs, j, b)
			if (j >= i && strcmp(cli_str(b, "iface"), iface) == 0)
				print_address(ctx->out, b);
	}
}

static int show_addresses_of(struct cli_ctx *ctx, const json_t *args, const char *family)
{
	json_t *api_args = family ? json_pack("{s:s}", "family", family) : NULL;

	return cli_show(ctx, "addr.list", api_args, print_addresses, args);
}

static int show_addresses(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, NULL);
}

CLI_COMMAND(show_addresses_cmd, "show addresses",
	"List the interfaces' addresses, IPv4 then IPv6 (with scope, and state when not "
	"preferred).",
	show_addresses, "ip addr", "ip addr show")

static int show_addresses4(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, "inet");
}

CLI_COMMAND(show_addresses4_cmd, "ip -4 addr", "List the interfaces' IPv4 addresses.",
	show_addresses4, "ip -4 addr show")

static int show_addresses6(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, "inet6");
}

CLI_COMMAND(show_addresses6_cmd, "ip -6 addr",
	"List the interfaces' IPv6 addresses: link-local ones included, tentative and dadfailed "
	"ones marked.",
	show_addresses6, "ip -6 addr show")

static int addr_add(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "addr.add", cli_api_args(args, ADDR_RENAMES), NULL);
}

CLI_COMMAND(addr_add_cmd, "ip addr add PREFIX dev IFACE",
	"Add an address (10.0.1.1/24, 2001:db8:1::1/64) to an interface, with its connected and "
	"local routes (an IPv6 one after duplicate address detection).",
	addr_add, "ip -6 addr add", "ip -4 addr add")

static int addr_del(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "addr.del", cli_api_args(args, ADDR_RENAMES), NULL);
}

CLI_COMMAND_VALUES(addr_del_cmd, "ip addr del PREFIX dev IFACE",
	"Remove an address from an interface, with its connected and local routes.", "PREFIX=addr",
	addr_del, "ip -6 addr del", "ip -4 addr del")

#define RA_RENAMES "dev=iface"

static void print_ras(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *r, *p;
	size_t i, k;

	(void)args;
	json_array_foreach (json_object_get(result, "router_advertisements"), i, r) {
		fprintf(ctx->out, "%s interval %lld lifetime %lld hop_limit %lld",
			cli_str(r, "iface"), (long long)cli_int(r, "interval"),
			(long long)cli_int(r, "lifetime"), (long long)cli_int(r, "hop_limit"));
		if (cli_int(r, "mtu") != 0)
			fprintf(ctx->out, " mtu %lld", (long long)cli_int(r, "mtu"));
		if (json_object_get(r, "prefixes") == NULL)
			fprintf(ctx->out, " prefixes of the addresses");
		json_array_foreach (json_object_get(r, "prefixes"), k, p)
			fprintf(ctx->out, " prefix %s", cli_str(p, "prefix"));
		fprintf(ctx->out, "\n");
	}
}

static int show_ras(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "ra.list", NULL, print_ras, args);
}

CLI_COMMAND(show_ras_cmd, "show router-advertisements",
	"List the interfaces that send IPv6 router advertisements.", show_ras, "ip -6 ra",
	"ip -6 ra show")

/* "prefix" is a list in the syntax, the API's prefixes objects */
static int ra_set(struct cli_ctx *ctx, const json_t *args)
{
	json_t *api_args = cli_api_args(args, RA_RENAMES),
	       *list = json_object_get(api_args, "prefix");

	if (list != NULL) {
		json_t *prefixes = json_array(), *p;
		size_t i;

		json_array_foreach (list, i, p)
			json_array_append_new(prefixes, json_pack("{s:O}", "prefix", p));
		json_object_set_new(api_args, "prefixes", prefixes);
		json_object_del(api_args, "prefix");
	}
	return cli_call(ctx, "ra.set", api_args, NULL);
}

CLI_COMMAND(ra_set_cmd, "ip -6 ra set dev IFACE [interval N] [lifetime N] [prefix PREFIX]...",
	"Send router advertisements on an interface, every interval seconds at most (600), with "
	"this router lifetime (3 intervals) and these prefixes (those of the interface's "
	"addresses).",
	ra_set)

static int ra_del(struct cli_ctx *ctx, const json_t *args)
{
	return cli_call(ctx, "ra.del", cli_api_args(args, RA_RENAMES), NULL);
}

CLI_COMMAND(ra_del_cmd, "ip -6 ra del dev IFACE",
	"Stop the router advertisements of an interface (a last one says lifetime 0).", ra_del)
