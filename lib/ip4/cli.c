/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"
#include "base/fp_error.h"
#include "base/fp_net.h"

#include <errno.h>

#include <string.h>

#define ADDR_RENAMES "prefix=address dev=iface"

/* As ip addr prints it; an IPv4 address has its broadcast route (brd) as with ip's "brd +". */
static void print_address(FILE *out, const json_t *a)
{
	const char *addr = cli_str(a, "address");
	struct fp_ip4_prefix p;

	if (strchr(addr, ':') == NULL) {
		fprintf(out, "    inet %s", addr);
		if (fp_ip4_prefix_parse(addr, &p, true) == 0 && p.len < 31) {
			char brd[FP_IP4_ADDRSTRLEN];

			fprintf(out, " brd %s", fp_ip4_fmt(p.addr | ~fp_ip4_mask(p.len), brd));
		}
		fprintf(out, " scope global %s\n", cli_str(a, "iface"));
	} else {
		fprintf(out, "    inet6 %s scope %s", addr, cli_str(a, "scope"));
		if (strcmp(cli_str(a, "state"), "preferred") != 0)
			fprintf(out, " %s", cli_str(a, "state"));
		fputc('\n', out);
	}
	/* fastpath's addresses are static */
	fputs("       valid_lft forever preferred_lft forever\n", out);
}

/*
 * As ip addr lists them: each interface (or the one named), headed as ip link heads it, with
 * its addresses of both families, IPv4 first, interfaces without any too. With a family (ip
 * -4 addr, ip -6 addr), as ip does: only the interfaces with addresses of it, without their
 * link/ether line. -j prints addr.list's result (the interface's addresses only, if named).
 */
static int show_addresses_of(struct cli_ctx *ctx, const json_t *args, const char *family)
{
	const char *name = cli_str(args, "iface");
	json_t *ifaces = NULL, *addrs = NULL, *list, *iface, *a;
	bool found = !*name;
	size_t i, j;
	int ret;

	if ((ret = cli_call(ctx, "iface.list", NULL, &ifaces)) < 0 ||
		(ret = cli_call(ctx, "addr.list",
			 family ? json_pack("{s:s}", "family", family) : NULL, &addrs)) < 0)
		goto out;
	list = json_object_get(addrs, "addresses");
	for (j = json_array_size(list); *name && j-- > 0;)
		if (strcmp(cli_str(json_array_get(list, j), "iface"), name) != 0)
			json_array_remove(list, j);
	json_array_foreach (json_object_get(ifaces, "interfaces"), i, iface) {
		size_t n = 0;

		if (*name && strcmp(cli_str(iface, "name"), name) != 0)
			continue;
		found = true;
		json_array_foreach (list, j, a)
			n += strcmp(cli_str(a, "iface"), cli_str(iface, "name")) == 0;
		if (ctx->json || (family && n == 0))
			continue;
		cli_print_link(ctx->out, iface, family == NULL);
		json_array_foreach (list, j, a)
			if (strcmp(cli_str(a, "iface"), cli_str(iface, "name")) == 0)
				print_address(ctx->out, a);
	}
	if (!found) {
		ret = fp_error(ENODEV, "Device \"%s\" does not exist.", name);
		goto out;
	}
	if (ctx->json) {
		json_dumpf(addrs, ctx->out, JSON_INDENT(2));
		fputc('\n', ctx->out);
	}
out:
	json_decref(ifaces);
	json_decref(addrs);
	return ret;
}

static int show_addresses(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, NULL);
}

CLI_COMMAND(show_addresses_cmd, "show addresses",
	"List the interfaces, as ip link heads them, each with its addresses, IPv4 then IPv6 (with "
	"scope, and state when not preferred), as ip addr does.",
	show_addresses, "ip addr", "ip addr show")

CLI_COMMAND(show_iface_addresses_cmd, "ip addr show [dev] IFACE",
	"The interface with its addresses, as ip addr show dev IFACE prints it.", show_addresses)

static int show_addresses4(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, "inet");
}

CLI_COMMAND(show_addresses4_cmd, "ip -4 addr",
	"List the interfaces' IPv4 addresses, under each interface that has one.", show_addresses4,
	"ip -4 addr show")

CLI_COMMAND(show_iface_addresses4_cmd, "ip -4 addr show [dev] IFACE",
	"The interface's IPv4 addresses (nothing when it has none).", show_addresses4)

static int show_addresses6(struct cli_ctx *ctx, const json_t *args)
{
	return show_addresses_of(ctx, args, "inet6");
}

CLI_COMMAND(show_addresses6_cmd, "ip -6 addr",
	"List the interfaces' IPv6 addresses, under each interface that has one: link-local ones "
	"included, tentative and dadfailed ones marked.",
	show_addresses6, "ip -6 addr show")

CLI_COMMAND(show_iface_addresses6_cmd, "ip -6 addr show [dev] IFACE",
	"The interface's IPv6 addresses (nothing when it has none).", show_addresses6)

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
